"""Bad and extreme input: a fitted model with finite, well-shaped outputs, or a clear error.

RuntimeWarnings are errors in this suite (pyproject.toml), so none may escape either.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

ESTIMATORS = [
    lambda: TinyMLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0),
    lambda: TinyMLPRegressor(hidden_layer_sizes=(3,), max_iter=20, random_state=0),
    lambda: TinyMLPClassifier(hidden_layer_sizes=(3,), solver="adam", max_iter=5),
    lambda: TinyMLPRegressor(hidden_layer_sizes=(3,), solver="gd", max_iter=5),
]

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, 1.0, -1.0, 1e150, -1e150, 1e300, -1e300]),
)
dtypes = st.sampled_from(
    [np.float16, np.float32, np.float64, np.int64, np.bool_, object, "strings", "mixed"]
)


@st.composite
def data(draw):
    n_samples = draw(st.integers(0, 6))
    n_features = draw(st.integers(0, 3))
    dtype = draw(dtypes)
    X = draw(hnp.arrays(np.float64, (n_samples, n_features), elements=values))
    with np.errstate(all="ignore"):
        if dtype == "strings":  # numbers written as text, as a CSV reader might leave them
            X = X.astype(str)
        elif dtype == "mixed":  # an object column holding text among numbers
            X = X.astype(object)
            if X.size:
                X.flat[0] = draw(st.sampled_from(["a", "", "1.5", None]))
        else:
            X = X.astype(dtype)
    shape = draw(st.sampled_from(["2-D", "2-D", "2-D", "1-D", "3-D"]))
    if shape == "1-D":
        X = X.ravel()
    elif shape == "3-D":
        X = X.reshape(n_samples, n_features, 1)
    n_targets = draw(st.sampled_from([n_samples, n_samples, max(n_samples - 1, 0)]))
    y = draw(hnp.arrays(np.float64, (n_targets,), elements=values))
    return X, y


def clear(error):
    message = str(error)
    return len(message) > 10


def reason(error):
    """The message's first words, without the numbers of the case: a statistics bucket."""
    return " ".join(re.sub(r"[(\d].*", "", str(error).splitlines()[0]).split()[:6])


@pytest.mark.parametrize("make", ESTIMATORS, ids=["clf-lbfgs", "reg-lbfgs", "clf-adam", "reg-gd"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=data())
def test_fit_and_predict_never_crash_silently(make, case):
    X, y = case
    est = make()
    if hasattr(est, "predict_proba"):
        y = np.where(np.isfinite(y), np.sign(y), 0).astype(int)  # labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            est.fit(X, y)
        except (ValueError, TypeError) as error:
            assert clear(error)
            # `pytest --hypothesis-show-statistics` counts the refusals by their message
            event(f"refused by fit: {reason(error)}")
            return
    try:
        predicted = est.predict(X)
    except (ValueError, TypeError) as error:
        assert clear(error)
        event(f"refused by predict: {reason(error)}")
        return
    event("fitted: finite, well-shaped predictions")
    assert X.ndim == 2  # 1-D and 3-D X must have been refused
    assert predicted.shape[0] == X.shape[0]
    if predicted.dtype.kind == "f":
        assert np.isfinite(predicted).all()
    if hasattr(est, "predict_proba"):
        proba = est.predict_proba(X)
        assert np.isfinite(proba).all() and proba.shape == (X.shape[0], len(est.classes_))


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])
BAD_X = {
    # case: (X, what the message must say), refused by fit and by predict alike
    "1-D X": (XOR_X[:, 0], "Expected a 2-dimensional container|Expected 2D array"),
    "3-D X": (XOR_X[:, :, None], "dim 3"),
    "text X": (np.array([["a", "b"]] * 4), "could not convert|dtype"),
    "None in X": (np.array([[None, 1.0]] + [[0.0, 1.0]] * 3, dtype=object), "NaN"),
    "NaN in X": (np.where(XOR_X == 1, np.nan, 0.0), "NaN"),
    "inf in X": (np.where(XOR_X == 1, np.inf, 0.0), "infinity"),
    "no features": (np.empty((4, 0)), "0 feature"),
    "complex X": (XOR_X + 1j, "Complex data not supported"),
}
BAD_FIT = {
    # case: (X, y, what the message must say)
    "empty X": (np.empty((0, 2)), np.empty(0), "0 sample"),
    "lengths differ": (XOR_X, XOR_Y[:3], "inconsistent numbers of samples"),
    "NaN in y": (XOR_X, np.array([0.0, np.nan, 1.0, 0.0]), "NaN"),
}


@pytest.mark.parametrize("case", BAD_X)
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bad_X_is_refused_by_fit_and_predict_with_a_message_that_names_it(Estimator, case):
    X, message = BAD_X[case]
    with pytest.raises((ValueError, TypeError), match=message):
        Estimator(max_iter=5).fit(X, XOR_Y)
    fitted = Estimator(max_iter=5).fit(XOR_X, XOR_Y)
    with pytest.raises((ValueError, TypeError), match=message):
        fitted.predict(X)


@pytest.mark.parametrize("case", BAD_FIT)
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_bad_data_is_refused_by_fit_with_a_message_that_names_it(Estimator, case):
    X, y, message = BAD_FIT[case]
    with pytest.raises((ValueError, TypeError), match=message):
        Estimator(max_iter=5).fit(X, y)


def test_text_targets_are_refused_by_the_regressor():
    with pytest.raises(ValueError, match="could not convert"):
        TinyMLPRegressor().fit(XOR_X, ["a", "b", "a", "b"])


