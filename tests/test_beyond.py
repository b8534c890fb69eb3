"""What scikit-learn's MLP does not have: restarts, class weights, callbacks, per-layer
activations."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = np.array([0, 1, 1, 0])


def quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def learns_xor(clf):
    return bool((clf.fit(XOR_X, XOR_Y).predict(XOR_X) == XOR_Y).all())


# -- n_init --------------------------------------------------------------------------------


def test_restarts_make_the_2_2_1_network_learn_xor_from_every_seed():
    failures = [s for s in range(50) if not learns_xor(TinyMLPClassifier((2,), random_state=s))]
    assert failures, "without restarts the 2-2-1 network should miss some seeds"
    for seed in range(50):
        assert learns_xor(TinyMLPClassifier((2,), n_init=16, random_state=seed)), seed


@pytest.mark.parametrize("solver, rate", [("gd", 2.0), ("adam", 0.05), ("lbfgs", 0.001)])
def test_the_kept_restart_is_the_best_and_the_first_is_n_init_1(solver, rate):
    params = dict(
        hidden_layer_sizes=(2,),
        activation="logistic",
        solver=solver,
        learning_rate_init=rate,
        alpha=0.0,
        max_iter=300,
        tol=0.0,
        shuffle=False,
        random_state=4,
    )
    many = quietly(TinyMLPClassifier(n_init=8, **params), XOR_X, XOR_Y)
    one = quietly(TinyMLPClassifier(n_init=1, **params), XOR_X, XOR_Y)
    assert many.init_losses_.shape == (8,)
    assert many.loss_ == pytest.approx(many.init_losses_.min(), rel=1e-12)
    assert len(many.loss_curve_) == many.n_iter_
    # restart 0 starts from n_init=1's weights and trains the same way
    assert many.init_losses_[0] == pytest.approx(one.loss_, rel=1e-9)
    assert one.init_losses_.shape == (1,) and one.init_losses_[0] == one.loss_


def test_n_init_1_is_the_unstacked_run():
    """n_init=1 trains one flat weight vector, exactly as without restarts."""
    reference = TinyMLPClassifier(random_state=0).fit(XOR_X, XOR_Y)
    single = TinyMLPClassifier(n_init=1, random_state=0).fit(XOR_X, XOR_Y)
    for a, b in zip(
        reference.coefs_ + reference.intercepts_, single.coefs_ + single.intercepts_, strict=True
    ):
        assert_array_equal(a, b)


def test_restarts_with_early_stopping_keep_the_best_validation_score():
    X, y = make_classification(n_samples=300, flip_y=0.1, random_state=0)
    clf = TinyMLPClassifier(
        solver="adam", early_stopping=True, n_init=4, max_iter=50, random_state=0
    )
    quietly(clf, X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_restarts_happen_on_a_fresh_fit_only():
    clf = TinyMLPClassifier(solver="gd", n_init=4, warm_start=True, max_iter=5, random_state=0)
    quietly(clf, XOR_X, XOR_Y)
    assert clf.init_losses_.shape == (4,)
    quietly(clf, XOR_X, XOR_Y)
    assert clf.init_losses_.shape == (1,) and clf.n_iter_ == 5 and len(clf.loss_curve_) == 10


def test_restarts_on_multilayer_regression():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    y = np.sin(3 * X[:, 0]) * X[:, 1]
    reg = TinyMLPRegressor(
        hidden_layer_sizes=(8, 4),
        solver="adam",
        learning_rate_init=0.01,
        n_init=5,
        max_iter=100,
        random_state=0,
        alpha=1e-3,
    )
    quietly(reg, X, y)
    assert reg.init_losses_.shape == (5,)
    assert reg.predict(X).shape == (60,)
    assert [c.shape for c in reg.coefs_] == [(2, 8), (8, 4), (4, 1)]


# -- class_weight ------------------------------------------------------------------------------


def test_balanced_class_weight_raises_balanced_accuracy():
    X, y = make_classification(
        n_samples=1200, weights=[0.95], class_sep=0.5, flip_y=0.0, random_state=0
    )
    train, test = slice(0, 800), slice(800, None)
    plain = TinyMLPClassifier(random_state=0).fit(X[train], y[train])
    balanced = TinyMLPClassifier(class_weight="balanced", random_state=0).fit(X[train], y[train])
    before = balanced_accuracy_score(y[test], plain.predict(X[test]))
    after = balanced_accuracy_score(y[test], balanced.predict(X[test]))
    assert after > before + 0.03


def test_class_weight_dict_equals_the_same_sample_weight():
    X, y = load_iris(return_X_y=True)
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    by_class = TinyMLPClassifier(class_weight=weights, random_state=0, max_iter=30)
    by_row = TinyMLPClassifier(random_state=0, max_iter=30)
    quietly(by_class, X, y)
    quietly(by_row, X, y, sample_weight=np.vectorize(weights.get)(y))
    for a, b in zip(by_class.coefs_, by_row.coefs_, strict=True):
        assert_array_equal(a, b)


def test_class_weight_multiplies_sample_weight():
    X, y = load_iris(return_X_y=True)
    sw = np.random.RandomState(0).uniform(0.5, 2, size=150)
    combined = TinyMLPClassifier(class_weight={0: 2.0}, random_state=0, max_iter=20)
    manual = TinyMLPClassifier(random_state=0, max_iter=20)
    quietly(combined, X, y, sample_weight=sw)
    quietly(manual, X, y, sample_weight=sw * np.where(y == 0, 2.0, 1.0))
    assert_allclose(combined.predict_proba(X), manual.predict_proba(X), rtol=1e-12)


def test_partial_fit_takes_a_class_weight_dict_only():
    X, y = load_iris(return_X_y=True)
    clf = TinyMLPClassifier(solver="adam", class_weight="balanced")
    with pytest.raises(ValueError, match="'balanced' is not supported for partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    clf.set_params(class_weight={0: 2.0})
    clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 1


# -- per-layer activations ---------------------------------------------------------------------


def test_per_layer_activations():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    mixed = TinyMLPClassifier((6, 4), activation=("relu", "logistic"), random_state=0)
    assert mixed.fit(X, y).score(X, y) > 0.95
    same = TinyMLPClassifier((6, 4), activation=("tanh", "tanh"), random_state=0).fit(X, y)
    plain = TinyMLPClassifier((6, 4), activation="tanh", random_state=0).fit(X, y)
    for a, b in zip(same.coefs_, plain.coefs_, strict=True):
        assert_array_equal(a, b)


@pytest.mark.parametrize("activation", [("relu",), ("relu", "softsign")])
def test_per_layer_activations_are_checked(activation):
    with pytest.raises(ValueError, match="one per hidden layer"):
        TinyMLPClassifier((6, 4), activation=activation).fit(XOR_X, XOR_Y)


# -- scikit-learn callbacks -----------------------------------------------------------------


class Recorder:
    """A FitCallback that records its hooks and can ask to stop after some epochs."""

    def __init__(self, stop_after=None):
        self.events = []
        self.stop_after = stop_after
        self.epoch_scores = []

    def setup(self, estimator, context):
        self.events.append("setup")

    def teardown(self, estimator, context):
        self.events.append("teardown")

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.events.append("begin")

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, fitted_estimator=None):
        self.events.append("end")
        if context.parent is None:  # the root task
            return False
        self.epoch_scores.append(fitted_estimator.score(X, y))
        return self.stop_after is not None and len(self.epoch_scores) >= self.stop_after


callbacks = pytest.importorskip("sklearn.callback", reason="scikit-learn >= 1.9")


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "gd"])
def test_a_callback_sees_setup_one_task_per_epoch_and_teardown(Estimator, solver):
    X, y = load_iris(return_X_y=True)
    recorder = Recorder()
    est = Estimator(solver=solver, max_iter=7, tol=0.0, random_state=0).set_callbacks(recorder)
    quietly(est, X, y)
    n = est.n_iter_
    assert recorder.events == ["setup", "begin"] + ["begin", "end"] * n + ["end", "teardown"]
    assert len(recorder.epoch_scores) == n


@pytest.mark.parametrize("solver", ["lbfgs", "sgd"])
def test_a_callback_can_stop_the_fit(solver):
    X, y = load_iris(return_X_y=True)
    est = TinyMLPClassifier(solver=solver, max_iter=100, random_state=0)
    est.set_callbacks(Recorder(stop_after=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a requested stop is no failure
        est.fit(X, y)
    assert est.n_iter_ == 3
    assert est.predict(X).shape == (150,)


def test_teardown_runs_once_when_fit_raises():
    recorder = Recorder()
    clf = TinyMLPClassifier().set_callbacks(recorder)
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(XOR_X, [0.5, 1.5, 0.2, 0.1])  # continuous: refused as the targets are encoded
    assert recorder.events == ["setup", "begin", "teardown"]
    assert not hasattr(clf, "coefs_")


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_progress_bar_and_scoring_monitor(Estimator, capsys):
    pytest.importorskip("rich")
    X, y = load_iris(return_X_y=True)
    scoring = "accuracy" if Estimator is TinyMLPClassifier else "r2"
    monitor = callbacks.ScoringMonitor(scoring=scoring)
    est = Estimator(solver="adam", max_iter=5, random_state=0)
    quietly(est.set_callbacks(callbacks.ProgressBar(), monitor), X, y)
    rows = monitor.get_logs().data
    epochs = [row for row in rows if row["task_name"] == "epoch"]
    assert len(epochs) == 5
    assert all(np.isfinite(row[scoring]) for row in epochs)

    pipe = make_pipeline(StandardScaler(), Estimator(solver="adam", max_iter=5, random_state=0))
    quietly(pipe.set_callbacks(callbacks.ProgressBar()), X, y)
    search = GridSearchCV(Estimator(max_iter=5), {"alpha": [0.1, 1.0]}, cv=2)
    quietly(search.set_callbacks(callbacks.ProgressBar()), X, y)
    assert Estimator.__name__ in capsys.readouterr().out


def _blas_threads():
    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


class BlasThreads(Recorder):
    """Records the BLAS threads the training runs with, at each epoch."""

    def on_fit_task_begin(self, estimator, context, **kwargs):
        if context.parent is not None:  # an epoch's task
            self.events.append(_blas_threads())


@pytest.mark.skipif(_blas_threads() < 2, reason="BLAS runs on one thread here")
@pytest.mark.parametrize("solver, limited", [("lbfgs", True), ("adam", False)])
def test_the_blas_threads_are_set_for_the_products_that_run(solver, limited):
    """Products of fewer than SMALL_PRODUCT entries run on one BLAS thread. L-BFGS trains
    its restarts one after the other: their products are one network's (1000 x 100 here),
    which are small; the epoch solvers stack four networks, whose products are not."""
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(1000, 20)), rng.randint(2, size=1000)
    recorder = BlasThreads()
    est = TinyMLPClassifier((100,), solver=solver, n_init=4, batch_size=1000, max_iter=2)
    quietly(est.set_callbacks(recorder), X, y)
    epochs = [threads for threads in recorder.events if isinstance(threads, int)]
    assert epochs and all((threads == 1) == limited for threads in epochs)
