"""The defaults per solver ('auto') and early stopping's rule on ties of the validation score.

The values below are the documented ones (the parameters' docstrings and the README's
"Defaults" section), written out here rather than read from the code under test.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
REG_X, REG_Y = make_regression(n_samples=120, n_features=4, noise=5.0, random_state=0)

AUTO = ("alpha", "learning_rate_init", "max_iter", "n_iter_no_change", "validation_fraction")
DOCUMENTED = {
    ("classifier", "lbfgs"): dict(alpha=0.03, max_iter=200, n_iter_no_change=10),
    ("regressor", "lbfgs"): dict(alpha=5.0, max_iter=200, n_iter_no_change=10),
    ("classifier", "adam"): dict(alpha=0.3, learning_rate_init=0.003, n_iter_no_change=20),
    ("regressor", "adam"): dict(
        alpha=0.3, learning_rate_init=0.001, n_iter_no_change=20, validation_fraction=0.2
    ),
    ("classifier", "sgd"): dict(alpha=0.3, learning_rate_init=0.1, n_iter_no_change=20),
    ("regressor", "sgd"): dict(
        alpha=0.3, learning_rate_init=0.01, n_iter_no_change=20, validation_fraction=0.2
    ),
    ("classifier", "gd"): dict(
        alpha=0.03, learning_rate_init=1.0, max_iter=2000, n_iter_no_change=200
    ),
    ("regressor", "gd"): dict(
        alpha=5.0, learning_rate_init=0.1, max_iter=2000, n_iter_no_change=200
    ),
}
COMMON = dict(learning_rate_init=0.001, max_iter=200, n_iter_no_change=10, validation_fraction=0.1)


def fitted(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_the_solver_dependent_defaults_are_auto_in_get_params(Estimator):
    params = Estimator().get_params()
    assert all(params[name] == "auto" for name in AUTO)
    # and 'auto' is accepted back, as any value get_params gives
    clone(Estimator(**{name: "auto" for name in AUTO}))


@pytest.mark.parametrize("key", list(DOCUMENTED), ids="-".join)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_auto_trains_as_the_documented_values(key, early_stopping):
    """Every 'auto' fits bitwise as its documented value spelled out."""
    kind, solver = key
    Estimator, data = (
        (TinyMLPClassifier, (X, y)) if kind == "classifier" else (TinyMLPRegressor, (REG_X, REG_Y))
    )
    common = dict(hidden_layer_sizes=(5,), solver=solver, early_stopping=early_stopping)
    common["random_state"] = 0
    if solver == "gd":
        common["tol"] = 1e-3  # a short run: the default max_iter is long
    auto = fitted(Estimator(**common), *data)
    spelled = fitted(Estimator(**common, **{**COMMON, **DOCUMENTED[key]}), *data)
    assert auto.get_params()["alpha"] == "auto"  # fitting resolves, but keeps the parameter
    assert auto.n_iter_ == spelled.n_iter_
    for a, b in zip(
        auto.coefs_ + auto.intercepts_, spelled.coefs_ + spelled.intercepts_, strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_the_solver_defaults_keep_adam_from_underfitting():
    """The cause of the per-solver defaults: L-BFGS's regressor penalty on mini-batches."""
    from sklearn.datasets import make_friedman1
    from sklearn.model_selection import train_test_split

    Xf, yf = make_friedman1(1000, noise=1.0, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(Xf, yf, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    auto = fitted(TinyMLPRegressor(solver="adam", random_state=0), X_train, y_train)
    lbfgs_alpha = fitted(
        TinyMLPRegressor(solver="adam", alpha=5.0, random_state=0), X_train, y_train
    )
    # seeds 0-2 score 0.868-0.877 with 'auto', 0.743-0.746 with alpha=5.0
    assert auto.score(X_test, y_test) > 0.85
    assert lbfgs_alpha.score(X_test, y_test) < auto.score(X_test, y_test) - 0.1


def stops_at(scores, losses, tol, n_iter_no_change):
    """The number of epochs the documented rule runs on these validation curves, and the
    epoch it keeps: the best score, ties broken by the lowest validation loss; an epoch
    improves when it raises the best score by ``tol``, or holds it while lowering the
    validation loss by a share ``tol`` of it."""
    best_score, best_loss, kept, stalled = -np.inf, np.inf, None, 0
    for epoch, (score, loss) in enumerate(zip(scores, losses, strict=True)):
        held = score == best_score
        improved = score >= best_score + tol or (held and loss <= best_loss - tol * best_loss)
        if score > best_score or (held and loss < best_loss):
            best_score, best_loss, kept = score, loss, epoch
        stalled = 0 if improved else stalled + 1
        if stalled > n_iter_no_change:
            return epoch + 1, kept
    return len(scores), kept


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd", "gd"])
def test_early_stopping_breaks_ties_of_the_score_by_the_validation_loss(solver):
    train, val = np.arange(len(y)) % 3 != 0, np.arange(len(y)) % 3 == 0
    est = TinyMLPClassifier((10,), solver=solver, early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X[train], y[train], X_val=X[val], y_val=y[val])
    scores, losses = est.validation_scores_, est.validation_loss_curve_
    n_iter_no_change = DOCUMENTED["classifier", solver].get("n_iter_no_change", 10)
    n_epochs, kept = stops_at(scores, losses, 1e-5, n_iter_no_change)
    assert len(scores) == n_epochs
    assert scores.count(max(scores)) > 1  # 50 validation samples: the best score ties
    assert est.best_validation_score_ == scores[kept] == max(scores)
    # the weights kept are the kept epoch's: their validation loss is its entry
    assert log_loss(y[val], est.predict_proba(X[val])) == pytest.approx(losses[kept], rel=1e-9)
    assert losses[kept] == min(
        loss for s, loss in zip(scores, losses, strict=True) if s == max(scores)
    )
