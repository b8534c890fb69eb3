"""The training objective: the weighted mean loss plus the L2 penalty, and its gradient.

``Objective`` evaluates it at a parameter vector on a batch of rows and writes the gradient
into a buffer: the forward pass, the loss and its output delta, the backward pass
(``_network.py``, ``_losses.py``), then the weights and the penalty. It knows nothing of
solvers or epochs. On NumPy it binds its arrays, views, buffers and layer functions once per
run and reuses them, so an epoch of full-batch training allocates nothing; large full
batches run as row blocks in threads (``_parallel.py``). Other libraries' arrays take the
same steps with new arrays.
"""

from dataclasses import dataclass

import numpy as np

from . import _parallel
from ._arrays import NUMPY, namespace, to_numpy
from ._losses import Loss, make_loss
from ._network import LayerFunctions, backward, forward, layer_functions


def on_host_loss(value):
    """An objective's value as training records it: a float, or one per stacked network."""
    if isinstance(value, float):  # NumPy's fast path gives floats already
        return value
    value = to_numpy(value)
    return float(value) if value.ndim == 0 else value


@dataclass
class _Buffers:
    """The NumPy arrays of one batch shape, allocated once and reused."""

    layers: list  # each layer's output: the hidden H..., then the output's pre-activation
    Z: object  # the output, where it differs from the pre-activation (else None)
    deltas: list  # each layer's delta: dH..., then dZ
    scratch: list  # room for the hidden layers' slopes
    ones: object  # one per row: the intercept gradients as a product
    row_share: object  # 1 / n_samples as a 0-d array: cheaper than a float operand
    functions: LayerFunctions
    output_delta: object  # the loss's rule from the error to dZ (None: dZ is the error)

    @classmethod
    def allocate(cls, objective, params, n_samples):
        stack, dtype = params.shape[:-1], params.dtype
        shapes = [stack + (n_samples, units) for units in objective.layout.layer_units[1:]]
        identity_out = objective.out_activation == "identity"
        functions = objective.functions(n_samples, int(np.prod(stack)))
        return cls(
            layers=[np.empty(shape, dtype) for shape in shapes],
            Z=None if identity_out else np.empty(shapes[-1], dtype),
            deltas=[np.empty(shape, dtype) for shape in shapes],
            scratch=[np.empty(shape, dtype) for shape in shapes[:-1]],
            ones=np.ones(n_samples, dtype),
            row_share=np.array(1.0 / n_samples, dtype),
            functions=functions,
            output_delta=objective.loss.output_delta(functions.out_slope, NUMPY),
        )


@dataclass
class _Binding:
    """The arrays one training run passes again and again, with their views."""

    params: object
    grad: object
    n_samples: int
    dense: bool  # X is a NumPy array (not a sparse matrix)
    split: bool  # the batch runs as row blocks in threads (no buffers of its own then)
    product: object  # the product for these operands
    coefs: list
    intercepts: list
    coef_grads: list
    intercept_grads: list
    buffers: _Buffers | None


