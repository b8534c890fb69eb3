"""Peak memory of training on data larger than one block: dask-ml's Incremental against a
fit in memory.

Ten shards of 50,000 x 20 float64 samples (7.6 MiB each, 76 MiB in all) are written as
``.npy`` files, read back lazily as one dask array (a shard is loaded when its turn comes)
and trained on through ``Incremental(TinyMLPClassifier(solver="adam"))``, one
``partial_fit`` per shard, with dask's synchronous scheduler in this process so that
tracemalloc sees every allocation. Then the same data is loaded whole and fitted for one
epoch. Needs the ``distributed`` extra (dask-ml).

Run: ``python benchmarks/bench_incremental_memory.py``
"""

import tempfile
import tracemalloc
import warnings
from pathlib import Path

import dask
import dask.array as da
import numpy as np
from dask_ml.wrappers import Incremental
from sklearn.exceptions import ConvergenceWarning

from sklearn_xornet import TinyMLPClassifier

N_SHARDS, ROWS, COLUMNS = 10, 50_000, 20
MIB = 2**20


def write_shards(directory):
    for i in range(N_SHARDS):
        rng = np.random.RandomState(i)
        X = rng.normal(size=(ROWS, COLUMNS))
        np.save(directory / f"X_{i:03d}.npy", X)
        np.save(directory / f"y_{i:03d}.npy", (X[:, 0] + X[:, 1] > 0).astype(np.int64))


def lazy(directory, name, shape, dtype):
    """The shards ``name_*.npy`` as one dask array: each read only when a task needs it."""
    paths = sorted(directory.glob(f"{name}_*.npy"))
    blocks = [
        da.from_delayed(dask.delayed(np.load, pure=True)(path), shape, dtype) for path in paths
    ]
    return da.concatenate(blocks)


def peak(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        write_shards(directory)
        X = lazy(directory, "X", (ROWS, COLUMNS), np.float64)
        y = lazy(directory, "y", (ROWS,), np.int64)
        model = Incremental(TinyMLPClassifier((32,), solver="adam", random_state=0))
        with dask.config.set(scheduler="synchronous"):
            incremental = peak(lambda: model.fit(X, y, classes=[0, 1]))
        X_all = np.concatenate([np.load(p) for p in sorted(directory.glob("X_*.npy"))])
        y_all = np.concatenate([np.load(p) for p in sorted(directory.glob("y_*.npy"))])
        in_memory = TinyMLPClassifier((32,), solver="adam", random_state=0, max_iter=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            whole = peak(lambda: in_memory.fit(X_all, y_all))
    shard = ROWS * COLUMNS * 8
    print(f"one shard: {shard / MIB:.1f} MiB; all {N_SHARDS}: {N_SHARDS * shard / MIB:.1f} MiB")
    print(
        f"Incremental over the shards: peak {incremental / MIB:.1f} MiB"
        f" ({incremental / shard:.2f} shards), trained on {model.estimator_.t_} samples"
    )
    print(
        f"one epoch in memory: the {X_all.nbytes / MIB:.1f} MiB array loaded whole, plus a"
        f" peak of {whole / MIB:.1f} MiB while fitting"
    )


if __name__ == "__main__":
    main()
