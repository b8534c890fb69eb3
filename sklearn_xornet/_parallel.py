"""Performance policy, in one place: threads, the BLAS limit and every size threshold.

Nothing here changes a result beyond rounding: it decides how NumPy's fast path spends the
machine's cores and its calls. :func:`layer_function` picks each layer's version of its
activation (a ufunc on small layers, tanh from exp on large ones, row blocks in threads);
:class:`RowBlocks` computes a large full batch's objective as row blocks in threads. Other
modules read these names from this module when they run (``_parallel.N_THREADS``), never
copy them at import. Device arrays (``_arrays.py``) never come here: their library
schedules its own work.
"""

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from itertools import pairwise

import numpy as np
from scipy.special import expit
from threadpoolctl import ThreadpoolController

from ._activations import (
    exp,
    exp_derivative,
    logistic,
    logistic_derivative,
    relu,
    relu_derivative,
    tanh,
    tanh_derivative,
    tanh_from_exp,
)

N_THREADS = min(os.cpu_count() or 1, 8)

# Element-wise work on layers of this many entries or more is split by rows between threads
# (numpy releases the GIL inside its loops); on smaller ones, handing work to threads costs
# more than it saves.
PARALLEL_ELEMENTS = 1 << 20

# A full batch whose widest layer has PARALLEL_ELEMENTS entries is split into blocks of rows
# of about this many entries in that layer: a layer of a block stays in the processor's
# cache from one operation to the next.
BLOCK_ELEMENTS = 1 << 17

# Below this many entries a layer calls NumPy's ufunc itself (scipy's expit for the sigmoid,
# np.tanh, np.exp): small layers cost their calls, and the ufunc is one call with no Python
# frame of ours in between.
UFUNC_ELEMENTS = {"logistic": 1 << 10, "tanh": 1 << 10, "exp": 1 << 10}

# From this many entries on, a layer computes tanh from np.exp, which numpy vectorises
# (np.tanh on float64 is twice as slow here); the formula's four calls cost more than they
# save on smaller layers. The sigmoid's own formula is from exp already: past its ufunc
# threshold it is used as it is (scipy's expit is two to four times slower on large layers).
TANH_FROM_EXP_ELEMENTS = 1 << 16

# A network whose largest product has fewer entries than this trains on one BLAS thread:
# splitting such small products between threads costs more than it gains, and makes the
# timing erratic.
SMALL_PRODUCT = 1 << 17

# The objective keeps buffers for this many batch shapes (mini-batches come in two sizes
# at most: the full ones and the last) before it lets them go.
BUFFER_SHAPES = 4

# The check that a network's outputs on the training rows are finite runs its forward pass
# on blocks of this many rows, so that it never holds more than a block's layers.
CHECK_ROWS = 4096

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
    """``function(x, out, ...)`` run on blocks of rows in parallel threads, into ``out``
    (new when None)."""

    @functools.wraps(function)
    def split(x, out, *rest):
        if x.ndim < 2:
            return function(x, out, *rest)
        out = np.empty_like(x) if out is None else out
        bounds = np.linspace(0, x.shape[-2], N_THREADS + 1).astype(int)
        blocks = [
            [None if a is None else a[..., start:stop, :] for a in (x, out, *rest)]
            for start, stop in pairwise(bounds)
        ]
        in_threads(lambda block: function(*block), blocks)
        return out

    return split


# NumPy's own function for an activation, on small layers: f(x, out)
_UFUNCS = {logistic: ("logistic", expit), tanh: ("tanh", np.tanh), exp: ("exp", np.exp)}

# element-wise and written into their buffer, so any block of rows can be computed apart
# (softmax needs whole rows; the modern activations return new arrays)
_ROW_BLOCKS = {logistic, tanh_from_exp, relu, exp}
_ROW_BLOCKS |= {logistic_derivative, tanh_derivative, relu_derivative, exp_derivative}


