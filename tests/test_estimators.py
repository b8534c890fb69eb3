"""Behaviour of the two estimators: targets, outputs, attributes, solvers, errors."""

import pickle
import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = np.array([0, 1, 1, 0])


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("seed", range(50))
def test_defaults_learn_xor_from_every_seed(seed):
    clf = TinyMLPClassifier(random_state=seed).fit(XOR_X, XOR_Y)
    assert_array_equal(clf.predict(XOR_X), XOR_Y)


def test_binary_classification_outputs():
    y = np.array(["no", "yes", "yes", "no"])
    clf = TinyMLPClassifier(random_state=0).fit(XOR_X, y)
    assert_array_equal(clf.classes_, ["no", "yes"])
    assert clf.out_activation_ == "logistic"
    assert clf.n_outputs_ == 1
    proba = clf.predict_proba(XOR_X)
    assert proba.shape == (4, 2)
    assert_allclose(proba.sum(axis=1), 1)
    assert_array_equal(clf.predict(XOR_X), clf.classes_[proba.argmax(axis=1)])
    assert_array_equal(clf.predict(XOR_X), y)


def test_multiclass_classification_outputs(iris):
    X, y = iris
    clf = TinyMLPClassifier(random_state=0).fit(X, y)
    assert clf.out_activation_ == "softmax"
    assert clf.n_outputs_ == 3
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    assert_allclose(proba.sum(axis=1), 1)
    assert_array_equal(clf.predict(X), proba.argmax(axis=1))
    assert clf.score(X, y) > 0.97


def test_multilabel_classification():
    X, Y = make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = TinyMLPClassifier(random_state=0, alpha=1.0).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.n_outputs_ == 4
    assert_array_equal(clf.predict(X), clf.predict_proba(X) > 0.5)
    assert (clf.predict(X) == Y).mean() > 0.9


