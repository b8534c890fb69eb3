"""The epochs of 'gd', 'sgd' and 'adam', and the rules that stop them.

:func:`train_epochs` runs epochs over batches (:class:`Batches`): each step evaluates the
objective and lets the solver update the weights. After each epoch small named rules decide
what happens next:

- :class:`NonFiniteGuard` keeps the last weights with a finite loss, rolls back the restarts
  that lost it, and at the end checks the outputs of the weights no loss has seen yet;
- :class:`NoImprovement` (training loss) or :class:`EarlyStopping` (validation score, with
  the best weights kept) counts the epochs without progress, scikit-learn's rule;
- a run that stopped far above where it began is said to have diverged.

This module neither validates nor publishes (the estimator does), nor draws starting weights
(``_weights.py``); L-BFGS has its own driver (``_lbfgs.py``).
"""

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
from sklearn.utils import gen_batches

from . import _diagnostics, _parallel
from ._arrays import _array_namespace, copy, like, namespace, on_host, to_numpy
from ._lbfgs import train_lbfgs_restarts
from ._objective import on_host_loss
from ._state import keep_best_restart


@dataclass
class TrainingSettings:
    """What the estimator's parameters say about one call's training."""

    n_epochs: int  # max_iter, or 1 for partial_fit
    incremental: bool  # a partial_fit call: no max_iter warning
    n_iter_no_change: float
    verbose: bool
    alpha: float  # for the diagnosis of a non-finite run
    class_weighted: bool

    @classmethod
    def of(cls, estimator, incremental):
        return cls(
            n_epochs=1 if incremental else estimator.max_iter,
            incremental=incremental,
            n_iter_no_change=estimator.n_iter_no_change,
            verbose=estimator.verbose,
            alpha=estimator.alpha,
            class_weighted=getattr(estimator, "class_weight", None) is not None,
        )


class Batches:
    """The rows of each step of an epoch: all of them, or (shuffled) mini-batches."""

    def __init__(self, problem, solver, batch_size, rng):
        self.X, self.Y, self.sample_weight = problem.X, problem.Y, problem.sample_weight
        self.objective = problem.objective
        self.n_samples = problem.X.shape[0]
        self.full = solver.full_batch
        self.shuffle = solver.shuffle and solver.random_order
        self.slices = list(gen_batches(self.n_samples, batch_size))
        self.rng = rng
        if self.full:  # all of X as it is, every epoch: no copy, no indexing
            self.epoch = self._full_epoch

    def _full_epoch(self, params, grad, update, theta, theta_grad):
        loss = self.objective(params, grad, self.X, self.Y, self.sample_weight)
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
            loss = objective(params, grad, take(X, rows), take(Y, rows), weights)
            accumulated += (batch.stop - batch.start) * loss
            update(theta, theta_grad)
        # one per restart when they are stacked; on a device, read once an epoch
        return on_host_loss(accumulated / self.n_samples)


def _index(A, rows):
    return A[rows]


def _take(A, rows):  # another library's rows: the standard's take
    return _array_namespace(A).take(A, rows, axis=0)


class NonFiniteGuard:
    """Keeps the weights an epoch started from until its loss is known finite.

    Two buffers take turns holding the last weights with a finite loss and the current
    epoch's start. Stacked restarts whose loss is not finite go back to their last finite
    weights and drop out of the race; when none is finite, training stops.
    """

    def __init__(self, params):
        self.last_finite, self.start = copy(params), copy(params)

    def accept(self, loss, params):
        """The epoch's ``loss`` (inf for restarts that dropped out), or None where no loss is
        finite: the weights are then back at the last finite ones. ``params`` are those
        the epoch ended with, and the next one starts from."""
        if isinstance(loss, float):  # one network
            if not math.isfinite(loss):
                params[...] = self.last_finite
                return None
            self.last_finite, self.start = self.start, self.last_finite
        else:
            finite = np.isfinite(loss)
            if finite.all():
                self.last_finite, self.start = self.start, self.last_finite
            elif not finite.any():
                params[...] = self.last_finite
                return None
            else:  # the restarts that lost their finite loss go back, and drop out
                copy_rows(self.last_finite, self.start, finite)
                copy_rows(params, self.last_finite, ~finite)
                loss = np.where(finite, loss, np.inf)
        self.start[...] = params
        return loss

    def check_outputs(self, params, problem):
        """Whether the last updates, which no loss has seen, left finite outputs on the
        training rows; the restarts where they did not go back to their last finite weights."""
        unchecked = ~finite_outputs(params, problem)
        copy_rows(params, self.last_finite, unchecked)
        return not unchecked.any()


def copy_rows(target, source, rows):
    """``target[r] = source[r]`` for each restart ``r`` that ``rows`` (one bool each, on the
    host) marks; for one network, all of it or nothing."""
    if target.ndim == 1:
        if rows:
            target[...] = source
        return
    for r in np.flatnonzero(rows):
        target[int(r), ...] = source[int(r), ...]