def layer_function(function, size, threads=True):
    """NumPy's version of an activation's ``function`` (or slope) for a layer of ``size``
    entries: a ufunc on small layers, tanh from exp on large ones, and on the largest, row
    blocks in threads (unless ``threads`` is False: the caller is one of those threads)."""
    if function in _UFUNCS:
        name, ufunc = _UFUNCS[function]
        if size < UFUNC_ELEMENTS[name]:
            return ufunc
    if function is tanh and size >= TANH_FROM_EXP_ELEMENTS:
        function = tanh_from_exp
    if threads and function in _ROW_BLOCKS and splits_layer(size):
        function = by_rows(function)
    return function


def splits_layer(size):
    """Whether a layer of ``size`` entries runs its element-wise work on row blocks."""
    return N_THREADS > 1 and size >= PARALLEL_ELEMENTS


def splits_rows(X, widest, n_networks=1):
    """Whether a full batch ``X`` is computed as row blocks in threads.

    ``widest`` is the number of units of the network's widest layer after the input. Worth
    it for one dense network when that layer has ``PARALLEL_ELEMENTS`` entries or more: each
    thread then runs the whole forward and backward pass on its rows with one BLAS thread,
    which keeps every core busy through the products *and* the element-wise work between
    them (BLAS's own threads leave the element-wise work to one core, and spin while it runs).
    """
    return _worth_splitting(X.shape[0], widest, n_networks) and type(X) is np.ndarray


def _worth_splitting(n_rows, widest, n_networks):
    return (
        n_rows * widest >= PARALLEL_ELEMENTS  # first: false at once for small batches
        and n_networks == 1
        and N_THREADS > 1
        and n_rows >= 2 * N_THREADS
    )


def block_rows(layer_units):
    """The rows of one block of a batch split between threads."""
    return max(64, BLOCK_ELEMENTS // max(layer_units))


class RowBlocks:
    """A full batch's objective as the weighted sum of the objectives of row blocks, in
    threads.

    Each thread takes every n-th block of rows and evaluates an unpenalised copy of the
    objective (one that never splits) on it; a block's mean, times its share of the total
    weight, is its part of the whole; the penalty is the whole objective's.
    """

    def __init__(self, objective):
        self.objective = objective
        self.parts = [objective.part() for _ in range(N_THREADS)]

    def __call__(self, params, grad, X, Y, sample_weight=None, masks=None):
        n_samples = X.shape[0]
        step = block_rows(self.objective.layout.layer_units)
        rows = [slice(start, min(start + step, n_samples)) for start in range(0, n_samples, step)]
        total_weight = n_samples if sample_weight is None else float(sample_weight.sum())

        def thread(k):
            part = self.parts[k]
            block_grad, summed = np.zeros_like(grad), np.zeros_like(grad)
            value = 0.0
            for block in rows[k :: len(self.parts)]:
                w = None if sample_weight is None else sample_weight[block]
                weight = block.stop - block.start if w is None else float(w.sum())
                if weight == 0:  # nothing to learn from these rows
                    continue
                share = weight / total_weight
                block_masks = None if masks is None else _rows(masks, block)
                value += share * part(params, block_grad, X[block], Y[block], w, block_masks)
                block_grad *= share
                summed += block_grad
            return value, summed

        results = in_threads(thread, range(len(self.parts)))
        value = sum(part for part, _ in results)
        np.copyto(grad, results[0][1])
        for _, summed in results[1:]:
            grad += summed
        return self.objective.penalised(params, grad, value, total_weight)


def _rows(masks, block):
    """Dropout's masks of the rows ``block``."""
    return [None if mask is None else mask[..., block, :] for mask in masks]


def blas_limit(n_rows, n_networks, layer_units):
    """A context setting the BLAS threads of a training run on batches of ``n_rows``.

    One thread for small products, and where the objective splits the rows between threads
    of its own; no limit otherwise.
    """
    small = n_rows * n_networks * max(layer_units) < SMALL_PRODUCT
    if not (small or _worth_splitting(n_rows, max(layer_units[1:]), n_networks)):
        return nullcontext()
    if not _controller:  # inspecting the loaded libraries is slow: do it once
        _controller.append(ThreadpoolController())
    return _controller[0].limit(limits=1, user_api="blas")
