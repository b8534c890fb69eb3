"""The regressor's robust and quantile losses: what they estimate, in which units, and their
errors."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_xornet import TinyMLPRegressor

ROBUST_LOSSES = ["absolute_error", "huber", "quantile"]


def heteroscedastic(seed, n):
    """y = 3 sin(2x) with noise whose spread grows from 0.2 to 2.6 across x in [0, 4]."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 4, size=n)
    return x[:, None], 3 * np.sin(2 * x) + rng.normal(size=n) * (0.2 + 0.6 * x)


def with_outliers(seed=1, n=400):
    """y = 3 sin(x) plus a little noise, and 10% of the targets moved up by 30."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n, 1))
    y = 3 * np.sin(X[:, 0]) + 0.1 * rng.normal(size=n)
    y[rng.uniform(size=n) < 0.1] += 30
    return X, y


def test_two_quantile_networks_cover_90_percent_of_held_out_points():
    """Trained at 0.05 and 0.95 on 1000 points, scored on 1000 others. The tolerance, 0.04
    overall and 0.06 on each half of the x range, is four binomial standard deviations of
    the held-out count (0.0095 overall) plus the networks' own error."""
    X, y = heteroscedastic(0, 2000)
    X_train, y_train, X_test, y_test = X[:1000], y[:1000], X[1000:], y[1000:]
    low = TinyMLPRegressor((16,), loss="quantile", quantile=0.05, random_state=0)
    high = TinyMLPRegressor((16,), loss="quantile", quantile=0.95, random_state=0)
    low.fit(X_train, y_train)
    high.fit(X_train, y_train)
    inside = (low.predict(X_test) <= y_test) & (y_test <= high.predict(X_test))
    assert abs(inside.mean() - 0.9) <= 0.04
    for half in (X_test[:, 0] < 2, X_test[:, 0] >= 2):
        assert abs(inside[half].mean() - 0.9) <= 0.06
    # the interval follows the noise: 2 x 1.645 sd is 1.6 at x = 0.5 and 7.6 at x = 3.5
    width = high.predict([[0.5], [3.5]]) - low.predict([[0.5], [3.5]])
    assert width[1] > 2 * width[0]


def test_the_median_network_ignores_outliers_the_mean_network_follows():
    X, y = with_outliers()
    grid = np.linspace(-2.5, 2.5, 50)[:, None]
    truth = 3 * np.sin(grid[:, 0])
    errors = {}
    for loss in ["squared_error", "absolute_error", "huber"]:
        model = TinyMLPRegressor((16,), loss=loss, alpha=1.0, random_state=0).fit(X, y)
        errors[loss] = np.abs(model.predict(grid) - truth).max()
    assert errors["squared_error"] > 2  # pulled up by 10% of 30
    assert errors["absolute_error"] < 0.2
    assert errors["huber"] < 0.5  # each outlier pulls with a force of at most huber_delta


