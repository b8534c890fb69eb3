"""Starting weights: drawn from ``random_state``, or taken from a fitted model.

Weights are drawn on the host with NumPy, layer by layer from the input, so that a fit
starts from the same weights whatever library its data lives in. Nothing here trains.
"""

import numpy as np

from ._arrays import namespace


def initial_params(layout, activations, dtype, rng, *, weight_init, fit_intercept, n_init=1):
    """Draw the starting weights: a stack of ``n_init`` flat vectors, ``(n_init, size)``.

    'glorot' is scikit-learn's MLP initialisation: uniform in ``+-sqrt(6 / (fan_in +
    fan_out))``, 2 instead of 6 for the sigmoid, intercepts too. 'uniform' is the article's:
    each weight matrix drawn by ``rng.uniform(size=(fan_in, fan_out))``, intercepts at zero.
    The networks' draws follow one another: the first is that of ``n_init=1``.
    """
    params = np.zeros((n_init, layout.size), dtype=dtype)
    coefs, intercepts = layout.unpack(params)
    # scikit-learn's Glorot factor follows the hidden activation, output layer included
    factors = [2.0 if a == "logistic" else 6.0 for a in activations]
    factors.append(factors[-1] if factors else 6.0)
    for r in range(n_init):
        for W, b, factor in zip(coefs, intercepts, factors, strict=True):
            shape = W.shape[1:]
            if weight_init == "uniform":
                W[r] = rng.uniform(size=shape)
                continue
            bound = np.sqrt(factor / sum(shape))
            W[r] = rng.uniform(-bound, bound, shape)
            if fit_intercept:
                b[r] = rng.uniform(-bound, bound, b.shape[1:])
    return params


def fitted_params(estimator, layout, dtype):
    """A fitted estimator's weights as a stack of one flat vector, in ``dtype``, where they
    live: to go on training from."""
    shapes = [c.shape for c in estimator.coefs_]
    if shapes != layout.coef_shapes:
        raise ValueError(
            "The network's shape changed since it was fitted: its weight matrices are"
            f" {shapes}, the parameters and data ask for {layout.coef_shapes}. Set"
            " warm_start=False to start afresh."
        )
    xp = namespace(estimator.coefs_[0])
    parts = [xp.reshape(p, (-1,)) for p in estimator.coefs_ + estimator.intercepts_]
    return xp.reshape(xp.astype(xp.concat(parts), dtype), (1, layout.size))
