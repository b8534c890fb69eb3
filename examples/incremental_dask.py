"""
==========================================
Training on data larger than memory (dask)
==========================================

A data set stored as many files need never be loaded whole: dask reads it as one lazy
array (or DataFrame) of blocks, and dask-ml's ``Incremental`` hands the blocks to the
estimator's ``partial_fit`` one after the other, so a worker holds about one block at a
time. ``ParallelPostFit`` predicts block by block the same way. Both come with the
``distributed`` extra (``pip install ".[distributed]"``, which brings dask-ml).

The script writes a small data set as ``.npy`` shards and as Parquet files, then trains on
each through ``Incremental`` on a local cluster of two worker processes, and predicts and
scores without gathering the data. Give ``Client`` a scheduler's address instead of a
``LocalCluster`` to use a real cluster.

This example starts processes, so it is shown here but not run when the site is built.
"""

import tempfile
from pathlib import Path

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.distributed import Client, LocalCluster
from dask_ml.wrappers import Incremental, ParallelPostFit

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

N_SHARDS, ROWS, COLUMNS = 8, 20_000, 10


def write_shards(directory):
    """The data set as ``.npy`` shards and as Parquet files, one per shard."""
    for i in range(N_SHARDS):
        rng = np.random.RandomState(i)
        X = rng.normal(size=(ROWS, COLUMNS))
        y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=ROWS)
        np.save(directory / f"X_{i:03d}.npy", X)
        np.save(directory / f"y_{i:03d}.npy", y)
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(COLUMNS)]).assign(y=y)
        frame.to_parquet(directory / f"part_{i:03d}.parquet")


def npy_stack(directory, name, shape):
    """The shards ``name_*.npy`` as one dask array of one block per shard, each read only
    when a task needs it (on the worker that runs the task)."""
    paths = sorted(directory.glob(f"{name}_*.npy"))

    def load(block_info=None):
        return np.load(paths[block_info[None]["chunk-location"][0]])

    chunks = ((shape[0],) * len(paths),) + tuple((n,) for n in shape[1:])
    return da.map_blocks(load, chunks=chunks, dtype=np.float64, meta=np.empty((0,) * len(shape)))


def blockwise_r2(y_true, y_pred, compute=True):
    """R2 from sums computed block by block. dask-ml's own r2 scorer, which
    ``Incremental.score`` uses for regressors, fails with dask >= 2025.2
    (dask-ml#1012); a callable ``scoring`` is used as a metric."""
    residual = ((y_true - y_pred) ** 2).sum()
    total = ((y_true - y_true.mean()) ** 2).sum()
    score = 1 - residual / total
    return float(score.compute()) if compute else score


def main(directory):
    write_shards(directory)
    X = npy_stack(directory, "X", (ROWS, COLUMNS))
    y = npy_stack(directory, "y", (ROWS,))

    # From .npy shards: one partial_fit per shard, in the shards' order (dask-ml's
    # default, shuffle_blocks=True, trains them in an order drawn from random_state).
    # Several passes are several calls: each fit of Incremental is one pass.
    model = Incremental(
        TinyMLPRegressor((32,), solver="adam", learning_rate_init=0.003, random_state=0),
        shuffle_blocks=False,
        scoring=blockwise_r2,
    )
    for epoch in range(5):
        model.partial_fit(X, y)
        print(f"pass {epoch + 1}: R2 {model.score(X, y):.3f}")

    # From Parquet: the same through a dask DataFrame, whose column names the model keeps
    frame = dd.read_parquet(sorted(directory.glob("part_*.parquet")))
    features, target = frame.drop(columns="y"), frame["y"]
    classifier = Incremental(TinyMLPClassifier((32,), solver="adam", random_state=0))
    classifier.fit(features, target > 0, classes=[False, True])
    print("features:", list(classifier.estimator_.feature_names_in_))

    # Predicting block by block: a lazy dask array, computed on the workers
    proba = ParallelPostFit(classifier.estimator_).predict_proba(features)
    print("share predicted positive:", float((proba[:, 1] > 0.5).mean().compute()))


if __name__ == "__main__":
    with (
        LocalCluster(
            n_workers=2, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster),
        tempfile.TemporaryDirectory() as name,
    ):
        main(Path(name))
