"""The network itself: weights in one flat vector, the forward pass and backpropagation.

This is the article's program, generalised to any number of layers and intercepts. In the
article's 2-3-1 network, ``coefs == [Wh, Wz]``; the forward pass computes ``H`` and ``Z``,
the backward pass the deltas ``dZ`` and ``dH`` and from them the gradient that a solver
turns into the update of ``Wz`` and ``Wh``. What is minimised (losses, weights, penalty) is
``_objective.py``'s; how a step is taken, ``_solvers.py``'s.

Training works on a *stack* of networks: a parameter array of shape ``(n_networks, size)``
gives weight matrices of shape ``(n_networks, fan_in, fan_out)``, and one batched product
trains them all (the restarts of ``n_init``); one network is a stack of one. Every function
here takes any leading axes (none included), so nothing asks how many networks there are.
The array functions come from ``xp`` (``_arrays.py``): their ``out=`` is a buffer hint that
NumPy honours and another library ignores, and the code below always uses what they return.
"""

from itertools import pairwise
from typing import NamedTuple

from ._activations import ACTIVATIONS, identity, slope_reads_input
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


class LayerFunctions(NamedTuple):
    """A network's functions, resolved for one batch size (see :func:`layer_functions`)."""

    hidden: list  # each hidden layer's activation
    slopes: list  # their slopes
    out: object  # the output activation
    out_slope: object
    keep_inputs: list  # per hidden layer: whether its slope reads the pre-activation


def layer_functions(
    activations, out_activation, layer_units, n_rows, *, threads=True, xp=NUMPY, slopes=True
):
    r"""The functions of a network's layers for batches of ``n_rows`` rows (of all the
    networks of a stack together).

    ``activations`` gives the hidden layers' activations (names, or
    ``_activations.Activation``\ s), ``out_activation`` the output's name; each layer gets
    the version that ``xp`` gives for its size (on NumPy, ``_parallel``'s choice). Without
    ``slopes`` (a forward pass only), the slopes are None.
    """
    sizes = [n_rows * units for units in layer_units[1:]]
    layers = [*activations, out_activation]
    *hidden, out = _resolved(layers, sizes, "function", threads, xp)
    if not slopes:  # no backward pass: no pre-activation to keep
        return LayerFunctions(hidden, None, out, None, ())
    keep_inputs = [slope_reads_input(activation) for activation in activations]
    if not any(keep_inputs):
        keep_inputs = ()  # the forward pass need not look
    *hidden_slopes, out_slope = _resolved(layers, sizes, "slope", threads, xp)
    return LayerFunctions(hidden, hidden_slopes, out, out_slope, keep_inputs)


def _resolved(activations, sizes, part, threads, xp):
    """Each activation's ``part`` ('function' or 'slope') in the version for its layer."""
    layer_function = xp.layer_function
    return [
        layer_function(getattr(ACTIVATIONS[a] if type(a) is str else a, part), n, threads)
        for a, n in zip(activations, sizes, strict=True)
    ]


class Pass(NamedTuple):
    """A network (or a stack of them) ready for a forward and a backward pass: its
    weights, its layers' functions, and where and how it computes.

    ``coefs`` and ``intercepts`` hold one weight matrix and one intercept vector per layer
    (any leading axes), ``functions`` the layers' functions (:func:`layer_functions`),
    ``xp`` the array functions (``_arrays.namespace``), ``product`` the product
    ``product(A, B, out)`` (None: ``xp.matmul``; ``xp.product_for`` picks NumPy's quickest
    for a run's operands). ``fit_intercept=False`` skips the intercepts (zeros in a network
    without them). The rest are buffer hints, None for none: ``layers`` one per layer (the
    hidden outputs, then the output layer's pre-activation), ``Z`` the output, ``deltas``
    one per layer (dH..., dZ), ``scratch`` room for the hidden layers' slopes, ``grads`` the
    lists ``(coef_grads, intercept_grads)`` (views of the flat gradient, filled by
    :func:`backward`), and ``ones``, one per row (the intercepts' gradients as a product).
    """

    coefs: list
    intercepts: list
    functions: LayerFunctions
    xp: object = NUMPY
    product: object = None
    fit_intercept: bool = True
    layers: list | None = None
    Z: object = None
    deltas: list | None = None
    scratch: list | None = None
    grads: tuple | None = None
    ones: object = None