class Objective:
    """The training objective of one network (or a stack), with the arrays it reuses.

    The objective is the weighted mean of the per-sample loss plus the L2 penalty
    ``alpha / 2 * ||coefs||^2``, divided by the total weight as in scikit-learn (so integer
    weights equal repeated rows). Calling it computes the value and writes the gradient.

    Parameters
    ----------
    layout : Layout
    activations : list of str
    out_activation : str
    loss : str or Loss
        A loss's name, or the ``_losses.Loss`` itself (one with its parameter bound).
    alpha : float
    fit_intercept : bool, default=True
        False: the intercepts are zeros, neither added nor differentiated.
    threads : bool, default=True
        False: never split a batch between threads (the caller is one of them).
    """

    def __init__(
        self, layout, activations, out_activation, loss, alpha, fit_intercept=True, threads=True
    ):
        self.layout = layout
        self.activations = list(activations)
        self.out_activation = out_activation
        self.loss_name = loss
        self.loss = loss if isinstance(loss, Loss) else make_loss(loss, out_activation)
        self.summed_squares = loss == "squared_error"
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.threads = threads
        self._widest = max(layout.layer_units[1:])
        self._buffers = {}
        self._device_functions = {}
        self._binding = None
        self._blocks = None

    def functions(self, n_samples, n_stack=1, xp=NUMPY):
        """The layer functions for batches of ``n_samples`` rows (of ``n_stack`` networks)."""
        return layer_functions(
            self.activations,
            self.out_activation,
            self.layout.layer_units,
            n_samples,
            n_stack,
            self.threads,
            xp,
        )

    def _bind(self, params, grad, X):
        """The arrays of a run, their views and what is decided about them, bound once: a
        training run calls again and again with the same ``params``, ``grad`` and rows."""
        n_samples, dense = X.shape[0], type(X) is np.ndarray
        split = (
            self.threads
            and dense
            and _parallel.splits_rows(n_samples, self._widest, params.ndim == 2)
        )
        key = (params.shape, n_samples, params.dtype)
        if key not in self._buffers and not split:
            if len(self._buffers) >= 4:  # mini-batches come in two sizes at most
                self._buffers.clear()
            self._buffers[key] = _Buffers.allocate(self, params, n_samples)
        # dense operands need none of the general product's dispatch: ndarray.dot for one
        # network, matmul for a stack
        product = None if not dense else np.ndarray.dot if params.ndim == 1 else np.matmul
        self._binding = _Binding(
            params,
            grad,
            n_samples,
            dense,
            split,
            product,
            *self.layout.unpack(params),
            *self.layout.unpack(grad),
            self._buffers.get(key),
        )
        return self._binding

    def __call__(self, params, grad, X, Y, sample_weight=None, masks=None):
        """The objective at ``params`` on ``(X, Y)``, its gradient written into ``grad``: a
        float, or one value per network for a stack of shape ``(n, size)``. ``masks`` are
        dropout's, one per hidden layer (see ``_network.forward``)."""
        if type(params) is not np.ndarray:
            return self._anywhere(params, grad, X, Y, sample_weight, namespace(params), masks)
        n_samples, run = X.shape[0], self._binding
        if (
            run is None
            or run.params is not params
            or run.grad is not grad
            or run.n_samples != n_samples
            or run.dense is not (type(X) is np.ndarray)
        ):
            run = self._bind(params, grad, X)
        if run.split:
            return self._by_row_blocks(params, grad, X, Y, sample_weight, masks)
        buffers, product = run.buffers, run.product
        activations, slopes, out_activation, out_slope, keep_inputs = buffers.functions
        hidden, slope_at, raw, Z = forward(
            X,
            run.coefs,
            run.intercepts,
            activations,
            out_activation,
            (buffers.layers, buffers.Z),
            self.fit_intercept,
            product,
            NUMPY,
            keep_inputs,
            masks,
        )
        E = np.subtract(Z, Y, out=buffers.deltas[-1])  # the article's error, negated
        if sample_weight is None:
            total_weight, row_weight = n_samples, buffers.row_share
            if self.summed_squares and params.ndim == 1:  # the summed loss, from one product
                flat = E.reshape(-1)  # a view: the buffer is contiguous
                value = 0.5 * flat.dot(flat)
            else:
                value = self._unweighted_sum(Y, raw, Z, E)
        else:
            total_weight = sample_weight.sum()
            value = self.loss.value(Y, raw, Z, E, NUMPY) @ sample_weight
            row_weight = (sample_weight / total_weight)[:, np.newaxis]
        dZ = E if buffers.output_delta is None else buffers.output_delta(Z, E)
        dZ *= row_weight
        backward(
            X,
            hidden,
            slope_at,
            run.coefs,
            slopes,
            dZ,
            run.coef_grads,
            run.intercept_grads if self.fit_intercept else None,
            buffers.deltas,
            buffers.scratch,
            buffers.ones,
            product,
            NUMPY,
            masks,
        )
        value = value / total_weight
        if self.alpha:
            value = self._penalised(params, grad, value, total_weight, NUMPY)
        return float(value) if params.ndim == 1 else value

    def _unweighted_sum(self, Y, raw, Z, E):
        """The loss summed over the rows, on NumPy."""
        if self.summed_squares:
            return 0.5 * np.square(E).sum(axis=(-2, -1))
        return self.loss.value(Y, raw, Z, E, NUMPY).sum(axis=-1)

    def _anywhere(self, params, grad, X, Y, sample_weight, xp, masks):
        """The same objective on another library's arrays: new arrays, no buffers."""
        coefs, intercepts = self.layout.unpack(params)
        key = (X.shape[0], 1 if params.ndim == 1 else params.shape[0], id(xp))
        if key not in self._device_functions:  # resolved once per batch size, as on NumPy
            self._device_functions[key] = self.functions(*key[:2], xp)
        functions = self._device_functions[key]
        hidden, slope_at, raw, Z = forward(
            X,
            coefs,
            intercepts,
            functions.hidden,
            functions.out,
            fit_intercept=self.fit_intercept,
            xp=xp,
            keep_inputs=functions.keep_inputs,
            masks=masks,
        )
        E = Z - Y  # the article's error, negated
        values = self.loss.value(Y, raw, Z, E, xp)
        if sample_weight is None:
            total_weight, value = X.shape[0], xp.sum(values, axis=-1)
            dZ = _output_delta(self.loss, functions.out_slope, Z, E, xp) / total_weight
        else:
            total_weight = xp.sum(sample_weight)
            value = values @ sample_weight
            dZ = _output_delta(self.loss, functions.out_slope, Z, E, xp)
            dZ = dZ * (sample_weight / total_weight)[:, None]
        coef_grads, intercept_grads = backward(
            X, hidden, slope_at, coefs, functions.slopes, dZ, None, None, xp=xp, masks=masks
        )
        if not self.fit_intercept:  # zeros, as on NumPy: they are not trained
            intercept_grads = [xp.zeros_like(g) for g in intercept_grads]
        grad[...] = xp.concat_into(coef_grads + intercept_grads, grad)
        # the value stays on the device: reading it waits for the device, so the caller
        # reads it when it needs it (once an epoch), not at every step (see on_host_loss)
        return self._penalised(params, grad, value / total_weight, total_weight, xp)

    def _by_row_blocks(self, params, grad, X, Y, sample_weight, masks):
        """The objective as the weighted sum of the objectives of row blocks, in threads.

        Each thread takes every n-th block of rows and runs an unpenalised objective of its
        own on it; a block's mean, times its share of the total weight, is its part of the
        whole.
        """
        if self._blocks is None:
            args = (self.layout, self.activations, self.out_activation, self.loss_name, 0.0)
            self._blocks = [
                Objective(*args, self.fit_intercept, threads=False)  # they are the threads
                for _ in range(_parallel.N_THREADS)
            ]
        n_samples = X.shape[0]
        step = _parallel.block_rows(self.layout.layer_units)
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
                block_masks = None if masks is None else _rows(masks, block)
                args = (params, block_grad, X[block], Y[block], w, block_masks)
                value += share * objective(*args)
                block_grad *= share
                summed += block_grad
            return value, summed

        results = _parallel.in_threads(thread, range(len(self._blocks)))
        value = sum(part for part, _ in results)
        np.copyto(grad, results[0][1])
        for _, summed in results[1:]:
            grad += summed
        return float(self._penalised(params, grad, value, total_weight, NUMPY))

    def _penalised(self, params, grad, value, total_weight, xp):
        """The mean loss ``value`` plus the L2 penalty; its gradient added into ``grad``."""
        if self.alpha:
            coef_params = params[..., : self.layout.n_coef]
            penalty = xp.sum(xp.square(coef_params), axis=-1)
            value = value + 0.5 * self.alpha * penalty / total_weight
            grad[..., : self.layout.n_coef] += (self.alpha / total_weight) * coef_params
        return value


