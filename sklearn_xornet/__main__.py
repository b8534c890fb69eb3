"""``python -m sklearn_xornet``: the article's 2-3-1 network learns XOR, and says so."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from . import TinyMLPRegressor

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
Y = np.array([0, 1, 1, 0])


def main(seed=0):
    # The article's first program, exactly: sigmoid hidden and output, no biases, weights
    # from U[0, 1), unit step on the error summed over the 4 rows, 60000 epochs.
    net = TinyMLPRegressor(
        hidden_layer_sizes=(3,),
        activation="logistic",
        output_activation="logistic",
        fit_intercept=False,
        weight_init="uniform",
        solver="gd",
        alpha=0.0,
        learning_rate_init=4.0,
        max_iter=60000,
        tol=0.0,
        n_iter_no_change=60000,
        normalize_y=False,
        random_state=seed,
    )
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
