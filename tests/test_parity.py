"""Parity with scikit-learn's MLPClassifier / MLPRegressor, feature by feature.

Each behaviour is tested from scikit-learn's documented semantics, and where the two
libraries can be run on the same problem, side by side.
"""

import re
import warnings
from itertools import pairwise

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, PoissonRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler
from test_bad_input import INTERRUPTIBLE, INTERRUPTION, interrupt

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

PAIRS = [(MLPClassifier, TinyMLPClassifier), (MLPRegressor, TinyMLPRegressor)]


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


# -- the surface ---------------------------------------------------------------------------


@pytest.mark.parametrize("Theirs, Ours", PAIRS)
def test_every_scikit_learn_parameter_and_method_exists(Theirs, Ours):
    assert set(Theirs().get_params()) <= set(Ours().get_params())
    for method in ["fit", "predict", "score", "get_params", "set_params"]:
        assert callable(getattr(Ours(), method))
    if Theirs is MLPClassifier:
        assert callable(Ours().predict_proba) and callable(Ours().predict_log_proba)
    assert hasattr(Ours(solver="adam"), "partial_fit")


@pytest.mark.parametrize("Theirs, Ours", PAIRS)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_every_scikit_learn_fitted_attribute_exists(Theirs, Ours, solver):
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    theirs = quietly(Theirs(solver=solver, max_iter=20, random_state=0), X, y)
    ours = quietly(Ours(solver=solver, max_iter=20, random_state=0), X, y)
    public = [name for name in vars(theirs) if name.endswith("_") and not name.startswith("_")]
    for name in public:
        assert hasattr(ours, name), name
        value, expected = getattr(ours, name), getattr(theirs, name)
        if isinstance(expected, list) and expected and isinstance(expected[0], np.ndarray):
            assert [v.shape for v in value] == [e.shape for e in expected], name


@pytest.mark.parametrize("Ours", [TinyMLPClassifier, TinyMLPRegressor])
def test_partial_fit_exists_only_for_epoch_solvers(Ours):
    assert not hasattr(Ours(solver="lbfgs"), "partial_fit")
    for solver in ["gd", "sgd", "adam"]:
        assert hasattr(Ours(solver=solver), "partial_fit")


# -- side by side --------------------------------------------------------------------------


