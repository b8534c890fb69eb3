"""Bad and extreme input: a fitted model with finite, well-shaped outputs, or a clear error.

RuntimeWarnings are errors in this suite (pyproject.toml), so none may escape either.
"""

import os
import pickle
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor
from sklearn_xornet._activations import HIDDEN_ACTIVATIONS, user_activation
from sklearn_xornet._losses import LOSSES
from sklearn_xornet._network import Layout
from sklearn_xornet._objective import Objective
from sklearn_xornet._stopping import finite_outputs, outputs_cannot_overflow

ESTIMATORS = [
    lambda: TinyMLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0),
    lambda: TinyMLPRegressor(hidden_layer_sizes=(3,), max_iter=20, random_state=0),
    lambda: TinyMLPClassifier(hidden_layer_sizes=(3,), solver="adam", max_iter=5),
    lambda: TinyMLPRegressor(hidden_layer_sizes=(3,), solver="gd", max_iter=5),
    # the other activations, losses and dropout
    lambda: TinyMLPClassifier((3,), activation="gelu", solver="adam", dropout=0.3, max_iter=5),
    lambda: TinyMLPRegressor((3,), activation="silu", loss="huber", max_iter=20, random_state=0),
    lambda: TinyMLPRegressor(
        (3,), activation="elu", loss="quantile", quantile=0.3, max_iter=20, random_state=0
    ),
    lambda: TinyMLPRegressor(
        (3, 2),
        activation=("softplus", "leaky_relu"),
        loss="absolute_error",
        solver="sgd",
        dropout=(0.2, 0.0),
        max_iter=5,
    ),
]
ESTIMATOR_IDS = ["clf-lbfgs", "reg-lbfgs", "clf-adam", "reg-gd"]
ESTIMATOR_IDS += ["clf-gelu-dropout", "reg-huber", "reg-quantile", "reg-absolute-dropout"]

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


@pytest.mark.parametrize("make", ESTIMATORS, ids=ESTIMATOR_IDS)
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


parameter_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(-3, 3),
    st.sampled_from([None, True, "0.5", "auto", "gelu", (), (0.1,), (0.1, 0.2, 0.3)]),
    st.lists(st.floats(-0.5, 1.5), min_size=2, max_size=2),
)


@pytest.mark.parametrize(
    "Estimator, name",
    [
        (TinyMLPClassifier, "dropout"),
        (TinyMLPClassifier, "activation"),
        (TinyMLPRegressor, "huber_delta"),
        (TinyMLPRegressor, "quantile"),
        (TinyMLPRegressor, "dropout"),
    ],
)
@settings(max_examples=40, deadline=None)
@given(value=parameter_values)
def test_any_value_of_the_new_parameters_fits_or_is_refused_clearly(Estimator, name, value):
    """dropout, activation, huber_delta, quantile: a fit, or an error naming the parameter."""
    est = Estimator((3, 2), solver="adam", max_iter=3, random_state=0)
    if Estimator is TinyMLPRegressor:
        est.set_params(loss="huber" if name == "huber_delta" else "quantile", quantile=0.5)
    est.set_params(**{name: value})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            est.fit(IRIS_X, IRIS_Y)
        except (ValueError, TypeError) as error:
            assert name in str(error) or (name == "quantile" and "quantile" in str(error))
            event(f"refused: {reason(error)}")
            return
    event("fitted")
    outputs = est.predict_proba(IRIS_X) if hasattr(est, "predict_proba") else est.predict(IRIS_X)
    assert np.isfinite(outputs).all()


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
        solver=solver,
        activation=activation,
        learning_rate_init=1e6,
        max_iter=50,
        n_iter_no_change=10,
        random_state=0,
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


