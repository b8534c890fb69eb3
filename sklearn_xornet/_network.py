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

from ._activations import (
    _N_THREADS,
    _PARALLEL_ELEMENTS,
    ACTIVATIONS,
    DERIVATIVES,
    for_layers,
    identity,
    in_threads,
)
from ._losses import LOSSES


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
        return coefs, intercepts


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


def forward(
    X,
    coefs,
    intercepts,
    activations,
    out_activation,
    out=None,
    fit_intercept=True,
    product=_product,
):
    """The forward pass.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    coefs, intercepts : lists of ndarray
        One weight matrix and one intercept vector per layer.
    activations : list of callable
        One activation ``f(x, out)`` per hidden layer (see :func:`layer_functions`).
    out_activation : callable
        The output layer's activation.
    out : tuple (layers, Z) of ndarray lists, default=None
        Buffers to compute in: one per layer (hidden outputs, then the output layer's
        pre-activation) and one for ``Z``. None allocates new arrays.
    fit_intercept : bool, default=True
        False skips adding the intercepts (zeros in a network without them).
    product : callable, default=_product
        ``product(A, B, out)``; ``np.ndarray.dot`` where every operand is a dense matrix.

    Returns
    -------
    hidden : list of ndarray
        Each hidden layer's output (``[H]`` in the article).
    raw : ndarray of shape (n_samples, n_outputs)
        The output layer's pre-activation.
    Z : ndarray of shape (n_samples, n_outputs)
        The network's output.
    """
    layers, Z = out if out is not None else ([None] * len(coefs), None)
    hidden = []
    A = X
    for i, W in enumerate(coefs):
        # H = sigmoid(X . Wh), then Z = sigmoid(H . Wz)
        A = product(A, W, layers[i])
        if fit_intercept:
            A += intercepts[i][..., np.newaxis, :]
        if i < len(activations):
            activations[i](A, A)
            hidden.append(A)
    if out_activation is identity:
        Z = A
    else:
        Z = out_activation(A, np.empty_like(A) if Z is None else Z)
    return hidden, A, Z


def backward(
    X,
    hidden,
    coefs,
    derivatives,
    dZ,
    coef_grads,
    intercept_grads,
    deltas=None,
    scratch=None,
    ones=None,
    product=_product,
):
    """Backpropagation: from the output delta ``dZ`` to every weight's gradient.

    ``dZ`` must already carry each sample's weight (and the averaging). Gradients are
    written into ``coef_grads`` and ``intercept_grads`` (None: not wanted), one array per
    layer; ``deltas`` and ``scratch`` are buffers shaped like the hidden layers, for their
    deltas and the activations' slopes, ``ones`` a vector of ones, one per sample (None
    allocates). ``derivatives`` holds each hidden layer's slope ``f(A, delta, scratch)``
    (see :func:`layer_functions`), ``product`` is as in :func:`forward`.
    """
    delta = dZ
    for i in range(len(coefs) - 1, -1, -1):
        # each weight's gradient: its input times the delta (H^T . dZ, then X^T . dH)
        inputs_T = hidden[i - 1].swapaxes(-1, -2) if i > 0 else X.T
        product(inputs_T, delta, coef_grads[i])
        if intercept_grads is not None:
            # the column sums of the delta, as a product: BLAS sums faster than a reduction
            ones = np.ones(delta.shape[-2], delta.dtype) if ones is None else ones
            product(ones, delta, intercept_grads[i])
        if i > 0:
            # dH = dZ . Wz^T * sigmoid'(H)
            delta = product(
                delta, coefs[i].swapaxes(-1, -2), None if deltas is None else deltas[i - 1]
            )
            derivatives[i - 1](hidden[i - 1], delta, None if scratch is None else scratch[i - 1])


def layer_functions(activations, out_activation, layer_units, n_samples, n_stack=1, threads=True):
    """The functions of a network's layers for batches of ``n_samples`` rows.

    Returns the hidden activations, their slopes, the output activation and its slope
    (callables from the tables of ``_activations``; large layers get row-split versions
    unless ``threads`` is False).
    """
    sizes = [n_stack * n_samples * units for units in layer_units[1:]]
    hidden = for_layers(ACTIVATIONS, activations, sizes[:-1], threads)
    slopes = for_layers(DERIVATIVES, activations, sizes[:-1], threads)
    (out,) = for_layers(ACTIVATIONS, [out_activation], sizes[-1:], threads)
    (out_slope,) = for_layers(DERIVATIVES, [out_activation], sizes[-1:], threads)
    return hidden, slopes, out, out_slope


