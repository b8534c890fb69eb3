"""Sample weights mean repetition: integer weights equal repeated rows, zero equals removal."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

rng = np.random.RandomState(0)
X = rng.normal(size=(20, 3))
Y_CLASS = (X[:, 0] * X[:, 1] > 0).astype(int)
Y_REG = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
WEIGHTS = rng.randint(0, 4, size=20)


def fitted(est, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, sample_weight=sample_weight)


def outputs(est, X):
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


# full-batch solvers see the same objective either way; the short runs keep the last
# bits in which the two sums differ from being amplified
ESTIMATORS = [
    TinyMLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0),
    TinyMLPClassifier(
        hidden_layer_sizes=(5,), solver="gd", learning_rate_init=0.5, max_iter=50, random_state=0
    ),
    TinyMLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0),
    TinyMLPRegressor(
        hidden_layer_sizes=(5,), solver="gd", learning_rate_init=0.1, max_iter=50, random_state=0
    ),
]


def target(est):
    return Y_CLASS if hasattr(est, "predict_proba") else Y_REG


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_integer_weights_equal_repeated_rows(est):
    y = target(est)
    weighted = fitted(est.__sklearn_clone__(), X, y, sample_weight=WEIGHTS)
    repeated = fitted(est.__sklearn_clone__(), X.repeat(WEIGHTS, axis=0), y.repeat(WEIGHTS))
    assert_allclose(outputs(weighted, X), outputs(repeated, X), rtol=1e-7, atol=1e-9)
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-9)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_zero_weight_equals_a_removed_row(est):
    y = target(est)
    weights = np.ones(20)
    weights[[3, 11]] = 0
    keep = weights > 0
    weighted = fitted(est.__sklearn_clone__(), X, y, sample_weight=weights)
    removed = fitted(est.__sklearn_clone__(), X[keep], y[keep])
    assert_allclose(outputs(weighted, X), outputs(removed, X), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_weights_change_the_fit(est):
    """The two tests above would pass if weights were ignored; this one would not."""
    y = target(est)
    weighted = fitted(est.__sklearn_clone__(), X, y, sample_weight=WEIGHTS)
    plain = fitted(est.__sklearn_clone__(), X, y)
    assert np.abs(outputs(weighted, X) - outputs(plain, X)).max() > 1e-3


def test_regressor_target_scaling_uses_the_weights():
    weighted = fitted(TinyMLPRegressor(random_state=0), X, Y_REG, sample_weight=WEIGHTS)
    assert_allclose(weighted._y_mean, np.average(Y_REG, weights=WEIGHTS))
    assert_allclose(weighted._y_scale, np.sqrt(np.cov(Y_REG, aweights=WEIGHTS, ddof=0)))


@pytest.mark.parametrize("est", ESTIMATORS[:2], ids=repr)
def test_balanced_class_weights_count_the_samples_with_their_weights(est):
    """As scikit-learn's linear models count them, so that integer weights stay repeated
    rows under class_weight='balanced' too."""
    est = est.__sklearn_clone__().set_params(class_weight="balanced")
    weighted = fitted(est.__sklearn_clone__(), X, Y_CLASS, sample_weight=WEIGHTS)
    repeated = fitted(est.__sklearn_clone__(), X.repeat(WEIGHTS, axis=0), Y_CLASS.repeat(WEIGHTS))
    assert_allclose(outputs(weighted, X), outputs(repeated, X), rtol=1e-7, atol=1e-9)


def test_balanced_class_weights_are_scikit_learn_s_weighted_ones():
    """n_samples / (n_classes * counts), samples and classes counted with their weights:
    the fit of those weights given as sample weights."""
    labels = np.array(["a", "b", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    weights = WEIGHTS + 0.5
    totals = {label: weights[labels == label].sum() for label in "abc"}
    balanced = [weights.sum() / (3 * totals[label]) for label in labels]
    est = ESTIMATORS[1].__sklearn_clone__()
    by_class = fitted(est.set_params(class_weight="balanced"), X, labels, sample_weight=weights)
    by_hand = fitted(
        est.__sklearn_clone__().set_params(class_weight=None),
        X,
        labels,
        sample_weight=weights * np.array(balanced),
    )
    assert_allclose(by_class.predict_proba(X), by_hand.predict_proba(X), rtol=1e-12)
