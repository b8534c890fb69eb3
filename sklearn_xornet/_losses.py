"""Losses: each one entry, :class:`Loss`, with everything the code needs to know about it.

A loss is looked up by the pair (loss name, output activation), because the same name means
a different formula on a sigmoid, softmax or exponential output; a loss that has an output
of its own (the Poisson deviance's exponential link) says so in :data:`OWN_OUTPUT`. Its
``value`` takes the targets ``Y``, the output layer's pre-activation ``raw``, its output
``Z`` and the difference ``Z - Y``, and sums the last axis: one value per sample (a leading
axis of stacked networks is kept). Log-losses are computed from ``raw`` (log-sigmoid,
log-softmax), so they stay finite where ``Z`` rounds to 0 or 1. Its ``output_delta`` gives
dZ, the gradient at the output pre-activation, from which backpropagation starts; whether
it is smooth (for L-BFGS's tolerance) and any shortcut for its sum are on it too.
Everything is written with the array functions of ``xp`` (``_arrays.py``); this module does
not weigh, average or penalise (``_objective.py`` does).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from ._activations import ordered_quantiles


def half_squared_error(Y, raw, Z, dZ, xp):
    # dZ holds Z - Y: the article's error E = Y - Z ("how much we missed"), negated
    return 0.5 * xp.sum(xp.square(dZ), axis=-1)


def binary_log_loss(Y, raw, Z, dZ, xp):
    # -[y log(s) + (1 - y) log(1 - s)] with s = expit(raw), in a form that cannot overflow
    return xp.sum(xp.logaddexp(xp.zeros_like(raw), raw) - Y * raw, axis=-1)


def _logsumexp(raw, xp):
    # scipy.special.logsumexp computes the same, but its array-API dispatch costs 7x this
    # on a mini-batch; shifting by the row maximum keeps exp from overflowing
    shift = xp.max(raw, axis=-1, keepdims=True)
    return xp.log(xp.sum(xp.exp(raw - shift), axis=-1)) + shift[..., 0]


def categorical_log_loss(Y, raw, Z, dZ, xp):
    return _logsumexp(raw, xp) - xp.sum(Y * raw, axis=-1)


def half_poisson_deviance(Y, raw, Z, dZ, xp):
    # Z = exp(raw): Z - Y log Z + Y log Y - Y, zero for a perfect fit. Written as
    # Y (exp(d) - 1 - d) with d = raw - log Y, so that the large terms cancel in the formula
    # instead of in rounding: with counts of a million, float32 rounding of the terms
    # themselves (about 1 each) would drown the deviance and stall L-BFGS.
    positive = Y > 0
    d = raw - xp.log(xp.where(positive, Y, xp.ones_like(Y)))
    return xp.sum(xp.where(positive, Y * (xp.expm1(d) - d), Z), axis=-1)


def absolute_error(Y, raw, Z, dZ, xp):
    return xp.sum(xp.abs(dZ), axis=-1)


def huber(Y, raw, Z, dZ, xp, delta):
    # half the squared error within delta of the target, linear beyond: delta (|E| - delta / 2)
    size = xp.abs(dZ)
    linear = delta * (size - 0.5 * delta)
    return xp.sum(xp.where(size <= delta, 0.5 * xp.square(dZ), linear), axis=-1)


def pinball(Y, raw, Z, dZ, xp, quantile):
    # q (Y - Z) above the prediction, (1 - q) (Z - Y) below it: |E| / 2 + (1/2 - q) E
    return xp.sum(0.5 * xp.abs(dZ) + (0.5 - quantile) * dZ, axis=-1)


def _sign(Z, E, xp):
    return xp.sign(E)


def _clipped(Z, E, xp, delta):
    return xp.where(xp.abs(E) <= delta, E, delta * xp.sign(E))


def _tilted_sign(Z, E, xp, quantile):
    return 0.5 * xp.sign(E) + (0.5 - quantile)


@dataclass(frozen=True)
class Loss:
    """A loss on one kind of output: its value per sample, its output delta, and what the
    code needs to know of it.

    ``through_output_slope``: False where the output's link is the loss's canonical one
    (log-loss on a sigmoid or softmax, Poisson on exp, squared error on the identity), whose
    delta is simply ``Z - Y``; True for squared error on a sigmoid or softmax output, whose
    delta goes on through the output's slope, as in the article. ``error_delta``: for a loss
    whose delta is not the error, the function ``f(Z, E, xp)`` that gives it (the sign of
    the error for the absolute error). ``smooth``: False where the gradient jumps as the
    error changes sign (the absolute error, the pinball loss), which L-BFGS's default
    tolerance takes into account. ``summed``: the name of the namespace's function that
    sums the loss over an unweighted batch at once (the squared error's, from the error
    alone: on NumPy one product), where it has one. Parameters (Huber's threshold, the
    quantile) are bound into ``value`` and ``error_delta`` by :func:`make_loss`.
    """

    value: Callable
    out_activation: str
    through_output_slope: bool = False
    error_delta: Callable | None = None
    smooth: bool = True
    summed: str | None = None

    def output_delta(self, out_slope, xp):
        """How dZ follows from the error ``Z - Y``, given the output's slope function.

        Returns the function ``f(Z, error)`` that turns the error into dZ (in place on
        NumPy where it can), or None where dZ is the error itself. Resolved once per
        training run.
        """
        if self.error_delta is not None:
            delta = functools.partial(self.error_delta, xp=xp)
            if self.through_output_slope:  # several quantiles: on through their ordering
                return lambda Z, E: out_slope(Z, delta(Z, E))
            return delta
        # the article's dZ = E * sigmoid_(Z) (negated here: a gradient, not a step)
        return out_slope if self.through_output_slope else None

    def total_function(self, xp):
        """``f(Y, raw, Z, E)``, the loss summed over the rows of an unweighted batch (one
        sum per network), resolved once per batch shape."""
        if self.summed is not None:
            return getattr(xp, self.summed)
        value = self.value
        return lambda Y, raw, Z, E: xp.sum(value(Y, raw, Z, E, xp), axis=-1)


_SQUARES = {"value": half_squared_error, "summed": "half_sum_of_squares"}

LOSSES = {
    ("squared_error", "identity"): Loss(out_activation="identity", **_SQUARES),
    ("squared_error", "logistic"): Loss(
        out_activation="logistic", through_output_slope=True, **_SQUARES
    ),
    ("squared_error", "softmax"): Loss(
        out_activation="softmax", through_output_slope=True, **_SQUARES
    ),
    ("log_loss", "logistic"): Loss(binary_log_loss, "logistic"),
    ("log_loss", "softmax"): Loss(categorical_log_loss, "softmax"),
    ("poisson", "exp"): Loss(half_poisson_deviance, "exp"),
    ("absolute_error", "identity"): Loss(
        absolute_error, "identity", error_delta=_sign, smooth=False
    ),
    ("huber", "identity"): Loss(huber, "identity", error_delta=_clipped),
    ("quantile", "identity"): Loss(pinball, "identity", error_delta=_tilted_sign, smooth=False),
}

# the output a loss trains on where the loss decides it: the Poisson deviance's own link
OWN_OUTPUT = {"poisson": "exp"}

# each parametrised loss's keyword, in its value and delta functions
_PARAMETERS = {"huber": "delta", "quantile": "quantile"}


def make_loss(name, out_activation, parameter=None):
    """The :class:`Loss` ``name`` on ``out_activation``, its parameter bound (Huber's
    threshold in the units the network is trained in; the quantile)."""
    loss = LOSSES[name, out_activation]
    if name not in _PARAMETERS:
        return loss
    bound = {_PARAMETERS[name]: parameter}
    return replace(
        loss,
        value=functools.partial(loss.value, **bound),
        error_delta=functools.partial(loss.error_delta, **bound),
    )


def ordered_quantiles_loss(levels, n_quantiles):
    """The pinball loss of several quantiles at once, on the ordered output that keeps
    them from crossing (``_activations.ordered_quantiles``): ``levels`` holds each output
    unit's quantile (the ``n_quantiles`` levels, once per target), where the network is."""
    loss = make_loss("quantile", "identity", levels)
    return replace(loss, out_activation=ordered_quantiles(n_quantiles), through_output_slope=True)


def regression_loss(name, output_activation, parameter=None):
    """The :class:`Loss` a regressor trains: ``name`` on its own output where it has one,
    else on ``output_activation``; a clear error where that pair does not exist."""
    if output_activation != "identity" and (name, output_activation) not in LOSSES:
        raise ValueError(
            f"loss={name!r} needs a linear output ('poisson' has its own exponential one);"
            " only loss='squared_error' can be combined with"
            f" output_activation={output_activation!r}."
        )
    return make_loss(name, OWN_OUTPUT.get(name, output_activation), parameter)
