"""The modern activations and a user's own: their formulas, their slopes, what they refuse."""

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


# -- a user's pair at the edges: prediction, dtypes, warnings, NaN -----------------------------


class Counted:
    """A function that counts its calls."""

    def __init__(self, function):
        self.function, self.calls = function, 0
        self.__qualname__ = function.__qualname__

    def __call__(self, x):
        self.calls += 1
        return self.function(x)


def test_prediction_takes_the_pair_as_fit_checked_it():
    """The check at fit is not run again: prediction calls the function once a layer, and
    never the derivative."""
    function, derivative = Counted(softsign), Counted(softsign_derivative)
    clf = TinyMLPClassifier((5, 3), activation=(function, derivative), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    function.calls = derivative.calls = 0
    clf.predict_proba(X[:1])
    clf.predict(X[:1])
    clf.transform(X[:1])
    assert (function.calls, derivative.calls) == (2 + 2 + 2, 0)


def root_unit(x):
    """sqrt(x + 1) - 1 on the right, x / 2 on the left: np.where computes both sides, the
    square root of negative numbers included (a RuntimeWarning, unless silenced)."""
    return np.where(x > 0, np.sqrt(x + 1) - 1, x / 2)


def root_unit_derivative(x):
    return np.where(x > 0, 0.5 / np.sqrt(x + 1), 0.5)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_a_pair_computing_square_roots_of_negatives_raises_no_warning(solver):
    clf = TinyMLPClassifier((4,), activation=(root_unit, root_unit_derivative), solver=solver)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(max_iter=20, learning_rate_init=0.05, random_state=0).fit(X * 3, y)
        clf.predict_proba(X * 3), clf.transform(X[:1] * 3)
    assert clf.score(X * 3, y) > 0.6


def tanh_in_float64(x):
    return np.tanh(np.asarray(x, dtype=np.float64))


def tanh_slope_in_float64(x):
    return 1 - np.tanh(np.asarray(x, dtype=np.float64)) ** 2


def relu(x):
    return np.maximum(x, 0)


def relu_slope_as_integers(x):
    return (x > 0).astype(np.int64)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
@pytest.mark.parametrize(
    "pair, built_in",
    [((tanh_in_float64, tanh_slope_in_float64), "tanh"), ((relu, relu_slope_as_integers), "relu")],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_pair_returning_another_dtype_trains_in_the_data_s_dtype(pair, built_in, dtype, solver):
    """Computing in float64 on float32 data, or returning integers: the layer takes the
    values in its own dtype, and the fit is the built-in activation's."""
    params = {"hidden_layer_sizes": (5,), "solver": solver, "max_iter": 15, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yours = TinyMLPClassifier(activation=pair, **params).fit(X.astype(dtype), y)
        theirs = TinyMLPClassifier(activation=built_in, **params).fit(X.astype(dtype), y)
    assert all(W.dtype == dtype for W in yours.coefs_)
    assert yours.predict_proba(X.astype(dtype)).dtype == dtype
    tolerance = 1e-9 if dtype == np.float64 else 1e-4  # float32's tanh is not float64's
    for a, b in zip(yours.coefs_, theirs.coefs_, strict=True):
        assert_allclose(a, b, rtol=tolerance, atol=tolerance)


def slope_wrong_in_float32(x):
    """tanh's slope in float64, but not in float32."""
    return np.ones_like(x) if x.dtype == np.float32 else 1 - np.tanh(x) ** 2


def test_the_derivative_is_checked_in_the_training_s_dtype_too():
    with pytest.raises(ValueError, match=r"slope_wrong_in_float32.*|finite differences in float32"):
        TinyMLPClassifier((3,), activation=(np.tanh, slope_wrong_in_float32)).fit(
            X.astype(np.float32), y
        )
    with warnings.catch_warnings():  # in float64 it is tanh's
        warnings.simplefilter("ignore", ConvergenceWarning)
        TinyMLPClassifier((3,), activation=(np.tanh, slope_wrong_in_float32)).fit(X, y)


def logistic_by_overflow(x):
    """The sigmoid as exp(x) / (1 + exp(x)): inf / inf, NaN, beyond x = 709."""
    return np.exp(x) / (1 + np.exp(x))


def logistic_by_overflow_slope(x):
    s = logistic_by_overflow(x)
    return s * (1 - s)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_a_pair_returning_nan_for_finite_input_is_named_at_fit_and_at_predict(solver):
    pair = (logistic_by_overflow, logistic_by_overflow_slope)
    clf = TinyMLPClassifier((4,), activation=pair, solver=solver, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=r"logistic_by_overflow returned NaN at x=.*finite"):
        clf.fit(X * 1e4, y)  # the first layer's inputs reach beyond 709 at once
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    with pytest.raises(ValueError, match=r"logistic_by_overflow returned NaN at x=.*finite"):
        clf.predict(X * 1e4)


def test_a_pair_returning_nan_at_the_check_points_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"sqrt returned NaN at x=-2.9, a finite input"):
        TinyMLPClassifier((3,), activation=(np.sqrt, lambda x: 0.5 / np.sqrt(x))).fit(X, y)


def tanh_raising_in_float32(x):
    if x.dtype == np.float32:
        raise TypeError("no float32 here")
    return np.tanh(x)


def always_raising(x):
    raise RuntimeError("not today")


# a pair of each way a user's functions may treat dtypes, and what fit must do with it on
# float32 and float64 data: train in the data's dtype, or raise a ValueError that names it
BEHAVIOURS = {
    "float64-computing": ((tanh_in_float64, tanh_slope_in_float64), {}),
    "integer-returning": ((relu, relu_slope_as_integers), {}),
    "warning-raising": ((root_unit, root_unit_derivative), {}),
    "NaN-returning": ((logistic_by_overflow, logistic_by_overflow_slope), {}),
    "raising": ((np.tanh, always_raising), {"any": "always_raising|RuntimeError: not today"}),
    "raising in float32": (
        (tanh_raising_in_float32, tanh_slope_in_float64),
        {np.float32: "TypeError: no float32 here"},
    ),
}


@settings(max_examples=40, deadline=None)
@given(
    behaviour=st.sampled_from(sorted(BEHAVIOURS)),
    dtype=st.sampled_from([np.float32, np.float64]),
    scale=st.sampled_from([1.0, 30.0, 1e4]),
    solver=st.sampled_from(["lbfgs", "adam"]),
)
def test_user_pairs_of_every_dtype_behaviour_train_or_are_refused_by_name(
    behaviour, dtype, scale, solver
):
    pair, refusals = BEHAVIOURS[behaviour]
    refusal = refusals.get("any", refusals.get(dtype))
    data = (X * scale).astype(dtype)
    clf = TinyMLPClassifier((4,), activation=pair, solver=solver, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning reaches the user
        warnings.simplefilter("ignore", ConvergenceWarning)
        if refusal is not None:
            with pytest.raises(ValueError, match=refusal):
                clf.fit(data, y)
            return
        try:
            clf.fit(data, y)
            proba = clf.predict_proba(data)
        except ValueError as error:  # a NaN for a finite input, named
            assert behaviour == "NaN-returning", error  # where exp overflows: 709, 88 in float32
            assert "logistic_by_overflow returned NaN" in str(error)
            return
    assert all(W.dtype == dtype for W in clf.coefs_)
    assert proba.dtype == dtype and np.isfinite(proba).all()
