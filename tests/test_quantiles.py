"""Several quantiles in one network: ``loss="quantile", quantile=[0.05, 0.5, 0.95]``."""

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from test_regression_losses import heteroscedastic

from sklearn_xornet import TinyMLPRegressor

LEVELS = [0.05, 0.5, 0.95]


def quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def quantiles(**params):
    return TinyMLPRegressor((16,), loss="quantile", quantile=LEVELS, random_state=0, **params)


def pinball(y, q, level):
    """The pinball loss, by its definition: level (y - q) above, (1 - level) (q - y) below."""
    error = y - q
    return np.where(error >= 0, level * error, (level - 1) * error)


def test_one_network_covers_90_percent_of_held_out_points():
    """As two networks do (test_regression_losses.py), with the same tolerance."""
    X, y = heteroscedastic(0, 2000)
    X_train, y_train, X_test, y_test = X[:1000], y[:1000], X[1000:], y[1000:]
    est = quietly(quantiles(), X_train, y_train)
    predicted = est.predict(X_test)
    assert predicted.shape == (1000, 3)
    inside = (predicted[:, 0] <= y_test) & (y_test <= predicted[:, 2])
    assert abs(inside.mean() - 0.9) <= 0.04
    assert abs((y_test <= predicted[:, 1]).mean() - 0.5) <= 0.05
    for half in (X_test[:, 0] < 2, X_test[:, 0] >= 2):
        assert abs(inside[half].mean() - 0.9) <= 0.06
    width = np.ptp(est.predict([[0.5], [3.5]])[:, [0, 2]], axis=1)
    assert width[1] > 2 * width[0]  # the interval follows the noise


@settings(max_examples=25, deadline=None)
@given(
    levels=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=5, unique=True).map(sorted),
    n_targets=st.integers(1, 3),
    seed=st.integers(0, 1000),
    scale=st.sampled_from([1.0, 1e3]),
)
def test_the_predicted_quantiles_never_cross(levels, n_targets, seed, scale):
    """By construction: near the data and far from it, for any levels and targets."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(60, 2))
    y = rng.normal(size=(60, n_targets)) * rng.uniform(0.1, 5, size=n_targets)
    y = y[:, 0] if n_targets == 1 else y
    est = TinyMLPRegressor((5,), loss="quantile", quantile=levels, max_iter=30, random_state=0)
    quietly(est, X, y)
    predicted = est.predict(np.r_[X, X * scale])
    expected = (120, len(levels)) if n_targets == 1 else (120, n_targets, len(levels))
    assert predicted.shape == expected
    assert (np.diff(predicted, axis=-1) >= 0).all()


def test_the_loss_is_the_weighted_sum_of_the_pinball_losses():
    X, y = heteroscedastic(1, 200)
    weights = np.arange(200) % 4 + 0.5
    est = quietly(quantiles(alpha=0.0, normalize_y=False, max_iter=20), X, y, sample_weight=weights)
    predicted = est.predict(X)
    per_sample = sum(pinball(y, predicted[:, j], level) for j, level in enumerate(LEVELS))
    assert est.loss_ == pytest.approx(np.average(per_sample, weights=weights), rel=1e-6)


def test_several_targets_each_get_their_quantiles():
    X, y = heteroscedastic(2, 1000)
    Y = np.c_[y, -3 * y + 10]
    est = quietly(quantiles(), X, Y)
    predicted = est.predict(X)
    assert predicted.shape == (1000, 2, 3) and est.n_outputs_ == 6
    for t in range(2):
        assert abs((Y[:, t] <= predicted[:, t, 1]).mean() - 0.5) <= 0.06


def test_score_is_the_mean_r2_of_each_quantile():
    from sklearn.metrics import r2_score

    X, y = heteroscedastic(3, 300)
    est = quietly(quantiles(max_iter=30), X, y)
    predicted = est.predict(X)
    expected = np.mean([r2_score(y, predicted[:, j]) for j in range(3)])
    assert est.score(X, y) == pytest.approx(expected)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_restarts_validation_sets_and_early_stopping(solver):
    X, y = heteroscedastic(4, 400)
    params = {"solver": solver, "n_init": 3, "max_iter": 30}
    est = quietly(quantiles(**params), X[:300], y[:300], X_val=X[300:], y_val=y[300:])
    assert est.init_losses_.min() == pytest.approx(est.loss_, rel=1e-12)
    assert np.isfinite(est.validation_scores_).all()
    stopped = quietly(quantiles(early_stopping=True, **params), X, y)
    assert stopped.best_validation_score_ == max(stopped.validation_scores_)


def test_warm_start_and_partial_fit_keep_the_quantiles():
    X, y = heteroscedastic(5, 300)
    est = quietly(quantiles(max_iter=10, warm_start=True), X, y)
    first = len(est.loss_curve_)
    quietly(est, X, y)
    assert len(est.loss_curve_) > first
    with pytest.raises(ValueError, match="fitted on other quantiles"):
        est.set_params(quantile=[0.1, 0.9]).fit(X, y)
    adam = TinyMLPRegressor((4,), solver="adam", loss="quantile", quantile=LEVELS, random_state=0)
    adam.partial_fit(X, y)
    adam.partial_fit(X, y)
    assert adam.predict(X).shape == (300, 3)


def test_float32_keeps_float32():
    X, y = heteroscedastic(6, 200)
    est = quietly(quantiles(max_iter=10), X.astype(np.float32), y.astype(np.float32))
    assert est.coefs_[0].dtype == np.float32
    predicted = est.predict(X.astype(np.float32))
    assert predicted.dtype == np.float32 and (np.diff(predicted, axis=1) >= 0).all()


def test_pickle_and_skops_round_trips():
    X, y = heteroscedastic(7, 200)
    est = quietly(quantiles(max_iter=10), X, y)
    assert_allclose(pickle.loads(pickle.dumps(est)).predict(X), est.predict(X), rtol=0)
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(est)
    assert sio.get_untrusted_types(data=data) == ["sklearn_xornet._regressor.TinyMLPRegressor"]
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert_allclose(loaded.predict(X), est.predict(X), rtol=0)


@pytest.mark.parametrize(
    "quantile, message",
    [
        ([], "non-empty list"),
        ([0.5, 0.1], "increasing order"),
        ([0.1, 0.1, 0.5], "increasing order, each once"),
        ([0.0, 0.5], r"in \(0, 1\)"),
        ([0.5, 1.0], r"in \(0, 1\)"),
        ([[0.1, 0.5]], "non-empty list"),
    ],
)
def test_a_bad_list_of_quantiles_is_refused_with_a_clear_error(quantile, message):
    X, y = heteroscedastic(8, 50)
    with pytest.raises(ValueError, match=message):
        TinyMLPRegressor(loss="quantile", quantile=quantile).fit(X, y)
