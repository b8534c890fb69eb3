"""
==========================================
Watching a fit: progress bar and callbacks
==========================================

With scikit-learn 1.9 or newer, both estimators speak scikit-learn's callback API
(``sklearn.callback``): each epoch (each L-BFGS iteration) is one task, reported to every
callback set with ``set_callbacks``. Here ``ProgressBar`` shows the epochs,
``ScoringMonitor`` records the training accuracy after each one, and a callback of our own
scores held-out data and stops the fit when it stops improving.
"""

# %%
# A callback of one's own
# -----------------------
# A callback is any object with the four hooks of ``sklearn.callback.FitCallback``. The
# estimator hands ``on_fit_task_end`` the network as it is after the epoch
# (``fitted_estimator``), which can predict; returning True ends the fit cleanly, with that
# network kept and no ``ConvergenceWarning``.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier


class HeldOutPatience:
    """Score held-out data after every epoch; stop after `patience` epochs without gain."""

    def __init__(self, X, y, patience=3):
        self.X, self.y, self.patience = X, y, patience

    def setup(self, estimator, context):
        self.scores = []

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kwargs):
        if context.parent is None:  # the root task, the whole fit: nothing to score
            return False
        self.scores.append(fitted_estimator.score(self.X, self.y))
        best = int(np.argmax(self.scores))
        return len(self.scores) - 1 - best >= self.patience


# %%
# The fit
# -------
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

monitor = ScoringMonitor(scoring="accuracy")
patience = HeldOutPatience(X_test, y_test, patience=3)
clf = TinyMLPClassifier(
    solver="sgd", learning_rate_init=0.05, batch_size=64, max_iter=60, random_state=0
)
clf.set_callbacks(ProgressBar(), monitor, patience)
clf.fit(X_train, y_train)
print(
    f"stopped after {clf.n_iter_} of 60 epochs; held-out accuracy {clf.score(X_test, y_test):.4f}"
)

# %%
# What the callbacks saw
# ----------------------
# ``ScoringMonitor`` keeps its records in ``get_logs()`` (the most recent fit's by default),
# one row per task; the epochs are the rows whose ``task_name`` is ``"epoch"``.
log = monitor.get_logs()
train_accuracy = [row["accuracy"] for row in log.data if row["task_name"] == "epoch"]

fig, ax = plt.subplots(figsize=(7, 4))
epochs = np.arange(1, len(train_accuracy) + 1)
ax.plot(epochs, train_accuracy, "o-", ms=3, label="training accuracy (ScoringMonitor)")
ax.plot(epochs, patience.scores, "s-", ms=3, label="held-out accuracy (HeldOutPatience)")
best = int(np.argmax(patience.scores)) + 1
ax.axvline(best, color="gray", ls=":", label=f"best held-out epoch ({best})")
ax.axvline(clf.n_iter_, color="k", ls="--", label=f"stopped ({clf.n_iter_})")
ax.set(
    xlabel="epoch", ylabel="accuracy", ylim=(0.85, 1.005), title="digits, sgd: one task per epoch"
)
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
