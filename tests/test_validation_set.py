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
    # the best score; of the epochs that reach it, the lowest validation loss
    scores, losses = np.array(est.validation_scores_), np.array(est.validation_loss_curve_)
    best = np.flatnonzero(scores == scores.max())
    assert len(best) > 1  # a tie, which the validation loss breaks
    best = best[np.argmin(losses[best])]
    assert_allclose(by_hand(est, X_val, y_val), losses[best], rtol=1e-9)


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


# -- at the edges: X_val's columns, y_val's kind, extreme weights -----------------------------

COLUMNS = ["sepal length", "sepal width", "petal length", "petal width"]


def iris_frame(rows=slice(None)):
    import pandas as pd

    return pd.DataFrame(IRIS_X[rows], columns=COLUMNS)


def column_changes():
    """Every way a DataFrame's columns can differ from fit's: reordered, renamed, one more,
    one fewer (each a list of the column names X_val gets, and its values' source)."""
    permuted = st.permutations(COLUMNS).filter(lambda names: list(names) != COLUMNS)
    renamed = st.tuples(st.integers(0, 3), st.text(min_size=1, max_size=8)).filter(
        lambda change: change[1] not in COLUMNS
    )
    return st.one_of(
        permuted.map(lambda names: ("permuted", list(names))),
        renamed.map(lambda change: ("renamed", change)),
        st.text(min_size=1, max_size=8)
        .filter(lambda name: name not in COLUMNS)
        .map(lambda name: ("extra", name)),
        st.integers(0, 3).map(lambda index: ("missing", index)),
    )