def finite_outputs(params, problem, rows_at_once=4096):
    """Whether the outputs on every training sample are finite (one bool per restart).

    A bound on the outputs, from the weights alone, settles it in most runs; the forward
    pass over the training rows is left to the restarts it cannot clear.
    """
    finite = outputs_cannot_overflow(params, problem)
    if finite.all():
        return finite
    xp = namespace(params)
    for rows in gen_batches(problem.X.shape[0], rows_at_once):
        for output in problem.outputs(params, problem.X[rows]):  # raw, then Z
            finite &= to_numpy(xp.all(xp.isfinite(output), axis=(-2, -1)))
    return finite


def outputs_cannot_overflow(params, problem):
    """Whether no output on the training rows can overflow, by a bound (one bool per net).

    Layer by layer, no entry of ``A @ W + b`` exceeds ``max|A|`` times the largest column
    sum of ``|W|``, plus ``max|b|``; tanh and the sigmoid bring it back to 1, relu and the
    identity keep it. Kept well below the largest float, the bound leaves room for the
    rounding of the products. The bound is kept on the host: one number per network.
    """
    xp = namespace(params)
    limit = float(xp.finfo(params.dtype).max) / 16
    if problem.out_activation == "exp":
        limit = np.log(limit)
    coefs, intercepts = problem.layout.unpack(params)
    bound = np.full(params.shape[:-1], _diagnostics.largest_magnitude(problem.X))
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
            column_sums = to_numpy(xp.max(xp.sum(xp.abs(W), axis=-2), axis=-1))
            bound = bound * column_sums + to_numpy(xp.max(xp.abs(b), axis=-1))
            if i < len(problem.activations) and problem.activations[i] in ("tanh", "logistic"):
                # (past the limit, inf - inf in the product could still make a NaN)
                bound = np.where(bound < limit, 1.0, bound)
    return bound < limit


class NoImprovement:
    """scikit-learn's rule on the training loss: an epoch improves it by ``tol`` or more."""

    what = "Training loss"

    def __init__(self, tol):
        self.tol = tol

    def improved(self, loss, params, problem, history, verbose):
        # the run goes on while its best restart improves
        best_now = loss if isinstance(loss, float) else float(loss.min())
        if verbose:
            print(f"Iteration {len(history.loss_curve)}, loss = {best_now:.8f}")
        improved = best_now <= history.best_loss - self.tol
        if best_now < history.best_loss:
            history.best_loss = best_now
        return improved

    def finish(self, params, history):
        pass


class EarlyStopping(NoImprovement):
    """The validation score in place of the loss; the weights of the best score are kept."""

    what = "Validation score"

    def __init__(self, tol, params):
        super().__init__(tol)
        self.best_params = copy(params)

    def improved(self, loss, params, problem, history, verbose):
        super().improved(loss, params, problem, history, verbose)
        score = problem.validation.scores(params, problem)
        history.validation_scores.append(score)
        best_now = float(np.fmax.reduce(np.atleast_1d(score)))
        if verbose:
            print(f"Validation score: {best_now:f}")
        improved = best_now >= history.best_validation_score + self.tol
        better = np.atleast_1d(score) > history.best_scores
        history.best_scores = np.where(better, score, history.best_scores)
        copy_rows(self.best_params, params, better if params.ndim == 2 else better[0])
        history.best_validation_score = max(history.best_validation_score, best_now)
        return improved

    def finish(self, params, history):
        if np.isfinite(history.best_validation_score):
            params[...] = self.best_params  # the weights of the best validation score


def train(params, problem, history, solver, rng, settings):
    """Train ``params`` with the solver's loop: the kept weights, their record, final losses.

    The epoch solvers run :func:`train_epochs`, L-BFGS ``_lbfgs.train_lbfgs_restarts``; both
    under the BLAS limit ``_parallel`` sets for the size of their steps.
    """
    if history.solver_state is not None:  # partial_fit goes on where it stopped
        solver.set_state(history.solver_state)
    rows = solver.batch_size(problem.X.shape[0])
    n_networks = params.shape[0] if params.ndim == 2 else 1
    with _parallel.blas_limit(rows, n_networks, problem.layout.layer_units):
        if not solver.by_epochs:
            return train_lbfgs_restarts(params, problem, history, solver, settings)
        batches = Batches(problem, solver, rows, rng)
        train_epochs(params, problem, history, solver, batches, settings)
        return keep_best_restart(params, history, problem.validation is not None)


def train_epochs(params, problem, history, solver, batches, settings):
    """Train ``params`` (in place) epoch by epoch, recording each in ``history``."""
    grad = namespace(params).zeros_like(params)
    theta, theta_grad = params[..., problem.trainable], grad[..., problem.trainable]
    guard = NonFiniteGuard(params)
    rule = EarlyStopping(solver.tol, params) if problem.validation else NoImprovement(solver.tol)
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
                msg = (
                    f"{rule.what} did not improve more than tol={solver.tol:f} for"
                    f" {settings.n_iter_no_change} consecutive epochs."
                )
                if solver.trigger_stopping(msg, settings.verbose):
                    _warn_if_diverged(curve[n_before:], solver)
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


def _warn_if_diverged(loss_curve, solver):
    """A run that stalls far above where it started has diverged: say so, once."""
    first, last = np.min(loss_curve[0]), np.min(loss_curve[-1])
    if last > 10 * first:
        _diagnostics.diverged(first, last, solver.learning_rate_init)
