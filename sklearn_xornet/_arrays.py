"""The seam for other array libraries: one namespace of array functions, and the door.

``namespace(*arrays)`` gives the functions for the arrays at hand: :data:`NUMPY` for NumPy
arrays and scipy's sparse matrices, or a wrap of another library's Array API namespace (a
torch tensor's, a CuPy array's; array-api-strict's in tests), found as scikit-learn finds
it. Both answer the same calls, so the maths (``_network``, ``_objective``, ``_activations``,
``_losses``, ``_solvers``) is written once against them:

- the Array API standard's functions the library calls, by their standard names (NumPy's
  through scikit-learn's standard-compatible NumPy namespace);
- the maths' element-wise calls and products, which take ``out=`` as a buffer *hint*:
  NumPy writes into the buffer it is given, another library returns a new array, so the
  maths always uses what a call returns; Python numbers are accepted as operands;
- what a hint means where it matters: ``buffer`` allocates one on NumPy and gives None
  ('no buffer') elsewhere; ``gather_into`` collects the parts of a flat vector into it
  (None: NumPy wrote them there, into the views it was given); ``stacked`` shapes one
  value per network into a buffer; ``one(dtype)`` is 1 (``scalar`` any number) as the
  fastest operand; ``host_values`` reads one value per network from the device (once an
  epoch) as a tuple of floats.

NumPy's fast path lives here, named, and in ``_parallel`` (threads, sizes): products that
take the quickest route for dense, sparse and stacked operands (:func:`product_for`), a stack
of one network computed as that network (:func:`unstacked`), reductions called as methods,
the layers' functions chosen by ``_parallel``'s policy, the predict shortcut
(:func:`plain_rows`). Nothing outside this module and ``_parallel`` asks which library it has.

The door: where a fit's inputs live (:func:`input_namespace`), moving arrays (:func:`move`,
:func:`to_numpy`, :func:`like`), and the error when a fitted model meets arrays from
elsewhere (:func:`same_place`). A device array never reaches sparse code nor scipy's L-BFGS,
which steps a flat NumPy vector on the host: only that vector crosses (``_lbfgs``).
"""

import operator
from functools import partial
from types import SimpleNamespace

import numpy as np
import sklearn
from scipy import sparse


def make_namespace(standard, **calls):
    """Array functions: the maths' ``calls``, and the standard's functions the library
    calls by name, taken from the namespace ``standard``. Every one is an attribute of its
    own: a class with a fallback (``__getattr__``) would slow every lookup down."""
    names = {name: getattr(standard, name) for name in _STANDARD}
    return SimpleNamespace(standard=standard, **names, **calls)


# the element-wise functions the maths calls, by the standard's names (NumPy's too)
_UNARY = (
    "abs",
    "exp",
    "expm1",
    "isfinite",
    "isnan",
    "log",
    "negative",
    "sign",
    "sqrt",
    "square",
    "tanh",
)
# NumPy's reciprocal is 1 / x, its loop faster than divide's with a number; elsewhere 1 / x
_BINARY = ("add", "divide", "logaddexp", "maximum", "multiply", "subtract")
_REDUCTIONS = ("sum", "max", "all", "any")
_OTHERS = ("finfo", "ones_like", "reshape", "where", "zeros_like")
# the standard's functions called by name, taken as they are
_STANDARD = ("argmax", "asarray", "astype", "bool", "concat", "int64", "min", "ones", "take")


# -- NumPy's fast path -----------------------------------------------------------------------


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


def _numpy_product_for(X, params):
    """The product for a run on ``X`` with ``params``: dense operands need none of the
    general product's dispatch (``ndarray.dot`` for one network's matrices, ``matmul`` for
    a stack's); sparse ``X`` needs it."""
    if type(X) is not np.ndarray:
        return _product
    return np.ndarray.dot if params.ndim == 1 else np.matmul


