"""Bad and extreme input: a fitted model with finite, well-shaped outputs, or a clear error.

RuntimeWarnings are errors in this suite (pyproject.toml), so none may escape either.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import ConvergenceWarning

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
dtypes = st.sampled_from([np.float16, np.float32, np.float64, np.int64, np.bool_])


@st.composite
def data(draw):
    n_samples = draw(st.integers(0, 6))
    n_features = draw(st.integers(0, 3))
    dtype = draw(dtypes)
    X = draw(hnp.arrays(np.float64, (n_samples, n_features), elements=values))
    with np.errstate(all="ignore"):
        X = X.astype(dtype)
    n_targets = draw(st.sampled_from([n_samples, n_samples, max(n_samples - 1, 0)]))
    y = draw(hnp.arrays(np.float64, (n_targets,), elements=values))
    return X, y


def clear(error):
    message = str(error)
    return len(message) > 10


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
            return
    try:
        predicted = est.predict(X)
    except (ValueError, TypeError) as error:
        assert clear(error)
        return
    assert predicted.shape[0] == X.shape[0]
    if predicted.dtype.kind == "f":
        assert np.isfinite(predicted).all()
    if hasattr(est, "predict_proba"):
        proba = est.predict_proba(X)
        assert np.isfinite(proba).all() and proba.shape == (X.shape[0], len(est.classes_))