def forward(X, net, masks=None):
    """The forward pass of ``net`` (a :class:`Pass`) on ``X``.

    ``masks`` are dropout's, one per hidden layer (None for a layer without dropout): its
    output times the mask (0 for a dropped unit, ``1 / (1 - p)`` for a kept one) is what
    the next layer sees. None: no dropout.

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
    coefs, intercepts, functions, xp, product, fit_intercept, layers, Z = net[:8]
    product = product or xp.matmul
    layers = layers or [None] * len(coefs)
    activations, keep_inputs = functions.hidden, functions.keep_inputs
    hidden, slope_at = [], []
    A = X
    for i, W in enumerate(coefs):
        # H = sigmoid(X . Wh), then Z = sigmoid(H . Wz)
        A = product(A, W, layers[i])
        if fit_intercept:
            A = xp.add(A, intercepts[i][..., None, :], out=A)
        if i < len(activations):
            # a slope read at the pre-activation keeps it: the output goes to a new array
            keep = keep_inputs and keep_inputs[i]
            H = activations[i](A, None if keep else A)
            slope_at.append(A if keep else H)
            if masks is not None and masks[i] is not None:
                H = H * masks[i]  # dropout: a new array, the slope's stays as it was
            hidden.append(H)
            A = H
    if functions.out is identity:
        return hidden, slope_at, A, A
    return hidden, slope_at, A, functions.out(A, Z)


def backward(X, hidden, slope_at, dZ, net, masks=None):
    """Backpropagation through ``net`` (a :class:`Pass`): from the output delta ``dZ`` to
    every weight's gradient.

    ``dZ`` must already carry each sample's weight (and the averaging); ``hidden`` and
    ``slope_at`` are what :func:`forward` returned, and ``masks`` dropout's, as there.
    Returns the lists ``(coef_grads, intercept_grads)``, one gradient per layer: the lists
    of ``net.grads``, filled in turn (NumPy writes each gradient into its own buffer, views
    of one flat vector, so they stay as they were; another library returns new arrays,
    which replace the hints), or new lists. Without ``fit_intercept`` the intercepts' are
    left as given (never computed: zeros).
    """
    coefs, _, functions, xp, product, fit_intercept, _, _, deltas, scratch, grads, ones = net
    product, transpose = product or xp.matmul, xp.matrix_transpose
    n_layers = len(coefs)
    coef_grads, intercept_grads = grads or ([None] * n_layers, [None] * n_layers)
    delta = dZ
    for i in range(n_layers - 1, -1, -1):
        # each weight's gradient: its input times the delta (H^T . dZ, then X^T . dH)
        inputs_T = transpose(hidden[i - 1]) if i > 0 else X.T
        coef_grads[i] = product(inputs_T, delta, coef_grads[i])
        if fit_intercept:
            # the column sums of the delta, as a product with ones: BLAS sums faster than a
            # reduction
            intercept_grads[i] = product(ones, delta, intercept_grads[i])
        if i > 0:
            # dH = dZ . Wz^T * sigmoid'(H)
            delta = product(delta, transpose(coefs[i]), deltas[i - 1] if deltas else None)
            if masks is not None and masks[i - 1] is not None:  # a dropped unit passes none
                delta = xp.multiply(delta, masks[i - 1], out=delta)
            slope = functions.slopes[i - 1]
            delta = slope(slope_at[i - 1], delta, scratch[i - 1] if scratch else None)
    return coef_grads, intercept_grads