@pytest.mark.parametrize("scale", [1e150, 1e300])
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_huge_magnitudes_give_finite_predictions_or_a_clear_error(Estimator, scale):
    X = XOR_X * scale
    y = XOR_Y * (1 if Estimator is TinyMLPClassifier else scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            est = Estimator(max_iter=20, random_state=0).fit(X, y)
        except ValueError as error:
            assert "large" in str(error) or "finite" in str(error)
            return
    predicted = est.predict(X)
    assert predicted.shape == (4,) and np.isfinite(predicted.astype(float)).all()


# -- divergence -----------------------------------------------------------------------------

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_X = StandardScaler().fit_transform(IRIS_X)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_a_learning_rate_of_1e6_gives_a_finite_model_and_one_clear_warning(
    Estimator, solver, activation
):
    est = Estimator(
        solver=solver, activation=activation, learning_rate_init=1e6, max_iter=50, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(IRIS_X, IRIS_Y)
    # no noise: at most one warning, a ConvergenceWarning that says what happened
    assert len(caught) <= 1, [str(w.message) for w in caught]
    assert all(issubclass(w.category, ConvergenceWarning) for w in caught)
    if solver != "lbfgs":  # L-BFGS has no learning rate: it just trains
        (warning,) = caught
        message = str(warning.message)
        assert "diverged" in message or "non-finite" in message
        assert "learning_rate_init" in message
        # stopped early: at the first non-finite loss, or when the loss stopped improving
        assert est.n_iter_ < est.max_iter
        finite_epochs = re.search(r"non-finite after (\d+) epochs", message)
        if finite_epochs:  # the epochs kept are exactly those before the first non-finite
            assert est.n_iter_ == int(finite_epochs.group(1))
    assert len(est.loss_curve_) == est.n_iter_ and np.isfinite(est.loss_curve_).all()
    assert all(np.isfinite(w).all() for w in est.coefs_ + est.intercepts_)
    outputs = est.predict_proba(IRIS_X) if hasattr(est, "predict_proba") else est.predict(IRIS_X)
    assert np.isfinite(outputs).all()


def test_a_loss_non_finite_from_the_first_epoch_is_a_clear_error():
    with pytest.raises(ValueError, match="non-finite parameter weights"):
        TinyMLPRegressor(activation="identity", solver="gd").fit(IRIS_X * 1e200, IRIS_Y)


# -- a failed fit publishes nothing ---------------------------------------------------------


class FailingCallback:
    """A FitCallback whose end-of-epoch hook raises at the third epoch."""

    def setup(self, estimator, context):
        self.epochs = 0

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.epochs += context.parent is not None
        if self.epochs == 3:
            raise RuntimeError("the callback failed")


def fitted_state(est):
    """Everything fit may change, pickled: the attributes minus the callbacks set on it."""
    return pickle.dumps({k: v for k, v in vars(est).items() if "callback" not in k})


FAILURES = {
    "bad data": (lambda est: est.fit(np.where(IRIS_X > 1, np.nan, IRIS_X), IRIS_Y), ValueError),
    "non-finite from the start": (
        lambda est: est.set_params(activation="identity", solver="gd").fit(IRIS_X * 1e200, IRIS_Y),
        ValueError,
    ),
    "a callback's error": (
        lambda est: (
            est.set_params(solver="adam").set_callbacks(FailingCallback()).fit(IRIS_X, IRIS_Y)
        ),
        RuntimeError,
    ),
    "partial_fit on bad data": (
        lambda est: est.partial_fit(IRIS_X[:, :2], IRIS_Y),
        ValueError,
    ),
}


@pytest.mark.parametrize(
    "Estimator, failure",
    [
        (Estimator, failure)
        for Estimator in [TinyMLPClassifier, TinyMLPRegressor]
        for failure in FAILURES
        # the classifier's log loss of huge logits stays finite for one epoch: it ends
        # with the last finite weights and a warning (tested above), not with an error
        if (Estimator, failure) != (TinyMLPClassifier, "non-finite from the start")
    ],
)
@pytest.mark.parametrize("warm_start", [False, True])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_fit_that_raises_leaves_the_fitted_estimator_as_it_was(Estimator, failure, warm_start):
    if failure == "a callback's error":
        pytest.importorskip("sklearn.callback", reason="scikit-learn >= 1.9")
    est = Estimator(solver="adam", max_iter=20, warm_start=warm_start, random_state=0)
    est.fit(IRIS_X, IRIS_Y)
    before, predictions = fitted_state(est), est.predict(IRIS_X)
    make_it_fail, error = FAILURES[failure]
    est_params = est.get_params()
    with pytest.raises(error):
        make_it_fail(est)
    est.set_params(**est_params)
    assert fitted_state(est) == before
    assert np.array_equal(est.predict(IRIS_X), predictions)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_threads_keep_the_callers_numpy_error_state(monkeypatch, activation):
    """Row blocks computed in threads overflow quietly, as the fit's own thread does."""
    from sklearn_xornet import _activations, _network

    # every full batch split between threads, every layer function run on row blocks
    monkeypatch.setattr(_network, "_PARALLEL_ELEMENTS", 64)
    monkeypatch.setattr(_network, "_N_THREADS", 2)
    monkeypatch.setattr(_network, "_BLOCK_ELEMENTS", 256)
    monkeypatch.setattr(_activations, "_PARALLEL_ELEMENTS", 64)
    monkeypatch.setattr(_activations, "_N_THREADS", 2)
    X = np.vstack([IRIS_X] * 4)
    y = np.tile(IRIS_Y, 4) * 1e3
    est = TinyMLPRegressor(
        (30,),
        activation=activation,
        solver="gd",
        learning_rate_init=1e6,
        max_iter=30,
        normalize_y=False,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)  # overflows on the way: RuntimeWarnings here would be errors
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert np.isfinite(est.predict(X)).all()
