"""Performance policy, in one place: threads, the BLAS limit and every size threshold.

Nothing here changes a result beyond rounding: it decides how NumPy's fast path spends the
machine's cores. Other modules read these names from this module when they run
(``_parallel.N_THREADS``), never copy them at import, so a test patches one place. Device
arrays (``_arrays.py``) never come here: their library schedules its own work.
"""

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from itertools import pairwise

import numpy as np
from threadpoolctl import ThreadpoolController

N_THREADS = min(os.cpu_count() or 1, 8)

# Element-wise work on layers of this many entries or more is split by rows between threads
# (numpy releases the GIL inside its loops); on smaller ones, handing work to threads costs
# more than it saves.
PARALLEL_ELEMENTS = 1 << 20

# A full batch whose widest layer has PARALLEL_ELEMENTS entries is split into blocks of rows
# of about this many entries in that layer: a layer of a block stays in the processor's
# cache from one operation to the next.
BLOCK_ELEMENTS = 1 << 17

# From this many entries on, a layer computes tanh or the sigmoid from np.exp, which numpy
# vectorises (np.tanh on float64 and scipy's expit are twice to four times slower); the
# formula takes three or four calls where the plain function takes one, which small layers,
# whose cost is the calls, cannot afford.
FAST_FORMULA_ELEMENTS = {"tanh": 1 << 16, "logistic": 1 << 10}

# A network whose largest product has fewer entries than this trains on one BLAS thread:
# splitting such small products between threads costs more than it gains, and makes the
# timing erratic.
SMALL_PRODUCT = 1 << 17

_pool = []
_controller = []


def in_threads(function, items):
    """``[function(item) for item in items]``, the calls shared between the pool's threads.

    numpy's error state is per thread: each call runs under the caller's. Never call it
    from one of the pool's own threads (it would wait on itself).
    """
    if not _pool:
        _pool.append(ThreadPoolExecutor(N_THREADS))
    settings = np.geterr()

    def run(item):
        with np.errstate(**settings):
            return function(item)

    return list(_pool[0].map(run, items))


def by_rows(function):
    """``function(x, out, ...)`` run on blocks of rows in parallel threads."""

    @functools.wraps(function)
    def split(x, out, *rest):
        if x.ndim < 2:
            return function(x, out, *rest)
        bounds = np.linspace(0, x.shape[-2], N_THREADS + 1).astype(int)
        blocks = [
            [None if a is None else a[..., start:stop, :] for a in (x, out, *rest)]
            for start, stop in pairwise(bounds)
        ]
        in_threads(lambda block: function(*block), blocks)
        return out

    return split


def splits_layer(size):
    """Whether a layer of ``size`` entries runs its element-wise work on row blocks."""
    return N_THREADS > 1 and size >= PARALLEL_ELEMENTS


def splits_rows(n_samples, widest, stacked=False):
    """Whether a full batch of ``n_samples`` rows is computed as row blocks in threads.

    ``widest`` is the number of units of the network's widest layer after the input. Worth
    it when that layer has ``PARALLEL_ELEMENTS`` entries or more: each thread then runs the
    whole forward and backward pass on its rows with one BLAS thread, which keeps every core
    busy through the products *and* the element-wise work between them (BLAS's own threads
    leave the element-wise work to one core, and spin while it runs).
    """
    return (
        n_samples * widest >= PARALLEL_ELEMENTS  # first: false at once for small batches
        and not stacked
        and N_THREADS > 1
        and n_samples >= 2 * N_THREADS
    )


def block_rows(layer_units):
    """The rows of one block of a batch split between threads."""
    return max(64, BLOCK_ELEMENTS // max(layer_units))


def blas_limit(n_rows, n_networks, layer_units):
    """A context setting the BLAS threads of a training run on batches of ``n_rows``.

    One thread for small products, and where the objective splits the rows between threads
    of its own; no limit otherwise.
    """
    small = n_rows * n_networks * max(layer_units) < SMALL_PRODUCT
    if not (small or splits_rows(n_rows, max(layer_units[1:]), n_networks > 1)):
        return nullcontext()
    if not _controller:  # inspecting the loaded libraries is slow: do it once
        _controller.append(ThreadpoolController())
    return _controller[0].limit(limits=1, user_api="blas")
