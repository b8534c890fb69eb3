"""Activation functions by name, each with its slope.

As in the article, a layer's derivative is taken from the layer's *output* where it can be:
the sigmoid's slope is ``s * (1 - s)`` where ``s`` is what the layer produced, so the
backward pass needs nothing but the values the forward pass kept. An activation whose slope
the output does not determine (silu and gelu are not monotonic; a user's pair of functions
gives its derivative in the input) says so in its definition, :class:`Activation`'s
``slope_reads_input``, and the forward pass keeps that layer's pre-activation for it: the
backward pass treats every layer alike.

Each function ``f(x, out, xp=NUMPY)`` returns the activation of ``x``, and each slope
``f(S, delta, scratch=None, xp=NUMPY)`` returns ``delta`` times the slope at ``S``, the
layer's output (or its pre-activation, see above); callers use what they return. Each is
written once with the array functions of ``xp`` (``_arrays.py``), whose ``out=`` is a hint:
on NumPy the article's activations work in place, in ``out`` (which may be ``x``), in
``delta`` and in ``scratch``; another library returns new arrays. A slope may scale
``delta`` in place (``*=``), on any library: it is the backward pass's own array. The
modern activations return new arrays everywhere. Units are on the last axis, samples on the
one before it, and any leading axis stacks independent networks (the restarts of
``n_init``). Which version of a function a layer of a given size uses on NumPy (a ufunc,
another formula, threads) is ``_parallel``'s policy; this module holds no threshold.
"""

import functools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._arrays import NUMPY


def identity(x, out, xp=NUMPY):
    return x


def logistic(x, out, xp=NUMPY):
    """The article's sigmoid ``1 / (1 + exp(-x))``; exp's overflow gives the limit 0."""
    with np.errstate(over="ignore"):
        out = xp.negative(x, out=out)
        out = xp.exp(out, out=out)
    out = xp.add(out, 1, out=out)
    return xp.reciprocal(out, out=out)


def tanh(x, out, xp=NUMPY):
    return xp.tanh(x, out=out)


def tanh_from_exp(x, out, xp=NUMPY):
    """``tanh(x) = 1 - 2 / (exp(2x) + 1)``, for layers of many entries: twice as fast as
    numpy's float64 ``tanh`` here, and within 4.5e-16 of it (absolute; near 0 it keeps
    fewer significant digits, its error never more than two units of 1's last place)."""
    with np.errstate(over="ignore"):  # 2x or exp(2x) = inf where tanh(x) rounds to 1
        out = xp.multiply(x, 2, out=out)
        out = xp.exp(out, out=out)
    out = xp.add(out, 1, out=out)
    out = xp.divide(2, out, out=out)
    return xp.subtract(1, out, out=out)


def relu(x, out, xp=NUMPY):
    return xp.maximum(x, 0, out=out)


def softmax(x, out, xp=NUMPY):
    # Shifting by the row maximum keeps exp from overflowing; it cancels in the ratio.
    out = xp.subtract(x, xp.max(x, axis=-1, keepdims=True), out=out)
    out = xp.exp(out, out=out)
    return xp.divide(out, xp.sum(out, axis=-1, keepdims=True), out=out)


def exp(x, out, xp=NUMPY):
    return xp.exp(x, out=out)


def identity_derivative(A, delta, scratch=None, xp=NUMPY):
    return delta


def logistic_derivative(A, delta, scratch=None, xp=NUMPY):
    # the article's sigmoid_(x) = x * (1 - x), applied to the layer's output
    one_minus_A = xp.subtract(xp.one(A.dtype), A, out=scratch)
    delta *= A
    delta *= one_minus_A
    return delta


def tanh_derivative(A, delta, scratch=None, xp=NUMPY):
    slope = xp.multiply(A, A, out=scratch)
    slope = xp.subtract(xp.one(A.dtype), slope, out=slope)
    delta *= slope
    return delta


def relu_derivative(A, delta, scratch=None, xp=NUMPY):
    return xp.multiply(delta, A > 0, out=delta)  # times a mask: 0 where the unit is off


