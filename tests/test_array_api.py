"""Other array libraries, on array-api-strict: the maths through its seam, the estimators.

array-api-strict implements the Array API standard and nothing beyond it, so what runs on its
arrays runs on any library's (torch, CuPy). The objective, its gradient and the solvers'
steps computed on its arrays must equal NumPy's fast path, and so must whole fits inside
scikit-learn's ``array_api_dispatch``, on array-api-strict's second device, where nothing can
silently go back to NumPy.
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse
from sklearn import config_context
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from test_gradients import targets, the_loss

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor
from sklearn_xornet._activations import HIDDEN_ACTIVATIONS
from sklearn_xornet._arrays import DEVICES, NUMPY, namespace
from sklearn_xornet._losses import LOSSES
from sklearn_xornet._network import Layout
from sklearn_xornet._objective import Objective
from sklearn_xornet._solvers import SGD, Adam, GradientDescent

xp = pytest.importorskip("array_api_strict")


def strict(array):
    return None if array is None else xp.asarray(array)


def to_numpy(array):
    return np.from_dlpack(array)


def test_numpy_arrays_keep_numpy_and_others_get_their_namespace():
    assert namespace(np.ones(3), None) is NUMPY
    wrapped = namespace(strict(np.ones(3)))
    assert not wrapped.is_numpy
    # the wrap takes NumPy's out= and returns a new array
    assert to_numpy(wrapped.add(strict(np.ones(2)), strict(np.ones(2)), out=None)).tolist() == [
        2.0,
        2.0,
    ]


@pytest.mark.parametrize("loss, out_activation", sorted(LOSSES))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_networks", [1, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_the_objective_on_strict_arrays_equals_numpys(
    loss, out_activation, activation, weighted, n_networks, fit_intercept
):
    rng = np.random.RandomState(0)
    n_samples, n_outputs = 9, 3
    layout = Layout([4, 5, 4, n_outputs])
    X = rng.normal(size=(n_samples, 4))
    Y = targets(loss, out_activation, rng, n_samples, n_outputs)
    sample_weight = rng.uniform(0.2, 3.0, size=n_samples) if weighted else None
    shape = (layout.size,) if n_networks == 1 else (n_networks, layout.size)
    params = rng.normal(scale=0.5, size=shape)
    loss = the_loss(loss, out_activation)
    args = (layout, [activation, activation], loss, 0.3, fit_intercept)

    grad = np.zeros_like(params)
    value = Objective(*args)(params, grad, X, Y, sample_weight)
    strict_grad = xp.zeros(shape, dtype=xp.float64)
    strict_value = Objective(*args)(
        strict(params), strict_grad, strict(X), strict(Y), strict(sample_weight)
    )
    assert_allclose(to_numpy(xp.asarray(strict_value)), value, rtol=1e-12)
    assert_allclose(to_numpy(strict_grad), grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    "make",
    [
        lambda: GradientDescent(0.5),
        lambda: SGD(0.1, "constant", 0.9, True, 0.5),
        lambda: SGD(0.1, "constant", 0.9, False, 0.5),
        lambda: Adam(0.01, 0.9, 0.999, 1e-8),
    ],
    ids=["gd", "sgd-nesterov", "sgd", "adam"],
)
def test_the_solvers_steps_on_strict_arrays_equal_numpys(make):
    rng = np.random.RandomState(0)
    params = rng.normal(size=6)
    strict_params = strict(params)
    ours, theirs = make(), make()
    for _ in range(5):
        grad = rng.normal(size=6)
        ours.update(params, grad.copy())
        theirs.update(strict_params, strict(grad))
    assert_allclose(to_numpy(strict_params), params, rtol=1e-13)


# -- the estimators on another library's arrays ------------------------------------------------

estimators_on_devices = pytest.mark.skipif(
    not DEVICES, reason="training on other libraries' arrays needs scikit-learn >= 1.9"
)
DEVICE = xp.Device("device1")  # array-api-strict's second device: nothing may leave it

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_X = StandardScaler().fit_transform(IRIS_X)
REG_X, REG_Y = make_regression(n_samples=90, n_features=4, noise=5.0, random_state=0)
LABELS = np.c_[IRIS_Y == 0, IRIS_Y == 2].astype(int)


def on_device(array, dtype=None):
    if array is None:
        return None
    array = np.asarray(array) if dtype is None else np.asarray(array, dtype=dtype)
    return xp.asarray(array, device=DEVICE)


def host(array):
    return np.from_dlpack(xp.asarray(array, device=xp.Device("CPU_DEVICE")))


CASES = {
    "classifier": (TinyMLPClassifier, {}, IRIS_X, IRIS_Y),
    "regressor": (TinyMLPRegressor, {}, REG_X, REG_Y),
    "binary": (TinyMLPClassifier, {}, IRIS_X, IRIS_Y % 2),
    "one class": (TinyMLPClassifier, {}, IRIS_X, np.full(len(IRIS_Y), 2)),
    "multilabel": (TinyMLPClassifier, {}, IRIS_X, LABELS),
    "sample_weight": (TinyMLPClassifier, {}, IRIS_X, IRIS_Y),
    "class_weight": (TinyMLPClassifier, {"class_weight": "balanced"}, IRIS_X, IRIS_Y),
    "label_smoothing": (TinyMLPClassifier, {"label_smoothing": 0.1}, IRIS_X, IRIS_Y),
    "binary label_smoothing": (TinyMLPClassifier, {"label_smoothing": 0.2}, IRIS_X, IRIS_Y % 2),
    "restarts": (TinyMLPRegressor, {"n_init": 3}, REG_X, REG_Y),
    "poisson": (TinyMLPRegressor, {"loss": "poisson"}, REG_X, np.abs(REG_Y) // 10),
    "no intercepts": (TinyMLPClassifier, {"fit_intercept": False}, IRIS_X, IRIS_Y),
    "modern activations": (
        TinyMLPClassifier,
        {"hidden_layer_sizes": (6, 4), "activation": ("gelu", "silu")},
        IRIS_X,
        IRIS_Y,
    ),
    "absolute_error": (TinyMLPRegressor, {"loss": "absolute_error"}, REG_X, REG_Y),
    "huber": (TinyMLPRegressor, {"loss": "huber", "huber_delta": 20.0}, REG_X, REG_Y),
    "quantile": (TinyMLPRegressor, {"loss": "quantile", "quantile": 0.8}, REG_X, REG_Y),
    "quantiles": (
        TinyMLPRegressor,
        {"loss": "quantile", "quantile": [0.1, 0.5, 0.9]},
        REG_X,
        REG_Y,
    ),
}


def fit_both(Estimator, params, X, y, dtype=np.float64, sample_weight=None, fit=None):
    """The same fit on NumPy arrays and on array-api-strict arrays on another device."""
    fit = fit or (lambda est, *args, **kwargs: est.fit(*args, **kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = fit(Estimator(random_state=0, **params), X.astype(dtype), y, sample_weight)
        with config_context(array_api_dispatch=True):
            theirs = fit(
                Estimator(random_state=0, **params),
                on_device(X, dtype),
                on_device(y),
                on_device(sample_weight),
            )
    return ours, theirs


def assert_same_model(ours, theirs, rtol=1e-6):
    weights, on_devices = ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_
    for mine, device in zip(weights, on_devices, strict=True):
        assert device.device == DEVICE
        assert_allclose(host(device), mine, rtol=rtol, atol=rtol * 1e-2)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(theirs.loss_curve_, ours.loss_curve_, rtol=rtol)


@estimators_on_devices
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd", "gd"])
@pytest.mark.parametrize("case", CASES)
def test_a_fit_on_device_arrays_equals_the_numpy_fit(case, solver):
    Estimator, params, X, y = CASES[case]
    sample_weight = np.arange(len(y)) % 3 + 0.5 if case == "sample_weight" else None
    ours, theirs = fit_both(
        Estimator, {"solver": solver, "max_iter": 12, **params}, X, y, sample_weight=sample_weight
    )
    assert_same_model(ours, theirs)
    with config_context(array_api_dispatch=True):
        X_device = on_device(X)
        methods = ["predict", "predict_proba", "predict_log_proba", "transform"]
        for method in [m for m in methods if hasattr(ours, m)]:
            result = getattr(theirs, method)(X_device)
            assert result.device == DEVICE  # the predictions stay where the data is
            assert_allclose(host(result), getattr(ours, method)(X), rtol=1e-6, atol=1e-9)
        assert theirs.score(X_device, on_device(y)) == pytest.approx(ours.score(X, y))


@estimators_on_devices
@pytest.mark.parametrize("solver", ["adam", "sgd", "gd"])
@pytest.mark.parametrize("case", ["classifier", "restarts"])
def test_dropout_on_device_arrays_equals_the_numpy_fit(case, solver):
    """The masks are drawn on the host from the same random state, then moved."""
    Estimator, params, X, y = CASES[case]
    params = {"solver": solver, "max_iter": 12, "dropout": 0.3, **params}
    ours, theirs = fit_both(Estimator, params, X, y)
    assert_same_model(ours, theirs)


@estimators_on_devices
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd", "gd"])
def test_early_stopping_on_device_arrays_equals_the_numpy_fit(solver):
    params = {"solver": solver, "max_iter": 25, "early_stopping": True, "n_iter_no_change": 3}
    ours, theirs = fit_both(TinyMLPClassifier, params, IRIS_X, IRIS_Y)
    assert_same_model(ours, theirs)
    assert_allclose(theirs.validation_scores_, ours.validation_scores_)
    assert_allclose(theirs.validation_loss_curve_, ours.validation_loss_curve_, rtol=1e-6)


@estimators_on_devices
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
@pytest.mark.parametrize("case", ["classifier", "regressor", "restarts"])
def test_a_validation_set_on_device_arrays_equals_the_numpy_fit(case, solver):
    Estimator, params, X, y = CASES[case]
    rows = np.arange(len(y)) % 4 == 0
    weights = np.linspace(0.5, 2.0, rows.sum())

    def with_validation(est, X, y, sample_weight):
        if isinstance(X, np.ndarray):
            return est.fit(
                X[~rows], y[~rows], X_val=X[rows], y_val=y[rows], sample_weight_val=weights
            )
        X_val, y_val = on_device(host(X)[rows]), on_device(host(y)[rows])
        return est.fit(
            on_device(host(X)[~rows]),
            on_device(host(y)[~rows]),
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=on_device(weights),
        )

    params = {"solver": solver, "max_iter": 10, "early_stopping": True, **params}
    ours, theirs = fit_both(Estimator, params, X, y, fit=with_validation)
    assert_same_model(ours, theirs)
    assert_allclose(theirs.validation_scores_, ours.validation_scores_, rtol=1e-6)
    assert_allclose(theirs.validation_loss_curve_, ours.validation_loss_curve_, rtol=1e-6)


@estimators_on_devices
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "gd"])
def test_float32_on_device_arrays_trains_in_float32(solver):
    ours, theirs = fit_both(
        TinyMLPRegressor, {"solver": solver, "max_iter": 10}, REG_X, REG_Y, np.float32
    )
    assert theirs.coefs_[0].dtype == xp.float32
    assert_same_model(ours, theirs, rtol=1e-3)


@estimators_on_devices
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_warm_start_on_device_arrays_equals_the_numpy_fit(solver):
    def twice(est, X, y, sample_weight):
        est.set_params(warm_start=True, max_iter=6)
        return est.fit(X, y).fit(X, y)

    ours, theirs = fit_both(TinyMLPClassifier, {"solver": solver}, IRIS_X, IRIS_Y, fit=twice)
    assert_same_model(ours, theirs)


@estimators_on_devices
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_partial_fit_on_device_arrays_equals_the_numpy_fit(Estimator):
    X, y = (IRIS_X, IRIS_Y) if Estimator is TinyMLPClassifier else (REG_X, REG_Y)
    extra = {"classes": [0, 1, 2]} if Estimator is TinyMLPClassifier else {}

    def in_halves(est, X, y, sample_weight):
        half = X.shape[0] // 2
        for part in (slice(0, half), slice(half, None), slice(0, half)):
            est.partial_fit(X[part, ...], y[part], **extra)
        return est

    ours, theirs = fit_both(Estimator, {"solver": "adam"}, X, y, fit=in_halves)
    assert_same_model(ours, theirs)


@estimators_on_devices
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_y_and_sample_weight_follow_X_to_its_device():
    with config_context(array_api_dispatch=True):
        clf = TinyMLPClassifier(solver="adam", max_iter=5, random_state=0)
        clf.fit(on_device(IRIS_X), IRIS_Y, sample_weight=np.ones(150))  # NumPy y and weights
        assert clf.coefs_[0].device == DEVICE and clf.classes_.device == DEVICE


@estimators_on_devices
def test_a_device_model_refuses_numpy_input_and_to_numpy_makes_a_numpy_model():
    with config_context(array_api_dispatch=True):
        clf = TinyMLPClassifier(random_state=0).fit(on_device(IRIS_X), on_device(IRIS_Y))
        expected = host(clf.predict_proba(on_device(IRIS_X)))
        with pytest.raises(ValueError, match="must use the same namespace"):
            clf.predict(IRIS_X)
    with pytest.raises(ValueError, match="to_numpy"):  # dispatch off: NumPy input
        clf.predict(IRIS_X)
    cpu = clf.to_numpy()
    assert all(type(w) is np.ndarray for w in cpu.coefs_ + cpu.intercepts_)
    assert type(cpu.classes_) is np.ndarray and type(cpu.init_losses_) is np.ndarray
    restored = pickle.loads(pickle.dumps(cpu))
    assert_allclose(restored.predict_proba(IRIS_X), expected)
    assert restored.get_params() == clf.get_params()


@estimators_on_devices
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_input_keeps_numpy_s_path_inside_dispatch():
    X = sparse.csr_matrix(IRIS_X)
    with config_context(array_api_dispatch=True):
        clf = TinyMLPClassifier(solver="adam", max_iter=5, random_state=0).fit(X, IRIS_Y)
    assert type(clf.coefs_[0]) is np.ndarray


@estimators_on_devices
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "gd"])
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_torch_tensors_train_where_they_are(Estimator, solver):
    """torch on the CPU, where it is installed: the library the GPU path is built for."""
    torch = pytest.importorskip("torch")
    X, y = (IRIS_X, IRIS_Y) if Estimator is TinyMLPClassifier else (REG_X, REG_Y)
    params = dict(solver=solver, max_iter=10, n_init=2, random_state=0)
    val = np.arange(len(y)) % 4 == 0  # a validation set too
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = Estimator(**params).fit(X[~val], y[~val], X_val=X[val], y_val=y[val])
        with config_context(array_api_dispatch=True):
            tensors = [torch.asarray(a) for a in (X[~val], y[~val], X[val], y[val])]
            theirs = Estimator(**params).fit(*tensors[:2], X_val=tensors[2], y_val=tensors[3])
            predicted = theirs.predict(torch.asarray(X))
            embedded = theirs.transform(torch.asarray(X))
    assert isinstance(theirs.coefs_[0], torch.Tensor) and isinstance(predicted, torch.Tensor)
    for mine, tensor in zip(ours.coefs_, theirs.coefs_, strict=True):
        assert_allclose(tensor.numpy(), mine, rtol=1e-6, atol=1e-9)
    assert_allclose(predicted.numpy(), ours.predict(X), rtol=1e-6)
    assert_allclose(embedded.numpy(), ours.transform(X), rtol=1e-6, atol=1e-9)
    assert_allclose(theirs.validation_loss_curve_, ours.validation_loss_curve_, rtol=1e-6)


@estimators_on_devices
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_callbacks_see_device_models_and_can_stop_them(solver):
    """scikit-learn's callbacks get a model on the device after each epoch or iteration."""
    pytest.importorskip("sklearn.callback", reason="scikit-learn >= 1.9")
    from test_beyond import Recorder

    recorder = Recorder(stop_after=3)
    with config_context(array_api_dispatch=True):
        clf = TinyMLPClassifier(solver=solver, max_iter=20, random_state=0)
        clf.set_callbacks(recorder).fit(on_device(IRIS_X), on_device(IRIS_Y))
    assert clf.n_iter_ == 3 and len(recorder.epoch_scores) == 3
    assert all(0 <= score <= 1 for score in recorder.epoch_scores)


@estimators_on_devices
def test_the_numpy_copy_of_a_device_model_saves_with_skops():
    sio = pytest.importorskip("skops.io")
    with config_context(array_api_dispatch=True):
        reg = TinyMLPRegressor(random_state=0).fit(on_device(REG_X), on_device(REG_Y))
    cpu = reg.to_numpy()
    data = sio.dumps(cpu)
    loaded = sio.loads(data, trusted=["sklearn_xornet._regressor.TinyMLPRegressor"])
    assert_allclose(loaded.predict(REG_X), cpu.predict(REG_X))