@pytest.mark.parametrize("Theirs, Ours", PAIRS)
def test_glorot_start_and_plain_descent_match_scikit_learn(Theirs, Ours):
    """Same seed, same first weights; full-batch descent then follows the same path."""
    X, y = make_classification(n_samples=40, n_features=4, random_state=1)
    common = dict(
        hidden_layer_sizes=(6, 3),
        activation="tanh",
        alpha=1e-3,
        learning_rate_init=0.1,
        max_iter=25,
        tol=0.0,
        n_iter_no_change=1000,
        random_state=7,
    )
    theirs = quietly(
        Theirs(solver="sgd", batch_size=40, momentum=0.0, shuffle=False, **common), X, y
    )
    extra = {} if Ours is TinyMLPClassifier else {"normalize_y": False}
    ours = quietly(Ours(solver="gd", weight_init="glorot", **common, **extra), X, y)
    for mine, reference in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True
    ):
        assert_allclose(mine, reference, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_


def test_scores_are_comparable_to_scikit_learn(iris):
    X, y = iris
    params = dict(solver="adam", max_iter=300, learning_rate_init=0.01, random_state=0)
    theirs = quietly(MLPClassifier(**params), X, y).score(X, y)
    ours = quietly(TinyMLPClassifier(weight_init="glorot", **params), X, y).score(X, y)
    assert abs(ours - theirs) < 0.03


def test_verbose_output_has_scikit_learn_form(iris, capsys):
    X, y = iris
    params = dict(solver="sgd", learning_rate="adaptive", tol=10.0, n_iter_no_change=1)
    quietly(MLPClassifier(max_iter=6, verbose=True, random_state=0, **params), X, y)
    theirs = capsys.readouterr().out.splitlines()
    quietly(TinyMLPClassifier(max_iter=6, verbose=True, random_state=0, **params), X, y)
    ours = capsys.readouterr().out.splitlines()

    def form(line):
        return re.sub(r"\d+\.\d+", "<float>", line)

    assert [form(line) for line in ours] == [form(line) for line in theirs]
    assert any("Setting learning rate to" in line for line in ours)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_convergence_warning_text_matches(iris, solver):
    X, y = iris
    messages = []
    for Estimator in (MLPClassifier, TinyMLPClassifier):
        with pytest.warns(ConvergenceWarning) as record:
            Estimator(solver=solver, max_iter=3, random_state=0).fit(X, y)
        messages.append(str(record[0].message))
    assert messages[0] == messages[1]


# -- learning-rate schedules, batches, L-BFGS budget ------------------------------------------


def test_adaptive_rate_falls_by_five_after_stalled_epochs(iris):
    X, y = iris
    clf = TinyMLPClassifier(
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.1,
        tol=10.0,  # nothing ever improves by 10
        n_iter_no_change=2,
        max_iter=7,
        random_state=0,
    )
    quietly(clf, X, y)
    # epoch 1 improves on +inf; epochs 2-4 stall (3 > 2): rate / 5; epochs 5-7 again
    assert clf._solver_state["learning_rate"] == pytest.approx(0.1 / 25)


def test_invscaling_rate_follows_the_samples_seen(iris):
    X, y = iris
    clf = quietly(
        TinyMLPClassifier(
            solver="sgd",
            learning_rate="invscaling",
            learning_rate_init=0.001,
            power_t=0.5,
            max_iter=4,
            random_state=0,
        ),
        X,
        y,
    )
    assert clf._solver_state["learning_rate"] == pytest.approx(0.001 / (4 * 150 + 1) ** 0.5)


@pytest.mark.parametrize("n_samples, n_steps", [(150, 1), (450, 3), (401, 3)])
def test_auto_batch_size_is_min_200_n_samples(n_samples, n_steps):
    X, y = make_classification(n_samples=n_samples, n_features=4, random_state=0)
    clf = TinyMLPClassifier(solver="adam", random_state=0).partial_fit(X, y, classes=[0, 1])
    assert clf._solver_state["t"] == n_steps


def test_batch_size_larger_than_the_data_is_clipped_with_a_warning(iris):
    X, y = iris
    with pytest.warns(UserWarning, match="clipped"):
        TinyMLPClassifier(solver="adam", batch_size=1000).partial_fit(X, y, classes=[0, 1, 2])


def test_max_fun_bounds_lbfgs_evaluations(iris):
    X, y = iris
    interrupt(None, None)  # counts the layers computed: one per evaluation
    clf = TinyMLPClassifier(
        activation=INTERRUPTIBLE, max_fun=8, max_iter=1000, tol=0.0, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="EVALUATIONS"):
        clf.fit(X, y)
    # scipy may finish the line search it is in
    assert 8 <= INTERRUPTION["calls"] <= 8 + 20
    assert clf.n_iter_ <= 8


def test_lbfgs_fills_loss_curve_and_t(iris):
    X, y = iris
    clf = TinyMLPClassifier(random_state=0).fit(X, y)
    assert len(clf.loss_curve_) == clf.n_iter_ > 5
    assert clf.t_ == clf.n_iter_ * 150
    assert clf.loss_curve_[-1] == pytest.approx(clf.loss_)
    assert all(b <= a + 1e-12 for a, b in pairwise(clf.loss_curve_))


# -- early stopping ---------------------------------------------------------------------------


def test_early_stopping_restores_the_best_weights():
    X, y = make_classification(n_samples=300, n_features=10, flip_y=0.2, random_state=0)
    params = dict(
        solver="adam",
        learning_rate_init=0.05,
        early_stopping=True,
        n_iter_no_change=6,
        tol=0.0,
        random_state=0,
    )
    clf = quietly(TinyMLPClassifier(max_iter=200, **params), X, y)
    scores = clf.validation_scores_
    assert len(scores) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.best_validation_score_ == max(scores)
    assert clf.best_loss_ is None
    best_epoch = int(np.argmax(scores)) + 1
    assert best_epoch < clf.n_iter_, "the run must go past its best epoch for this test"
    # the same run stopped at its best epoch has the weights early stopping kept
    at_best = quietly(TinyMLPClassifier(max_iter=best_epoch, **params), X, y)
    for kept, best in zip(clf.coefs_, at_best.coefs_, strict=True):
        assert_array_equal(kept, best)


def test_early_stopping_split_is_stratified():
    X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
    clf = TinyMLPClassifier(
        solver="sgd", early_stopping=True, validation_fraction=0.1, max_iter=3, random_state=0
    )
    quietly(clf, X, y)
    assert clf.n_iter_ == 3  # 20 held out: 18 + 2, every class present


def test_a_multiclass_target_too_small_to_stratify_is_split_at_random_as_in_scikit_learn():
    """scikit-learn stratifies the early-stopping split only where one output unit remains
    (binary targets), so a multiclass target with a class of one member fits there; here
    too: the split that cannot be stratified is drawn at random."""
    X, y = make_classification(n_samples=60, n_classes=3, n_informative=4, random_state=0)
    y[0] = 3  # a fourth class, of one member
    params = {"solver": "adam", "early_stopping": True, "max_iter": 5, "random_state": 0}
    theirs = quietly(MLPClassifier(**params), X, y)
    ours = quietly(TinyMLPClassifier(**params), X, y)
    assert list(ours.classes_) == list(theirs.classes_) == [0, 1, 2, 3]
    assert ours.t_ == theirs.t_ == 5 * 54  # 6 of the 60 rows held out, by each


def test_a_multiclass_split_is_stratified_as_scikit_learn_documents():
    """scikit-learn documents the split as stratified except for multilabel targets: 3 rows
    held out of 10 per class are one of each, so a network that predicts one class for
    every row (all rows alike) scores exactly 1/3 on them, whatever the seed."""
    X, y = np.zeros((30, 2)), np.repeat([0, 1, 2], 10)
    for seed in range(20):
        clf = TinyMLPClassifier((2,), solver="adam", early_stopping=True, max_iter=1)
        quietly(clf.set_params(random_state=seed), X, y)
        assert clf.validation_scores_ == [pytest.approx(1 / 3)]


def test_a_class_too_small_to_stratify_is_named_by_its_label():
    """scikit-learn names the binarised label (['True'] from 1.7 on); ours adds the user's."""
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    with pytest.raises(ValueError, match="least populated class") as error:
        TinyMLPClassifier(solver="adam", early_stopping=True).fit(X, ["cat", "cat", "cat", "dog"])
    assert "'True' is the class 'dog', 'False' the class 'cat'" in str(error.value)


def test_validation_set_too_small_is_refused():
    X, y = make_regression(n_samples=10, random_state=0)
    reg = TinyMLPRegressor(solver="adam", early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ValueError, match="validation set is too small"):
        reg.fit(X, y)


def test_no_validation_attributes_without_early_stopping(iris):
    X, y = iris
    clf = quietly(TinyMLPClassifier(solver="adam", max_iter=5), X, y)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None


# -- warm start and partial_fit ---------------------------------------------------------------


@pytest.mark.parametrize("Ours", [TinyMLPClassifier, TinyMLPRegressor])
def test_warm_start_continues_the_same_path(iris, Ours):
    X, y = iris
    params = dict(solver="gd", learning_rate_init=0.5, tol=0.0, random_state=0)
    warm = Ours(max_iter=5, warm_start=True, **params)
    quietly(warm, X, y)
    quietly(warm, X, y)
    once = quietly(Ours(max_iter=10, **params), X, y)
    # scikit-learn's rules: n_iter_ counts this call's epochs, the curve and t_ go on
    assert warm.n_iter_ == 5 and len(warm.loss_curve_) == 10
    assert warm.t_ == 10 * 150
    assert_allclose(warm.loss_curve_, once.loss_curve_, rtol=1e-12)
    for a, b in zip(warm.coefs_, once.coefs_, strict=True):
        assert_allclose(a, b, rtol=1e-12)


def test_fit_without_warm_start_starts_afresh(iris):
    X, y = iris
    clf = quietly(TinyMLPClassifier(solver="adam", max_iter=5, random_state=0), X, y)
    first = [c.copy() for c in clf.coefs_]
    quietly(clf, X, y)
    assert clf.n_iter_ == 5
    for a, b in zip(first, clf.coefs_, strict=True):
        assert_array_equal(a, b)


def test_warm_start_needs_the_same_classes(iris):
    X, y = iris
    clf = TinyMLPClassifier(warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same"):
        clf.fit(X[y < 2], y[y < 2])


def test_warm_start_refuses_a_changed_network(iris):
    X, y = iris
    clf = TinyMLPClassifier(hidden_layer_sizes=(5,), warm_start=True).fit(X, y)
    clf.set_params(hidden_layer_sizes=(6,))
    with pytest.raises(ValueError, match="shape changed"):
        clf.fit(X, y)


@pytest.mark.parametrize("solver", ["sgd", "adam", "gd"])
def test_partial_fit_calls_equal_epochs_of_fit(iris, solver):
    """The solver's state (momentum, Adam's moments) carries over between calls."""
    X, y = iris
    params = dict(solver=solver, shuffle=False, tol=0.0, learning_rate_init=0.05, random_state=0)
    clf = TinyMLPClassifier(**params)
    for _ in range(6):
        clf.partial_fit(X, y, classes=np.unique(y))
    once = quietly(TinyMLPClassifier(max_iter=6, **params), X, y)
    assert clf.n_iter_ == 1 and clf.t_ == 6 * 150 and len(clf.loss_curve_) == 6
    assert_allclose(clf.loss_curve_, once.loss_curve_, rtol=1e-10)
    for a, b in zip(clf.coefs_, once.coefs_, strict=True):
        assert_allclose(a, b, rtol=1e-10)


def test_partial_fit_classes_rules(iris):
    X, y = iris
    clf = TinyMLPClassifier(solver="adam")
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])  # a batch may lack a class
    assert clf.n_outputs_ == 3
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        clf.partial_fit(X, y + 1)


