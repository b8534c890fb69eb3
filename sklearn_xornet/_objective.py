"""The training objective: the weighted mean loss plus the L2 penalty, and its gradient.

:class:`Objective` evaluates it for a stack of networks on a batch of rows and writes the
gradient into a buffer: the forward pass, the loss and its output delta, the backward pass
(``_network.py``, ``_losses.py``), then the weights and the penalty. It is written once for
every array library: what a run passes again and again (the parameters' views, the buffer
hints, the layers' functions) is bound once and reused, and the buffers are real on NumPy
(an epoch of full-batch training allocates nothing) and None elsewhere (``_arrays.py``).
Large full batches run as row blocks in threads, a wrapper around this same objective
(``_parallel.RowBlocks``). It knows nothing of solvers or epochs.
"""

import math
from dataclasses import dataclass

from . import _parallel
from ._arrays import NUMPY, namespace, to_numpy, unstacked
from ._losses import make_loss
from ._network import LayerFunctions, Pass, backward, forward, layer_functions


@dataclass
class _Buffers:
    """What the objective reuses on batches of one shape: buffer hints (NumPy's arrays,
    None on another library) and what is resolved once for that shape."""

    layers: list  # each layer's output: the hidden H..., then the output's pre-activation
    Z: object  # the output, where it differs from the pre-activation
    deltas: list  # each layer's delta: dH..., then dZ
    scratch: list  # room for the hidden layers' slopes
    ones: object  # one per row: the intercepts' gradients as a product
    row_share: object  # 1 / n_samples, a 0-d array of the weights' dtype
    functions: LayerFunctions
    output_delta: object  # the loss's rule from the error to dZ (None: dZ is the error)
    total: object  # the loss summed over an unweighted batch (Loss.total_function)

    @classmethod
    def allocate(cls, objective, params, n_samples, xp):
        stack, dtype, device = tuple(params.shape[:-1]), params.dtype, _device(params)
        shapes = [stack + (n_samples, units) for units in objective.layout.layer_units[1:]]
        functions = objective.functions(n_samples, math.prod(stack), xp)
        identity_out = objective.loss.out_activation == "identity"
        return cls(
            layers=[xp.buffer(shape, dtype) for shape in shapes],
            Z=None if identity_out else xp.buffer(shapes[-1], dtype),
            deltas=[xp.buffer(shape, dtype) for shape in shapes],
            scratch=[xp.buffer(shape, dtype) for shape in shapes[:-1]],
            ones=xp.ones(n_samples, dtype=dtype, device=device),
            row_share=xp.asarray(1.0 / n_samples, dtype=dtype, device=device),
            functions=functions,
            output_delta=objective.loss.output_delta(functions.out_slope, xp),
            total=objective.loss.total_function(xp),
        )


def _device(array):
    return getattr(array, "device", "cpu")  # NumPy before 2.0 has no device attribute


@dataclass
class _Bound:
    """The arrays one training run passes again and again, with their views: bound once."""

    params: object
    grad: object
    X_type: type
    n_samples: int
    xp: object
    p: object  # params and grad as the maths computes them (_arrays.unstacked)
    g: object
    net: Pass  # the network's weights (views of p), buffers and gradients (views of g)
    stack: tuple  # params.shape[:-1]
    values: object  # the buffer hint for the value of each network
    buffers: _Buffers | None
    blocks: object  # _parallel.RowBlocks where the batch is split between threads


