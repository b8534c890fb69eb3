"""The network itself: weights in one flat vector, the forward pass and backpropagation.

This is the article's program, generalised to any number of layers and intercepts. In the
article's 2-3-1 network, ``coefs == [Wh, Wz]``; the forward pass computes ``H`` and ``Z``,
the backward pass the deltas ``dZ`` and ``dH`` and from them the gradient that a solver
turns into the update of ``Wz`` and ``Wh``. What is minimised (losses, weights, penalty) is
``_objective.py``'s; how a step is taken, ``_solvers.py``'s.

Every function also takes a *stack* of networks: a parameter array of shape
``(n_networks, size)`` gives weight matrices of shape ``(n_networks, fan_in, fan_out)``, and
one batched product trains them all (the restarts of ``n_init``). The array functions come
from ``xp`` (``_arrays.py``): NumPy's write into the buffers they are given, another
library's return new arrays, and the code below always uses what they return.
"""

from itertools import pairwise
from typing import NamedTuple

from ._activations import for_layers, identity, slope_reads_input
from ._arrays import NUMPY, namespace


class Layout:
    """Where each layer's weights live in one flat parameter vector.

    All coefficient matrices come first, then all intercept vectors (scikit-learn's packing
    order), so a network without intercepts trains the prefix ``[:n_coef]`` of the vector and
    the solvers, L-BFGS included, work on one array with no packing.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input and output included: ``(2, 3, 1)`` for the article.
    """

    def __init__(self, layer_units):
        self.layer_units = tuple(int(u) for u in layer_units)
        self.coef_shapes = list(pairwise(self.layer_units))
        self.n_coef = sum(fan_in * fan_out for fan_in, fan_out in self.coef_shapes)
        self.size = self.n_coef + sum(self.layer_units[1:])

    def unpack(self, flat):
        """Views of ``flat`` as the lists ``coefs`` and ``intercepts``.

        ``flat`` of shape ``(size,)`` gives matrices ``(fan_in, fan_out)``; a stack of shape
        ``(n_networks, size)`` gives ``(n_networks, fan_in, fan_out)``.
        """
        xp = namespace(flat)
        coefs, intercepts = [], []
        stack = tuple(flat.shape[:-1])
        start = 0
        for shape in self.coef_shapes:
            end = start + shape[0] * shape[1]
            coefs.append(xp.reshape(flat[..., start:end], stack + shape))
            start = end
        for fan_out in self.layer_units[1:]:
            intercepts.append(flat[..., start : start + fan_out])
            start += fan_out
        return coefs, intercepts

    def pack(self, coefs, intercepts, out):
        """``coefs`` and ``intercepts`` written into the flat vector ``out``; returns it."""
        return namespace(out).concat_into(list(coefs) + list(intercepts), out)


class LayerFunctions(NamedTuple):
    """A network's functions, resolved for one batch size (see :func:`layer_functions`)."""

    hidden: list  # each hidden layer's activation
    slopes: list  # their slopes
    out: object  # the output activation
    out_slope: object
    keep_inputs: list  # per hidden layer: whether its slope reads the pre-activation


def layer_functions(
    activations,
    out_activation,
    layer_units,
    n_samples,
    n_stack=1,
    threads=True,
    xp=NUMPY,
    slopes=True,
):
    r"""The functions of a network's layers for batches of ``n_samples`` rows.

    ``activations`` gives the hidden layers' activations (names, or
    ``_activations.Activation``\ s), ``out_activation`` the output's name; each layer gets
    the version ``_activations.for_layers`` picks for its size. Without ``slopes`` (a
    forward pass only), the slopes are None.
    """
    sizes = [n_stack * n_samples * units for units in layer_units[1:]]
    layers = [*activations, out_activation]
    *hidden, out = for_layers(layers, sizes, "function", threads, xp)
    if not slopes:  # no backward pass: no pre-activation to keep
        return LayerFunctions(hidden, None, out, None, ())
    keep_inputs = [slope_reads_input(activation) for activation in activations]
    if not any(keep_inputs):
        keep_inputs = ()  # the forward pass need not look
    *hidden_slopes, out_slope = for_layers(layers, sizes, "slope", threads, xp)
    return LayerFunctions(hidden, hidden_slopes, out, out_slope, keep_inputs)


