"""The network itself: weights in one flat vector, the forward pass and backpropagation.

This is the article's program, generalised to any number of layers, intercepts, sample
weights and an L2 penalty. In the article's 2-3-1 network, ``coefs == [Wh, Wz]``; the forward
pass computes ``H`` and ``Z``, the backward pass the deltas ``dZ`` and ``dH`` and from them the
gradient that the solver turns into the update of ``Wz`` and ``Wh``.

Every function also takes a *stack* of networks: a parameter array of shape
``(n_networks, size)`` gives weight matrices of shape ``(n_networks, fan_in, fan_out)``, and
one batched product trains them all (the restarts of ``n_init``).
"""

from itertools import pairwise

import numpy as np
from scipy import sparse

from ._activations import ACTIVATIONS, DERIVATIVES
from ._losses import LOSSES, output_delta


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
        self._views = {}

    def unpack(self, flat):
        """Views of ``flat`` as the lists ``coefs`` and ``intercepts``.

        ``flat`` of shape ``(size,)`` gives matrices ``(fan_in, fan_out)``; a stack of shape
        ``(n_networks, size)`` gives ``(n_networks, fan_in, fan_out)``.

        Training unpacks the same parameter and gradient vectors at every step: their views
        are made once and kept (with the array, so its ``id`` stays unique).
        """
        cached = self._views.get(id(flat))
        if cached is not None and cached[0] is flat:
            return cached[1]
        coefs, intercepts = [], []
        stack = flat.shape[:-1]
        start = 0
        for shape in self.coef_shapes:
            end = start + shape[0] * shape[1]
            coefs.append(flat[..., start:end].reshape(stack + shape))
            start = end
        for fan_out in self.layer_units[1:]:
            intercepts.append(flat[..., start : start + fan_out])
            start += fan_out
        if len(self._views) >= 4:  # a training run needs two: parameters and gradient
            self._views.clear()
        self._views[id(flat)] = (flat, (coefs, intercepts))
        return coefs, intercepts


def _matmul(A, B):
    """``A @ B``, also for a sparse ``A`` against a stack of matrices ``B``."""
    if B.ndim == 3 and sparse.issparse(A):
        n_stack, rows, cols = B.shape
        flat = A @ B.transpose(1, 0, 2).reshape(rows, n_stack * cols)
        return np.asarray(flat).reshape(-1, n_stack, cols).transpose(1, 0, 2)
    return A @ B


def _transpose(A):
    return A.T if A.ndim == 2 else A.swapaxes(-1, -2)


def forward(X, coefs, intercepts, activations, out_activation):
    """The forward pass.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    coefs, intercepts : lists of ndarray
        One weight matrix and one intercept vector per layer.
    activations : list of str
        One activation name per hidden layer.
    out_activation : str
        The output layer's activation.

    Returns
    -------
    hidden : list of ndarray
        Each hidden layer's output (``[H]`` in the article).
    raw : ndarray of shape (n_samples, n_outputs)
        The output layer's pre-activation.
    Z : ndarray of shape (n_samples, n_outputs)
        The network's output.
    """
    hidden = []
    A = X
    for W, b, name in zip(coefs[:-1], intercepts[:-1], activations, strict=True):
        A = _matmul(A, W)  # H = sigmoid(X . Wh)
        A += b[..., np.newaxis, :]
        ACTIVATIONS[name](A, out=A)
        hidden.append(A)
    raw = _matmul(A, coefs[-1])  # Z = sigmoid(H . Wz)
    raw += intercepts[-1][..., np.newaxis, :]
    Z = ACTIVATIONS[out_activation](raw, out=np.empty_like(raw))
    return hidden, raw, Z


def backward(X, hidden, coefs, activations, dZ, coef_grads, intercept_grads):
    """Backpropagation: from the output delta ``dZ`` to every weight's gradient.

    ``dZ`` must already carry each sample's weight (and the averaging). Gradients are
    written into ``coef_grads`` and ``intercept_grads``, one array per layer.
    """
    inputs = [X, *hidden]
    delta = dZ
    for i in range(len(coefs) - 1, -1, -1):
        # each weight's gradient: its input times the delta (H^T . dZ, then X^T . dH)
        coef_grads[i][...] = _matmul(_transpose(inputs[i]), delta)
        intercept_grads[i][...] = delta.sum(axis=-2)
        if i > 0:
            delta = delta @ _transpose(coefs[i])  # dH = dZ . Wz^T * sigmoid'(H)
            DERIVATIVES[activations[i - 1]](inputs[i], delta)


def loss_and_gradient(
    params, grad, layout, X, Y, sample_weight, alpha, activations, out_activation, loss
):
    """The training objective at ``params``, with its gradient written into ``grad``.

    The objective is the weighted mean of the per-sample loss plus the L2 penalty
    ``alpha / 2 * ||coefs||^2``, divided by the total weight as in scikit-learn (so integer
    weights equal repeated rows).

    Parameters
    ----------
    params, grad : ndarray of shape (layout.size,)
        Flat parameters, and the buffer that receives the gradient.
    layout : Layout
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Targets, already encoded (one-hot for classifiers, scaled for regressors).
    sample_weight : ndarray of shape (n_samples,) or None
    alpha : float
    activations : list of str
    out_activation, loss : str

    Returns
    -------
    value : float, or ndarray of shape (n_networks,) for a stack
    """
    coefs, intercepts = layout.unpack(params)
    hidden, raw, Z = forward(X, coefs, intercepts, activations, out_activation)
    per_sample = LOSSES[loss, out_activation](Y, raw, Z)
    dZ = output_delta(loss, out_activation, Y, Z)
    if sample_weight is None:
        total_weight = X.shape[0]
        value = per_sample.sum(axis=-1)
        dZ /= total_weight
    else:
        total_weight = sample_weight.sum()
        value = per_sample @ sample_weight
        dZ *= (sample_weight / total_weight)[:, np.newaxis]
    coef_params = params[..., : layout.n_coef]
    penalty = np.einsum("...i,...i->...", coef_params, coef_params)
    value = (value + 0.5 * alpha * penalty) / total_weight

    coef_grads, intercept_grads = layout.unpack(grad)
    backward(X, hidden, coefs, activations, dZ, coef_grads, intercept_grads)
    grad[..., : layout.n_coef] += (alpha / total_weight) * coef_params
    return float(value) if np.ndim(value) == 0 else value
