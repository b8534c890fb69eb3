"""The modern activations and a user's own: their formulas, their slopes, what they refuse."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import erf, expit
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from test_gradients import numeric_gradient

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor
from sklearn_xornet._activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, user_activation
from sklearn_xornet._network import Layout
from sklearn_xornet._objective import loss_and_gradient

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
EXTREMES = np.array([-1e308, -1e5, -750.0, -40.0, -1.0, -1e-300, 0.0, 1e-300, 1.0, 40, 750, 1e308])

# each activation by its textbook formula, written apart from the library's
TEXTBOOK = {
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(np.minimum(x, 0)) - 1),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
    "silu": lambda x: x * expit(x),
    "softplus": lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0),
}


def softsign(x):
    return x / (1 + np.abs(x))


def softsign_derivative(x):
    return 1 / (1 + np.abs(x)) ** 2


def tanh_derivative(x):
    return 1 - np.tanh(x) ** 2


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_each_activation_is_its_formula(name):
    x = np.linspace(-6, 6, 241)
    assert_allclose(ACTIVATIONS[name].function(x.copy(), None), TEXTBOOK[name](x), rtol=1e-14)


def test_gelu_is_close_to_the_exact_gelu():
    """The tanh form approximates x Phi(x) to within 1e-3 (Hendrycks and Gimpel)."""
    x = np.linspace(-6, 6, 241)
    exact = 0.5 * x * (1 + erf(x / np.sqrt(2)))
    assert np.abs(ACTIVATIONS["gelu"].function(x, None) - exact).max() < 1e-3


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_each_slope_is_the_derivative(name):
    """Read where the activation's definition says: at the output or the pre-activation."""
    activation = ACTIVATIONS[name]
    x = np.linspace(-5, 5, 200) + 0.013  # no point on relu's kink
    out = activation.function(x.copy(), np.empty_like(x))
    at = x if activation.slope_reads_input else out
    slope = activation.slope(at.copy(), np.ones_like(x), np.empty_like(x))
    step = 1e-6
    numeric = (
        activation.function(x + step, np.empty_like(x))
        - activation.function(x - step, np.empty_like(x))
    ) / (2 * step)
    assert_allclose(slope, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_activations_and_slopes_stay_finite_at_the_extremes(name):
    activation = ACTIVATIONS[name]
    with np.errstate(over="ignore"):
        out = activation.function(EXTREMES.copy(), np.empty_like(EXTREMES))
        at = EXTREMES if activation.slope_reads_input else out
        slope = activation.slope(at.copy(), np.ones_like(EXTREMES), np.empty_like(EXTREMES))
    if name != "identity":  # identity and the linear branches are unbounded, not infinite
        assert np.isfinite(out).all()
    assert np.isfinite(slope).all()


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_the_gradient_through_a_user_activation_matches_finite_differences(fit_intercept):
    rng = np.random.RandomState(0)
    layout = Layout([3, 4, 5, 2])
    data = rng.normal(size=(7, 3))
    Y = rng.normal(size=(7, 2))
    params = rng.normal(scale=0.5, size=layout.size)
    if not fit_intercept:
        params[layout.n_coef :] = 0.0
    activations = [user_activation((softsign, softsign_derivative)), "gelu"]

    def objective(p, grad=None):
        grad = np.empty_like(p) if grad is None else grad
        args = (layout, data, Y, None, 0.3, activations, "identity", "squared_error")
        return loss_and_gradient(p, grad, *args)

    grad = np.empty_like(params)
    objective(params, grad)
    trained = slice(None) if fit_intercept else slice(0, layout.n_coef)
    expected = numeric_gradient(objective, params)
    assert_allclose(grad[trained], expected[trained], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_a_user_pair_for_tanh_trains_the_built_in_tanh_network(solver):
    """Its slope is read at the pre-activation, the built-in's at the output: same values."""
    params = {"hidden_layer_sizes": (5, 3), "solver": solver, "random_state": 0, "max_iter": 50}
    ours = TinyMLPClassifier(activation=(np.tanh, tanh_derivative), **params).fit(X, y)
    built_in = TinyMLPClassifier(activation="tanh", **params).fit(X, y)
    for a, b in zip(ours.coefs_, built_in.coefs_, strict=True):
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.predict_proba(X), built_in.predict_proba(X), rtol=1e-9)


def test_a_user_pair_can_serve_one_layer():
    clf = TinyMLPClassifier(
        (6, 4), activation=("relu", (softsign, softsign_derivative)), random_state=0
    ).fit(X, y)
    assert clf.score(X, y) > 0.95


def test_a_derivative_that_disagrees_with_its_function_is_refused():
    clf = TinyMLPClassifier((3,), activation=(np.tanh, np.cosh))
    with pytest.raises(ValueError, match=r"derivative of the user-supplied activation.*x=-2.9"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "pair, message",
    [
        ((np.tanh, lambda x: 1.0), "shape of their input"),
        ((lambda x: x.sum(), lambda x: x), "shape of their input"),
        ((np.tanh, lambda x: undefined_name), "NameError"),  # noqa: F821
        ((np.tanh, np.tanh, np.tanh), "one per hidden layer"),
        (("relu", "tanh"), "one per hidden layer"),  # two names for one layer
    ],
)
def test_a_malformed_user_activation_gets_a_clear_error(pair, message):
    with pytest.raises(ValueError, match=message):
        TinyMLPClassifier((3,), activation=pair).fit(X, y)


def test_a_model_with_a_user_activation_pickles_when_its_functions_do():
    clf = TinyMLPClassifier((4,), activation=(softsign, softsign_derivative), random_state=0)
    clf.fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), rtol=0, atol=0)


