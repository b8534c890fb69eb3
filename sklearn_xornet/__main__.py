"""``python -m sklearn_xornet``: the article's 2-3-1 network learns XOR, and says so."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._article import article_network

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
Y = np.array([0, 1, 1, 0])


def main(seed=0):
    net = article_network(seed)  # the article's first program, exactly
    with warnings.catch_warnings():
        # the article trains for a fixed number of epochs, never "to convergence"
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, Y)
    Z = net.predict(X)

    print("The article's 2-3-1 sigmoid network, trained on XOR for 60000 epochs")
    print(f"(random_state={seed}, the article's np.random.seed).\n")
    print(" x1  x2 | target | learnt output | prediction")
    print("--------+--------+---------------+-----------")
    for (x1, x2), target, z in zip(X, Y, Z, strict=True):
        print(f"  {x1}   {x2} |   {target}    |   {z:.6f}    |     {int(round(z))}")
    print(f"\nfinal loss (mean squared error / 2): {net.loss_:.3e}")
    correct = int((np.round(Z) == Y).sum())
    print(f"{correct} of 4 rows predicted correctly.")


if __name__ == "__main__":
    main()
