"""The rules that stop training, each a small named piece.

- :class:`NonFiniteGuard` keeps the last weights with a finite loss, rolls back the restarts
  that lost it, and at the end checks the outputs of the weights no loss has seen yet;
- :class:`NoImprovement` (training loss) or :class:`EarlyStopping` (validation score, with
  the best weights kept) counts the epochs, or L-BFGS iterations, without progress:
  scikit-learn's rule; both record the validation score and loss where there are
  validation samples;
- :func:`warn_if_diverged`: a run that stopped far above where it began has diverged.

They only judge and restore: the loops that call them are ``_training.py``'s and
``_lbfgs.py``'s.
"""

import math
from math import isfinite

import numpy as np
from sklearn.utils import gen_batches

from . import _diagnostics, _parallel
from ._activations import magnitude
from ._arrays import copy, namespace, to_numpy


class NonFiniteGuard:
    """Keeps the weights an epoch started from until its loss is known finite.

    Two buffers take turns holding the last weights with a finite loss and the current
    epoch's start. Stacked restarts whose loss is not finite go back to their last finite
    weights and drop out of the race; when none is finite, training stops.
    """

    def __init__(self, params):
        self.last_finite, self.start = copy(params), copy(params)

    def accept(self, losses, params):
        """The epoch's ``losses`` (inf for restarts that dropped out), or None where no loss
        is finite: the weights are then back at the last finite ones. ``params`` are those
        the epoch ended with, and the next one starts from."""
        # a sum of finite losses overflows only past 1e308: the second test then decides
        if isfinite(sum(losses)) or all(map(isfinite, losses)):
            self.last_finite, self.start = self.start, self.last_finite
        elif not any(map(isfinite, losses)):
            params[...] = self.last_finite
            return None
        else:  # the restarts that lost their finite loss go back, and drop out
            finite = [isfinite(loss) for loss in losses]
            copy_rows(self.last_finite, self.start, finite)
            copy_rows(params, self.last_finite, [not ok for ok in finite])
            losses = tuple(
                loss if ok else math.inf for loss, ok in zip(losses, finite, strict=True)
            )
        self.start[...] = params
        return losses

    def check_outputs(self, params, problem):
        """Whether the last updates, which no loss has seen, left finite outputs on the
        training rows; the restarts where they did not go back to their last finite weights."""
        unchecked = ~finite_outputs(params, problem)
        copy_rows(params, self.last_finite, unchecked)
        return not unchecked.any()


def copy_rows(target, source, rows):
    """``target[r] = source[r]`` for each network ``r`` of the stacks that ``rows`` (one
    bool each, on the host) marks."""
    for r in np.flatnonzero(rows):
        target[int(r), ...] = source[int(r), ...]


def finite_outputs(params, problem):
    """Whether the outputs on every training sample are finite (one bool per network).

    A bound on the outputs, from the weights alone, settles it in most runs; the forward
    pass over the training rows is left to the networks it cannot clear.
    """
    cleared = outputs_cannot_overflow(params, problem)
    if cleared.all():
        return cleared
    xp = namespace(params)
    computed = np.ones(np.shape(cleared), dtype=bool)
    for rows in gen_batches(problem.X.shape[0], _parallel.CHECK_ROWS):
        for output in problem.objective.outputs(params, problem.X[rows]):  # raw, then Z
            computed &= to_numpy(xp.all(xp.isfinite(output), axis=(-2, -1)))
    return cleared | computed