def test_skops_safe_loading_refuses_a_user_activation_naming_its_functions():
    sio = pytest.importorskip("skops.io")
    clf = TinyMLPClassifier((4,), activation=(softsign, softsign_derivative), random_state=0)
    data = sio.dumps(clf.fit(X, y))
    with pytest.raises(Exception, match="softsign"):
        sio.loads(data, trusted=["sklearn_xornet._classifier.TinyMLPClassifier"])


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "gelu", "silu", "softplus"])
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_the_new_activations_train_in_float32_and_on_sparse_input(name, Estimator):
    from scipy import sparse

    inputs = X[:, 1:]
    target = y if Estimator is TinyMLPClassifier else np.sin(inputs[:, 0]) * 3 + 1
    params = {"hidden_layer_sizes": (6,), "activation": name, "random_state": 0}
    params |= {"alpha": 1e-3} if Estimator is TinyMLPRegressor else {}
    model = Estimator(**params).fit(inputs.astype(np.float32), target)
    assert all(W.dtype == np.float32 for W in model.coefs_)
    assert model.score(inputs, target) > 0.9
    # sparse products round differently, which a long unconverged L-BFGS run can amplify:
    # compared after 10 iterations
    params["max_iter"] = 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = Estimator(**params).fit(inputs, target)
        on_sparse = Estimator(**params).fit(sparse.csr_matrix(inputs), target)
    assert_allclose(on_sparse.predict(inputs), dense.predict(inputs), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
@pytest.mark.parametrize("name", ["leaky_relu", "elu", "gelu", "silu", "softplus", "yours"])
def test_each_activation_trains_with_weights_restarts_and_continued_training(name, solver):
    activation = (softsign, softsign_derivative) if name == "yours" else name
    params = {"hidden_layer_sizes": (6, 4), "activation": activation, "solver": solver}
    params |= {"n_init": 3, "max_iter": 15, "random_state": 0, "class_weight": {0: 2.0, 1: 1.0}}
    params |= {"learning_rate_init": 0.05}  # Adam's 31 epochs in all
    weights = np.arange(len(X)) % 4 + 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = TinyMLPClassifier(**params).fit(X, y, sample_weight=weights)
        # the kept restart is the one with the lowest final loss, each trained apart
        assert clf.init_losses_.shape == (3,) and clf.loss_ == pytest.approx(
            clf.init_losses_.min(), rel=1e-12
        )
        before = len(clf.loss_curve_)
        clf.set_params(warm_start=True).fit(X, y, sample_weight=weights)
        if solver == "adam":
            clf.partial_fit(X, y, sample_weight=weights)
    assert len(clf.loss_curve_) > before
    assert clf.score(X, y) > 0.6
