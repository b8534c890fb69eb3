"""``fit(X, y, X_val=, y_val=, sample_weight_val=)``: the validation set, its curves, and
early stopping on it for every solver, L-BFGS included."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import logsumexp
from sklearn import config_context
from sklearn.datasets import load_digits, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_X = StandardScaler().fit_transform(IRIS_X)
TRAIN, VAL = np.arange(150) % 3 != 0, np.arange(150) % 3 == 0
REG_X, REG_Y = make_regression(n_samples=120, n_features=5, noise=10.0, random_state=0)
REG_Y = REG_Y / 50


def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400], X[400:800] / 16, y[400:800]


def quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def by_hand(est, X, y, sample_weight=None):
    """The unpenalised mean loss of ``est``'s weights on ``(X, y)``, from ``coefs_`` and
    ``intercepts_`` alone: a tanh network with a softmax (log-loss) or identity output."""
    A = X
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1], strict=True):
        A = np.tanh(A @ W + b)
    raw = A @ est.coefs_[-1] + est.intercepts_[-1]
    if isinstance(est, TinyMLPClassifier):
        columns = np.searchsorted(est.classes_, y)
        per_sample = logsumexp(raw, axis=1) - raw[np.arange(len(y)), columns]
    else:
        per_sample = 0.5 * (raw[:, 0] - y) ** 2
    return np.average(per_sample, weights=sample_weight)


# -- the curves ----------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "gd"])
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_the_validation_loss_is_the_loss_recomputed_by_hand_from_the_kept_weights(
    Estimator, solver
):
    if Estimator is TinyMLPClassifier:
        X, y, params = IRIS_X, IRIS_Y, {}
    else:
        X, y, params = REG_X, REG_Y, {"normalize_y": False}
    X_val, y_val = X[VAL[: len(X)]], y[VAL[: len(X)]]
    weights = np.linspace(0.5, 2.0, len(y_val))
    est = Estimator(
        hidden_layer_sizes=(6,),
        activation="tanh",
        solver=solver,
        learning_rate_init=0.05,
        max_iter=15,
        alpha=0.1,
        random_state=0,
        **params,
    )
    quietly(
        est,
        X[TRAIN[: len(X)]],
        y[TRAIN[: len(X)]],
        X_val=X_val,
        y_val=y_val,
        sample_weight_val=weights,
    )
    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == len(est.loss_curve_)
    # unpenalised, as the alpha above shows
    assert_allclose(est.validation_loss_curve_[-1], by_hand(est, X_val, y_val, weights), rtol=1e-9)
    assert est.validation_scores_[-1] == pytest.approx(est.score(X_val, y_val, weights))
    assert est.best_validation_score_ is None  # no early stopping


@pytest.mark.parametrize(
    "Estimator, y, params",
    [
        (TinyMLPClassifier, IRIS_Y, {}),
        (TinyMLPClassifier, IRIS_Y % 2, {}),
        (TinyMLPClassifier, np.c_[IRIS_Y == 0, IRIS_Y == 2].astype(int), {}),
        (TinyMLPRegressor, IRIS_X[:, 0] * 40 + 3, {}),  # normalize_y=True
        (TinyMLPRegressor, np.c_[IRIS_Y, IRIS_X[:, :1]], {}),
        (TinyMLPRegressor, IRIS_Y * 3, {"loss": "poisson"}),
    ],
)
def test_on_the_training_set_the_validation_loss_is_l_bfgs_training_loss(Estimator, y, params):
    # L-BFGS records the loss at each iterate, where the validation loss is taken: with no
    # penalty and the training rows as validation set they are the same loss, on the same
    # targets (encoded as classes, or standardised)
    est = Estimator(hidden_layer_sizes=(5,), alpha=0.0, max_iter=20, random_state=0, **params)
    quietly(est, IRIS_X, y, X_val=IRIS_X, y_val=y)
    assert_allclose(est.validation_loss_curve_, est.loss_curve_, rtol=1e-10)


def test_without_a_validation_set_there_are_no_validation_curves():
    est = quietly(TinyMLPClassifier(max_iter=5, random_state=0), IRIS_X, IRIS_Y)
    assert est.validation_loss_curve_ is None and est.validation_scores_ is None


def test_the_held_out_fraction_has_its_loss_curve_too():
    est = TinyMLPClassifier(solver="adam", early_stopping=True, max_iter=30, random_state=0)
    quietly(est, IRIS_X, IRIS_Y)
    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == est.n_iter_
    assert np.isfinite(est.validation_loss_curve_).all()


# -- early stopping ------------------------------------------------------------------------


def test_early_stopping_l_bfgs_keeps_the_best_scoring_weights():
    X, y, X_val, y_val = digits()
    est = TinyMLPClassifier(
        hidden_layer_sizes=(30,),
        activation="tanh",
        alpha=0.0,
        max_iter=500,
        early_stopping=True,
        n_iter_no_change=8,
        random_state=0,
    )
    quietly(est, X, y, X_val=X_val, y_val=y_val)
    scores = est.validation_scores_
    best = int(np.argmax(scores))
    # it stopped n_iter_no_change + 1 iterations after the best, far short of max_iter
    assert est.n_iter_ == len(scores) == best + 8 + 2 < 500
    assert scores[-1] < scores[best] == est.best_validation_score_
    # the weights kept are the best iterate's: its score and its validation loss
    assert est.score(X_val, y_val) == est.best_validation_score_
    assert_allclose(by_hand(est, X_val, y_val), est.validation_loss_curve_[best], rtol=1e-9)
    assert est.best_loss_ is None  # as in scikit-learn, with early stopping


def test_early_stopping_l_bfgs_holds_out_validation_fraction_without_X_val():
    est = TinyMLPClassifier(early_stopping=True, n_iter_no_change=3, max_iter=300, random_state=0)
    quietly(est, IRIS_X, IRIS_Y)
    assert est.t_ == est.n_iter_ * 135  # 15 of the 150 rows held out
    assert est.best_validation_score_ == max(est.validation_scores_)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_a_given_X_val_replaces_the_held_out_fraction(solver):
    est = TinyMLPClassifier(
        solver=solver, early_stopping=True, n_iter_no_change=3, max_iter=60, random_state=0
    )
    quietly(est, IRIS_X[TRAIN], IRIS_Y[TRAIN], X_val=IRIS_X[VAL], y_val=IRIS_Y[VAL])
    assert est.t_ == est.n_iter_ * TRAIN.sum()  # every training row trained on
    assert est.score(IRIS_X[VAL], IRIS_Y[VAL]) == est.best_validation_score_


def test_the_epoch_solvers_kept_weights_have_the_best_validation_loss_entry():
    X, y, X_val, y_val = digits()
    est = TinyMLPClassifier(
        hidden_layer_sizes=(30,),
        activation="tanh",
        solver="adam",
        learning_rate_init=0.01,
        early_stopping=True,
        n_iter_no_change=5,
        max_iter=200,
        random_state=0,
    )
    quietly(est, X, y, X_val=X_val, y_val=y_val)
    best = int(np.argmax(est.validation_scores_))
    assert_allclose(by_hand(est, X_val, y_val), est.validation_loss_curve_[best], rtol=1e-9)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_every_restart_is_scored_on_the_validation_set_and_the_best_kept(solver):
    X, y, X_val, y_val = digits()
    params = {
        "hidden_layer_sizes": (3,),
        "solver": solver,
        "learning_rate_init": 0.01,
        "early_stopping": True,
        "n_iter_no_change": 5,
        "max_iter": 60,
        "random_state": 3,
    }
    alone = quietly(TinyMLPClassifier(**params), X, y, X_val=X_val, y_val=y_val)
    best_of_4 = quietly(TinyMLPClassifier(n_init=4, **params), X, y, X_val=X_val, y_val=y_val)
    if solver == "lbfgs":
        # restarts run one after the other, the first as n_init=1: the best of four cannot
        # score less (a stack of Adam restarts stops together, when its best one stalls)
        assert best_of_4.best_validation_score_ >= alone.best_validation_score_
    assert best_of_4.best_validation_score_ == max(best_of_4.validation_scores_)
    assert best_of_4.score(X_val, y_val) == best_of_4.best_validation_score_
    assert len(best_of_4.validation_loss_curve_) == best_of_4.n_iter_


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_warm_starts_extend_the_validation_curves(solver):
    est = TinyMLPRegressor(solver=solver, warm_start=True, max_iter=5, random_state=0)
    quietly(est, REG_X[:80], REG_Y[:80], X_val=REG_X[80:], y_val=REG_Y[80:])
    first = list(est.validation_loss_curve_)
    quietly(est, REG_X[:80], REG_Y[:80], X_val=REG_X[80:], y_val=REG_Y[80:])
    assert est.validation_loss_curve_[: len(first)] == first
    assert len(est.validation_loss_curve_) == len(est.loss_curve_) == 10
    assert est.validation_loss_curve_[-1] < first[0]


# -- routing -------------------------------------------------------------------------------


def test_a_pipeline_passes_X_val_through_its_transformers():
    scaled = StandardScaler().fit(REG_X[:80])
    with config_context(enable_metadata_routing=True):
        pipe = Pipeline(
            [
                ("scale", StandardScaler()),
                (
                    "mlp",
                    TinyMLPRegressor(
                        max_iter=10, normalize_y=False, activation="tanh", random_state=0
                    ).set_fit_request(X_val=True, y_val=True),
                ),
            ],
            transform_input=["X_val"],
        )
        quietly(pipe, REG_X[:80], REG_Y[:80], X_val=REG_X[80:], y_val=REG_Y[80:])
    mlp = pipe.named_steps["mlp"]
    X_val = scaled.transform(REG_X[80:])  # scaled as the training rows were
    assert_allclose(mlp.validation_loss_curve_[-1], by_hand(mlp, X_val, REG_Y[80:]), rtol=1e-9)
    assert pipe.named_steps["mlp"].n_features_in_ == 5


def test_a_grid_search_passes_the_validation_set_to_every_fit():
    X_val, y_val = IRIS_X[:7], IRIS_Y[:7]  # not as many rows as X: not split by the folds
    with config_context(enable_metadata_routing=True):
        est = TinyMLPClassifier(early_stopping=True, max_iter=30, random_state=0)
        search = GridSearchCV(
            est.set_fit_request(X_val=True, y_val=True), {"alpha": [1e-4, 1.0]}, cv=2
        )
        quietly(search, IRIS_X, IRIS_Y, X_val=X_val, y_val=y_val)
    best = search.best_estimator_
    assert best.t_ == best.n_iter_ * 150  # no held-out fraction: X_val was there
    assert best.score(X_val, y_val) == best.best_validation_score_


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, message",
    [
        ({"X_val": IRIS_X[:5]}, "X_val and y_val are given together"),
        ({"y_val": IRIS_Y[:5]}, "X_val and y_val are given together"),
        ({"sample_weight_val": np.ones(5)}, "X_val and y_val are given together"),
        ({"X_val": IRIS_X[:5, :2], "y_val": IRIS_Y[:5]}, "X has 2 features, but"),
        ({"X_val": IRIS_X[:0], "y_val": IRIS_Y[:0]}, "0 sample"),
        ({"X_val": IRIS_X[:5], "y_val": IRIS_Y[:4]}, "inconsistent numbers of samples"),
        ({"X_val": IRIS_X[:5], "y_val": [0, 1, 7, 1, 0]}, "classes not in"),
        ({"X_val": IRIS_X[:5], "y_val": IRIS_Y[:5], "sample_weight_val": np.ones(4)}, "shape"),
        (
            {"X_val": IRIS_X[:5], "y_val": IRIS_Y[:5], "sample_weight_val": np.zeros(5)},
            "at least one non-zero|must not be all zeros",
        ),
        ({"X_val": IRIS_X[:5] * np.nan, "y_val": IRIS_Y[:5]}, "NaN"),
    ],
)
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_a_bad_validation_set_is_refused_and_the_model_kept(given, message, solver):
    est = quietly(TinyMLPClassifier(solver=solver, max_iter=3, random_state=0), IRIS_X, IRIS_Y)
    before = [W.copy() for W in est.coefs_]
    with pytest.raises(ValueError, match=message) as raised:
        est.fit(IRIS_X, IRIS_Y, **given)
    if "X_val" in given and "y_val" in given:
        assert "Invalid validation set (X_val, y_val, sample_weight_val)" in str(raised.value)
    assert all((W == V).all() for W, V in zip(est.coefs_, before, strict=True))


def test_a_regressor_needs_two_validation_samples_for_its_r2():
    with pytest.raises(ValueError, match="Invalid validation set.*minimum of 2"):
        TinyMLPRegressor().fit(REG_X, REG_Y, X_val=REG_X[:1], y_val=REG_Y[:1])


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=6, max_size=6).filter(any))
def test_integer_validation_weights_are_repeated_validation_rows(counts):
    X_val, y_val = IRIS_X[:150:25], IRIS_Y[:150:25]
    params = {"hidden_layer_sizes": (4,), "max_iter": 4, "random_state": 0}
    weighted = quietly(
        TinyMLPClassifier(**params),
        IRIS_X,
        IRIS_Y,
        X_val=X_val,
        y_val=y_val,
        sample_weight_val=np.array(counts, dtype=float),
    )
    repeated = quietly(
        TinyMLPClassifier(**params),
        IRIS_X,
        IRIS_Y,
        X_val=np.repeat(X_val, counts, axis=0),
        y_val=np.repeat(y_val, counts),
    )
    assert_allclose(weighted.validation_loss_curve_, repeated.validation_loss_curve_, rtol=1e-12)
    assert_allclose(weighted.validation_scores_, repeated.validation_scores_, rtol=1e-12)