def test_partial_fit_refuses_early_stopping(iris):
    X, y = iris
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        TinyMLPRegressor(solver="sgd", early_stopping=True).partial_fit(X, y)


def test_regressor_partial_fit_learns():
    X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    reg = TinyMLPRegressor(solver="adam", learning_rate_init=0.01, alpha=1e-3, random_state=0)
    for _ in range(100):
        reg.partial_fit(X, y)
    assert reg.score(X, y) > 0.9
    assert reg.n_iter_ == 1 and len(reg.loss_curve_) == 100


def test_keyboard_interrupt_keeps_the_model_so_far(iris):
    X, y = iris
    interrupt(3, KeyboardInterrupt)  # in the third epoch, its one batch's forward pass
    clf = TinyMLPClassifier(activation=INTERRUPTIBLE, solver="adam", batch_size=150, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        clf.fit(X, y)
    interrupt(None, None)
    assert clf.n_iter_ == 2
    assert clf.predict(X).shape == (150,)


# -- outputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_log_proba_is_the_log_of_predict_proba(iris, n_classes):
    X, y = iris
    keep = y < n_classes
    clf = TinyMLPClassifier(random_state=0).fit(X[keep], y[keep])
    # the log-space values are the more accurate: log(1 - p) loses digits as p nears 0
    assert_allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_log_proba_stays_finite_far_out(iris, n_classes):
    X, y = iris
    keep = y < n_classes
    clf = TinyMLPClassifier(activation="relu", random_state=0).fit(X[keep], y[keep])
    far = 1e6 * X[:5]
    log_proba = clf.predict_log_proba(far)
    assert np.isfinite(log_proba).all()
    assert_allclose(np.exp(log_proba).sum(axis=1), 1)


def test_predict_log_proba_multilabel():
    X = make_classification(n_samples=100, random_state=0)[0]
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    clf = TinyMLPClassifier(random_state=0).fit(X, Y)
    assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X), rtol=1e-8)


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_matrix, sparse.csr_array])
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_sparse_input_fits_as_dense(container, solver):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 6)) * (rng.uniform(size=(80, 6)) < 0.3)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    dense = quietly(TinyMLPClassifier(solver=solver, max_iter=30, random_state=0), X, y)
    sparse_fit = quietly(
        TinyMLPClassifier(solver=solver, max_iter=30, random_state=0), container(X), y
    )
    assert_allclose(sparse_fit.predict_proba(container(X)), dense.predict_proba(X), rtol=1e-6)