@settings(max_examples=25, deadline=None)
@given(change=column_changes())
def test_a_data_frame_x_val_whose_columns_differ_from_fit_s_is_refused(change):
    """Read by position, a reordered X_val would give wrong curves and early stopping."""
    kind, detail = change
    X_val = iris_frame(VAL)
    if kind == "permuted":
        X_val = X_val[detail]
    elif kind == "renamed":
        index, name = detail
        X_val = X_val.rename(columns={COLUMNS[index]: name})
    elif kind == "extra":
        X_val = X_val.assign(**{detail: 0.0})
    else:
        X_val = X_val.drop(columns=COLUMNS[detail])
    est = TinyMLPClassifier(max_iter=3, random_state=0)
    with pytest.raises(ValueError, match="Invalid validation set.*feature names") as raised:
        quietly(est, iris_frame(TRAIN), IRIS_Y[TRAIN], X_val=X_val, y_val=IRIS_Y[VAL])
    assert "Invalid validation set" in str(raised.value)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_a_data_frame_x_val_with_fit_s_columns_is_taken_by_name_without_a_warning(solver):
    params = {"solver": solver, "max_iter": 5, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        framed = TinyMLPClassifier(**params).fit(
            iris_frame(TRAIN), IRIS_Y[TRAIN], X_val=iris_frame(VAL), y_val=IRIS_Y[VAL]
        )
    plain = quietly(
        TinyMLPClassifier(**params),
        IRIS_X[TRAIN],
        IRIS_Y[TRAIN],
        X_val=IRIS_X[VAL],
        y_val=IRIS_Y[VAL],
    )
    assert_allclose(framed.validation_loss_curve_, plain.validation_loss_curve_, rtol=1e-12)


@pytest.mark.parametrize("output", ["default", "pandas"])
def test_a_pipeline_transforming_x_val_to_a_data_frame_fits_without_a_warning(output):
    """The documented ``Pipeline(..., transform_input=["X_val"])``, with pandas output."""
    if not hasattr(Pipeline(steps=[("scale", StandardScaler())]), "transform_input"):
        pytest.skip("Pipeline's transform_input came with scikit-learn 1.6 and routing")
    with config_context(enable_metadata_routing=True):
        clf = TinyMLPClassifier(max_iter=5, random_state=0).set_fit_request(X_val=True, y_val=True)
        scale = StandardScaler().set_output(transform=output)
        pipe = Pipeline([("scale", scale), ("mlp", clf)], transform_input=["X_val"])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe.fit(iris_frame(TRAIN), IRIS_Y[TRAIN], X_val=iris_frame(VAL), y_val=IRIS_Y[VAL])
    assert np.isfinite(pipe[-1].validation_loss_curve_).all()


def target_kinds():
    """Every kind of target, as (name, y for the 150 iris rows)."""
    labels = IRIS_Y
    return {
        "binary": labels == 0,
        "multiclass": labels,
        "multiclass strings": np.array(["setosa", "versicolor", "virginica"])[labels],
        "multilabel": np.c_[labels == 0, labels == 1, labels == 2, labels != 1].astype(int),
        "one output": IRIS_X[:, 0] + IRIS_X[:, 1],
        "two outputs": IRIS_X[:, :2].copy(),
    }


@st.composite
def validation_targets(draw, n_rows):
    """A ``y_val`` of any shape, dtype and label set: a kind's own rows, or another kind's,
    or numbers of any dtype, 1-D or 2-D."""
    kinds = target_kinds()
    source = draw(st.sampled_from(["a kind's"] * 3 + ["drawn"]))
    if source == "a kind's":
        return draw(st.sampled_from(sorted(kinds))), None
    dtype = draw(st.sampled_from([np.int64, np.float64, np.float32, bool, str]))
    columns = draw(st.sampled_from([None, 1, 2, 4]))
    shape = (n_rows,) if columns is None else (n_rows, columns)
    low, high = draw(st.sampled_from([(0, 1), (0, 2), (-1, 3)]))
    size = n_rows * (columns or 1)
    values = draw(st.lists(st.integers(low, high), min_size=size, max_size=size))
    return None, np.array(values).reshape(shape).astype(dtype)


def compatible(y, y_val, regressor):
    """Whether ``y_val`` is a target ``fit`` on ``y`` can score, worked out from the kinds
    alone (not by the library's code). A column vector is 1-D, as for ``y``."""
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = y_val.ravel()
    if regressor:  # numbers as text are numbers, as in y (and in HistGradientBoosting)
        try:
            y_val.astype(float)
        except ValueError:
            return False
        outputs = 1 if y.ndim == 1 else y.shape[1]
        return (1 if y_val.ndim == 1 else y_val.shape[1]) == outputs
    if y.ndim == 2:  # a multilabel indicator
        return (
            y_val.ndim == 2
            and y_val.shape[1] == y.shape[1]
            and y_val.dtype.kind in "biuf"
            and np.isin(y_val, [0, 1]).all()
        )
    if y_val.ndim != 1 or (y_val.dtype.kind in "U") != (y.dtype.kind in "U"):
        return False
    return set(np.unique(y_val).tolist()) <= set(np.unique(y).tolist())


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(sorted(target_kinds())), drawn=validation_targets(n_rows=50))
def test_every_y_val_is_either_scored_or_refused_naming_the_validation_set(kind, drawn):
    kinds = target_kinds()
    y = kinds[kind][TRAIN]
    other, y_val = drawn
    y_val = kinds[other][VAL] if other is not None else y_val
    regressor = kind in ("one output", "two outputs")
    Estimator = TinyMLPRegressor if regressor else TinyMLPClassifier
    est = Estimator(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    if compatible(y, y_val, regressor):
        quietly(est, IRIS_X[TRAIN], y, X_val=IRIS_X[VAL], y_val=y_val)
        assert len(est.validation_scores_) == len(est.validation_loss_curve_) >= 1
        assert np.isfinite(est.validation_loss_curve_).all()
        assert np.isfinite(est.validation_scores_).all()
    else:
        with pytest.raises(ValueError, match=r"Invalid validation set \(X_val, y_val"):
            quietly(est, IRIS_X[TRAIN], y, X_val=IRIS_X[VAL], y_val=y_val)


def test_a_regressor_s_y_val_of_another_number_of_outputs_is_refused_naming_it():
    """It used to fail inside the first epoch, in r2_score, naming neither."""
    with pytest.raises(ValueError, match=r"Invalid validation set.*2 output\(s\).*fitted on 1"):
        TinyMLPRegressor(max_iter=3).fit(
            REG_X, REG_Y, X_val=REG_X[:10], y_val=np.c_[REG_Y[:10], REG_Y[:10]]
        )


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(
        st.floats(0, np.finfo(np.float64).max, allow_subnormal=True), min_size=20, max_size=20
    ).filter(any),
    Estimator=st.sampled_from([TinyMLPClassifier, TinyMLPRegressor]),
)
def test_validation_weights_from_zero_to_the_largest_float_give_finite_curves(weights, Estimator):
    """The curves depend on the weights' ratios alone: whatever their sum (which may
    overflow), they are those of the weights scaled to at most 1."""
    X_val, weights = IRIS_X[VAL][:20], np.array(weights)
    y, y_val = (IRIS_Y, IRIS_Y[VAL][:20])
    if Estimator is TinyMLPRegressor:
        y, y_val = IRIS_X[:, 0] + IRIS_X[:, 1], (IRIS_X[:, 0] + IRIS_X[:, 1])[VAL][:20]
    params = {"hidden_layer_sizes": (4,), "solver": "adam", "max_iter": 3, "random_state": 0}
    given_weights = quietly(
        Estimator(**params), IRIS_X, y, X_val=X_val, y_val=y_val, sample_weight_val=weights
    )
    scaled = quietly(
        Estimator(**params),
        IRIS_X,
        y,
        X_val=X_val,
        y_val=y_val,
        sample_weight_val=weights / weights.max(),
    )
    assert np.isfinite(given_weights.validation_loss_curve_).all()
    assert np.isfinite(given_weights.validation_scores_).all()
    assert_allclose(given_weights.validation_loss_curve_, scaled.validation_loss_curve_, rtol=1e-12)
    assert_allclose(given_weights.validation_scores_, scaled.validation_scores_, rtol=1e-12)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_best_loss_is_none_with_early_stopping_only(Estimator, solver):
    """As in scikit-learn: a validation set that is only watched leaves ``best_loss_``."""
    y = IRIS_Y if Estimator is TinyMLPClassifier else IRIS_X[:, 0] + IRIS_X[:, 1]
    params = {"solver": solver, "max_iter": 5, "random_state": 0}
    watched = quietly(Estimator(**params), IRIS_X[TRAIN], y[TRAIN], X_val=IRIS_X[VAL], y_val=y[VAL])
    assert watched.best_loss_ == min(watched.loss_curve_)
    stopping = quietly(
        Estimator(early_stopping=True, **params),
        IRIS_X[TRAIN],
        y[TRAIN],
        X_val=IRIS_X[VAL],
        y_val=y[VAL],
    )
    assert stopping.best_loss_ is None
