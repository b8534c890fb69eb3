"""Data larger than memory: dask-ml's Incremental trains block by block through
partial_fit, ParallelPostFit predicts block by block; on a two-process local cluster."""

import tracemalloc
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

dask_ml = pytest.importorskip("dask_ml", reason="dask-ml comes with the 'distributed' extra")
distributed = pytest.importorskip("distributed")
import dask  # noqa: E402 (dask-ml brings it)
import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from dask_ml.wrappers import Incremental, ParallelPostFit  # noqa: E402
from test_distributed import local_cluster  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

N_BLOCKS, ROWS = 5, 120
rng = np.random.RandomState(0)
X = rng.normal(size=(N_BLOCKS * ROWS, 4))
Y_CLASS = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)  # three classes
Y_REAL = 3 * X[:, 0] - X[:, 1] ** 2 + 0.1 * rng.normal(size=len(X))
BLOCKS = [slice(i * ROWS, (i + 1) * ROWS) for i in range(N_BLOCKS)]


@pytest.fixture(scope="module")
def client():
    """Two worker processes on this machine, started for these tests and stopped after."""
    with local_cluster() as (cluster, client):
        yield client
    assert cluster.status.name == "closed"


def estimator(Estimator):
    return Estimator((8,), solver="adam", learning_rate_init=0.01, random_state=0)


def by_hand(Estimator, y, order, **kwargs):
    """partial_fit over the blocks in ``order``, in memory."""
    model = estimator(Estimator)
    for i in order:
        model.partial_fit(X[BLOCKS[i]], y[BLOCKS[i]], **kwargs)
    return model


def assert_same_weights(model, expected):
    mine, theirs = model.coefs_ + model.intercepts_, expected.coefs_ + expected.intercepts_
    for a, b in zip(mine, theirs, strict=True):
        assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert model.t_ == expected.t_
    assert_allclose(model.loss_curve_, expected.loss_curve_, rtol=1e-12)


def dask_arrays(y):
    return da.from_array(X, chunks=(ROWS, 4)), da.from_array(y, chunks=ROWS)


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_incremental_on_dask_arrays_is_partial_fit_over_the_blocks_in_order(client, Estimator):
    y = Y_CLASS if Estimator is TinyMLPClassifier else Y_REAL
    kwargs = {"classes": [0, 1, 2]} if Estimator is TinyMLPClassifier else {}
    with distributed.get_task_stream(client) as tasks:
        model = Incremental(estimator(Estimator), shuffle_blocks=False)
        model.fit(*dask_arrays(y), **kwargs)  # classes= goes on to every partial_fit
    assert_same_weights(model.estimator_, by_hand(Estimator, y, range(N_BLOCKS), **kwargs))
    # the blocks were trained on the cluster's worker processes
    workers = {task["worker"] for task in tasks.data}
    assert workers and workers <= set(client.scheduler_info()["workers"])


def test_shuffled_blocks_are_the_blocks_in_random_state_s_order(client):
    """dask-ml's default, shuffle_blocks=True, reorders the blocks (not the rows): the
    order numpy's RandomState(random_state).shuffle gives, so a seed makes it repeatable."""
    model = Incremental(estimator(TinyMLPClassifier), shuffle_blocks=True, random_state=3)
    model.fit(*dask_arrays(Y_CLASS), classes=[0, 1, 2])
    order = list(range(N_BLOCKS))
    np.random.RandomState(3).shuffle(order)
    assert order != sorted(order)
    expected = by_hand(TinyMLPClassifier, Y_CLASS, order, classes=[0, 1, 2])
    assert_same_weights(model.estimator_, expected)


def test_incremental_on_dask_dataframes_keeps_the_feature_names(client):
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    labels = pd.Series(Y_CLASS, name="label")
    ddf = dd.from_pandas(frame, npartitions=N_BLOCKS, sort=False)
    dy = dd.from_pandas(labels, npartitions=N_BLOCKS, sort=False)
    model = Incremental(estimator(TinyMLPClassifier), shuffle_blocks=False)
    model.fit(ddf, dy, classes=[0, 1, 2])
    expected = estimator(TinyMLPClassifier)
    for i in range(ddf.npartitions):
        part = ddf.get_partition(i).compute()
        expected.partial_fit(part, dy.get_partition(i).compute(), classes=[0, 1, 2])
    assert_same_weights(model.estimator_, expected)
    assert list(model.estimator_.feature_names_in_) == ["a", "b", "c", "d"]
    predicted = model.predict(ddf)
    assert_array_equal(np.asarray(predicted.compute()), expected.predict(frame))


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_parallel_post_fit_predicts_block_by_block_what_memory_predicts(client, Estimator):
    y = Y_CLASS if Estimator is TinyMLPClassifier else Y_REAL
    fitted = estimator(Estimator).fit(X, y)
    dX, _ = dask_arrays(y)
    wrapped = ParallelPostFit(fitted)
    methods = ["predict", "predict_proba"] if Estimator is TinyMLPClassifier else ["predict"]
    for method in methods:
        result = getattr(wrapped, method)(dX)
        assert isinstance(result, da.Array)  # lazy: computed block by block on the workers
        # the same forward pass on 120 rows at a time: BLAS may sum in another order
        assert_allclose(result.compute(), getattr(fitted, method)(X), rtol=1e-12, atol=1e-15)


def blockwise_r2(y_true, y_pred, compute=True):
    """R2 from sums computed block by block: the way around dask-ml's r2 metric, which
    fails with dask >= 2025.2 (dask-ml#1012) for every regressor. dask-ml makes a scorer
    of a callable ``scoring`` as of a metric, passing ``compute``."""
    residual = ((y_true - y_pred) ** 2).sum()
    total = ((y_true - y_true.mean()) ** 2).sum()
    score = 1 - residual / total
    return float(score.compute()) if compute else score


def test_the_regressor_scores_with_a_blockwise_r2(client):
    dX, dy = dask_arrays(Y_REAL)
    model = Incremental(estimator(TinyMLPRegressor), shuffle_blocks=False, scoring=blockwise_r2)
    model.fit(dX, dy)
    expected = r2_score(Y_REAL, model.estimator_.predict(X))
    assert model.score(dX, dy) == pytest.approx(expected, rel=1e-12)


def test_fitting_ten_blocks_holds_about_one_in_memory():
    """Ten blocks of 8 MB, each made only when its turn comes (as one read from a shard
    would be), trained through Incremental in this process: tracemalloc's peak stays under
    two blocks, far from the 80 MB of the whole array."""
    n_blocks, rows, columns = 10, 50_000, 20
    block_bytes = rows * columns * 8

    def block(i):
        return np.random.RandomState(i).normal(size=(rows, columns))

    def labels(i):
        return np.random.RandomState(1000 + i).randint(2, size=rows)

    X_lazy = da.concatenate(
        [da.from_delayed(dask.delayed(block)(i), (rows, columns), float) for i in range(n_blocks)]
    )
    y_lazy = da.concatenate(
        [da.from_delayed(dask.delayed(labels)(i), (rows,), int) for i in range(n_blocks)]
    )
    model = Incremental(TinyMLPClassifier((16,), solver="adam", random_state=0))
    with dask.config.set(scheduler="synchronous"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        try:
            model.fit(X_lazy, y_lazy, classes=[0, 1])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert model.estimator_.t_ == n_blocks * rows  # every block was trained on
    assert peak < 2 * block_bytes
