"""The estimators inside scikit-learn's machinery: pipelines, searches, cloning, pickling."""

import pickle
import warnings

import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor


@pytest.fixture(autouse=True)
def quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_grid_search_over_a_scaling_pipeline_classifies_iris():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), TinyMLPClassifier(random_state=0))
    grid = {
        "tinymlpclassifier__hidden_layer_sizes": [(5,), (20,)],
        "tinymlpclassifier__alpha": [1e-3, 1.0],
        "tinymlpclassifier__activation": ["tanh", "relu"],
    }
    search = GridSearchCV(pipe, grid, cv=5, n_jobs=2).fit(X, y)
    assert search.best_score_ >= 0.93
    assert len(search.cv_results_["params"]) == 8
    assert search.predict(X).shape == (150,)


def test_grid_search_over_a_scaling_pipeline_regresses_diabetes():
    # the raw target (25 to 346) goes in unscaled: normalize_y is on by default
    X, y = load_diabetes(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), TinyMLPRegressor(random_state=0))
    grid = {
        "tinymlpregressor__hidden_layer_sizes": [(5,), (20,)],
        "tinymlpregressor__alpha": [0.1, 5.0],
    }
    search = GridSearchCV(pipe, grid, cv=5, n_jobs=2).fit(X, y)
    assert search.best_score_ >= 0.40


def test_cross_val_score_with_defaults():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), TinyMLPClassifier(random_state=0))
    scores = cross_val_score(pipe, X, y)
    assert scores.shape == (5,)
    assert scores.mean() > 0.93
    X, y = load_diabetes(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), TinyMLPRegressor(random_state=0))
    assert cross_val_score(pipe, X, y).mean() >= 0.40


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_clone_keeps_parameters_and_drops_the_fit(Estimator):
    X, y = load_iris(return_X_y=True)
    est = Estimator(hidden_layer_sizes=(4,), alpha=0.5, random_state=3).fit(X, y)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "coefs_")


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_pickle_round_trip_predicts_identically(Estimator):
    X, y = load_iris(return_X_y=True)
    est = Estimator(random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    assert_array_equal(restored.predict(X), est.predict(X))
    if hasattr(est, "predict_proba"):
        assert_array_equal(restored.predict_proba(X), est.predict_proba(X))


def test_pandas_feature_names_are_kept_and_checked():
    pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    clf = TinyMLPClassifier(random_state=0).fit(X, y)
    assert_array_equal(clf.feature_names_in_, X.columns)
    plain = TinyMLPClassifier(random_state=0).fit(X.to_numpy(), y.to_numpy())
    assert_array_equal(clf.predict_proba(X), plain.predict_proba(X.to_numpy()))
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X[X.columns[::-1]])
