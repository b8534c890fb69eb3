"""
=====================================
The article, reproduced step for step
=====================================

The article's two programs train a 2-3-1 network on XOR with a hand-written numpy loop.
Here each runs beside the library configuration that reproduces it, and we follow the four
outputs through training: the library's curves (lines) lie on the article's (dots), and the
final outputs agree to well below 1e-6.
"""

# %%
# The article's loop
# ------------------
# Both programs, as the article prints them, except that the improved one computes the
# hidden delta ``dH`` before updating ``Wz`` (textbook backpropagation; the article updates
# first). ``record`` keeps the outputs ``Z`` at the epochs listed in ``checkpoints``.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_xornet import TinyMLPRegressor

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
Y = np.array([[0], [1], [1], [0]])


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_(s):  # the sigmoid's slope, from its output
    return s * (1 - s)


def article(seed, improved, checkpoints):
    np.random.seed(seed)
    Wh = np.random.uniform(size=(2, 3))
    Wz = np.random.uniform(size=(3, 1))
    L = 0.1 if improved else 1.0
    record = []
    for epoch in range(1, checkpoints[-1] + 1):
        H = sigmoid(np.dot(X, Wh))  # hidden layer results
        Z = np.dot(H, Wz) if improved else sigmoid(np.dot(H, Wz))  # output layer results
        E = Y - Z  # how much we missed
        dZ = E * L if improved else E * sigmoid_(Z)  # delta Z
        dH = dZ.dot(Wz.T) * sigmoid_(H)  # delta H
        Wz += H.T.dot(dZ)  # update output layer weights
        Wh += X.T.dot(dH)  # update hidden layer weights
        if epoch in checkpoints:
            # the outputs of the weights just reached
            H = sigmoid(np.dot(X, Wh))
            record.append(np.dot(H, Wz).ravel() if improved else sigmoid(np.dot(H, Wz)).ravel())
    return np.array(record)


# %%
# The library's configuration
# ---------------------------
# The article sums its error over 4 rows, the library averages it: the article's unit step
# is ``learning_rate_init=4.0``, its ``L = 0.1`` is ``0.4``. ``warm_start`` continues the
# same descent, so fitting from one checkpoint to the next lets us watch it.
def library(seed, improved, checkpoints):
    net = TinyMLPRegressor(
        hidden_layer_sizes=(3,),
        activation="logistic",
        output_activation="identity" if improved else "logistic",
        fit_intercept=False,
        weight_init="uniform",
        solver="gd",
        alpha=0.0,
        learning_rate_init=0.4 if improved else 4.0,
        tol=0.0,
        normalize_y=False,
        warm_start=True,
        random_state=seed,
    )
    record = []
    with warnings.catch_warnings():
        # a fixed number of epochs, as in the article: reaching max_iter is the plan
        warnings.simplefilter("ignore", ConvergenceWarning)
        for chunk in np.diff(checkpoints, prepend=0):
            net.set_params(max_iter=chunk, n_iter_no_change=chunk)
            record.append(net.fit(X, Y.ravel()).predict(X))
    return np.array(record), net


# %%
# Side by side
# ------------
seed = 0
runs = {
    "first program: sigmoid output, 60000 epochs": (60000, False),
    "improved program: linear output, L = 0.1, 20000 epochs": (20000, True),
}
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
for ax, (title, (epochs, improved)) in zip(axes, runs.items(), strict=True):
    checkpoints = np.unique(np.geomspace(1, epochs, 60).astype(int))
    theirs = article(seed, improved, checkpoints)
    ours, net = library(seed, improved, checkpoints)
    print(title)
    print(" x1 x2 | target | article's loop | sklearn_xornet | difference")
    for row, target, a, b in zip(X, Y.ravel(), theirs[-1], ours[-1], strict=True):
        print(
            f"  {row[0]}  {row[1]} |   {target}    |  {a:11.8f}   |  {b:11.8f}   | {abs(a - b):.1e}"
        )
    print(f"largest difference over the whole run: {np.abs(theirs - ours).max():.1e}\n")

    for i, (x1, x2) in enumerate(X):
        (line,) = ax.plot(checkpoints, ours[:, i], label=f"x = ({x1}, {x2})")
        ax.plot(checkpoints[::3], theirs[::3, i], "o", color=line.get_color(), ms=4)
    ax.set(title=title, xlabel="epoch", ylabel="output Z", xscale="log")
axes[0].legend(title="lines: library, dots: article", fontsize=8)
fig.tight_layout()
plt.show()

# %%
# The first program's final outputs for seed 0 are the article's printout,
# ``[0.0129, 0.9922, 0.9922, 0.0020]``; the network is the article's matrices, kept as
# ``coefs_`` (``Wh``, then ``Wz``):
print("Wh =\n", net.coefs_[0].round(3))
print("Wz =\n", net.coefs_[1].round(3))