def forward(
    X,
    coefs,
    intercepts,
    activations,
    out_activation,
    out=None,
    fit_intercept=True,
    product=None,
    xp=NUMPY,
    keep_inputs=(),
    masks=None,
):
    """The forward pass.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    coefs, intercepts : lists of arrays
        One weight matrix and one intercept vector per layer.
    activations : list of callable
        One activation ``f(x, out)`` per hidden layer (see :func:`layer_functions`).
    out_activation : callable
        The output layer's activation.
    out : tuple (layers, Z), default=None
        NumPy buffers to compute in: one per layer (hidden outputs, then the output layer's
        pre-activation) and one for ``Z``. None allocates new arrays.
    fit_intercept : bool, default=True
        False skips adding the intercepts (zeros in a network without them).
    product : callable, default=None
        ``product(A, B, out)``; None is ``xp.matmul``. On NumPy the objective passes
        ``ndarray.dot`` where every operand is a dense matrix.
    xp : namespace, default=NUMPY
        The array functions (``_arrays.namespace``).
    keep_inputs : sequence of bool, default=()
        Per hidden layer, whether its slope reads its pre-activation
        (``LayerFunctions.keep_inputs``); empty for none.
    masks : list, default=None
        Dropout's masks, one per hidden layer (None for a layer without dropout): its
        output times the mask (0 for a dropped unit, ``1 / (1 - p)`` for a kept one) is
        what the next layer sees. None: no dropout.

    Returns
    -------
    hidden : list of arrays
        Each hidden layer's output (``[H]`` in the article), after dropout.
    slope_at : list of arrays
        Where each hidden layer's slope is read: its output (before dropout), or its
        pre-activation.
    raw : array of shape (n_samples, n_outputs)
        The output layer's pre-activation.
    Z : array of shape (n_samples, n_outputs)
        The network's output.
    """
    product, add = product or xp.matmul, xp.add
    layers, Z = out if out is not None else ([None] * len(coefs), None)
    hidden, slope_at = [], []
    A = X
    for i, W in enumerate(coefs):
        # H = sigmoid(X . Wh), then Z = sigmoid(H . Wz)
        A = product(A, W, layers[i])
        if fit_intercept:
            A = add(A, intercepts[i][..., None, :], out=A)
        if i < len(activations):
            # a slope read at the pre-activation keeps it: the output goes to a new array
            keep = keep_inputs and keep_inputs[i]
            H = activations[i](A, None if keep else A)
            slope_at.append(A if keep else H)
            if masks is not None and masks[i] is not None:
                H = H * masks[i]  # dropout: a new array, the slope's stays as it was
            hidden.append(H)
            A = H
    if out_activation is identity:
        return hidden, slope_at, A, A
    if Z is None and xp.is_numpy:
        Z = xp.empty_like(A)
    return hidden, slope_at, A, out_activation(A, Z)


def backward(
    X,
    hidden,
    slope_at,
    coefs,
    derivatives,
    dZ,
    coef_grads,
    intercept_grads,
    deltas=None,
    scratch=None,
    ones=None,
    product=None,
    xp=NUMPY,
    masks=None,
):
    """Backpropagation: from the output delta ``dZ`` to every weight's gradient.

    ``dZ`` must already carry each sample's weight (and the averaging). Returns the lists
    ``(coef_grads, intercept_grads)``, one gradient per layer: on NumPy, the lists given,
    their arrays written in place (``intercept_grads=None`` skips the intercepts of a
    network without them, whose gradients stay zero); elsewhere new lists of new arrays
    (None for both). ``hidden`` and ``slope_at`` are what :func:`forward` returned.
    ``deltas`` and ``scratch`` are NumPy buffers shaped like the hidden layers, for their
    deltas and the activations' slopes, ``ones`` a vector of ones, one per sample.
    ``derivatives`` holds each hidden layer's slope ``f(S, delta, scratch)`` (see
    :func:`layer_functions`), ``product``, ``xp`` and dropout's ``masks`` are as in
    :func:`forward`.
    """
    product, transpose = product or xp.matmul, xp.matrix_transpose
    n_layers = len(coefs)
    if coef_grads is None:
        coef_grads = [None] * n_layers
    if intercept_grads is None and not xp.is_numpy:
        intercept_grads = [None] * n_layers  # NumPy skips them; elsewhere they are new
    delta = dZ
    for i in range(n_layers - 1, -1, -1):
        # each weight's gradient: its input times the delta (H^T . dZ, then X^T . dH)
        inputs_T = transpose(hidden[i - 1]) if i > 0 else X.T
        coef_grads[i] = product(inputs_T, delta, coef_grads[i])
        if intercept_grads is not None and not xp.is_numpy:
            intercept_grads[i] = xp.sum(delta, axis=-2)  # the column sums of the delta
        elif intercept_grads is not None:
            # on NumPy as a product with ones: BLAS sums faster than a reduction
            ones = xp.ones(delta.shape[-2], dtype=delta.dtype) if ones is None else ones
            intercept_grads[i] = product(ones, delta, intercept_grads[i])
        if i > 0:
            # dH = dZ . Wz^T * sigmoid'(H)
            delta = product(
                delta,
                transpose(coefs[i]),
                deltas[i - 1] if deltas else None,
            )
            if masks is not None and masks[i - 1] is not None:  # a dropped unit passes none
                delta = xp.multiply(delta, masks[i - 1], out=delta)
            delta = derivatives[i - 1](slope_at[i - 1], delta, scratch[i - 1] if scratch else None)
    return coef_grads, intercept_grads
