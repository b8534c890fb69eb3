"""The seam for other array libraries: the array functions the maths calls.

``namespace(*arrays)`` gives the functions for the arrays at hand, and the maths
(``_network``, ``_objective``, ``_activations``, ``_losses``, ``_solvers``) is written once
against them. NumPy arrays and scipy's sparse matrices get :data:`NUMPY`, NumPy's own
functions with its fast path: every function takes ``out=`` and writes in place, and products
take the quickest route for dense, sparse and stacked operands. Any other array that follows
the Array API standard (a torch tensor, a CuPy array; array-api-strict in tests) gets its own
namespace, found as scikit-learn finds it (array-api-compat), wrapped so that the same calls
work: ``out=`` is accepted and ignored, and a new array returned. So the maths always uses
what a call returns.

A device array must never reach sparse code (sparse input stays on NumPy's path) nor
scipy's L-BFGS, which steps a flat NumPy vector on the host: only that vector may cross, at
the edge of ``_lbfgs.train_lbfgs``. This module does not decide *whether* to leave NumPy:
the estimator does.
"""

import operator
from types import SimpleNamespace

import numpy as np
from scipy import sparse

# the functions the maths calls: the Array API standard's names, which NumPy has too
_ELEMENTWISE = (
    "add",
    "divide",
    "exp",
    "expm1",
    "log",
    "logaddexp",
    "multiply",
    "sqrt",
    "square",
    "subtract",
    "tanh",
)
_REDUCTIONS = ("sum", "max")
_OTHERS = ("empty_like", "ones", "ones_like", "reshape", "where", "zeros_like")


def _product(A, B, out=None):
    """``A @ B`` into ``out`` (new when None); ``A`` may be sparse, ``B`` a stack."""
    if type(A) is np.ndarray:
        if A.ndim <= 2 and B.ndim == 2 and (out is None or out.flags.c_contiguous):
            # the method, not np.dot: on small matrices the function's dispatch costs more
            # than the product
            return A.dot(B, out)
        return np.matmul(A, B, out=out)
    if sparse.issparse(A):
        if B.ndim == 3:  # the stack's matrices side by side make one sparse product
            n_stack, rows, cols = B.shape
            wide = A @ B.transpose(1, 0, 2).reshape(rows, n_stack * cols)
            result = np.asarray(wide).reshape(-1, n_stack, cols).transpose(1, 0, 2)
        else:
            result = A @ B
        if out is None:
            return result
        out[...] = result
        return out
    return np.matmul(A, B, out=out)


def _reduction(name):
    """NumPy's reduction ``name`` as a method call: np.sum's dispatch costs more than the
    sum of a small layer."""

    def reduce(a, axis=None, keepdims=False):
        return getattr(a, name)(axis=axis, keepdims=keepdims)

    reduce.__name__ = name
    return reduce


def _concat_into(parts, out):
    """The arrays ``parts``, flattened end to end along the last axis of ``out``."""
    lead = out.shape[:-1]
    return np.concatenate([part.reshape(*lead, -1) for part in parts], axis=-1, out=out)


NUMPY = SimpleNamespace(
    is_numpy=True,
    matmul=_product,
    matrix_transpose=operator.methodcaller("swapaxes", -1, -2),
    concat_into=_concat_into,
    **{name: getattr(np, name) for name in _ELEMENTWISE + _OTHERS},
    **{name: _reduction(name) for name in _REDUCTIONS},
)


def _ignoring_out(function):
    def call(*args, out=None, **kwargs):
        return function(*args, **kwargs)

    call.__name__ = getattr(function, "__name__", "function")
    return call


def _array_api(xp):
    """An Array API namespace behind the calls the maths makes (``out=`` ignored)."""

    def concat_into(parts, out):
        lead = out.shape[:-1]
        return xp.concat([xp.reshape(part, (*lead, -1)) for part in parts], axis=-1)

    return SimpleNamespace(
        is_numpy=False,
        matmul=lambda A, B, out=None: xp.matmul(A, B),
        matrix_transpose=xp.matrix_transpose,
        concat_into=concat_into,
        **{name: _ignoring_out(getattr(xp, name)) for name in _ELEMENTWISE},
        **{name: getattr(xp, name) for name in _OTHERS + _REDUCTIONS},
        xp=xp,
    )


_wrapped = {}


def namespace(*arrays):
    """The array functions for ``arrays`` (None entries ignored): :data:`NUMPY` or a wrap."""
    arrays = [a for a in arrays if a is not None]
    if all(isinstance(a, np.ndarray) or sparse.issparse(a) for a in arrays):
        return NUMPY
    xp = _array_namespace(*arrays)
    if xp not in _wrapped:
        _wrapped[xp] = _array_api(xp)
    return _wrapped[xp]


def _array_namespace(*arrays):
    try:  # scikit-learn's own copy (1.8 on), or the package itself
        from sklearn.externals.array_api_compat import array_namespace
    except ImportError:
        try:
            from array_api_compat import array_namespace
        except ImportError:
            array_namespace = None
    if array_namespace is not None:
        return array_namespace(*arrays)
    namespaces = {a.__array_namespace__() for a in arrays if hasattr(a, "__array_namespace__")}
    if len(namespaces) != 1:
        raise TypeError(
            "Arrays of another library than NumPy need array-api-compat (pip install"
            f" array-api-compat); got {sorted({type(a).__name__ for a in arrays})}."
        )
    return namespaces.pop()
