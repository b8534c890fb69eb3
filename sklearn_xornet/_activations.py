"""Activation functions by name, each with its slope written in terms of its output.

As in the article, a layer's derivative is taken from the layer's *output*: the sigmoid's
slope is ``s * (1 - s)`` where ``s`` is what the layer produced, so the backward pass needs
nothing but the values the forward pass kept.

Each function ``f(x, out, xp=NUMPY)`` returns the activation of ``x``, and each slope
``f(A, delta, scratch=None, xp=NUMPY)`` returns ``delta`` times the slope at the output
``A``; callers use what they return. Each is first written with the array functions of
``xp`` (``_arrays.py``), the formula for every library; on NumPy, the fast path then works
in place, in ``out`` (which may be ``x``), in ``delta`` and in ``scratch``. Units are on the
last axis, samples on the one before it, and any leading axis stacks independent networks
(the restarts of ``n_init``). How large layers are computed (threads, formulas) is
``_parallel``'s policy, applied by :func:`for_layers`; this module holds no threshold.
"""

import functools

import numpy as np
from scipy.special import expit

from . import _parallel
from ._arrays import NUMPY

# 1 as a 0-d array per dtype: numpy converts a Python scalar operand on every call, which
# costs more than the arithmetic on a small layer
_ONE = {np.dtype(dtype): np.ones((), dtype) for dtype in (np.float16, np.float32, np.float64)}


def identity(x, out, xp=NUMPY):
    if not xp.is_numpy or out is x:
        return x
    np.copyto(out, x)
    return out


def logistic(x, out, xp=NUMPY):
    """The article's sigmoid ``1 / (1 + exp(-x))``; exp's overflow gives the limit 0."""
    if not xp.is_numpy:
        return 1 / (1 + xp.exp(-x))
    if x.size < _parallel.FAST_FORMULA_ELEMENTS["logistic"]:
        return expit(x, out=out)  # one call: what a small layer can afford
    with np.errstate(over="ignore"):
        np.negative(x, out=out)
        np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def tanh(x, out, xp=NUMPY):
    return xp.tanh(x, out=out)


def tanh_from_exp(x, out, xp=NUMPY):
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


def relu(x, out, xp=NUMPY):
    if not xp.is_numpy:
        return xp.where(x > 0, x, xp.zeros_like(x))
    return np.maximum(x, 0, out=out)


def softmax(x, out, xp=NUMPY):
    # Shifting by the row maximum keeps exp from overflowing; it cancels in the ratio.
    out = xp.subtract(x, xp.max(x, axis=-1, keepdims=True), out=out)
    out = xp.exp(out, out=out)
    return xp.divide(out, xp.sum(out, axis=-1, keepdims=True), out=out)


def exp(x, out, xp=NUMPY):
    return xp.exp(x, out=out)


ACTIVATIONS = {
    "identity": identity,
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
    "softmax": softmax,
    "exp": exp,
}


def identity_derivative(A, delta, scratch=None, xp=NUMPY):
    return delta


def logistic_derivative(A, delta, scratch=None, xp=NUMPY):
    # the article's sigmoid_(x) = x * (1 - x), applied to the layer's output
    if not xp.is_numpy:
        return delta * A * (1 - A)
    one_minus_A = np.subtract(_ONE.get(A.dtype, 1), A, out=scratch)
    delta *= A
    delta *= one_minus_A
    return delta


def tanh_derivative(A, delta, scratch=None, xp=NUMPY):
    if not xp.is_numpy:
        return delta * (1 - A * A)
    slope = np.multiply(A, A, out=scratch)
    np.subtract(_ONE.get(A.dtype, 1), slope, out=slope)
    delta *= slope
    return delta


def relu_derivative(A, delta, scratch=None, xp=NUMPY):
    if not xp.is_numpy:
        return xp.where(A > 0, delta, xp.zeros_like(delta))
    delta *= A > 0
    return delta


def softmax_derivative(A, delta, scratch=None, xp=NUMPY):
    # Jacobian-vector product of softmax, row by row: (delta - <delta, A>) * A
    if not xp.is_numpy:
        return (delta - xp.sum(delta * A, axis=-1, keepdims=True)) * A
    delta -= (delta * A).sum(axis=-1, keepdims=True)
    delta *= A
    return delta


def exp_derivative(A, delta, scratch=None, xp=NUMPY):
    return xp.multiply(delta, A, out=delta)


DERIVATIVES = {
    "identity": identity_derivative,
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "softmax": softmax_derivative,
    "exp": exp_derivative,
}

# functions whose NumPy path is one ufunc call on small layers: f(x, out)
_UFUNCS = {logistic: expit, tanh: np.tanh, exp: np.exp}

HIDDEN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
# element-wise, so any block of rows can be computed apart (softmax needs whole rows)
_ROW_BLOCKS = {"logistic", "tanh", "relu", "exp"}


def for_layers(table, names, sizes, threads=True, xp=NUMPY):
    """The functions of ``names`` in ``table`` (ACTIVATIONS or DERIVATIVES), one per layer.

    Resolved once per training run, so that a small layer calls its function directly and
    pays no dispatch per call. On NumPy, ``_parallel``'s policy applies: a layer of many
    entries computes tanh from exp, and runs its function on row blocks in parallel threads
    (unless ``threads`` is False: the caller is one of those threads already). Another
    library's functions get its namespace.
    """
    if not xp.is_numpy:
        return [functools.partial(table[name], xp=xp) for name in names]
    fast = _parallel.FAST_FORMULA_ELEMENTS
    functions = []
    for name, size in zip(names, sizes, strict=True):
        function = table[name]
        if size < fast["logistic"]:
            # a small layer calls the ufunc itself: no Python frame of ours in between
            function = _UFUNCS.get(function, function)
        elif function is tanh and size >= fast["tanh"]:
            function = tanh_from_exp
        if threads and name in _ROW_BLOCKS and _parallel.splits_layer(size):
            function = _parallel.by_rows(function)
        functions.append(function)
    return functions
