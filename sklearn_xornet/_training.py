"""The epochs of 'gd', 'sgd' and 'adam', and the entry to every solver's loop.

:func:`train` runs the solver's loop under ``_parallel``'s BLAS limit: :func:`train_epochs`
for the epoch solvers, ``_lbfgs.train_lbfgs_restarts`` for L-BFGS. An epoch runs over
batches (:class:`Batches`), each step evaluating the objective and letting the solver update
the weights; after it, the rules of ``_stopping.py`` judge. This module neither validates
nor publishes (the estimator does), nor draws starting weights (``_weights.py``).
"""

from dataclasses import dataclass
from functools import partial

import numpy as np
from sklearn.utils import gen_batches

from . import _diagnostics, _parallel
from ._arrays import _array_namespace, host_dtype, like, namespace, on_host
from ._lbfgs import train_lbfgs_restarts
from ._objective import on_host_loss
from ._state import keep_best_restart
from ._stopping import NonFiniteGuard, stopping_rule, warn_if_diverged


@dataclass
class TrainingSettings:
    """What the estimator's parameters say about one call's training."""

    n_epochs: int  # max_iter, or 1 for partial_fit
    incremental: bool  # a partial_fit call: no max_iter warning
    n_iter_no_change: float
    early_stopping: bool  # the validation score decides, and its best weights are kept
    verbose: bool
    alpha: float  # for the diagnosis of a non-finite run
    class_weighted: bool

    @classmethod
    def of(cls, estimator, incremental):
        return cls(
            n_epochs=1 if incremental else estimator.max_iter,
            incremental=incremental,
            n_iter_no_change=estimator.n_iter_no_change,
            early_stopping=estimator.early_stopping,
            verbose=estimator.verbose,
            alpha=estimator.alpha,
            class_weighted=getattr(estimator, "class_weight", None) is not None,
        )


class Batches:
    """The rows of each step of an epoch: all of them, or (shuffled) mini-batches; and,
    with dropout, each step's masks."""

    def __init__(self, problem, solver, batch_size, rng, t=0):
        self.X, self.Y, self.sample_weight = problem.X, problem.Y, problem.sample_weight
        self.objective = problem.objective
        self.n_samples = problem.X.shape[0]
        self.full = solver.full_batch
        self.shuffle = solver.shuffle and solver.random_order
        self.slices = list(gen_batches(self.n_samples, batch_size))
        self.rng = rng
        self.dropout = problem.dropout
        if self.dropout is not None:
            # Each call draws the masks from a stream of its own, keyed by the samples seen
            # so far (t): an int random_state restarts the rng on every call, as in
            # scikit-learn, which would give every partial_fit call the same masks.
            key = np.random.SeedSequence([int(rng.randint(2**31 - 1)), int(t)])
            self.mask_rng = np.random.RandomState(key.generate_state(4))
        self.hidden_units = problem.layout.layer_units[1:-1]
        if self.full:  # all of X as it is, every epoch: no copy, no indexing
            self.epoch = self._full_epoch

    def masks(self, params, n_rows):
        """Inverted dropout's masks for a step on ``n_rows`` rows (with dropout only).

        For each hidden layer with rate ``p``, each unit of each row (of each stacked
        network: every restart draws its own) is kept with probability ``1 - p`` and then
        scaled by ``1 / (1 - p)``, so that the layer's expected output is what it is at
        predict time, when nothing is dropped. Drawn on the host from the training's
        random state (and ``t``), in the weights' precision, and moved to where the weights
        are.
        """
        stack, dtype = tuple(params.shape[:-1]), host_dtype(params.dtype)
        masks = []
        for rate, units in zip(self.dropout, self.hidden_units, strict=True):
            if rate == 0:
                masks.append(None)
                continue
            mask = (self.mask_rng.random_sample(stack + (n_rows, units)) >= rate).astype(dtype)
            mask *= dtype.type(1 / (1 - rate))
            masks.append(like(params, mask))
        return masks

    def _full_epoch(self, params, grad, update, theta, theta_grad):
        masks = None if self.dropout is None else self.masks(params, self.n_samples)
        loss = self.objective(params, grad, self.X, self.Y, self.sample_weight, masks)
        update(theta, theta_grad)
        return loss if type(loss) is float else on_host_loss(loss)

    def epoch(self, params, grad, update, theta, theta_grad):
        """One pass: the objective, then ``update(theta, theta_grad)``, for each batch.

        ``theta`` and ``theta_grad`` are the trainable parts of ``params`` and ``grad``.
        Returns the epoch's mean loss.
        """
        X, Y, sample_weight, objective = self.X, self.Y, self.sample_weight, self.objective
        order = self.rng.permutation(self.n_samples) if self.shuffle else None
        take = _take if order is not None and not on_host(X) else _index
        if take is _take:  # the order goes where the data is, once an epoch
            order = like(X, order)
        accumulated = 0.0
        for batch in self.slices:
            rows = batch if order is None else order[batch]
            weights = None if sample_weight is None else take(sample_weight, rows)
            masks = None if self.dropout is None else self.masks(params, batch.stop - batch.start)
            loss = objective(params, grad, take(X, rows), take(Y, rows), weights, masks)
            accumulated += (batch.stop - batch.start) * loss
            update(theta, theta_grad)
        # one per restart when they are stacked; on a device, read once an epoch
        return on_host_loss(accumulated / self.n_samples)