@pytest.mark.parametrize("solver", ["gd", "adam"])
def test_a_run_that_diverges_until_max_iter_says_it_diverged(solver):
    """Patience longer than the run: it ends at max_iter, and the warning names the cause."""
    est = TinyMLPClassifier(
        solver=solver, learning_rate_init=1e6, max_iter=30, n_iter_no_change=100, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(IRIS_X, IRIS_Y)
    (warning,) = caught
    assert "diverged" in str(warning.message) or "non-finite" in str(warning.message)
    assert "Maximum iterations" not in str(warning.message)


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


@pytest.mark.skipif(os.cpu_count() < 2, reason="one core: no thread to split between")
@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("n_init", [1, 2])
def test_threads_keep_the_callers_numpy_error_state(activation, n_init):
    """Row blocks computed in threads overflow quietly, as the fit's own thread does: a
    full batch of one network over a million entries in a layer is split between threads,
    and so are the layers of a stack of two."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4200, 4))
    y = rng.normal(size=4200) * 1e150
    est = TinyMLPRegressor(
        (256 // n_init,),
        activation=activation,
        solver="gd",
        learning_rate_init=1e6,
        max_iter=8,
        normalize_y=False,
        n_init=n_init,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)  # overflows on the way: RuntimeWarnings here would be errors
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any("non-finite" in str(w.message) for w in caught)  # it did overflow
    assert np.isfinite(est.predict(X)).all()


# -- L-BFGS never keeps non-finite weights ----------------------------------------------------

# up to where IRIS_X (|x| <= 3.1) and IRIS_Y (<= 2) times them stay finite
MAGNITUDES = st.sampled_from([1e100, 1e150, 1e200, 1e250, 1e300, 5e307])


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
@settings(max_examples=25, deadline=None)
@given(
    X_scale=st.one_of(st.just(1.0), MAGNITUDES),
    y_scale=st.one_of(st.just(1.0), MAGNITUDES),
    weight=st.sampled_from([None, 1.0, 1e-200, 1e-300, 1e-320]),
    activation=st.sampled_from(["relu", "identity", "tanh"]),
    normalize_y=st.booleans(),
)
def test_lbfgs_ends_with_finite_weights_or_a_clear_error_that_keeps_the_old_model(
    Estimator, X_scale, y_scale, weight, activation, normalize_y
):
    """Huge inputs or targets, or tiny sample weights: never NaN weights, never a lie."""
    alpha = 5.0 if Estimator is TinyMLPRegressor else 0.03  # L-BFGS's defaults
    params = dict(activation=activation, alpha=alpha, max_iter=30, random_state=0)
    if Estimator is TinyMLPRegressor:
        params["normalize_y"] = normalize_y
        y = IRIS_Y * y_scale
    else:
        y = IRIS_Y
    est = Estimator(warm_start=False, **params).fit(IRIS_X, IRIS_Y)
    before = fitted_state(est)
    sample_weight = None if weight is None else np.full(len(y), weight)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(IRIS_X * X_scale, y, sample_weight=sample_weight)
        except ValueError as error:
            message = str(error)
            event(f"refused: {reason(error)}")
            assert fitted_state(est) == before  # the old model, untouched
            if weight is not None and weight * len(y) * 1e100 < alpha:
                assert "sample weights sum to" in message
            else:
                assert "large values" in message
            return
    assert all(np.isfinite(w).all() for w in est.coefs_ + est.intercepts_)
    assert np.isfinite(est.loss_) and np.isfinite(est.loss_curve_).all()
    kept = [w for w in caught if "last weights with a finite loss" in str(w.message)]
    event("fitted, with the last finite weights" if kept else "fitted")
    # one warning at most, a ConvergenceWarning: no RuntimeWarning, no repeats
    assert len(caught) <= 1 and all(w.category is ConvergenceWarning for w in caught)


def test_tiny_sample_weights_are_named_as_the_cause():
    with pytest.raises(ValueError, match="sample weights sum to 1.5e-298") as error:
        TinyMLPClassifier(random_state=0).fit(IRIS_X, IRIS_Y, sample_weight=[1e-300] * 150)
    assert "large values" not in str(error.value)


def test_lbfgs_restarts_give_one_warning_not_one_each():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TinyMLPClassifier(n_init=16, max_iter=3, random_state=0).fit(IRIS_X, IRIS_Y)
    assert len(caught) == 1 and caught[0].category is ConvergenceWarning


def test_lbfgs_on_large_counts_in_float32_trains_as_in_float64():
    """A million counts: float32 rounding of the deviance's terms used to stall L-BFGS."""
    from sklearn.metrics import d2_tweedie_score

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 10))
    y = rng.poisson(1e6 * np.exp(0.1 * rng.normal(size=300))).astype(float)
    scores = {}
    for dtype in (np.float32, np.float64):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reg = TinyMLPRegressor(loss="poisson", random_state=0).fit(X.astype(dtype), y)
        # it ran, or said why it stopped
        assert reg.n_iter_ > 20 or caught
        scores[dtype] = d2_tweedie_score(y, reg.predict(X.astype(dtype)), power=1)
    assert scores[np.float64] > 0.7
    assert scores[np.float32] > scores[np.float64] - 0.1