def _half_sum_of_squares(Y, raw, Z, E):
    """The squared error's total on a batch, from the error ``E`` alone: per network, half
    the sum of the squares of ``E`` over its last two axes; one network's from a single
    product of its flat self (BLAS's dot), a stack's square by square."""
    if E.ndim == 2:
        flat = E.reshape(-1)  # a view: the buffers are contiguous
        return 0.5 * flat.dot(flat)
    return 0.5 * np.square(E).sum(axis=(-2, -1))


def _numpy_stacked(value, shape, out):
    """``value`` (one per network, as the maths computed it) shaped as the stack, in the
    buffer ``out``: a third of np.reshape's cost on a lone network's scalar."""
    out[...] = value
    return out


def _numpy_host_values(value):
    """One value per network (a NumPy scalar for a lone network, else an array) as a tuple
    of floats (a scalar's own tolist() costs more: it looks itself up by name)."""
    return tuple(value.tolist()) if value.ndim else (float(value),)


# numpy converts a Python number operand on every call, which costs more than the arithmetic
# on a small layer: 1 is a 0-d array of each float dtype
_ONE = {np.dtype(dtype): np.ones((), dtype) for dtype in (np.float16, np.float32, np.float64)}


def _numpy_standard():
    """scikit-learn's standard-compatible NumPy namespace (``astype``, ``concat``, ...)."""
    from sklearn.utils._array_api import get_namespace

    return get_namespace()[0]


NUMPY = make_namespace(
    standard=_numpy_standard(),
    is_numpy=True,
    matmul=_product,
    product_for=_numpy_product_for,
    matrix_transpose=operator.methodcaller("swapaxes", -1, -2),
    half_sum_of_squares=_half_sum_of_squares,
    stacked=_numpy_stacked,
    clip=np.clip,
    buffer=np.empty,
    one=_ONE.__getitem__,
    scalar=lambda value, dtype: np.array(value, dtype),
    gather_into=None,  # nothing to gather: NumPy's parts are out's views, written in place
    take_rows=lambda A, rows: A[rows],
    host_values=_numpy_host_values,
    layer_function=None,  # _parallel's policy, set below
    reciprocal=np.reciprocal,
    **{name: getattr(np, name) for name in _UNARY + _BINARY + _OTHERS},
    # the reductions as the array's methods: np.sum's dispatch costs more than the sum of
    # a small layer
    **{name: getattr(np.ndarray, name) for name in _REDUCTIONS},
)


# -- another library's namespace ---------------------------------------------------------------


def _array_api(xp):
    """An Array API namespace behind the calls the maths makes: ``out=`` is ignored and a
    new array returned; arithmetic goes through the operators, which take Python numbers."""

    def unary(function):
        return lambda a, out=None: function(a)

    def binary(function):
        return lambda a, b, out=None: function(a, b)

    wrap = make_namespace(
        standard=xp,
        is_numpy=False,
        add=binary(operator.add),
        subtract=binary(operator.sub),
        multiply=partial(_multiply, xp=xp),
        divide=binary(operator.truediv),
        logaddexp=binary(xp.logaddexp),
        maximum=partial(_maximum, xp=xp),
        matmul=lambda A, B, out=None: xp.matmul(A, B),
        clip=lambda a, low, high, out=None: xp.clip(a, low, high),
        matrix_transpose=xp.matrix_transpose,
        half_sum_of_squares=lambda Y, raw, Z, E: 0.5 * xp.sum(xp.square(E), axis=(-2, -1)),
        stacked=lambda value, shape, out: xp.reshape(value, shape),
        buffer=lambda shape, dtype: None,
        one=lambda dtype: 1,
        scalar=lambda value, dtype: value,
        gather_into=partial(_gather_into, xp=xp),
        take_rows=partial(_take_rows, xp=xp),
        host_values=lambda values: tuple(to_numpy(xp.reshape(values, (-1,))).tolist()),
        **{name: unary(getattr(xp, name)) for name in _UNARY if name != "negative"},
        negative=unary(operator.neg),
        reciprocal=lambda a, out=None: 1 / a,
        **{name: getattr(xp, name) for name in _REDUCTIONS + _OTHERS},
    )
    wrap.product_for = lambda X, params: wrap.matmul
    wrap.layer_function = lambda function, size, threads: partial(function, xp=wrap)
    return wrap


