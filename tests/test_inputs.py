"""Every array a fit takes meets the others at the door.

``X``, ``y``, ``sample_weight``, ``X_val``, ``y_val`` and ``sample_weight_val`` are drawn
independently from NumPy, array-api-strict's second device (where nothing can silently go
back to NumPy) and torch's CPU build, with data and labels of every dtype scikit-learn
accepts: inside ``array_api_dispatch`` a fit works where ``X`` lives, and equals the fit on
NumPy arrays of the same numbers; what it cannot take, it refuses with an error that names
the argument. A fitted model meets arrays from elsewhere with scikit-learn's namespace
error, and stays as it was.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from test_array_api import DEVICE, estimators_on_devices, host

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

xp = pytest.importorskip("array_api_strict")
try:
    import torch
except ImportError:  # the tests draw from NumPy and array-api-strict alone
    torch = None

pytestmark = [
    estimators_on_devices,
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

PLACES = ["numpy", "strict"] + (["torch"] if torch is not None else [])
ARGUMENTS = ["X", "y", "sample_weight", "X_val", "y_val", "sample_weight_val"]

X_ALL, CLASSES = load_iris(return_X_y=True)
X_ALL = (X_ALL - X_ALL.mean(axis=0)) / X_ALL.std(axis=0)
ROWS = np.arange(150) % 3 == 0  # 50 rows to train on, from every class
VAL = np.arange(150) % 5 == 1  # 30 others to validate on
LABELS = {  # every kind of label scikit-learn's classifiers take
    "bool": CLASSES == 0,
    "int": CLASSES,
    "float16": CLASSES.astype(np.float16),
    "float32": CLASSES.astype(np.float32),
    "float64": CLASSES.astype(np.float64),
    "str": np.array(["setosa", "versicolor", "virginica"])[CLASSES],
}


def put(array, place):
    """``array`` (NumPy) where ``place`` says: NumPy, array-api-strict's second device, or
    torch on the CPU."""
    if array is None or place == "numpy":
        return array
    if place == "torch":
        return torch.asarray(array)
    return xp.asarray(array, device=DEVICE)


def holds(place, array):
    """Whether a library can hold ``array``'s dtype: array-api-strict has no float16 and no
    strings, torch no strings."""
    kind = array.dtype.kind
    return place == "numpy" or not (kind in "US" or (place == "strict" and array.dtype == "f2"))


def fit(Estimator, params, arrays, places):
    arguments = {name: put(arrays[name], places[name]) for name in ARGUMENTS}
    return Estimator(**params).fit(**arguments)


@settings(max_examples=40, deadline=None)
@given(
    regressor=st.booleans(),
    places=st.fixed_dictionaries({name: st.sampled_from(PLACES) for name in ARGUMENTS}),
    data=st.sampled_from(["float16", "float32", "float64"]),
    labels=st.sampled_from(list(LABELS)),
    weights=st.sampled_from([None, "int64", "float64"]),
    validation=st.booleans(),
    solver=st.sampled_from(["lbfgs", "adam"]),
)
def test_any_mix_of_namespaces_and_dtypes_fits_as_numpy_does(
    regressor, places, data, labels, weights, validation, solver
):
    Estimator = TinyMLPRegressor if regressor else TinyMLPClassifier
    if regressor and labels == "str":
        labels = "float64"  # a regressor's targets are numbers
    X, y = X_ALL.astype(data), LABELS[labels]
    rng = np.random.RandomState(0)
    w = None if weights is None else rng.randint(1, 4, size=150).astype(weights)
    arrays = {
        "X": X[ROWS],
        "y": y[ROWS],
        "sample_weight": None if w is None else w[ROWS],
        "X_val": X[VAL] if validation else None,
        "y_val": y[VAL] if validation else None,
        "sample_weight_val": None if w is None or not validation else w[VAL],
    }
    assume(all(holds(places[name], a) for name, a in arrays.items() if a is not None))
    params = {"hidden_layer_sizes": (5,), "solver": solver, "max_iter": 6, "random_state": 0}
    reference = fit(Estimator, params, arrays, dict.fromkeys(ARGUMENTS, "numpy"))
    with config_context(array_api_dispatch=True):
        if places["X"] != "numpy" and labels == "str":
            # a device holds no strings: refused, naming the argument
            with pytest.raises(ValueError, match="^y holds <U"):
                fit(Estimator, params, arrays, places)
            return
        model = fit(Estimator, params, arrays, places)
        predicted = model.predict(put(X, places["X"]))
    # the model lives where X does, and is the NumPy model
    expected_type = {"numpy": np.ndarray, "strict": type(xp.ones(1))}
    if torch is not None:
        expected_type["torch"] = torch.Tensor
    assert all(type(W) is expected_type[places["X"]] for W in model.coefs_)
    rtol = 1e-3 if data == "float32" else 1e-6  # float16 trains in float64, as on NumPy
    for mine, theirs in zip(model.coefs_, reference.coefs_, strict=True):
        assert_allclose(_host(mine), theirs, rtol=rtol, atol=rtol * 1e-2)
    assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=rtol)
    if validation:
        assert_allclose(model.validation_loss_curve_, reference.validation_loss_curve_, rtol=rtol)
    if regressor:
        assert_allclose(_host(predicted), reference.predict(X), rtol=rtol, atol=rtol)
    else:  # the labels as they were given, in their dtype where the device has it
        expected = reference.predict(X)
        assert_array_equal(_host(model.classes_), reference.classes_)
        assert_array_equal(_host(predicted), expected)
        lacks_it = places["X"] == "strict" and labels == "float16"
        assert _host(predicted).dtype == (np.float64 if lacks_it else expected.dtype)


def _host(array):
    if torch is not None and isinstance(array, torch.Tensor):
        return array.numpy()
    return host(array) if not isinstance(array, np.ndarray) else array


CONTINUATIONS = ["predict", "predict_proba", "transform", "score", "partial_fit", "warm_start"]


@settings(max_examples=20, deadline=None)
@given(
    fitted=st.sampled_from(PLACES[1:]),
    other=st.sampled_from(PLACES),
    how=st.sampled_from(CONTINUATIONS),
    dispatch=st.booleans(),
)
def test_a_model_meets_arrays_from_elsewhere_with_the_namespace_error(fitted, other, how, dispatch):
    """A model fitted on a device, continued or asked to predict on arrays from elsewhere:
    scikit-learn's namespace error, and the model as it was."""
    assume(other != fitted)
    X, y = X_ALL[ROWS], CLASSES[ROWS]
    with config_context(array_api_dispatch=True):
        model = TinyMLPClassifier((5,), solver="adam", max_iter=3, random_state=0)
        model.fit(put(X, fitted), put(y, fitted))
    before = [_host(W).copy() for W in model.coefs_], model.n_iter_, model.t_
    arguments = (put(X, other), put(y, other))
    call = {
        "predict": lambda: model.predict(arguments[0]),
        "predict_proba": lambda: model.predict_proba(arguments[0]),
        "transform": lambda: model.transform(arguments[0]),
        "score": lambda: model.score(*arguments),
        "partial_fit": lambda: model.partial_fit(*arguments),
        "warm_start": lambda: model.set_params(warm_start=True).fit(*arguments),
    }[how]
    method = {"warm_start": "fit", "score": "predict"}.get(how, how)
    with config_context(array_api_dispatch=dispatch), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match=rf"{method}\(\) must use the same namespace"):
            call()
    after = [_host(W) for W in model.coefs_], model.n_iter_, model.t_
    for old, new in zip(before[0], after[0], strict=True):
        assert_array_equal(old, new)
    assert before[1:] == after[1:]