# -- an interrupted fit publishes nothing -------------------------------------------------------


# a way into the middle of a fit: tanh as a user's activation, which raises ``error`` at its
# ``at``-th call on a layer (the check of the pair at fit calls it on points, not layers)
INTERRUPTION = {"at": None, "calls": 0, "error": None}


def interrupting_tanh(x):
    if np.ndim(x) == 2:
        INTERRUPTION["calls"] += 1
        if INTERRUPTION["calls"] == INTERRUPTION["at"]:
            raise INTERRUPTION["error"]
    return np.tanh(x)


def tanh_slope(x):
    return 1 - np.tanh(x) ** 2


INTERRUPTIBLE = (interrupting_tanh, tanh_slope)


def interrupt(at, error):
    """Arm the interruption: the ``at``-th layer computed from now on raises ``error``."""
    INTERRUPTION.update(at=at, calls=0, error=error)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
@settings(max_examples=12, deadline=None)
@given(
    interruption=st.sampled_from([KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError]),
    at_call=st.integers(1, 30),
)
def test_an_interrupted_refit_on_new_data_leaves_the_old_model(solver, interruption, at_call):
    """However the fit is left (Ctrl-C, SystemExit, a callback's GeneratorExit, ...)."""
    if solver == "adam" and interruption is KeyboardInterrupt:
        interruption = SystemExit  # the epoch solvers keep the model so far on Ctrl-C
    interrupt(None, None)
    est = TinyMLPClassifier(activation=INTERRUPTIBLE, solver=solver, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(IRIS_X, IRIS_Y)
    before, predictions = fitted_state(est), est.predict(IRIS_X)
    X_new, y_new = IRIS_X[:, :2], IRIS_Y  # new data, of another width
    interrupt(at_call, interruption)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            est.fit(X_new, y_new)
        except interruption:
            interrupt(None, None)
            assert fitted_state(est) == before
            assert np.array_equal(est.predict(IRIS_X), predictions)
            return
    # the fit ended before the interruption was due: the new model, whole
    assert INTERRUPTION["calls"] < at_call
    assert est.n_features_in_ == 2 and est.coefs_[0].shape[0] == 2


def test_ctrl_c_during_an_lbfgs_refit_leaves_the_old_model():
    interrupt(None, None)
    est = TinyMLPClassifier(activation=INTERRUPTIBLE, random_state=0).fit(IRIS_X, IRIS_Y)
    before = fitted_state(est)
    interrupt(1, KeyboardInterrupt)  # the first evaluation of the objective
    with pytest.raises(KeyboardInterrupt):
        est.fit(IRIS_X[:, :2], IRIS_Y)
    assert fitted_state(est) == before and est.n_features_in_ == 4


# -- continued training takes the kind of targets it was fitted on ----------------------------

TARGET_KINDS = {
    "binary": IRIS_Y % 2,
    "multiclass": IRIS_Y,
    "2 labels": np.c_[IRIS_Y % 2, IRIS_Y == 2].astype(int),
    "3 labels": np.c_[IRIS_Y % 2, IRIS_Y == 2, IRIS_Y == 0].astype(int),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(max_examples=30, deadline=None)
@given(
    first=st.sampled_from(list(TARGET_KINDS)),
    then=st.sampled_from(list(TARGET_KINDS)),
    how=st.sampled_from(["partial_fit", "warm_start"]),
)
def test_continuing_on_another_kind_of_target_is_a_clear_error(first, then, how):
    y_first, y_then = TARGET_KINDS[first], TARGET_KINDS[then]
    est = TinyMLPClassifier(solver="adam", max_iter=5, warm_start=how == "warm_start")
    if how == "partial_fit":
        est.partial_fit(IRIS_X, y_first, classes=np.unique(y_first))
        go_on = est.partial_fit
    else:
        est.fit(IRIS_X, y_first)
        go_on = est.fit
    classes = est.classes_.copy()
    same_kind = (y_first.ndim, y_first.shape[-1]) == (y_then.ndim, y_then.shape[-1])
    first_classes, then_classes = set(np.unique(y_first)), set(np.unique(y_then))
    # partial_fit takes a batch of some of the classes, warm_start all of them
    if same_kind and (
        then_classes <= first_classes if how == "partial_fit" else then_classes == first_classes
    ):
        go_on(IRIS_X, y_then)
        assert np.array_equal(est.classes_, classes)
        assert est.predict(IRIS_X).shape == y_then.shape
        return
    with pytest.raises(ValueError) as error:
        go_on(IRIS_X, y_then)
    event(f"refused: {reason(error.value)}")
    assert clear(error.value)


def test_a_binary_model_refuses_an_indicator_matrix_as_scikit_learn_does():
    clf = TinyMLPClassifier(solver="adam").partial_fit(IRIS_X, IRIS_Y % 2, classes=[0, 1])
    with pytest.raises(ValueError, match="The object was not fitted with multilabel input."):
        clf.partial_fit(IRIS_X, np.c_[IRIS_Y % 2, 1 - IRIS_Y % 2])


def test_multilabel_targets_are_read_as_indicators():
    """Any non-zero entry marks a label, as LabelBinarizer reads it (and sparse y works)."""
    from scipy import sparse

    Y = TARGET_KINDS["2 labels"]
    expected = TinyMLPClassifier(random_state=0).fit(IRIS_X, Y)
    for Y_other in (3 * Y, sparse.csr_matrix(Y)):
        other = TinyMLPClassifier(random_state=0).fit(IRIS_X, Y_other)
        assert other.loss_ == expected.loss_


# -- the last epoch is checked too -------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(max_examples=30, deadline=None)
@given(
    Estimator=st.sampled_from([TinyMLPClassifier, TinyMLPRegressor]),
    solver=st.sampled_from(["gd", "sgd", "adam"]),
    X_scale=st.sampled_from([1.0, 1e30, 1e60, 1e100]),
    learning_rate_init=st.sampled_from([1.0, 1e3, 1e6, 1e9]),
    how=st.sampled_from(["max_iter=1", "partial_fit"]),
)
def test_weights_whose_outputs_overflow_are_never_published(
    Estimator, solver, X_scale, learning_rate_init, how
):
    X = IRIS_X * X_scale
    est = Estimator(
        activation="relu",
        solver=solver,
        learning_rate_init=learning_rate_init,
        max_iter=1,
        random_state=0,
    )
    try:
        if how == "partial_fit":
            extra = {"classes": [0, 1, 2]} if Estimator is TinyMLPClassifier else {}
            est.partial_fit(X, IRIS_Y, **extra)
        else:
            est.fit(X, IRIS_Y)
    except ValueError as error:
        assert "non-finite" in str(error)
        event("refused")
        return
    # every output on the training data is finite: predict answers
    predicted = est.predict(X)
    event("fitted")
    if predicted.dtype.kind == "f":
        assert np.isfinite(predicted).all()


def test_one_epoch_that_overflows_keeps_the_weights_before_it():
    est = TinyMLPRegressor(activation="relu", solver="sgd", learning_rate_init=1e6, max_iter=1)
    with pytest.warns(ConvergenceWarning, match="non-finite after 1 epochs"):
        est.fit(IRIS_X * 1e60, IRIS_Y)
    assert np.isfinite(est.predict(IRIS_X * 1e60)).all()


# every hidden activation, and a user's that grows faster than its input
HIDDEN = [*HIDDEN_ACTIVATIONS, "exp (yours)"]


@settings(max_examples=100, deadline=None)
@given(
    activations=st.lists(st.sampled_from(HIDDEN), max_size=2),
    out_activation=st.sampled_from(["identity", "logistic", "softmax", "exp"]),
    weight_exponent=st.integers(-5, 160),
    X_exponent=st.integers(0, 300),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_the_bound_that_skips_the_last_check_is_sound(
    activations, out_activation, weight_exponent, X_exponent, dtype
):
    """Where the bound says no output can overflow, none does."""
    activations = [
        user_activation((np.exp, np.exp)) if a == "exp (yours)" else a for a in activations
    ]
    rng = np.random.RandomState(weight_exponent + 5 + X_exponent)
    layout = Layout([4, *[3] * len(activations), 2])
    with np.errstate(over="ignore"):  # past float32's range: nothing to test
        X = (rng.uniform(-1, 1, size=(20, 4)) * 10.0**X_exponent).astype(dtype)
        params = (rng.uniform(-1, 1, size=(1, layout.size)) * 10.0**weight_exponent).astype(dtype)
    if not (np.isfinite(X).all() and np.isfinite(params).all()):
        return
    problem = _problem(X, layout, activations, out_activation)
    if not outputs_cannot_overflow(params, problem).all():
        event("the bound leaves it to the forward pass")
        return
    event("cleared by the bound")
    with np.errstate(all="ignore"):
        raw, Z = problem.objective.outputs(params, X)
    assert np.isfinite(raw).all() and np.isfinite(Z).all()


def _problem(X, layout, activations, out_activation):
    """What the checks of a network's outputs read of what it trains on."""
    loss = next(loss for (_, out), loss in LOSSES.items() if out == out_activation)
    objective = Objective(layout, activations, loss, 0.0)
    return SimpleNamespace(
        X=X,
        layout=layout,
        activations=activations,
        out_activation=out_activation,
        objective=objective,
    )


def test_finite_outputs_the_bound_cannot_clear_are_found_finite_by_the_forward_pass():
    """The bound is loose (the largest input times the largest column of weights); where
    it cannot clear a network, the forward pass decides, and finite outputs are finite."""
    layout = Layout([2, 3, 1])
    problem = _problem(np.array([[1e300, 0.0], [0.0, 1.0]]), layout, ["relu"], "identity")
    params = np.zeros((1, layout.size))
    coefs, _ = layout.unpack(params[0])
    coefs[0][1, :] = 1e10  # only the small second feature meets the large weights
    coefs[1][:, 0] = 1.0
    for p in (params, np.vstack([params, params])):  # one network, and a stack
        assert not np.any(outputs_cannot_overflow(p, problem))  # 1e300 x 1e10 overflows
        assert np.all(finite_outputs(p, problem))
    coefs[0][0, :] = 1e10  # now the large feature meets them: 1e310 overflows
    with np.errstate(over="ignore"):  # as fit computes it
        assert not finite_outputs(params, problem).any()


# -- parameters scikit-learn refuses ----------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.one_of(
        st.floats(0.01, 1000).map(lambda size: (size,)),
        st.tuples(st.integers(1, 5), st.floats(0.5, 10)),
        st.lists(st.sampled_from(["3", None, 2.0, [3]]), min_size=1, max_size=2),
    )
)
def test_hidden_layer_sizes_that_are_not_whole_numbers_are_refused(sizes):
    with pytest.raises(ValueError, match="hidden_layer_sizes must be"):
        TinyMLPClassifier(hidden_layer_sizes=sizes, max_iter=2).fit(XOR_X, XOR_Y)


# -- predicting far outside the training data --------------------------------------------------


@pytest.fixture(scope="module")
def unbounded_models():
    """Networks whose outputs grow without bound: relu and identity layers."""
    models = []
    for activation in ("relu", "identity"):
        models.append(TinyMLPClassifier(activation=activation, random_state=0).fit(IRIS_X, IRIS_Y))
        models.append(
            TinyMLPClassifier(activation=activation, random_state=0).fit(IRIS_X, IRIS_Y % 2)
        )
        models.append(TinyMLPRegressor(activation=activation, random_state=0).fit(IRIS_X, IRIS_Y))
        # targets near the float range: mapping the output back overflows first
        models.append(
            TinyMLPRegressor(activation=activation, random_state=0).fit(IRIS_X, IRIS_Y * 5e307)
        )
    return models


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.integers(0, 7),
    exponent=st.floats(0, 308),
    sign=st.sampled_from([1.0, -1.0]),
)
def test_far_but_finite_input_gives_finite_predictions_or_a_clear_error(
    unbounded_models, model, exponent, sign
):
    est = unbounded_models[model]
    X = IRIS_X[:5] * sign * 10.0**exponent
    methods = ["predict"] + (["predict_proba", "predict_log_proba"] * hasattr(est, "classes_"))
    for method in methods:
        try:
            output = getattr(est, method)(X)
        except ValueError as error:
            assert "overflows" in str(error) and "samples" in str(error)
            event(f"{method}: refused")
            continue
        event(f"{method}: finite")
        if output.dtype.kind == "f":
            assert np.isfinite(output).all()


