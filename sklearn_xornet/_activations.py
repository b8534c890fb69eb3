"""Activation functions by name, each with its slope written in terms of its output.

As in the article, a layer's derivative is taken from the layer's *output*: the sigmoid's
slope is ``s * (1 - s)`` where ``s`` is what the layer produced, so the backward pass needs
nothing but the values the forward pass kept.

Every function writes into ``out`` (which may be its input) and returns it; every derivative
multiplies a delta in place, using ``scratch`` (an array shaped like the layer) if given
instead of allocating a temporary. Units are on the last axis, samples on the one before it, and
any leading axis stacks independent networks (restarts, ``n_init``).
"""

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
from scipy.special import expit

# Element-wise work on layers this large is split by rows between threads (numpy releases
# the GIL inside its loops); on smaller ones, handing work to threads costs more than it
# saves.
_PARALLEL_ELEMENTS = 1 << 20
_N_THREADS = min(os.cpu_count() or 1, 8)
_pool = []


def in_threads(function, items):
    """``[function(item) for item in items]``, the calls shared between the pool's threads.

    numpy's error state is per thread: each call runs under the caller's. Never call it
    from one of the pool's own threads (it would wait on itself).
    """
    if not _pool:
        _pool.append(ThreadPoolExecutor(_N_THREADS))
    settings = np.geterr()

    def run(item):
        with np.errstate(**settings):
            return function(item)

    return list(_pool[0].map(run, items))


def _by_rows(function):
    """Run ``function(x, out, ...)`` on row blocks in parallel threads."""

    @functools.wraps(function)
    def split(x, out, *rest):
        if x.ndim < 2:
            return function(x, out, *rest)
        bounds = np.linspace(0, x.shape[-2], _N_THREADS + 1).astype(int)
        blocks = [
            [None if a is None else a[..., start:stop, :] for a in (x, out, *rest)]
            for start, stop in pairwise(bounds)
        ]
        in_threads(lambda block: function(*block), blocks)
        return out

    return split


# 1 as a 0-d array per dtype: numpy converts a Python scalar operand on every call, which
# costs more than the arithmetic on a small layer
_ONE = {np.dtype(dtype): np.ones((), dtype) for dtype in (np.float16, np.float32, np.float64)}


def identity(x, out):
    if out is not x:
        np.copyto(out, x)
    return out


def logistic(x, out):
    return expit(x, out=out)


def tanh(x, out):
    return np.tanh(x, out=out)


def tanh_from_exp(x, out):
    """``tanh(x) = 1 - 2 / (exp(2x) + 1)``, for layers of many entries: twice as fast as
    numpy's float64 ``tanh`` here, and within 4.5e-16 of it (absolute; near 0 it keeps
    fewer significant digits, its error never more than two units of 1's last place)."""
    with np.errstate(over="ignore"):  # 2x or exp(2x) = inf where tanh(x) rounds to 1
        np.multiply(x, 2, out=out)
        np.exp(out, out=out)
    out += 1
    np.divide(2, out, out=out)
    np.subtract(1, out, out=out)
    return out


def relu(x, out):
    return np.maximum(x, 0, out=out)


def softmax(x, out):
    # Shifting by the row maximum keeps exp from overflowing; it cancels in the ratio.
    np.subtract(x, x.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def exp(x, out):
    return np.exp(x, out=out)


ACTIVATIONS = {
    "identity": identity,
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
    "softmax": softmax,
    "exp": exp,
}


def identity_derivative(A, delta, scratch=None):
    return delta


def logistic_derivative(A, delta, scratch=None):
    # the article's sigmoid_(x) = x * (1 - x), applied to the layer's output
    one_minus_A = np.subtract(_ONE.get(A.dtype, 1), A, out=scratch)
    delta *= A
    delta *= one_minus_A
    return delta


def tanh_derivative(A, delta, scratch=None):
    slope = np.multiply(A, A, out=scratch)
    np.subtract(_ONE.get(A.dtype, 1), slope, out=slope)
    delta *= slope
    return delta


def relu_derivative(A, delta, scratch=None):
    delta *= A > 0
    return delta


def softmax_derivative(A, delta, scratch=None):
    # Jacobian-vector product of softmax: diag(A) - A A^T, row by row.
    delta -= (delta * A).sum(axis=-1, keepdims=True)
    delta *= A
    return delta


def exp_derivative(A, delta, scratch=None):
    delta *= A
    return delta


DERIVATIVES = {
    "identity": identity_derivative,
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "softmax": softmax_derivative,
    "exp": exp_derivative,
}

HIDDEN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
# element-wise, so any block of rows can be computed apart (softmax needs whole rows)
_ROW_BLOCKS = {"logistic", "tanh", "relu", "exp"}
# from this many entries on, a layer's tanh is computed by tanh_from_exp
_FAST_TANH_ELEMENTS = 1 << 16


def for_layers(table, names, sizes, threads=True):
    """The functions of ``names`` in ``table`` (ACTIVATIONS or DERIVATIVES), one per layer.

    Where a layer has ``_PARALLEL_ELEMENTS`` entries or more, its function runs on row
    blocks in parallel threads (unless ``threads`` is False: the caller is one of those
    threads already); from ``_FAST_TANH_ELEMENTS`` entries on, tanh is
    :func:`tanh_from_exp`. Small layers call numpy directly, so a training run resolves
    its functions once and pays no dispatch per call.
    """
    functions = []
    for name, size in zip(names, sizes, strict=True):
        function = table[name]
        if function is tanh and size >= _FAST_TANH_ELEMENTS:
            function = tanh_from_exp
        if threads and _N_THREADS > 1 and size >= _PARALLEL_ELEMENTS and name in _ROW_BLOCKS:
            function = _by_rows(function)
        functions.append(function)
    return functions