def _multiply(a, b, out=None, *, xp):
    if getattr(b, "dtype", None) == xp.bool:  # a mask, taken as NumPy takes it: 0 or 1
        return xp.where(b, a, xp.zeros_like(a))
    return a * b


def _maximum(a, b, out=None, *, xp):
    if not hasattr(b, "shape"):  # a number, as an array beside a
        b = xp.asarray(b, dtype=a.dtype, device=a.device)
    return xp.maximum(a, b)


def _take_rows(A, rows, *, xp):
    return A[rows] if isinstance(rows, slice) else xp.take(A, rows, axis=0)


def _gather_into(parts, out, *, xp):
    """The parts of a flat vector (lists of new arrays), written into ``out`` once."""
    lead = tuple(out.shape[:-1])
    flat = [xp.reshape(part, (*lead, -1)) for group in parts for part in group]
    out[...] = xp.concat(flat, axis=-1)
    return out


_wrapped = {}


def namespace(*arrays):
    """The array functions for ``arrays`` (None entries ignored): :data:`NUMPY` or a wrap."""
    for a in arrays:
        if not (a is None or isinstance(a, (np.ndarray, np.generic)) or sparse.issparse(a)):
            break
    else:
        return NUMPY
    xp = _array_namespace(*[a for a in arrays if a is not None])
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


def unstacked(params):
    """``params`` as the maths computes them: a stack of one network as that network alone
    (a view), whose matrices are 2-D; a larger stack as it is.

    The maths takes any leading axes, so this changes no result, only the products: a lone
    network's 2-D ones are the plain matrix product (``ndarray.dot`` on NumPy, a third of
    the stacked product's cost on the article's small matrices), and round as they did
    before stacks existed.
    """
    return params[0, ...] if params.shape[:-1] == (1,) else params


def plain_rows(X, model_array, n_features):
    """NumPy's shortcut for prediction: whether ``X`` is a finite float matrix of the right
    width for a model fitted on NumPy arrays, which scikit-learn's validation would return
    unchanged (only its finiteness check costs less than the whole of it on one row)."""
    return (
        type(X) is np.ndarray
        and type(model_array) is np.ndarray
        and X.ndim == 2
        and X.dtype in (np.float64, np.float32)
        and X.shape[1] == n_features
        and X.shape[0] > 0
        and np.isfinite(X).all()
    )


# -- the door: where inputs live, and moving arrays there --------------------------------------

# scikit-learn 1.9 moves arrays and estimators between namespaces and devices (move_to,
# move_estimator_to); training on another library's arrays relies on them. The estimators
# declare array_api_support from it: tested on array-api-strict and torch's CPU build, not
# yet run on a CUDA GPU or with CuPy
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


def is_foreign(array):
    """Whether ``array`` is another library's array (a torch tensor, a CuPy array; not
    NumPy's, a sparse matrix, a list or a DataFrame): one that must be moved before NumPy
    code reads it."""
    return (
        array is not None
        and not isinstance(array, np.ndarray)
        and not sparse.issparse(array)
        and (hasattr(array, "__array_namespace__") or hasattr(array, "__dlpack__"))
    )


def move(*arrays, xp, device):
    """``arrays`` in namespace ``xp`` on ``device`` (None entries kept), as scikit-learn's
    ``move_to``; ``xp=None`` is NumPy on the host."""
    if xp is None:
        return tuple(None if a is None else to_numpy(a) for a in arrays)
    from sklearn.utils._array_api import move_to

    moved = move_to(*arrays, xp=xp, device=device)
    return moved if len(arrays) > 1 else (moved,)