# -- equivalences with linear models ------------------------------------------------------


def test_identity_network_is_linear_regression():
    X, y = make_regression(n_samples=100, n_features=3, noise=5.0, random_state=0)
    net = TinyMLPRegressor(
        hidden_layer_sizes=(3,),
        activation="identity",
        alpha=0.0,
        tol=0.0,
        max_iter=2000,
        random_state=0,
    )
    quietly(net, X, y)
    linear = LinearRegression().fit(X, y)
    # tol=0 leaves scipy's own stop on the loss's relative decrease (2.2e-9), as in
    # scikit-learn (the weights then sit about 1e-5 of the spread of y from the optimum):
    # the predictions agree to a share of the targets' spread, not of each
    # prediction (some are near 0)
    assert_allclose(net.predict(X), linear.predict(X), rtol=0, atol=1e-4 * y.std())


def test_identity_network_is_logistic_regression():
    X, y = make_classification(n_samples=200, n_features=4, flip_y=0.3, random_state=0)
    net = TinyMLPClassifier(
        hidden_layer_sizes=(4,),
        activation="identity",
        alpha=0.0,
        tol=0.0,
        max_iter=2000,
        random_state=0,
    )
    quietly(net, X, y)
    logistic = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10000).fit(X, y)
    assert_allclose(net.predict_proba(X), logistic.predict_proba(X), rtol=1e-4, atol=1e-6)