def softmax_derivative(A, delta, scratch=None, xp=NUMPY):
    # Jacobian-vector product of softmax, row by row: (delta - <delta, A>) * A
    inner = xp.sum(xp.multiply(delta, A), axis=-1, keepdims=True)
    delta = xp.subtract(delta, inner, out=delta)
    return xp.multiply(delta, A, out=delta)


def exp_derivative(A, delta, scratch=None, xp=NUMPY):
    return xp.multiply(delta, A, out=delta)


# -- the modern activations: written once with ``xp``'s functions (NumPy's included), they
# return new arrays and leave their input as it was, which a slope that reads the
# pre-activation needs

LEAKY_RELU_SLOPE = 0.01  # torch's default negative slope
GELU_SCALE = (2 / np.pi) ** 0.5  # the tanh form of gelu: sqrt(2 / pi) (x + 0.044715 x^3)
GELU_CUBIC = 0.044715


def leaky_relu(x, out, xp=NUMPY):
    return xp.where(x > 0, x, LEAKY_RELU_SLOPE * x)


def leaky_relu_derivative(A, delta, scratch=None, xp=NUMPY):
    return xp.where(A > 0, delta, LEAKY_RELU_SLOPE * delta)  # A has the sign of x


def elu(x, out, xp=NUMPY):
    # exp(x) - 1 below 0 (alpha = 1); the branch not taken gets 0, so it never overflows
    return xp.where(x > 0, x, xp.expm1(xp.where(x > 0, xp.zeros_like(x), x)))


def elu_derivative(A, delta, scratch=None, xp=NUMPY):
    return xp.where(A > 0, delta, delta * (A + 1))  # exp(x) = A + 1 below 0


def softplus(x, out, xp=NUMPY):
    return xp.logaddexp(xp.zeros_like(x), x)  # log(1 + exp(x)), never overflowing


def softplus_derivative(A, delta, scratch=None, xp=NUMPY):
    # the slope is expit(x) = 1 - exp(-A); expm1 keeps it exact where A is tiny
    return -delta * xp.expm1(-A)


def _sigmoid(x, xp):
    return 1 / (1 + xp.exp(-x))  # exp's overflow far below 0 gives the limit 0


def silu(x, out, xp=NUMPY):
    return x * _sigmoid(x, xp)


def silu_derivative(x, delta, scratch=None, xp=NUMPY):
    # read at the pre-activation x: silu is not monotonic, its output does not give x
    s = _sigmoid(x, xp)
    return delta * (s * (1 + x * (1 - s)))


def _gelu_tanh(x, xp):
    return xp.tanh(GELU_SCALE * (x + GELU_CUBIC * (x * x * x)))


def gelu(x, out, xp=NUMPY):
    """gelu in its tanh form, ``x / 2 (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))``."""
    return 0.5 * x * (1 + _gelu_tanh(x, xp))


def gelu_derivative(x, delta, scratch=None, xp=NUMPY):
    t = _gelu_tanh(x, xp)
    # past |x| = 20 the second term is 0 to the last bit (t = +-1); computed there with
    # x = 0, the cube of a huge x cannot make it 0 * inf
    small = xp.where(xp.abs(x) < 20, x, xp.zeros_like(x))
    inner = GELU_SCALE * (1 + 3 * GELU_CUBIC * small * small)
    return delta * (0.5 * (1 + t) + 0.5 * small * (1 - t * t) * inner)


def _unbounded(bound, limit):
    return np.full_like(bound, np.inf)  # nothing is known of the output


def _within_input(bound, limit):
    return bound  # |f(x)| <= |x|


def _saturating(bound, limit):
    # at most 1 in size; past the limit, inf - inf in the product could still make a NaN
    return np.where(bound < limit, 1.0, bound)


def _within_input_plus_log_2(bound, limit):
    return bound + np.log(2.0)  # softplus(x) <= |x| + log 2