def _index(A, rows):
    return A[rows]


def _take(A, rows):  # another library's rows: the standard's take
    return _array_namespace(A).take(A, rows, axis=0)


def train(params, problem, history, solver, rng, settings):
    """Train ``params`` with the solver's loop: the kept weights, their record, final losses.

    The epoch solvers run :func:`train_epochs`, L-BFGS ``_lbfgs.train_lbfgs_restarts``; both
    under the BLAS limit ``_parallel`` sets for the size of their steps.
    """
    if history.solver_state is not None:  # partial_fit goes on where it stopped
        solver.set_state(history.solver_state)
    rows = solver.batch_size(problem.X.shape[0])
    # L-BFGS trains its restarts one after the other: its products are one network's
    n_networks = params.shape[0] if params.ndim == 2 and solver.by_epochs else 1
    with _parallel.blas_limit(rows, n_networks, problem.layout.layer_units):
        if not solver.by_epochs:
            return train_lbfgs_restarts(params, problem, history, solver, settings)
        batches = Batches(problem, solver, rows, rng, history.t)
        train_epochs(params, problem, history, solver, batches, settings)
        return keep_best_restart(params, history, settings.early_stopping)


def train_epochs(params, problem, history, solver, batches, settings):
    """Train ``params`` (in place) epoch by epoch, recording each in ``history``."""
    grad = namespace(params).zeros_like(params)
    theta, theta_grad = params[..., problem.trainable], grad[..., problem.trainable]
    guard = NonFiniteGuard(params)
    rule = stopping_rule(solver, params, settings)
    # the loop runs thousands of times on small networks: what it reads, it reads once
    tasks, curve, watched = problem.tasks, history.loss_curve, problem.tasks.watched
    update, n_before = solver.update, len(curve)
    epoch, accept, improved_by = batches.epoch, guard.accept, rule.improved
    try:
        for _ in range(settings.n_epochs):
            if watched:
                tasks.begin_epoch()
            loss = accept(epoch(params, grad, update, theta, theta_grad), params)
            if loss is None:
                _non_finite(len(curve) - n_before, solver, problem, settings)
                tasks.end_epoch()
                break
            curve.append(loss)
            history.t += batches.n_samples
            improved = improved_by(loss, params, problem, history, settings.verbose)
            history.no_improvement = 0 if improved else history.no_improvement + 1
            solver.iteration_ends(history.t)
            if watched and tasks.end_epoch(partial(_leader_attributes, params, loss, problem)):
                break  # a callback asked to stop: a usable model, as it is now
            if history.no_improvement > settings.n_iter_no_change:
                msg = rule.stalled_message(settings.n_iter_no_change, "epochs")
                if solver.trigger_stopping(msg, settings.verbose):
                    warn_if_diverged(curve[n_before:], solver)
                    break
                history.no_improvement = 0
        else:
            if not settings.incremental:
                _diagnostics.not_converged(solver, settings.n_epochs)
    except KeyboardInterrupt:
        _diagnostics.warn("Training interrupted by user.", UserWarning)
    if not guard.check_outputs(params, problem):
        _non_finite(len(curve) - n_before, solver, problem, settings)
    rule.finish(params, history)
    history.solver_state = solver.get_state()


def _non_finite(n_epochs, solver, problem, settings):
    _diagnostics.non_finite(n_epochs, solver, problem, settings.alpha, settings.class_weighted)


def _leader_attributes(params, loss, problem):
    """The fitted attributes of the network in the lead (the best restart of a stack)."""
    return problem.fitted_attributes(params[np.argmin(loss)] if params.ndim == 2 else params)
