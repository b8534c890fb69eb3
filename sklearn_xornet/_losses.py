"""Losses by name: the value per sample (the output delta dZ is in ``_network.Objective``).

A loss is looked up by the pair (loss name, output activation), because the same name means
a different formula on a sigmoid, softmax or exponential output. Each takes the targets ``Y``,
the output layer's pre-activation ``raw``, its output ``Z`` and the difference ``Z - Y``;
log-losses are computed from ``raw`` (log-sigmoid, log-softmax), so they stay finite where
``Z`` rounds to 0 or 1. The value is per sample (the last axis summed); a leading axis of
stacked networks is kept.
"""

import numpy as np


def half_squared_error(Y, raw, Z, dZ):
    # dZ holds Z - Y: the article's error E = Y - Z ("how much we missed"), negated
    return 0.5 * np.square(dZ).sum(axis=-1)


def binary_log_loss(Y, raw, Z, dZ):
    # -[y log(s) + (1 - y) log(1 - s)] with s = expit(raw), in a form that cannot overflow
    return (np.logaddexp(0, raw) - Y * raw).sum(axis=-1)


def _logsumexp(raw):
    # scipy.special.logsumexp computes the same, but its array-API dispatch costs 7x this
    # on a mini-batch; shifting by the row maximum keeps exp from overflowing
    shift = raw.max(axis=-1, keepdims=True)
    return np.log(np.exp(raw - shift).sum(axis=-1)) + shift[..., 0]


def categorical_log_loss(Y, raw, Z, dZ):
    return _logsumexp(raw) - (Y * raw).sum(axis=-1)


def half_poisson_deviance(Y, raw, Z, dZ):
    # Z = exp(raw): Z - Y log Z + Y log Y - Y, zero for a perfect fit. Written as
    # Y (exp(d) - 1 - d) with d = raw - log Y, so that the large terms cancel in the formula
    # instead of in rounding: with counts of a million, float32 rounding of the terms
    # themselves (about 1 each) would drown the deviance and stall L-BFGS.
    positive = Y > 0
    d = raw - np.log(Y, out=np.zeros_like(Y), where=positive)
    return np.where(positive, Y * (np.expm1(d) - d), Z).sum(axis=-1)


LOSSES = {
    ("squared_error", "identity"): half_squared_error,
    ("squared_error", "logistic"): half_squared_error,
    ("squared_error", "softmax"): half_squared_error,
    ("log_loss", "logistic"): binary_log_loss,
    ("log_loss", "softmax"): categorical_log_loss,
    ("poisson", "exp"): half_poisson_deviance,
}