@dataclass(frozen=True)
class Activation:
    """An activation function and its slope (see the module's docstring).

    ``slope_reads_input``: whether the slope is read at the layer's pre-activation (False:
    at its output, as in the article), so that the forward pass keeps it.
    ``magnitude(bound, limit)``: from a bound on ``|x|``, one on ``|f(x)|`` (arrays of
    bounds, on the host), with which the training outputs are shown finite without a
    forward pass (``_stopping.outputs_cannot_overflow``, whose ``limit`` is the largest
    pre-activation it trusts the arithmetic below); infinite where nothing is known.
    ``name``: what a fitted model records of an output activation built with parameters
    (``out_activation_``), from which it is built again.
    """

    function: Callable
    slope: Callable
    slope_reads_input: bool = False
    magnitude: Callable = _unbounded
    name: str | None = None


ACTIVATIONS = {
    "identity": Activation(identity, identity_derivative, magnitude=_within_input),
    "logistic": Activation(logistic, logistic_derivative, magnitude=_saturating),
    "tanh": Activation(tanh, tanh_derivative, magnitude=_saturating),
    "relu": Activation(relu, relu_derivative, magnitude=_within_input),
    "leaky_relu": Activation(leaky_relu, leaky_relu_derivative, magnitude=_within_input),
    "elu": Activation(elu, elu_derivative, magnitude=_within_input),  # 1 - e^x <= -x
    "gelu": Activation(gelu, gelu_derivative, True, _within_input),  # x times 0 to 1
    "silu": Activation(silu, silu_derivative, True, _within_input),  # x times 0 to 1
    "softplus": Activation(softplus, softplus_derivative, magnitude=_within_input_plus_log_2),
    "softmax": Activation(softmax, softmax_derivative, magnitude=_saturating),
    "exp": Activation(exp, exp_derivative),
}


def magnitude(activation, bound, limit):
    """A bound on the output of ``activation`` (a name, or an :class:`Activation`) from
    one on its input; see :class:`Activation`."""
    found = ACTIVATIONS[activation] if type(activation) is str else activation
    return found.magnitude(bound, limit)


def slope_reads_input(activation):
    """Whether the slope of ``activation`` (a name, or an :class:`Activation`) is read at
    the layer's pre-activation."""
    return (ACTIVATIONS[activation] if type(activation) is str else activation).slope_reads_input


HIDDEN_ACTIVATIONS = (
    "identity",
    "logistic",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "softplus",
)
# -- several quantiles' ordered output ------------------------------------------------------


def ordered_quantiles(n_quantiles):
    """The output of a network that predicts ``n_quantiles`` increasing quantiles of each
    target: its units, ``n_quantiles`` per target, become each target's lowest quantile and
    the softplus of the steps to the next ones, summed (``q_1 = r_1``, ``q_j = q_(j-1) +
    softplus(r_j)``), so that the quantiles never cross. Its slope is read at the output
    (a step's sigmoid is ``1 - exp(-(q_j - q_(j-1)))``)."""
    function = functools.partial(_ordered, n_quantiles=n_quantiles)
    slope = functools.partial(_ordered_derivative, n_quantiles=n_quantiles)
    magnitude = functools.partial(_ordered_magnitude, n_quantiles=n_quantiles)
    return Activation(function, slope, magnitude=magnitude, name="ordered_quantiles")