def test_probabilities_stay_inside_the_open_interval():
    X = np.array([[-1.0], [1.0]])
    clf = TinyMLPClassifier(random_state=0, alpha=0.0, max_iter=1000).fit(X, [0, 1])
    proba = clf.predict_proba(np.array([[-1e4], [1e4]]))
    assert np.all(proba > 0) and np.all(proba < 1)
    assert_array_equal(proba.argmax(axis=1), [0, 1])


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_classifier_losses_both_learn(iris, loss):
    X, y = iris
    clf = TinyMLPClassifier(loss=loss, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd", "gd"])
def test_every_solver_learns(iris, solver):
    X, y = iris
    rate = {"lbfgs": 0.001, "adam": 0.01, "sgd": 0.1, "gd": 1.0}[solver]
    clf = TinyMLPClassifier(solver=solver, learning_rate_init=rate, max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.score(X, y) > 0.95
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.t_ == clf.n_iter_ * X.shape[0]
    if solver != "lbfgs":
        # gradient steps make the loss fall over the run
        assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_fitted_attributes_have_scikit_learn_shapes(iris):
    X, y = iris
    clf = TinyMLPClassifier(hidden_layer_sizes=(5, 4), random_state=0).fit(X, y)
    assert clf.n_layers_ == 4
    assert [c.shape for c in clf.coefs_] == [(4, 5), (5, 4), (4, 3)]
    assert [b.shape for b in clf.intercepts_] == [(5,), (4,), (3,)]
    assert clf.n_features_in_ == 4
    assert isinstance(clf.loss_, float)


def test_no_intercepts_when_fit_intercept_is_false(iris):
    X, y = iris
    clf = TinyMLPClassifier(fit_intercept=False, random_state=0).fit(X, y)
    assert all(not b.any() for b in clf.intercepts_)
    assert clf.score(X, y) > 0.9


def test_regressor_normalize_y_makes_the_fit_scale_free():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(80, 2))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    # a few iterations only: later ones amplify the last bits in which the two
    # standardised targets differ
    reg = TinyMLPRegressor(hidden_layer_sizes=(10,), alpha=1e-3, max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        small = clone(reg).fit(X, y).predict(X)
        large = clone(reg).fit(X, 1e4 * y + 300).predict(X)
    assert_allclose(large, 1e4 * small + 300, rtol=1e-6)
    full = TinyMLPRegressor(hidden_layer_sizes=(10,), alpha=1e-3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert full.fit(X, 1e4 * y + 300).score(X, 1e4 * y + 300) > 0.99


def test_regressor_without_normalize_y_fails_on_a_large_offset():
    # the reason normalize_y is on by default: unscaled targets stall the solver
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(80, 2))
    y = 1e4 * (np.sin(X[:, 0]) + X[:, 1] ** 2) + 3e5
    normalized = TinyMLPRegressor(hidden_layer_sizes=(10,), alpha=1e-3, random_state=0)
    normalized.fit(X, y)
    raw = TinyMLPRegressor(hidden_layer_sizes=(10,), alpha=1e-3, normalize_y=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        raw.fit(X, y)
    assert normalized.score(X, y) > raw.score(X, y) + 0.1


def test_multi_output_regression():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    Y = np.column_stack([X[:, 0] - X[:, 1], 5 * X[:, 2] + 10])
    reg = TinyMLPRegressor(hidden_layer_sizes=(10,), alpha=1e-3, random_state=0).fit(X, Y)
    assert reg.n_outputs_ == 2
    assert reg.predict(X).shape == (100, 2)
    assert reg.score(X, Y) > 0.99


def test_logistic_output_needs_targets_in_the_unit_interval():
    reg = TinyMLPRegressor(output_activation="logistic")
    with pytest.raises(ValueError, match=re.escape("targets in [0, 1]")):
        reg.fit(XOR_X, [0, 1, 2, 0])


def test_poisson_loss_fits_counts():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(200, 2))
    y = rng.poisson(np.exp(1 + X[:, 0] - X[:, 1]))
    reg = TinyMLPRegressor(loss="poisson", hidden_layer_sizes=(5,), random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp"
    assert np.all(reg.predict(X) > 0)
    with pytest.raises(ValueError, match="non-negative"):
        reg.fit(X, -y)


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd", "gd"])
def test_float32_is_trained_in_float32(Estimator, solver):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    X = X.astype(np.float32)
    est = Estimator(solver=solver, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert all(c.dtype == np.float32 for c in est.coefs_ + est.intercepts_)
    predicted = est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)
    assert predicted.dtype == np.float32


def test_verbose_prints_scikit_learn_progress_lines(iris, capsys):
    X, y = iris
    TinyMLPClassifier(solver="adam", max_iter=3, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        line for line in lines[:3] if re.fullmatch(r"Iteration \d+, loss = \d+\.\d{8}", line)
    ]
    assert [line.split(",")[0] for line in lines[:3]] == [f"Iteration {i}" for i in (1, 2, 3)]


def test_max_iter_reached_warns(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(2\\)"):
        TinyMLPClassifier(solver="sgd", max_iter=2, random_state=0).fit(X, y)


def test_training_stops_when_the_loss_stalls(iris):
    X, y = iris
    params = dict(solver="adam", tol=10.0, n_iter_no_change=3, max_iter=100, random_state=0)
    clf = TinyMLPClassifier(**params).fit(X, y)
    # the first epoch improves on an infinite best loss; after it nothing improves by 10,
    # and training stops once more than n_iter_no_change epochs have not improved
    assert clf.n_iter_ == 5
    assert MLPClassifier(**params).fit(X, y).n_iter_ == clf.n_iter_


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
def test_divergence_gives_a_finite_model_or_a_clear_error(solver):
    X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    X = X * 1e3
    reg = TinyMLPRegressor(solver=solver, learning_rate_init=1e6, random_state=0, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            reg.fit(X, y)
        except ValueError as error:
            assert "non-finite" in str(error)
            return
    assert all(np.isfinite(c).all() for c in reg.coefs_ + reg.intercepts_)
    assert np.isfinite(reg.predict(X)).all()


def test_a_failed_fit_leaves_the_fitted_model_unchanged(iris):
    X, y = iris
    clf = TinyMLPClassifier(random_state=0).fit(X, y)
    before = pickle.dumps(clf)
    with pytest.raises(ValueError):
        clf.fit(X[:, :2], np.linspace(0, 1, 150))  # continuous: refused after validation began
    assert pickle.dumps(clf) == before
    assert clf.n_features_in_ == 4


@pytest.mark.parametrize(
    "params, message",
    [
        ({"hidden_layer_sizes": (3, 0)}, "hidden_layer_sizes must be > 0"),
        ({"activation": "softsign"}, "'activation' parameter"),
        ({"solver": "newton"}, "'solver' parameter"),
        ({"alpha": -1.0}, "'alpha' parameter"),
        ({"learning_rate_init": 0.0}, "'learning_rate_init' parameter"),
        ({"weight_init": "zeros"}, "'weight_init' parameter"),
        ({"loss": "hinge"}, "'loss' parameter"),
    ],
)
def test_bad_parameters_raise_at_fit_not_init(params, message):
    clf = TinyMLPClassifier(**params)  # storing never validates
    with pytest.raises(ValueError, match=message):
        clf.fit(XOR_X, XOR_Y)


def test_bad_sample_weights_are_refused():
    with pytest.raises(ValueError, match="(?i)negative"):
        TinyMLPClassifier().fit(XOR_X, XOR_Y, sample_weight=[1, -1, 1, 1])
    with pytest.raises(ValueError, match="(?i)zero"):
        TinyMLPRegressor().fit(XOR_X, XOR_Y, sample_weight=[0, 0, 0, 0])


def test_unknown_constructor_argument_is_a_type_error():
    with pytest.raises(TypeError):
        TinyMLPClassifier(hiden_layer_sizes=(3,))
    with pytest.raises(TypeError):
        TinyMLPRegressor(class_weight="balanced")


def test_signatures_follow_scikit_learn():
    clf = TinyMLPClassifier((7,), "relu", alpha=0.5)
    assert clf.hidden_layer_sizes == (7,) and clf.activation == "relu" and clf.alpha == 0.5
    with pytest.raises(TypeError):
        TinyMLPClassifier((7,), "relu", "adam")  # the rest is keyword-only
    assert "output_activation" in TinyMLPRegressor().get_params()
    assert "output_activation" not in TinyMLPClassifier().get_params()
    assert TinyMLPClassifier().get_params()["loss"] == "log_loss"
    assert TinyMLPRegressor().get_params()["loss"] == "squared_error"


def test_a_user_subclass_keeps_every_parameter():
    class Mine(TinyMLPClassifier):
        """A user's subclass that adds nothing: scikit-learn reads the parent's __init__."""

    mine = Mine(alpha=0.1, solver="gd", max_iter=5)
    assert set(mine.get_params()) == set(TinyMLPClassifier().get_params())
    assert clone(mine).get_params() == mine.get_params()
    assert mine.fit(XOR_X, XOR_Y).n_iter_ == 5


def test_demo_prints_the_learnt_truth_table(capsys):
    import runpy

    runpy.run_module("sklearn_xornet", run_name="__main__")  # python -m sklearn_xornet
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.count("|") == 3 and "target" not in line]
    assert len(rows) == 4
    for row, target in zip(rows, XOR_Y, strict=True):
        cells = [cell.split() for cell in row.split("|")]
        assert int(cells[1][0]) == target
        assert abs(float(cells[2][0]) - target) < 0.05
        assert int(cells[3][0]) == target
    assert "4 of 4 rows predicted correctly" in out


@pytest.mark.parametrize(
    "y",
    [
        np.array(["b", "a", "b", "a"]),
        np.array([2, 0, 1, 2, 1]),
        np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1]]),
    ],
    ids=["binary-strings", "multiclass", "multilabel"],
)
def test_targets_are_encoded_as_label_binarizer_does(y):
    """The network learns the targets LabelBinarizer gives: on data it can learn exactly
    (one row per sample), its probabilities round to them, column by column."""
    from sklearn.preprocessing import LabelBinarizer

    binarizer = LabelBinarizer().fit(y)
    X = np.eye(len(y), dtype=np.float32)
    clf = TinyMLPClassifier((8,), alpha=1e-6, random_state=0).fit(X, y)
    assert_array_equal(clf.classes_, binarizer.classes_)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float32
    expected = binarizer.transform(y)
    if binarizer.y_type_ == "binary":  # one output: the second column's probability
        expected = np.c_[1 - expected, expected]
    assert_array_equal(proba.round(), expected)
    assert_array_equal(clf.predict(X), y)


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_every_parameter_and_fitted_attribute_is_documented(Estimator):
    """The API pages are the docstrings: each name has a numpydoc entry ``name : type``."""
    fitted = Estimator(max_iter=5).fit(XOR_X, XOR_Y)
    public = [name for name in vars(fitted) if name.endswith("_") and not name.startswith("_")]
    names = list(fitted.get_params()) + public
    missing = [name for name in names if f"\n    {name} : " not in Estimator.__doc__]
    assert len(public) >= 14 and missing == []
