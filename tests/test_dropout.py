"""Dropout: its gradient, its masks, what it does to a fit, and where it is refused."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from test_gradients import numeric_gradient

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor
from sklearn_xornet._network import Layout
from sklearn_xornet._objective import loss_and_gradient
from sklearn_xornet._training import Batches

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)


def fixed_masks(rng, shapes, rates):
    return [
        None if p == 0 else (rng.uniform(size=shape) >= p) / (1 - p)
        for shape, p in zip(shapes, rates, strict=True)
    ]


@pytest.mark.parametrize("activation", ["logistic", "relu", "gelu"])  # output- and input-read
@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_networks", [1, 3])
def test_the_gradient_with_fixed_masks_matches_finite_differences(
    activation, loss, fit_intercept, n_networks
):
    rng = np.random.RandomState(0)
    layout = Layout([3, 5, 4, 3])
    data = rng.normal(size=(8, 3))
    Y = np.eye(3)[rng.randint(3, size=8)]
    stack = () if n_networks == 1 else (n_networks,)
    params = rng.normal(scale=0.7, size=stack + (layout.size,))
    if not fit_intercept:
        params[..., layout.n_coef :] = 0.0
    masks = fixed_masks(rng, [stack + (8, 5), stack + (8, 4)], [0.4, 0.25])
    args = (layout, data, Y, None, 0.1, [activation, activation], "softmax", loss)

    def objective(p, grad=None):
        grad = np.empty_like(p) if grad is None else grad
        return loss_and_gradient(p, grad, *args, masks=masks)

    grad = np.empty_like(params)
    objective(params, grad)
    trained = slice(None) if fit_intercept else slice(0, layout.n_coef)
    for k in range(n_networks):
        network = params if n_networks == 1 else params[k]
        own = grad if n_networks == 1 else grad[k]

        def one(p, k=k):  # the stack's value is one per network
            if n_networks == 1:
                return objective(p)
            stacked = params.copy()
            stacked[k] = p
            return objective(stacked)[k]

        expected = numeric_gradient(one, network.copy())
        assert_allclose(own[trained], expected[trained], rtol=1e-6, atol=1e-9)


def test_the_masks_drop_at_the_rate_and_scale_the_rest():
    layout = Layout([4, 40, 30, 3])
    problem = SimpleNamespace(X=X, Y=None, sample_weight=None, objective=None, layout=layout)
    problem.dropout = (0.0, 0.25)
    solver = SimpleNamespace(full_batch=False, shuffle=True, random_order=True)
    training = SimpleNamespace(
        problem=problem,
        solver=solver,
        rng=np.random.RandomState(0),
        history=SimpleNamespace(t=0),
        rows=10,
    )
    params = np.zeros((2, layout.size))
    batches = Batches(training, params, np.zeros_like(params))
    first, second = batches.masks(params, 1000)
    assert first is None  # no dropout on the first layer
    assert second.shape == (2, 1000, 30)  # one mask per restart, row and unit
    assert set(np.unique(second)) == {0.0, 1 / 0.75}
    assert abs((second == 0).mean() - 0.25) < 0.01  # 60000 draws: 5.6 standard deviations
    assert (second[0] != second[1]).any()  # each restart draws its own


@pytest.fixture(scope="module")
def noisy_sine():
    """60 training points of sin(x) plus noise of sd 0.5, and 1000 held-out points."""
    rng = np.random.RandomState(0)
    inputs = rng.uniform(-3, 3, size=(1060, 1))
    targets = np.sin(inputs[:, 0]) + 0.5 * rng.normal(size=1060)
    return inputs[:60], targets[:60], inputs[60:], targets[60:]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dropout_fits_less_of_the_noise_and_predicts_held_out_points_better(noisy_sine, seed):
    """A (64, 64) relu network trained for 1000 epochs on 60 noisy points fits the noise;
    dropout 0.5 keeps it nearer the sine (held-out R2 0.643 against 0.574, mean of the
    three seeds; the best possible is about 0.66)."""
    X_train, y_train, X_test, y_test = noisy_sine
    params = {"hidden_layer_sizes": (64, 64), "activation": "relu", "solver": "adam"}
    params |= {"alpha": 1e-4, "max_iter": 1000, "n_iter_no_change": 10_000}
    params |= {"learning_rate_init": 0.003, "random_state": seed}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = TinyMLPRegressor(**params).fit(X_train, y_train)
        dropped = TinyMLPRegressor(dropout=0.5, **params).fit(X_train, y_train)
    assert dropped.score(X_train, y_train) < plain.score(X_train, y_train) - 0.03
    assert dropped.score(X_test, y_test) > plain.score(X_test, y_test) + 0.04


@pytest.mark.parametrize("solver", ["adam", "sgd", "gd"])
def test_the_same_seed_gives_the_same_weights_and_dropout_0_changes_nothing(solver):
    params = {"hidden_layer_sizes": (8,), "solver": solver, "max_iter": 20}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = TinyMLPClassifier(dropout=0.3, random_state=0, **params).fit(X, y)
        b = TinyMLPClassifier(dropout=0.3, random_state=0, **params).fit(X, y)
        c = TinyMLPClassifier(dropout=0.3, random_state=1, **params).fit(X, y)
        none = TinyMLPClassifier(dropout=0.0, random_state=0, **params).fit(X, y)
        default = TinyMLPClassifier(random_state=0, **params).fit(X, y)
    assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.allclose(a.coefs_[0], c.coefs_[0])
    assert not np.allclose(a.coefs_[0], none.coefs_[0])
    assert_array_equal(none.coefs_[0], default.coefs_[0])


def test_nothing_is_dropped_at_predict_time():
    clf = TinyMLPClassifier((16,), activation="relu", solver="adam", dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(random_state=0, max_iter=50).fit(X, y)
    H = np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0)  # no mask, no scaling
    raw = H @ clf.coefs_[1] + clf.intercepts_[1]
    expected = np.exp(raw - raw.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    assert_allclose(clf.predict_proba(X), expected, rtol=1e-12)
    assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


def test_l_bfgs_refuses_dropout_with_a_clear_error():
    with pytest.raises(ValueError, match="'lbfgs' needs a deterministic objective"):
        TinyMLPClassifier((4,), dropout=0.2).fit(X, y)
    TinyMLPClassifier((4,), dropout=0.0, random_state=0).fit(X, y)  # 0 is no dropout


@pytest.mark.parametrize(
    "dropout, error",
    [
        (1.0, InvalidParameterError),
        (-0.1, InvalidParameterError),
        ("0.5", InvalidParameterError),
        ((0.2,), ValueError),  # one rate for two layers: give a float
        ((0.2, 1.0), ValueError),
        ((0.2, np.nan), ValueError),
        ((0.2, True), ValueError),
    ],
)
def test_bad_rates_are_refused(dropout, error):
    with pytest.raises(error, match="dropout"):
        TinyMLPClassifier((4, 3), solver="adam", dropout=dropout).fit(X, y)


def test_one_rate_per_hidden_layer():
    params = {"hidden_layer_sizes": (8, 6), "solver": "adam", "max_iter": 5, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        per_layer = TinyMLPClassifier(dropout=(0.0, 0.4), **params).fit(X, y)
        both = TinyMLPClassifier(dropout=(0.4, 0.4), **params).fit(X, y)
        one = TinyMLPClassifier(dropout=0.4, **params).fit(X, y)
    assert_array_equal(both.coefs_[0], one.coefs_[0])
    assert not np.allclose(per_layer.coefs_[0], one.coefs_[0])


@pytest.mark.parametrize("solver", ["adam", "sgd", "gd"])
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_dropout_trains_with_every_fitting_option(Estimator, solver):
    """Weights, restarts, float32, sparse input, warm start and partial_fit."""
    target = y if Estimator is TinyMLPClassifier else X[:, 0] * 2
    params = {"hidden_layer_sizes": (12,), "solver": solver, "dropout": 0.2, "max_iter": 15}
    params |= {"n_init": 2, "random_state": 0, "learning_rate_init": 0.01}
    if Estimator is TinyMLPClassifier:
        params["class_weight"] = {0: 1.0, 1: 2.0, 2: 0.5}
    weights = np.arange(len(X)) % 3 + 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Estimator(**params).fit(X.astype(np.float32), target, sample_weight=weights)
        assert model.coefs_[0].dtype == np.float32
        first = len(model.loss_curve_)
        model.set_params(warm_start=True).fit(X.astype(np.float32), target)
        model.partial_fit(X.astype(np.float32), target)
        assert len(model.loss_curve_) > first + 1
        on_sparse = Estimator(**params).fit(sparse.csr_matrix(X), target, sample_weight=weights)
        dense = Estimator(**params).fit(X, target, sample_weight=weights)
    # the same masks: sparse input changes only how the first product is computed
    assert_allclose(on_sparse.coefs_[0], dense.coefs_[0], rtol=1e-9, atol=1e-12)


def test_each_partial_fit_call_draws_new_masks():
    """An int random_state restarts the rng on every call (as in scikit-learn); the masks
    must not repeat from call to call all the same. With a step too small to move the
    weights, two calls on the same rows see different losses only through their masks;
    and the same two calls again draw the same two masks."""

    def two_calls():
        clf = TinyMLPClassifier(
            (10,),
            solver="sgd",
            dropout=0.5,
            batch_size=150,
            learning_rate_init=1e-12,
            momentum=0.0,
            random_state=0,
        )
        clf.partial_fit(X, y, classes=[0, 1, 2])
        return clf.partial_fit(X, y).loss_curve_

    first, second = two_calls()
    assert abs(first - second) > 1e-4  # the weights moved by about 1e-12
    assert two_calls() == [first, second]