def to_numpy(array):
    """``array`` as a NumPy array on the host (a NumPy array as it is)."""
    if isinstance(array, np.ndarray):
        return array
    if isinstance(array, (np.generic, bool, int, float)) or not DEVICES:
        return np.asarray(array)  # NumPy's scalars; before scikit-learn 1.9, CPU arrays
    from sklearn.utils._array_api import move_to

    return move_to(array, xp=np, device="cpu")


def copy(array):
    """A copy of ``array``, in its own namespace and on its device."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return _array_namespace(array).asarray(array, copy=True)


def assign(target, index, values):
    """``target[index] = values``, ``values`` (NumPy, from the host) moved to ``target``."""
    if not on_host(target):
        xp = _array_namespace(target)
        values = xp.asarray(values, dtype=target.dtype, device=target.device)
    target[index] = values


def float_dtypes(xp, device):
    """The float dtypes a fit trains in, best first: float64 and float32 where ``xp`` has
    them on ``device`` (NumPy's for ``xp=None``). Other floats (float16) are converted to
    the first, as NumPy input is."""
    if xp is None:
        return (np.float64, np.float32)
    from sklearn.utils._array_api import supported_float_dtypes

    dtypes = supported_float_dtypes(xp, device)
    return tuple(d for d in dtypes if host_dtype(d) in (np.float64, np.float32))


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
    """``host_array`` (NumPy) in the namespace and on the device of ``reference``; floats
    of a precision the device lacks (array-api-strict's float16, float64 on some GPUs) in
    its best one."""
    if on_host(reference):
        return host_array
    xp, device = _array_namespace(reference), reference.device
    if host_array.dtype.kind == "f":
        floats = _floats(xp, device)
        if host_array.dtype not in floats:
            host_array = host_array.astype(floats[0])
    return xp.asarray(host_array, device=device)


_FLOATS = {}


def _floats(xp, device):
    """The float dtypes ``xp`` has on ``device``, best first, as NumPy's."""
    key = (xp, str(device))
    if key not in _FLOATS:
        from sklearn.utils._array_api import supported_float_dtypes

        _FLOATS[key] = [host_dtype(d) for d in supported_float_dtypes(xp, device)]
    return _FLOATS[key]


def where_name(array):
    """The namespace and device of ``array`` (any array-like), in words."""
    if not is_foreign(array):
        return "NumPy arrays"
    library = _array_namespace(array).__name__.rsplit(".", 1)[-1]  # not array-api-compat's
    return f"{library} arrays on device {array.device}"


def same_place(X, reference, what):
    """scikit-learn's namespace error (its ``check_same_namespace``, whether dispatch is on
    or off) unless ``X`` would be worked on where the fitted array ``reference`` lives;
    ``what`` names the call (``'TinyMLPClassifier.predict()'``).

    ``X`` may be any array-like, checked or not, and is placed as :func:`input_namespace`
    places it: outside ``array_api_dispatch`` everything is NumPy's (scikit-learn converts
    what it can), inside it another library's array is its library's, on its device.
    """
    xp, device = input_namespace(X)
    numpy_ref = isinstance(reference, np.ndarray)
    if xp is None and numpy_ref:
        return
    if (
        xp is None
        or numpy_ref
        or xp is not _array_namespace(reference)
        or device != reference.device
    ):
        raise ValueError(
            f"Inputs passed to {what} must use the same namespace and the same device as"
            f" those passed to fit(): the model was fitted on {where_name(reference)}, the"
            f" input is {where_name(X)}. Pass arrays of the same library and device inside"
            " sklearn.config_context(array_api_dispatch=True), or use model.to_numpy() for"
            " a copy that works on NumPy arrays."
        )


# NumPy's layers follow _parallel's policy, which knows the activations, which import this
# module: it is imported last
from . import _parallel  # noqa: E402

NUMPY.layer_function = _parallel.layer_function