def test_relu_classifier_near_the_float_range_is_a_clear_error():
    clf = TinyMLPClassifier(activation="relu", random_state=0).fit(IRIS_X, IRIS_Y)
    for method in (clf.predict, clf.predict_proba, clf.predict_log_proba):
        with pytest.raises(ValueError, match="network's output overflows float64"):
            method(IRIS_X * 1e307)


def test_regressor_mapping_back_that_overflows_is_a_clear_error():
    reg = TinyMLPRegressor(activation="relu", random_state=0).fit(IRIS_X, IRIS_Y * 5e307)
    with pytest.raises(ValueError, match="targets' scale, overflows float64"):
        reg.predict(IRIS_X * 1e10)


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_predicting_on_no_rows_is_refused_as_in_scikit_learn(Estimator):
    est = Estimator(random_state=0).fit(XOR_X, XOR_Y)
    with pytest.raises(ValueError, match="0 sample"):
        est.predict(np.empty((0, 2)))


# -- messages that name the problem ------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(
        st.one_of(
            st.sampled_from([0.0, -1.0, np.nan, np.inf, "heavy", None]),
            st.floats(0, 10),
        ),
        min_size=3,
        max_size=3,
    )
)
def test_class_weight_is_used_or_refused_clearly(weights):
    class_weight = dict(enumerate(weights))
    clf = TinyMLPClassifier(class_weight=class_weight, max_iter=20, random_state=0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(IRIS_X, IRIS_Y)
    except ValueError as error:
        event(f"refused: {reason(error)}")
        assert "class_weight" in str(error)
        return
    numbers = np.array(weights, dtype=float)
    assert np.isfinite(numbers).all() and (numbers >= 0).all()
    assert (numbers > 0).sum() >= 1  # one class with weight is a one-class fit
    event("fitted")


@pytest.mark.parametrize("classes", [[0], ["a"], [1, 1]])
def test_partial_fit_with_one_announced_class_predicts_it(classes):
    clf = TinyMLPClassifier(solver="adam").partial_fit(XOR_X, [classes[0]] * 4, classes=classes)
    assert clf.classes_.tolist() == [classes[0]]
    assert clf.predict(XOR_X).tolist() == [classes[0]] * 4


@pytest.mark.parametrize("normalize_y", [True, False])
@pytest.mark.parametrize("scale, problem", [(1e-42, "too small"), (1e40, "too large")])
def test_float32_targets_out_of_range_are_named_without_a_useless_remedy(
    normalize_y, scale, problem
):
    y = np.arange(1.0, 5.0) * scale
    with pytest.raises(ValueError, match=f"The targets are {problem}") as error:
        TinyMLPRegressor(normalize_y=normalize_y).fit(XOR_X.astype(np.float32), y)
    assert "normalize_y" not in str(error.value)  # it changes nothing here
