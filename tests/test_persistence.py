"""Persistence, determinism and concurrency: what deployment relies on."""

import os
import pickle
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

X, y = load_iris(return_X_y=True)

FITTED = {
    "classifier-lbfgs": lambda: TinyMLPClassifier(random_state=0).fit(X, y),
    "regressor-adam-restarts": lambda: TinyMLPRegressor(
        solver="adam", max_iter=5, n_init=3, random_state=0
    ).fit(X, y),
    "classifier-sgd-early-stopping": lambda: TinyMLPClassifier(
        solver="sgd", early_stopping=True, max_iter=5, random_state=0
    ).fit(X, y),
    "classifier-label-smoothing": lambda: TinyMLPClassifier(
        label_smoothing=0.1, max_iter=5, random_state=0
    ).fit(X, y),
}


def outputs(est, X):
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


@pytest.fixture(params=sorted(FITTED), scope="module")
def fitted(request):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return FITTED[request.param]()


def test_pickle_and_joblib_round_trips_predict_identically(fitted, tmp_path):
    restored = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(outputs(restored, X), outputs(fitted, X))
    joblib.dump(fitted, tmp_path / "model.joblib")
    assert_array_equal(outputs(joblib.load(tmp_path / "model.joblib"), X), outputs(fitted, X))


def plain(value):
    """Whether a fitted value is data only: arrays, numbers, strings, containers of them."""
    if isinstance(value, np.ndarray):
        return value.dtype != object or all(plain(v) for v in value.ravel())
    if isinstance(value, (list, tuple)):
        return all(plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float, str, np.generic))


def test_fitted_state_is_plain_data(fitted):
    state = {name: value for name, value in vars(fitted).items() if name.endswith("_")}
    state.update({name: value for name, value in vars(fitted).items() if name.startswith("_")})
    bad = [name for name, value in state.items() if not plain(value)]
    assert not bad


def test_skops_loads_trusting_only_our_types(fitted):
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(fitted)
    assert sio.get_untrusted_types(data=data) == [
        f"sklearn_xornet.{type(fitted).__module__.split('.')[-1]}.{type(fitted).__name__}"
    ]
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert_array_equal(outputs(loaded, X), outputs(fitted, X))


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd", "gd"])
def test_same_random_state_gives_bit_identical_weights(solver):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = TinyMLPClassifier(solver=solver, max_iter=20, random_state=3).fit(X, y)
        b = TinyMLPClassifier(solver=solver, max_iter=20, random_state=3).fit(X, y)
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert_array_equal(wa, wb)


def test_grid_search_results_do_not_depend_on_n_jobs():
    grid = {"alpha": [0.01, 1.0], "hidden_layer_sizes": [(3,), (8,)]}
    results = [
        GridSearchCV(TinyMLPClassifier(random_state=0), grid, cv=3, n_jobs=n_jobs)
        .fit(X, y)
        .cv_results_["mean_test_score"]
        for n_jobs in (1, 2)
    ]
    assert_array_equal(results[0], results[1])


def test_predict_from_eight_threads_equals_serial_predict():
    clf = TinyMLPClassifier(random_state=0).fit(X, y)
    chunks = np.array_split(np.tile(X, (20, 1)), 64)
    serial = [clf.predict_proba(chunk) for chunk in chunks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(clf.predict_proba, chunks))
    for a, b in zip(serial, threaded, strict=True):
        assert_array_equal(a, b)


def test_the_package_never_evaluates_or_unpickles_strings():
    """Parameter strings are looked up in tables; no code path runs or unpickles text."""
    import ast
    from pathlib import Path

    import sklearn_xornet

    forbidden = {"eval", "exec", "compile", "__import__", "import_module", "load", "loads"}
    found = []
    for path in Path(sklearn_xornet.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                called = node.func
                name = (
                    called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
                )
                if name in forbidden:
                    found.append(f"{path.name}:{node.lineno} {name}")
    assert found == []


@pytest.mark.skipif(os.cpu_count() < 2, reason="one core: no thread to split between")
@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_a_large_batch_split_between_threads_trains_the_same_model(solver):
    """Full batches of over a million layer entries (4200 rows of a 256-unit layer) run as
    row blocks in threads: deterministic whatever the threads' timing, and the model that
    sparse input, which is never split, trains to rounding."""
    import warnings

    from scipy import sparse
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.RandomState(0)
    X = rng.normal(size=(4200, 10))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)

    def fit(X):
        est = TinyMLPClassifier((256,), solver=solver, max_iter=5, tol=0.0, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return est.fit(X, y)

    split, again = fit(X), fit(X)
    for a, b in zip(split.coefs_, again.coefs_, strict=True):
        assert_array_equal(a, b)  # deterministic, whatever the threads' timing
    whole = fit(sparse.csr_matrix(X))
    for a, b in zip(
        split.coefs_ + split.intercepts_, whole.coefs_ + whole.intercepts_, strict=True
    ):
        assert_allclose(a, b, rtol=1e-7, atol=1e-10)
