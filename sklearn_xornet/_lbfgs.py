"""scipy's L-BFGS-B on the flat parameter vector, and its restarts.

scipy steps a float64 NumPy vector on the host; the objective and its gradient are computed
where the data lives (``_objective.py``) and only the flat vector crosses, at the edge of
:func:`train_lbfgs`. The driver keeps scipy within the finite numbers: a step that overflows
gets a finite value above every loss seen, so the line search backs off, and a NaN iterate or
a non-finite start ends the run. Restarts run one after the other; only the kept one's
warnings reach the user.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.optimize
from sklearn.utils.optimize import _check_optimize_result

from . import _diagnostics
from ._arrays import assign, copy, namespace, to_numpy
from ._objective import on_host_loss
from ._state import best_restart
from ._stopping import stopping_rule


class _Breakdown(Exception):
    """scipy's L-BFGS left the finite numbers: its arithmetic overflowed."""


@dataclass
class Outcome:
    """How one L-BFGS run ended."""

    result: Any  # scipy's result, or None where the run broke down
    finite: bool  # whether it ended on a finite iterate scipy accepted
    n_iterations: int
    final_loss: float


class _ScipyObjective:
    """The objective as scipy's L-BFGS wants it: ``theta -> (value, gradient)`` in float64.

    ``theta`` is the trainable part of ``params``, written into it before each evaluation.
    """

    def __init__(self, params, problem):
        self.params, self.problem = params, problem
        self.grad = namespace(params).zeros_like(params)
        self.largest_loss = None  # the largest finite loss seen
        self.barriers = []  # the values returned in place of non-finite ones

    def __call__(self, theta):
        if not np.isfinite(theta).all():
            raise _Breakdown  # scipy's own arithmetic overflowed
        problem, trainable = self.problem, self.problem.trainable
        assign(self.params, trainable, theta)  # the host's vector, to where the data lives
        value = on_host_loss(
            problem.objective(self.params, self.grad, problem.X, problem.Y, problem.sample_weight)
        )
        gradient = to_numpy(self.grad[trainable]).astype(np.float64)
        # scipy squares the gradient's norm: where that overflows, so does its step
        if np.isfinite(value) and np.isfinite(gradient @ gradient):
            self.largest_loss = max(abs(value), self.largest_loss or 0.0)
            return value, gradient
        if self.largest_loss is None:
            raise _Breakdown  # not even the start is finite: nothing to train from
        # A step too long overflowed. Infinity would break the line search's interpolation
        # (scipy then reports convergence, or a NaN iterate); a finite value above every
        # loss seen sends it back to a shorter step.
        self.barriers.append(10 * self.largest_loss + 1)
        return self.barriers[-1], np.zeros_like(gradient)


def train_lbfgs(params, problem, history, solver, settings):
    """Train ``params`` in place, one loss record per iteration; returns the :class:`Outcome`.

    ``params`` ends at the last iterate with a finite loss or, with early stopping, at the
    iterate of the best validation score: the run stops once that score has not improved
    for ``n_iter_no_change`` iterations, as the epoch solvers do.
    """
    trainable = problem.trainable
    objective = _ScipyObjective(params, problem)
    rule = stopping_rule(solver, params, settings)
    n_before = len(history.loss_curve)
    start = to_numpy(params[trainable]).astype(np.float64)
    last_accepted = start  # the last iterate scipy reported, with a finite loss

    def callback(intermediate_result):
        nonlocal last_accepted
        x, value = intermediate_result.x, float(intermediate_result.fun)
        if not (math.isfinite(value) and np.isfinite(x).all()):
            raise _Breakdown
        # scipy reports an iteration once it is done: its task opens and closes here
        problem.tasks.begin_epoch()
        history.loss_curve.append(value)
        last_accepted = x.copy()
        assign(params, trainable, x)
        improved = rule.improved(value, params, problem, history, settings.verbose)
        if problem.tasks.end_epoch(lambda: problem.fitted_attributes(params)):
            raise StopIteration  # a callback asked to stop: a usable model
        if settings.early_stopping and rule.stalled(improved, history, settings.n_iter_no_change):
            if settings.verbose:
                print(rule.stalled_message(settings.n_iter_no_change, "iterations"), "Stopping.")
            raise StopIteration  # the validation score stopped improving

    try:
        result = scipy.optimize.minimize(
            objective,
            start,
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options=solver.options,
        )
        finite = bool(
            np.isfinite(result.fun)
            and np.isfinite(result.x).all()
            and result.fun not in objective.barriers
        )
    except _Breakdown:
        result, finite = None, False
    n_iterations = len(history.loss_curve) - n_before
    if finite:
        assign(params, trainable, result.x)
        final_loss = float(result.fun)
    else:
        assign(params, trainable, last_accepted)
        final_loss = history.loss_curve[-1] if n_iterations else np.inf
    rule.finish(params, history)
    history.t += n_iterations * problem.X.shape[0]
    return Outcome(result, finite, n_iterations, final_loss)


def train_lbfgs_restarts(params, problem, history, solver, settings):
    """L-BFGS on each restart in turn: the best's weights and record, and every final loss.

    Only the kept run's warnings reach the user: those of the others are about weights that
    are thrown away, and sixteen restarts would say the same thing sixteen times.
    """
    runs = []
    stack = params[None, ...] if params.ndim == 1 else params
    for r in range(stack.shape[0]):
        run, start = history.copy(), copy(stack[r, ...])
        runs.append((start, run, train_lbfgs(start, problem, run, solver, settings)))
    final = np.array([outcome.final_loss for *_, outcome in runs])
    scores = [run.best_validation_score for _, run, _ in runs]
    best, run, outcome = runs[best_restart(final, scores, settings.early_stopping)]
    if not outcome.finite:  # raises if not one iteration was finite
        _diagnostics.non_finite(
            outcome.n_iterations, solver, problem, settings.alpha, settings.class_weighted
        )
    elif outcome.result.status != 99:  # 99: a callback stopped the run
        _check_optimize_result("lbfgs", outcome.result, solver.max_iter)
    return best, run, final