def test_identity_network_is_poisson_regression():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = rng.poisson(np.exp(0.5 + X @ np.array([0.3, -0.2, 0.1])))
    net = TinyMLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(3,),
        activation="identity",
        alpha=0.0,
        tol=0.0,
        max_iter=2000,
        random_state=0,
    )
    quietly(net, X, y)
    glm = PoissonRegressor(alpha=0.0, tol=1e-10, max_iter=1000).fit(X, y)
    assert_allclose(net.predict(X), glm.predict(X), rtol=1e-4)


# -- what scikit-learn gets wrong, fixed ---------------------------------------------------


def test_float32_is_kept_by_lbfgs(iris):
    X, y = iris
    clf = TinyMLPClassifier(random_state=0).fit(X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in clf.coefs_)
    assert clf.score(X.astype(np.float32), y) > 0.95


def test_regressor_declares_multi_output():
    assert TinyMLPRegressor().__sklearn_tags__().target_tags.multi_output


def test_non_finite_loss_stops_the_run_at_once():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    reg = TinyMLPRegressor(
        solver="gd",
        learning_rate_init=50.0,
        max_iter=500,
        n_iter_no_change=1000,  # only the non-finite loss can stop this run early
        normalize_y=False,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            reg.fit(X, y * 1e3)
        except ValueError as error:
            assert "non-finite" in str(error)
            return
    assert reg.n_iter_ < 500
    assert np.isfinite(reg.loss_curve_).all()
    assert any("non-finite" in str(w.message) for w in record)
    assert np.isfinite(reg.predict(X)).all()
