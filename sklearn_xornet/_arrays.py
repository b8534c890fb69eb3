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
import sklearn
from scipy import sparse

# the functions the maths calls: the Array API standard's names, which NumPy has too
_ELEMENTWISE = (
    "abs",
    "add",
    "divide",
    "exp",
    "expm1",
    "isfinite",
    "log",
    "logaddexp",
    "multiply",
    "sign",
    "sqrt",
    "square",
    "subtract",
    "tanh",
)
_REDUCTIONS = ("sum", "max", "all", "any")
_OTHERS = ("empty_like", "finfo", "ones", "ones_like", "reshape", "where", "zeros_like")


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


# -- for the estimator: where its inputs live, and moving arrays there ---------------------

# scikit-learn 1.9 moves arrays and estimators between namespaces and devices (move_to,
# move_estimator_to); training on another library's arrays relies on them
DEVICES = tuple(int(part) for part in sklearn.__version__.split(".")[:2]) >= (1, 9)


def input_namespace(X):
    """Where a fit or a prediction on ``X`` works: ``(xp, device)``, or ``(None, None)``.

    scikit-learn decides, as for its own estimators: another library's arrays stay in it
    only inside ``sklearn.config_context(array_api_dispatch=True)``, and ``xp`` is then
    their standard namespace. Anything else (NumPy, sparse, lists, dispatch off) is NumPy's.
    """
    from sklearn.utils._array_api import _is_numpy_namespace, get_namespace_and_device

    xp, _, device = get_namespace_and_device(X)
    if _is_numpy_namespace(xp):
        return None, None
    if not DEVICES:
        raise ValueError(
            f"Training on {type(X).__name__} arrays needs scikit-learn 1.9 or later (this"
            f" is {sklearn.__version__}); pass NumPy arrays, or upgrade scikit-learn."
        )
    return xp, device


def move(*arrays, xp, device):
    """``arrays`` in namespace ``xp`` on ``device`` (None entries kept), as scikit-learn's
    ``move_to``: ``y`` and ``sample_weight`` follow ``X``."""
    from sklearn.utils._array_api import move_to

    moved = move_to(*arrays, xp=xp, device=device)
    return moved if len(arrays) > 1 else (moved,)


def to_numpy(array):
    """``array`` as a NumPy array on the host (a NumPy array as it is)."""
    if isinstance(array, np.ndarray):
        return array
    if isinstance(array, (np.generic, bool, int, float)) or not DEVICES:
        return np.asarray(array)  # NumPy's scalars; before scikit-learn 1.9, CPU arrays
    return move(array, xp=np, device="cpu")[0]


def copy(array):
    """A copy of ``array``, in its own namespace and on its device."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return _array_namespace(array).asarray(array, copy=True)


def assign(target, index, values):
    """``target[index] = values``, ``values`` (NumPy, from the host) moved to ``target``."""
    if not isinstance(target, np.ndarray):
        xp = _array_namespace(target)
        values = xp.asarray(values, dtype=target.dtype, device=target.device)
    target[index] = values


def float_dtypes(xp, device):
    """The float dtypes a fit takes, best first: NumPy's, or those ``xp`` has on ``device``."""
    if xp is None:
        return (np.float64, np.float32)
    from sklearn.utils._array_api import supported_float_dtypes

    return tuple(supported_float_dtypes(xp, device))


def host_dtype(dtype):
    """The NumPy dtype of the same name as ``dtype`` (torch's float32 is NumPy's float32)."""
    return np.dtype(str(dtype).rsplit(".", 1)[-1])


def dtype_name(array):
    return host_dtype(array.dtype).name


def is_float(array):
    """Whether ``array`` holds real floating-point numbers."""
    return host_dtype(array.dtype).kind == "f"


def on_host(array):
    """Whether ``array`` is NumPy's (dense or sparse): the fast path's, on the host."""
    return isinstance(array, np.ndarray) or sparse.issparse(array)


def like(reference, host_array):
    """``host_array`` (NumPy) in the namespace and on the device of ``reference``."""
    if on_host(reference):
        return host_array
    xp = _array_namespace(reference)
    return xp.asarray(host_array, device=reference.device)


def where_name(array):
    """The namespace and device of ``array``, in words."""
    if on_host(array):
        return "NumPy arrays"
    return f"{_array_namespace(array).__name__} arrays on device {array.device}"


def same_place(X, reference, what):
    """A clear error unless ``X`` lives where the fitted array ``reference`` does; ``what``
    names the call (``'TinyMLPClassifier.predict() on'``)."""
    numpy_X = on_host(X)
    numpy_ref = isinstance(reference, np.ndarray)
    if numpy_X and numpy_ref:
        return
    if (
        numpy_X != numpy_ref
        or _array_namespace(X) is not _array_namespace(reference)
        or X.device != reference.device
    ):
        raise ValueError(
            f"Inputs passed to {what} must use the same namespace and the same device as"
            f" those passed to fit(): the model was fitted on {where_name(reference)}, the"
            f" input is {where_name(X)}. Pass arrays of the same library and device inside"
            " sklearn.config_context(array_api_dispatch=True), or use model.to_numpy() for"
            " a copy that works on NumPy arrays."
        )