def _rows(masks, block):
    """Dropout's masks of the rows ``block``."""
    return [None if mask is None else mask[..., block, :] for mask in masks]


def _output_delta(loss, out_slope, Z, E, xp):
    """dZ from the error ``E = Z - Y``, by the loss's rule (``Loss.output_delta``)."""
    delta = loss.output_delta(out_slope, xp)
    return E if delta is None else delta(Z, E)


def loss_and_gradient(
    params,
    grad,
    layout,
    X,
    Y,
    sample_weight,
    alpha,
    activations,
    out_activation,
    loss,
    masks=None,
):
    """The training objective at ``params``, with its gradient written into ``grad``.

    A one-off :class:`Objective`; see it for the definition.

    Parameters
    ----------
    params, grad : array of shape (layout.size,) or (n_networks, layout.size)
        Flat parameters, and the buffer that receives the gradient.
    layout : Layout
    X : {array, sparse matrix} of shape (n_samples, n_features)
    Y : array of shape (n_samples, n_outputs)
        Targets, already encoded (one-hot for classifiers, scaled for regressors).
    sample_weight : array of shape (n_samples,) or None
    alpha : float
    activations : list of str
    out_activation, loss : str
    masks : list, default=None
        Dropout's masks, one per hidden layer (see ``_network.forward``).

    Returns
    -------
    value : float, or array of shape (n_networks,) for a stack
    """
    objective = Objective(layout, activations, out_activation, loss, alpha)
    return on_host_loss(objective(params, grad, X, Y, sample_weight, masks))