def test_huber_with_a_threshold_beyond_every_error_is_the_squared_error():
    X, y = heteroscedastic(1, 300)
    # compared after 15 iterations: the two sum in different orders, and a long unconverged
    # L-BFGS run amplifies rounding
    params = {"hidden_layer_sizes": (8,), "random_state": 0, "alpha": 1e-3, "max_iter": 15}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        squared = TinyMLPRegressor(**params).fit(X, y)
        huber = TinyMLPRegressor(loss="huber", huber_delta=1e6, **params).fit(X, y)
    assert_allclose(huber.predict(X), squared.predict(X), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_each_loss_moves_with_y_when_y_is_shifted_and_scaled(loss):
    """normalize_y changes how the network is trained, not what it estimates; huber_delta
    is in the units of y, so it scales with them."""
    X, y = heteroscedastic(2, 300)
    params = {"hidden_layer_sizes": (8,), "random_state": 0, "loss": loss, "quantile": 0.7}
    params["max_iter"] = 15  # before rounding, amplified by the kinks, tells them apart
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = TinyMLPRegressor(huber_delta=0.5, **params).fit(X, y)
        scaled = TinyMLPRegressor(huber_delta=0.5 * 1000, **params).fit(X, 1000 * y - 7)
    assert_allclose(scaled.predict(X), 1000 * model.predict(X) - 7, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_the_loss_is_reported_in_standardised_units(loss):
    """As the docstring of normalize_y says: the absolute and pinball losses divided by y's
    standard deviation, the Huber loss by its square (its threshold converted)."""
    X, y = heteroscedastic(3, 200)
    y = 50 * y + 20
    delta, q = 40.0, 0.3
    model = TinyMLPRegressor((6,), loss=loss, alpha=0.0, huber_delta=delta, quantile=q)
    model.set_params(random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    error = y - model.predict(X)
    scale = y.std()
    if loss == "absolute_error":
        expected = np.abs(error).mean() / scale
    elif loss == "quantile":
        expected = np.where(error >= 0, q * error, (q - 1) * error).mean() / scale
    else:
        size = np.abs(error)
        huber = np.where(size <= delta, error**2 / 2, delta * (size - delta / 2))
        expected = huber.mean() / scale**2
    assert model.loss_ == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_integer_sample_weights_are_repeated_rows(loss):
    X, y = heteroscedastic(4, 60)
    weights = np.random.RandomState(0).randint(0, 4, size=60)
    params = {"hidden_layer_sizes": (5,), "loss": loss, "quantile": 0.8, "random_state": 0}
    params["max_iter"] = 20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = TinyMLPRegressor(**params).fit(X, y, sample_weight=weights)
        repeated = TinyMLPRegressor(**params).fit(np.repeat(X, weights, 0), np.repeat(y, weights))
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("loss", ROBUST_LOSSES)
@pytest.mark.parametrize("solver", ["adam", "sgd", "gd"])
def test_the_epoch_solvers_train_each_loss_continuing_and_in_float32(loss, solver):
    X, y = heteroscedastic(5, 300)
    params = {"hidden_layer_sizes": (8,), "loss": loss, "quantile": 0.5, "solver": solver}
    params |= {"random_state": 0, "max_iter": 30, "learning_rate_init": 0.01, "n_init": 2}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = TinyMLPRegressor(**params).fit(X.astype(np.float32), y)
        first = list(model.loss_curve_)
        model.set_params(warm_start=True).fit(X.astype(np.float32), y)
        model.partial_fit(X.astype(np.float32), y)
    assert model.coefs_[0].dtype == np.float32
    assert model.loss_curve_[: len(first)] == first and len(model.loss_curve_) > len(first) + 1
    assert model.loss_curve_[-1] < first[0]


def test_quantile_needs_its_quantile():
    X, y = heteroscedastic(6, 30)
    with pytest.raises(ValueError, match="loss='quantile' needs quantile"):
        TinyMLPRegressor(loss="quantile").fit(X, y)


@pytest.mark.parametrize("params", [{"quantile": 1.0}, {"quantile": 0.0}, {"huber_delta": 0}])
def test_out_of_range_parameters_are_refused(params):
    X, y = heteroscedastic(6, 30)
    with pytest.raises(InvalidParameterError):
        TinyMLPRegressor(loss="quantile", **params).fit(X, y)


@pytest.mark.parametrize("loss", ROBUST_LOSSES + ["poisson"])
def test_a_robust_loss_needs_the_linear_output(loss):
    X, y = heteroscedastic(6, 30)
    y = (y - y.min()) / (y.max() - y.min())
    model = TinyMLPRegressor(loss=loss, quantile=0.5, output_activation="logistic")
    with pytest.raises(ValueError, match="needs a linear output"):
        model.fit(X, y)


@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_sparse_input_trains_the_dense_model(loss):
    from scipy import sparse

    X, y = heteroscedastic(7, 120)
    X = np.c_[X, np.zeros((120, 3))]  # mostly zeros, as sparse data is
    params = {"hidden_layer_sizes": (6,), "loss": loss, "quantile": 0.3, "random_state": 0}
    params["max_iter"] = 10  # compared before a long unconverged run amplifies rounding
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = TinyMLPRegressor(**params).fit(X, y)
        on_sparse = TinyMLPRegressor(**params).fit(sparse.csr_matrix(X), y)
    assert_allclose(on_sparse.predict(X), dense.predict(X), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("loss, q", [("quantile", 0.2), ("absolute_error", 0.5), ("quantile", 0.8)])
def test_a_network_without_hidden_layers_is_linear_quantile_regression(loss, q):
    """The pinball loss of a linear model has its optimum where scikit-learn's
    QuantileRegressor finds it by linear programming; L-BFGS, stopping within its
    tolerance on a kinked loss, comes within 2e-4 of its loss (4e-5 measured) and 0.05 of
    its weights (0.02 measured)."""
    from sklearn.linear_model import QuantileRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    noise = rng.standard_t(3, size=300) * (1 + np.abs(X[:, 0]))  # heavy tails, uneven
    y = X @ [1.5, -2.0, 0.5] + 3 + noise
    exact = QuantileRegressor(quantile=q, alpha=0.0, solver="highs").fit(X, y)
    ours = TinyMLPRegressor((), activation="identity", loss=loss, quantile=q, alpha=0.0)
    ours.set_params(normalize_y=False, random_state=0).fit(X, y)

    def pinball(prediction):
        error = y - prediction
        return np.mean(np.where(error >= 0, q * error, (q - 1) * error))

    assert pinball(ours.predict(X)) == pytest.approx(pinball(exact.predict(X)), rel=2e-4)
    assert_allclose(ours.coefs_[0].ravel(), exact.coef_, atol=0.05)
    assert ours.intercepts_[0][0] == pytest.approx(exact.intercept_, abs=0.05)