# rows per block of a split batch: about this many entries in its widest layer
_BLOCK_ELEMENTS = 1 << 17


def splits_rows(n_samples, widest, stacked=False):
    """Whether a full batch of ``n_samples`` rows is computed as row blocks in threads.

    ``widest`` is the number of units of the network's widest layer after the input. Worth
    it when that layer has ``_PARALLEL_ELEMENTS`` entries or more: each thread then runs
    the whole forward and backward pass on its rows with one BLAS thread, which keeps both
    cores busy through the products *and* the element-wise work between them (BLAS's own
    threads leave the element-wise work to one core, and spin while it runs).
    """
    return (
        n_samples * widest >= _PARALLEL_ELEMENTS  # first: false at once for small batches
        and not stacked
        and _N_THREADS > 1
        and n_samples >= 2 * _N_THREADS
    )


class Objective:
    """The training objective of one network, with the working arrays it reuses.

    The objective is the weighted mean of the per-sample loss plus the L2 penalty
    ``alpha / 2 * ||coefs||^2``, divided by the total weight as in scikit-learn (so integer
    weights equal repeated rows). Calling it computes the value and writes the gradient;
    the arrays of every layer are allocated once per batch shape and reused, so an epoch
    of full-batch training allocates nothing.

    Parameters
    ----------
    layout : Layout
    activations : list of str
    out_activation, loss : str
    alpha : float
    fit_intercept : bool, default=True
        False: the intercepts are zeros, neither added nor differentiated.
    """

    def __init__(
        self, layout, activations, out_activation, loss, alpha, fit_intercept=True, threads=True
    ):
        self.layout = layout
        self.activations = list(activations)
        self.out_activation = out_activation
        self.loss = loss
        self.loss_function = LOSSES[loss, out_activation]
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.threads = threads
        self._widest = max(layout.layer_units[1:])
        self._buffers = {}
        self._bound = (None, None, None)
        self._blocks = None

    def _buffers_for(self, params, n_samples):
        key = (params.shape, n_samples, params.dtype)
        buffers = self._buffers.get(key)
        if buffers is None:
            stack, dtype = params.shape[:-1], params.dtype
            if len(self._buffers) >= 4:  # mini-batches come in two sizes at most
                self._buffers.clear()
            shapes = [stack + (n_samples, units) for units in self.layout.layer_units[1:]]
            layers = [np.empty(shape, dtype) for shape in shapes]
            Z = None if self.out_activation == "identity" else np.empty(shapes[-1], dtype)
            deltas = [np.empty(shape, dtype) for shape in shapes]
            scratch = [np.empty(shape, dtype) for shape in shapes[:-1]]
            ones = np.ones(n_samples, dtype)
            # each row's share of an unweighted mean, as an array: cheaper than a float
            row_share = np.array(1.0 / n_samples, dtype)
            functions = layer_functions(
                self.activations,
                self.out_activation,
                self.layout.layer_units,
                n_samples,
                int(np.prod(stack)),
                self.threads,
            )
            buffers = (layers, Z, deltas, scratch, ones, row_share, functions)
            self._buffers[key] = buffers
        return buffers

    def __call__(self, params, grad, X, Y, sample_weight=None):
        """The objective at ``params`` on ``(X, Y)``, its gradient written into ``grad``.

        Returns a float, or one value per network for a stack of shape ``(n, size)``.
        """
        layout = self.layout
        n_samples = X.shape[0]
        if (
            self.threads
            and splits_rows(n_samples, self._widest, params.ndim == 2)
            and type(X) is np.ndarray
        ):
            return self._by_row_blocks(params, grad, X, Y, sample_weight)
        bound = self._bound
        if bound[0] is not params or bound[1] is not grad or bound[2] != n_samples:
            # a training run calls again and again with the same arrays: bind them once
            bound = self._bound = (
                params,
                grad,
                n_samples,
                layout.unpack(params),
                layout.unpack(grad),
                self._buffers_for(params, n_samples),
            )
        (coefs, intercepts), (coef_grads, intercept_grads) = bound[3], bound[4]
        layers, Z, deltas, scratch, ones, row_share, functions = bound[5]
        activations, slopes, out_activation, out_slope = functions
        # dense operands need none of _product's dispatch: ndarray.dot for one network,
        # matmul for a stack
        if type(X) is not np.ndarray:
            product = _product
        else:
            product = np.ndarray.dot if params.ndim == 1 else np.matmul
        hidden, raw, Z = forward(
            X,
            coefs,
            intercepts,
            activations,
            out_activation,
            (layers, Z),
            self.fit_intercept,
            product,
        )
        dZ = np.subtract(Z, Y, out=deltas[-1])  # the article's error E, negated
        if sample_weight is None:
            total_weight = n_samples
            if self.loss == "squared_error":  # the summed loss, no per-sample values
                if params.ndim == 1:
                    flat = dZ.reshape(-1)  # a view: the buffer is contiguous
                    value = 0.5 * flat.dot(flat)
                else:
                    value = 0.5 * np.square(dZ).sum(axis=(-2, -1))
            else:
                value = self.loss_function(Y, raw, Z, dZ).sum(axis=-1)
            row_weight = row_share
        else:
            total_weight = sample_weight.sum()
            value = self.loss_function(Y, raw, Z, dZ) @ sample_weight
            row_weight = (sample_weight / total_weight)[:, np.newaxis]
        # dZ: the loss's gradient at the output pre-activation. Every (loss, output) pair
        # is a canonical link, whose delta is Z - Y, except squared error on a sigmoid or
        # softmax output, which goes on through the output's slope, as in the article's
        # dZ = E * sigmoid_(Z) (negated here: a gradient, not a step).
        if self.loss == "squared_error":
            out_slope(Z, dZ)
        dZ *= row_weight

        backward(
            X,
            hidden,
            coefs,
            slopes,
            dZ,
            coef_grads,
            intercept_grads if self.fit_intercept else None,
            deltas,
            scratch,
            ones,
            product,
        )
        value = self._penalised(params, grad, value / total_weight, total_weight)
        return float(value) if params.ndim == 1 else value

    def _by_row_blocks(self, params, grad, X, Y, sample_weight):
        """The objective as the weighted sum of the objectives of row blocks, in threads.

        Each thread takes every n-th block of ``_BLOCK_ELEMENTS`` (a layer of it stays in
        the processor's cache from one operation to the next) and runs an unpenalised
        objective of its own on it; a block's mean, times its share of the total weight,
        is its part of the whole.
        """
        if self._blocks is None:
            self._blocks = [
                Objective(
                    self.layout,
                    self.activations,
                    self.out_activation,
                    self.loss,
                    0.0,
                    self.fit_intercept,
                    threads=False,  # they are the threads
                )
                for _ in range(_N_THREADS)
            ]
        n_samples = X.shape[0]
        step = max(64, _BLOCK_ELEMENTS // max(self.layout.layer_units))
        rows = [slice(start, min(start + step, n_samples)) for start in range(0, n_samples, step)]
        total_weight = n_samples if sample_weight is None else float(sample_weight.sum())

        def thread(k):
            objective = self._blocks[k]
            block_grad, summed = np.zeros_like(grad), np.zeros_like(grad)
            value = 0.0
            for block in rows[k :: len(self._blocks)]:
                w = None if sample_weight is None else sample_weight[block]
                weight = block.stop - block.start if w is None else float(w.sum())
                if weight == 0:  # nothing to learn from these rows
                    continue
                share = weight / total_weight
                value += share * objective(params, block_grad, X[block], Y[block], w)
                block_grad *= share
                summed += block_grad
            return value, summed

        results = in_threads(thread, range(len(self._blocks)))
        value = sum(part for part, _ in results)
        np.copyto(grad, results[0][1])
        for _, summed in results[1:]:
            grad += summed
        return float(self._penalised(params, grad, value, total_weight))

    def _penalised(self, params, grad, value, total_weight):
        """The mean loss ``value`` plus the L2 penalty; its gradient added into ``grad``."""
        if self.alpha:
            coef_params = params[..., : self.layout.n_coef]
            penalty = np.square(coef_params).sum(axis=-1)
            value = value + 0.5 * self.alpha * penalty / total_weight
            grad[..., : self.layout.n_coef] += (self.alpha / total_weight) * coef_params
        return value


def loss_and_gradient(
    params, grad, layout, X, Y, sample_weight, alpha, activations, out_activation, loss
):
    """The training objective at ``params``, with its gradient written into ``grad``.

    A one-off :class:`Objective`; see it for the definition.

    Parameters
    ----------
    params, grad : ndarray of shape (layout.size,) or (n_networks, layout.size)
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
    objective = Objective(layout, activations, out_activation, loss, alpha)
    return objective(params, grad, X, Y, sample_weight)