def _by_target(x, n_quantiles, xp):
    """``x`` with its last axis split into targets and their quantiles."""
    return xp.reshape(x, (*x.shape[:-1], x.shape[-1] // n_quantiles, n_quantiles))


def _cumulative(n_quantiles, like, xp):
    """The upper-triangular matrix of ones whose product sums the steps, and the mask of the
    steps (every quantile but the first), in the dtype and on the device of ``like``."""
    sums = np.triu(np.ones((n_quantiles, n_quantiles)))
    steps = np.arange(n_quantiles) > 0
    device = getattr(like, "device", None)  # NumPy before 2.0 has none
    return xp.asarray(sums, dtype=like.dtype, device=device), xp.asarray(steps, device=device)


def _ordered(x, out, xp=NUMPY, *, n_quantiles):
    sums, steps = _cumulative(n_quantiles, x, xp)
    r = _by_target(x, n_quantiles, xp)
    s = xp.where(steps, softplus(r, None, xp), r)  # the lowest quantile, then the steps
    return xp.reshape(xp.matmul(s, sums), x.shape)


def _ordered_derivative(Z, delta, scratch=None, xp=NUMPY, *, n_quantiles):
    # through the sums: each step moves every quantile above it (dL/ds = dL/dq . U^T);
    # through the softplus: its slope, from the steps between the outputs
    sums, steps = _cumulative(n_quantiles, Z, xp)
    q = _by_target(Z, n_quantiles, xp)
    below = xp.concat([q[..., :1], q[..., :-1]], axis=-1)
    slope = xp.where(steps, -xp.expm1(below - q), xp.ones_like(q))
    through_sums = xp.matmul(_by_target(delta, n_quantiles, xp), xp.matrix_transpose(sums))
    return xp.reshape(through_sums * slope, Z.shape)


def _ordered_magnitude(bound, limit, *, n_quantiles):
    return n_quantiles * (bound + np.log(2))  # |r_1| + the softplus of the others


# -- a user's activation -----------------------------------------------------------------

# where a user's derivative is checked: spread over [-3, 3], none at 0 (relu's kink)
_CHECK_POINTS = np.array([-2.9, -1.7, -0.9, -0.35, -0.04, 0.07, 0.4, 1.1, 1.9, 2.8])


def user_activation(pair, dtype=None, watch_nan=True):
    """The :class:`Activation` of a user's ``(function, derivative)`` pair.

    Both take an array of pre-activations (the library's in use) and return an array of the
    same shape, which the layer takes in its own dtype (a pair may compute in float64 on
    float32 data, or return integers). With ``dtype``, the training's, the pair is checked
    first (see :func:`check_user_pair`); prediction takes the pair as fit checked it.
    ``watch_nan`` makes a NaN the functions return for a finite input an error that names
    them: training would otherwise stop on a non-finite loss without saying why (prediction
    looks only once its output is not finite). Their floating-point warnings are off, as
    the built-in activations' are: ``fit`` and prediction run under ``np.errstate``, and
    ``np.where(x > 0, np.sqrt(x), 0)`` computes every square root.
    """
    function, derivative = pair
    if dtype is not None:
        check_user_pair(function, derivative, dtype)
    try:
        return _user_layer(function, derivative, watch_nan)
    except TypeError:  # an unhashable callable
        return _user_layer.__wrapped__(function, derivative, watch_nan)


@functools.lru_cache(maxsize=64)
def _user_layer(function, derivative, watch_nan):
    """The activation of a pair, built once: prediction asks for it on every call."""
    watch = _raise_if_nan if watch_nan else None

    def apply(x, out, xp=NUMPY):
        return _as_layer(function(x), x, function, xp, watch)

    def slope_at(x, delta, scratch=None, xp=NUMPY):
        return delta * _as_layer(derivative(x), x, derivative, xp, watch)

    return Activation(apply, slope_at, slope_reads_input=True)


def _as_layer(value, x, function, xp, watch):
    """What the user's ``function`` returned for ``x``, as an array of ``x``'s dtype; an
    error that names the function where it is not of ``x``'s shape, or where ``watch``
    finds fault with it."""
    if getattr(value, "dtype", None) != x.dtype:
        value = xp.asarray(value, dtype=x.dtype)
    if value.shape != x.shape:
        raise ValueError(
            f"The user-supplied activation's {_name(function)} returned an array of shape"
            f" {tuple(value.shape)} for one of shape {tuple(x.shape)}: it must keep the shape."
        )
    if watch is not None:
        watch(value, x, function, xp)
    return value


def _raise_if_nan(value, x, function, xp):
    """An error naming the user's ``function`` where it returned NaN for a finite ``x``."""
    # one reduction finds any NaN (an infinity of either sign at most adds another)
    if math.isnan(float(xp.sum(value))):
        wrong = xp.isnan(value) & xp.isfinite(x)
        if bool(xp.any(wrong)):
            at = float(x[wrong][0])
            raise ValueError(
                f"The user-supplied activation's {_name(function)} returned NaN at x={at:.6g},"
                " a finite input: it must be a number at every finite input (np.exp"
                " overflows beyond 709, 88 in float32, and inf / inf is NaN)."
            )


def check_user_pair(function, derivative, dtype):
    """Check a user's pair before training in ``dtype``: both called on points in [-3, 3]
    (in float64, and in ``dtype``) return arrays of their shape, numbers where the points
    are, and the derivative agrees with central finite differences of the function. Their
    warnings are not the user's concern here: the points are ours."""
    x = _CHECK_POINTS
    step = 1e-6
    points = x.astype(dtype)  # the points in the training's dtype, where it is not float64
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            value, slope = _call(function, x), _call(derivative, x)
            numeric = (_call(function, x + step) - _call(function, x - step)) / (2 * step)
            typed = [] if points.dtype == x.dtype else [_call(function, points)]
            typed_slope = [] if points.dtype == x.dtype else [_call(derivative, points)]
        except Exception as exc:
            raise ValueError(
                "A user-supplied activation must be a pair of functions of an array, its"
                f" function and its derivative; calling them on {x.shape[0]} points raised"
                f" {type(exc).__name__}: {exc}"
            ) from exc
    returned = [(function, v) for v in [value, *typed]] + [
        (derivative, s) for s in [slope, *typed_slope]
    ]
    for part, values in returned:
        if values.shape != x.shape:
            raise ValueError(
                "A user-supplied activation's function and derivative must return arrays of"
                f" the shape of their input {x.shape}; {_name(part)} returned {values.shape}."
            )
        if np.isnan(values).any():
            at = x[np.flatnonzero(np.isnan(values))[0]]
            raise ValueError(
                f"The user-supplied activation's {_name(part)} returned NaN at x={at}, a"
                " finite input: it must be a number at every finite input."
            )
    # float64's finite differences are good to about 1e-8 here; a slope computed in
    # float32 differs from float64's by a few of its units (the points' rounding included)
    in_dtype = f" in {points.dtype.name}"
    for slopes, rtol, where in [(slope, 1e-4, ""), *((s, 1e-3, in_dtype) for s in typed_slope)]:
        wrong = ~(np.abs(slopes - numeric) <= rtol * (1 + np.abs(numeric)))  # NaN included
        if wrong.any():
            at = int(np.flatnonzero(wrong)[0])
            raise ValueError(
                f"The derivative of the user-supplied activation {_name(function)} disagrees"
                f" with its finite differences{where}: at x={x[at]}, the derivative gives"
                f" {slopes[at]:.6g} and the finite differences {numeric[at]:.6g}."
            )


def _call(function, x):
    """``function(x)`` as a float64 array."""
    return np.asarray(function(x), dtype=np.float64)


def _name(function):
    """A function's name as its user wrote it (older NumPy's ufuncs have no qualname)."""
    return getattr(function, "__qualname__", None) or getattr(function, "__name__", repr(function))


def is_user_pair(activation):
    """Whether ``activation`` (a parameter's value) is a user's (function, derivative)."""
    return (
        isinstance(activation, tuple | list)
        and len(activation) == 2
        and callable(activation[0])
        and callable(activation[1])
    )


def per_layer(activation, n_hidden, dtype=None, watch_nan=True):
    """The estimator's ``activation`` parameter as one activation per hidden layer: a
    name, or a user pair's :class:`Activation`, checked for training in ``dtype`` where
    one is given (at ``fit``), watched for NaN with ``watch_nan`` (see
    :func:`user_activation`)."""
    if isinstance(activation, str):
        return [activation] * n_hidden
    if is_user_pair(activation):
        return [user_activation(activation, dtype, watch_nan)] * n_hidden
    activations = list(activation)
    unknown = [a for a in activations if not (a in HIDDEN_ACTIVATIONS or is_user_pair(a))]
    if unknown or len(activations) != n_hidden:
        raise ValueError(
            f"activation must be one of {set(HIDDEN_ACTIVATIONS)}, a (function,"
            " derivative) pair of callables, or a sequence of them, one per hidden"
            f" layer ({n_hidden}); got {activation!r}."
        )
    return [user_activation(a, dtype, watch_nan) if is_user_pair(a) else a for a in activations]
