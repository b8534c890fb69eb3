"""
============================
The activations side by side
============================

Every hidden activation the library has, each trained on the same problem from the same
seeds: two interleaved half-moons with noise, 300 points, a (16, 16) network and L-BFGS.
The curves on the left are the functions themselves; the bars, the held-out accuracy (mean
of five seeds). The time of a fit is printed beside it.

A last one is user-supplied: ``activation=(softsign, softsign_derivative)``, a pair of
functions of an array. Its derivative is checked against finite differences when the
network is fitted.
"""

# %%
# The functions
# -------------
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from sklearn_xornet import TinyMLPClassifier


def softsign(x):
    return x / (1 + np.abs(x))


def softsign_derivative(x):
    return 1 / (1 + np.abs(x)) ** 2


# the formulas of the estimator's docstring (parameter ``activation``)
formulas = {
    "identity": lambda x: x,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "gelu": lambda x: x / 2 * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
    "silu": lambda x: x * expit(x),
    "softplus": lambda x: np.logaddexp(0, x),
}
activations = {name: name for name in formulas}
activations["softsign (yours)"] = (softsign, softsign_derivative)

x = np.linspace(-4, 4, 200)
fig, (curves, bars) = plt.subplots(1, 2, figsize=(10, 4))
for name, formula in formulas.items():
    curves.plot(x, formula(x), label=name)
curves.plot(x, softsign(x), "k--", label="softsign (yours)")
curves.set_ylim(-2, 4)
curves.legend(fontsize=8)
curves.set_title("f(x)")

# %%
# Trained on the same problem
# ---------------------------
X, y = make_moons(600, noise=0.3, random_state=0)
X_train, y_train, X_test, y_test = X[:300], y[:300], X[300:], y[300:]
accuracy, seconds = {}, {}
for label, activation in activations.items():
    runs, start = [], time.perf_counter()
    for seed in range(5):
        clf = TinyMLPClassifier((16, 16), activation=activation, random_state=seed)
        with warnings.catch_warnings():  # some runs end at max_iter: not what is compared
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X_train, y_train)
        runs.append(clf.score(X_test, y_test))
    seconds[label] = (time.perf_counter() - start) / 5
    accuracy[label] = np.mean(runs)
    print(f"{label:17s} held-out accuracy {accuracy[label]:.3f}, {seconds[label]:.3f} s a fit")

labels = list(activations)
bars.barh(labels, [accuracy[label] for label in labels])
bars.set_xlim(0.8, 0.95)
bars.set_xlabel("held-out accuracy (mean of 5 seeds)")
fig.tight_layout()
plt.show()
