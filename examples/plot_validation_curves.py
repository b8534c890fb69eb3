"""
===================================================
Training and validation loss curves, early stopping
===================================================

``loss_curve_`` says how well a network fits the data it trains on; whether it has begun
to overfit shows only on data it does not train on. Given a validation set (``fit``'s
``X_val`` and ``y_val``), or holding one out itself (``early_stopping=True`` with
``validation_fraction``), the estimator records its loss after every epoch or L-BFGS
iteration in ``validation_loss_curve_``, beside the accuracy in ``validation_scores_``.

Here an unregularised network with 60 hidden units learns 300 handwritten digits, far too
few for it: the training loss falls towards zero while the validation loss turns back up.
With ``early_stopping=True`` training stops once the validation accuracy has not improved
for ``n_iter_no_change`` epochs (or L-BFGS iterations, which scikit-learn's MLP cannot stop
early), and the weights of the best accuracy are kept.
"""

# %%
# Four fits
# ---------
# L-BFGS and Adam, each once with the validation set it holds out itself (10% of the 300
# training rows) and once with an explicit one of 500 other rows.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from sklearn_xornet import TinyMLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16
X_train, y_train = X[:300], y[:300]
X_val, y_val = X[300:800], y[300:800]
X_test, y_test = X[800:], y[800:]

fits = {}
for solver, extra in [("lbfgs", {}), ("adam", {"learning_rate_init": 0.01})]:
    for given in ["held out", "X_val"]:
        clf = TinyMLPClassifier(
            hidden_layer_sizes=(60,),
            solver=solver,
            alpha=0.0,
            early_stopping=True,
            n_iter_no_change=15,
            max_iter=500,
            random_state=0,
            **extra,
        )
        if given == "X_val":
            clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
        else:
            clf.fit(X_train, y_train)
        fits[solver, given] = clf
        print(
            f"{solver:5s} {given:8s}: stopped after {clf.n_iter_:3d}, best validation"
            f" accuracy {clf.best_validation_score_:.3f}, test accuracy"
            f" {clf.score(X_test, y_test):.3f}"
        )

# %%
# The curves
# ----------
# The dotted line marks the epoch or iteration whose weights were kept: the first with the
# best validation accuracy. With 30 held-out rows the accuracy moves in steps of 1/30 and
# the loss is noisy; 500 given rows measure both finely, and no training rows are spent.
fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharey=True)
for ax, ((solver, given), clf) in zip(axes.flat, fits.items(), strict=True):
    steps = np.arange(1, len(clf.loss_curve_) + 1)
    kept = int(np.argmax(clf.validation_scores_)) + 1
    ax.plot(steps, clf.loss_curve_, label="training loss")
    ax.plot(steps, clf.validation_loss_curve_, label="validation loss")
    ax.axvline(kept, color="k", linestyle=":", label=f"kept ({kept})")
    ax.set(
        yscale="log",
        xlabel="iteration" if solver == "lbfgs" else "epoch",
        title=f"{solver}, validation set {given}: accuracy {clf.best_validation_score_:.3f}",
    )
    ax.legend()
axes[0, 0].set_ylabel("mean log-loss")
axes[1, 0].set_ylabel("mean log-loss")
fig.tight_layout()
plt.show()