def outputs_cannot_overflow(params, problem):
    """Whether no output on the training rows can overflow, by a bound (one bool per net).

    Layer by layer, no entry of ``A @ W + b`` exceeds ``max|A|`` times the largest column
    sum of ``|W|``, plus ``max|b|``; each activation says what it makes of that bound
    (``Activation.magnitude``: tanh and the sigmoid bring it back to 1, relu and the
    identity keep it, a user's activation makes it infinite). Kept well below the largest
    float, the bound leaves room for the rounding of the products. The bound is kept on the
    host: one number per network.
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
            if i < len(problem.activations):
                bound = magnitude(problem.activations[i], bound, limit)
    return bound < limit


class NoImprovement:
    """scikit-learn's rule on the training loss: an epoch improves it by ``tol`` or more.

    Where there are validation samples, it also records their score and loss after each
    epoch (or L-BFGS iteration); they do not decide anything here.
    """

    what = "Training loss"

    def __init__(self, tol, training):
        self.tol = tol
        # what each epoch reads, read once: the record and the problem stay while it runs
        self.history, self.objective = training.history, training.problem.objective
        self.validation = training.problem.validation
        self.verbose = training.settings.verbose

    def improved(self, losses, params):
        """Record an epoch that ended with ``losses`` (one per network of the stack
        ``params``) in the training's history; whether it improved."""
        history, validation = self.history, self.validation
        best_now = min(losses)  # the run goes on while its best restart improves
        if self.verbose:
            print(f"Iteration {len(history.loss_curves[0])}, loss = {best_now:.8f}")
        if validation is not None:
            scores, validation_losses = validation.evaluate(params, self.objective)
            for curve, score in zip(history.validation_scores, scores, strict=True):
                curve.append(score)
            for curve, loss in zip(history.validation_losses, validation_losses, strict=True):
                curve.append(loss)
            if self.verbose:
                print(f"Validation score: {float(np.fmax.reduce(scores)):f}")
        improved = best_now <= history.best_loss - self.tol
        if best_now < history.best_loss:
            history.best_loss = best_now
        return improved

    def stalled(self, improved, history, n_iter_no_change):
        """Count an epoch or iteration; whether the last ``n_iter_no_change + 1`` did not
        improve (the epoch loop counts inline, for speed)."""
        history.no_improvement = 0 if improved else history.no_improvement + 1
        return history.no_improvement > n_iter_no_change

    def stalled_message(self, n_iter_no_change, steps):
        return (
            f"{self.what} did not improve more than tol={self.tol:f} for"
            f" {n_iter_no_change} consecutive {steps}."
        )

    def finish(self, params, history):
        pass


class EarlyStopping(NoImprovement):
    """The validation score in place of the loss; the weights of the best score are kept.

    Of the epochs that reach the same best score, the one with the lowest validation loss
    is the best, and an epoch that holds the best score while lowering the validation loss
    by a share ``tol`` of it counts as progress. A validation set of a few dozen samples
    reaches its best accuracy early and holds it for many epochs while the model still
    learns: the first of them, scikit-learn's choice, is often underfit (README,
    "Defaults"). Where the validation targets are all alike (one class, a constant), the
    score cannot tell one model from another and the loss falls for ever: there, holding
    the score is no progress, as in scikit-learn.
    """

    what = "Validation score"

    def __init__(self, tol, training, params):
        super().__init__(tol, training)
        self.best_params = copy(params)
        Y = to_numpy(training.problem.validation.Y)
        self.ties_progress = np.unique(Y.reshape(Y.shape[0], -1), axis=0).shape[0] > 1

    def improved(self, losses, params):
        super().improved(losses, params)  # records the scores and losses
        history, tol = self.history, self.tol
        best_now = float(np.fmax.reduce([curve[-1] for curve in history.validation_scores]))
        improved = best_now >= history.best_validation_score + tol
        better = []
        for r, (scores, val_losses) in enumerate(
            zip(history.validation_scores, history.validation_losses, strict=True)
        ):
            score, loss = scores[-1], val_losses[-1]
            best, best_loss = history.best_scores[r], history.best_validation_losses[r]
            held = score == best
            lowered = held and loss <= best_loss - tol * abs(best_loss)
            improved = improved or (lowered and self.ties_progress)
            better.append(score > best or (held and loss < best_loss))
            if better[-1]:
                history.best_scores[r], history.best_validation_losses[r] = score, loss
        copy_rows(self.best_params, params, better)
        history.best_validation_score = max(history.best_validation_score, best_now)
        return improved

    def finish(self, params, history):
        if np.isfinite(history.best_validation_score):
            params[...] = self.best_params  # the weights of the best validation score


def stopping_rule(training, params):
    """The rule on progress of a training of ``params``: the validation score's with early
    stopping, else the loss's."""
    if training.settings.early_stopping:
        return EarlyStopping(training.solver.tol, training, params)
    return NoImprovement(training.solver.tol, training)


def warn_if_diverged(loss_curves, n_before, solver, max_iter=None):
    """A run that stalls far above where it started (its loss after epoch ``n_before``,
    the first of this call's) has diverged: say so, once. A run that used up ``max_iter``
    (where given) without diverging is said not to have converged."""
    first = min(curve[n_before] for curve in loss_curves)
    last = min(curve[-1] for curve in loss_curves)
    if last > 10 * first:
        _diagnostics.diverged(first, last, solver.learning_rate_init)
    elif max_iter is not None:
        _diagnostics.not_converged(solver, max_iter)