class Objective:
    """The training objective of a stack of networks, with the arrays it reuses.

    The objective is the weighted mean of the per-sample loss plus the L2 penalty
    ``alpha / 2 * ||coefs||^2``, divided by the total weight as in scikit-learn (so integer
    weights equal repeated rows). Calling it computes the value and writes the gradient.

    Parameters
    ----------
    layout : Layout
    activations : list of str or Activation
        The hidden layers' activations.
    loss : Loss
        The loss, with its output activation and any parameter bound (``_losses``).
    alpha : float
    fit_intercept : bool, default=True
        False: the intercepts are zeros, neither added nor differentiated.
    threads : bool, default=True
        False: never split a batch between threads (the caller is one of them).
    """

    def __init__(self, layout, activations, loss, alpha, fit_intercept=True, threads=True):
        self.layout = layout
        self.activations = list(activations)
        self.loss = loss
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.threads = threads
        self._widest = max(layout.layer_units[1:])
        self._buffers = {}
        self._bound = None
        self._blocks = None

    def functions(self, n_rows, n_stack=1, xp=NUMPY, slopes=True):
        """The layers' functions for batches of ``n_rows`` rows of ``n_stack`` networks."""
        return layer_functions(
            self.activations,
            self.loss.out_activation,
            self.layout.layer_units,
            n_rows * n_stack,
            threads=self.threads,
            xp=xp,
            slopes=slopes,
        )

    def part(self):
        """An unpenalised copy that never splits a batch: a thread's part of the whole."""
        return Objective(self.layout, self.activations, self.loss, 0.0, self.fit_intercept, False)

    def __call__(self, params, grad, X, Y, sample_weight=None, masks=None):
        """The objective of each network of the stack ``params`` on ``(X, Y)``, its
        gradient written into ``grad``.

        ``params`` and ``grad`` have shape ``(n_networks, size)`` (any leading axes, or
        none); ``masks`` are dropout's, one per hidden layer, shaped as the maths computes
        (see ``_network.forward`` and ``_arrays.unstacked``). Returns one value per
        network, an array of shape ``params.shape[:-1]`` in the weights' namespace, on
        their device: reading it waits for the device, so the caller reads it when it needs
        to (once an epoch). On NumPy it is a buffer the next call writes again.
        """
        value = self.values(params, grad, X, Y, sample_weight, masks)
        run = self._bound
        return run.xp.stacked(value, run.stack, run.values)

    def on_host(self, params, grad, X, Y, sample_weight=None, masks=None):
        """The same, read at once on the host: a tuple of floats, one per network."""
        value = self.values(params, grad, X, Y, sample_weight, masks)
        return self._bound.xp.host_values(value)

    def values(self, params, grad, X, Y, sample_weight=None, masks=None):
        """The same as the maths computes it: a number of the namespace for a lone network
        (``xp.host_values`` reads any of them on the host at once, as a tuple)."""
        return self.evaluate(self.bound(params, grad, X), X, Y, sample_weight, masks)

    def bound(self, params, grad, X):
        """What the objective of ``params`` on batches like ``X`` (as many rows, of the
        same kind) passes again and again, its gradient in ``grad``: bound once, for
        :meth:`evaluate` (a loop over the same batch binds it once for all)."""
        run = self._bound
        if (
            run is None
            or run.params is not params
            or run.grad is not grad
            or run.n_samples != X.shape[0]
            or run.X_type is not type(X)
        ):
            run = self._bind(params, grad, X)
        return run

    def evaluate(self, run, X, Y, sample_weight=None, masks=None):
        """:meth:`values` on a bound ``run``."""
        if run.blocks is not None:
            return run.blocks(run.params, run.grad, X, Y, sample_weight, masks)
        net, b, xp = run.net, run.buffers, run.xp
        hidden, slope_at, raw, Z = forward(X, net, masks)
        E = xp.subtract(Z, Y, out=net.deltas[-1])  # the article's error, negated
        if sample_weight is None:
            value, total_weight, row_weight = b.total(Y, raw, Z, E), X.shape[0], b.row_share
        else:
            value, total_weight = self._summed(Y, raw, Z, E, sample_weight, b.total)
            row_weight = (sample_weight / total_weight)[:, None]
        dZ = E if b.output_delta is None else b.output_delta(Z, E)
        dZ *= row_weight
        grads = backward(X, hidden, slope_at, dZ, net, masks)
        if xp.gather_into is not None:  # the gradients are new arrays, not g's own views
            xp.gather_into(grads, run.g)
        value = value / total_weight
        if self.alpha:
            value = self.penalised(run.p, run.g, value, total_weight, xp)
        return value

    def _bind(self, params, grad, X):
        xp, n_samples = namespace(params), X.shape[0]
        p, g = unstacked(params), unstacked(grad)
        buffers = blocks = None
        if self.threads and _parallel.splits_rows(X, self._widest, math.prod(params.shape[:-1])):
            self._blocks = blocks = self._blocks or _parallel.RowBlocks(self)
        else:
            key = (tuple(p.shape), n_samples, p.dtype, id(xp))
            if key not in self._buffers:
                if len(self._buffers) >= _parallel.BUFFER_SHAPES:
                    self._buffers.clear()
                self._buffers[key] = _Buffers.allocate(self, p, n_samples, xp)
            buffers = self._buffers[key]
        self._bound = _Bound(
            params=params,
            grad=grad,
            X_type=type(X),
            n_samples=n_samples,
            xp=xp,
            p=p,
            g=g,
            net=buffers and self._pass(p, g, X, buffers, xp),
            stack=tuple(params.shape[:-1]),
            values=xp.buffer(params.shape[:-1], params.dtype),
            buffers=buffers,
            blocks=blocks,
        )
        return self._bound

    def _pass(self, p, g, X, buffers, xp):
        """The network ``p``, its gradient ``g`` and the buffers, ready for their passes."""
        coefs, intercepts = self.layout.unpack(p)
        return Pass(
            coefs,
            intercepts,
            buffers.functions,
            xp,
            xp.product_for(X, p),
            self.fit_intercept,
            layers=buffers.layers,
            Z=buffers.Z,
            deltas=buffers.deltas,
            scratch=buffers.scratch,
            grads=self.layout.unpack(g),
            ones=buffers.ones,
        )

    def penalised(self, params, grad, value, total_weight, xp=None):
        """The mean loss ``value`` plus the L2 penalty; its gradient added into ``grad``."""
        if not self.alpha:
            return value
        xp = xp or namespace(params)
        coef_params = params[..., : self.layout.n_coef]
        penalty = xp.sum(xp.square(coef_params), axis=-1)
        value = value + 0.5 * self.alpha * penalty / total_weight
        grad[..., : self.layout.n_coef] += (self.alpha / total_weight) * coef_params
        return value

    def outputs(self, params, X):
        """The output layer's pre-activation and output on ``X`` for each network of the
        stack ``params``: two arrays of shape ``params.shape[:-1] + (n_samples, n_outputs)``."""
        p = unstacked(params)
        xp = namespace(p)
        functions = self.functions(X.shape[0], math.prod(p.shape[:-1]), xp, slopes=False)
        coefs, intercepts = self.layout.unpack(p)
        net = Pass(coefs, intercepts, functions, xp, fit_intercept=self.fit_intercept)
        _, _, raw, Z = forward(X, net)
        shape = (*params.shape[:-1], *raw.shape[-2:])
        return xp.reshape(raw, shape), xp.reshape(Z, shape)

    def mean_loss(self, params, X, Y, sample_weight=None):
        """Each network's unpenalised (weighted) mean loss on ``(X, Y)``, with its output
        ``Z``: the validation loss."""
        raw, Z = self.outputs(params, X)
        total = self.loss.total_function(namespace(Z))
        value, total_weight = self._summed(Y, raw, Z, Z - Y, sample_weight, total)
        return value / total_weight, Z

    def _summed(self, Y, raw, Z, E, sample_weight, total):
        """The loss summed over the rows (weighted), one sum per network, and the total
        weight; ``total`` sums an unweighted batch (``Loss.total_function``)."""
        if sample_weight is None:
            return total(Y, raw, Z, E), E.shape[-2]
        xp = namespace(E)
        return self.loss.value(Y, raw, Z, E, xp) @ sample_weight, xp.sum(sample_weight)


def loss_and_gradient(
    params, grad, layout, X, Y, sample_weight, alpha, activations, out_activation, loss, masks=None
):
    """The training objective at ``params`` (on the host), its gradient written into
    ``grad``: a one-off :class:`Objective`, for checks of the gradient.

    ``loss`` is a name (on ``out_activation``) or a ``_losses.Loss``; ``params`` one
    network's flat vector, or a stack of them (one value each).
    """
    loss = make_loss(loss, out_activation) if isinstance(loss, str) else loss
    objective = Objective(layout, activations, loss, alpha)
    return to_numpy(objective(params, grad, X, Y, sample_weight, masks))
