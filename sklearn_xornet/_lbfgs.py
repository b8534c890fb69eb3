"""scipy's L-BFGS-B on the flat parameter vector, and its restarts.

scipy steps a float64 NumPy vector on the host; the objective and its gradient are computed
where the data lives (``_objective.py``) and only the flat vector crosses, at the edge of
:func:`train_lbfgs`. The driver keeps scipy within the finite numbers: a step that overflows
gets a finite value above every loss seen, so the line search backs off, and a NaN iterate or
a non-finite start ends the run. Restarts run one after the other, each on a record of its
own; which one is kept, and what is said of it, is decided as for the epoch solvers' stack
(``_training.Training.run``).
"""

import math
from dataclasses import replace
from functools import partial

import numpy as np
import scipy.optimize

from . import _diagnostics
from ._arrays import assign, copy, namespace, to_numpy
from ._state import Trained
from ._stopping import stopping_rule


class _Breakdown(Exception):
    """scipy's L-BFGS left the finite numbers: its arithmetic overflowed."""


class _ScipyObjective:
    """The objective as scipy's L-BFGS wants it: ``theta -> (value, gradient)`` in float64.

    ``theta`` is the trainable part of one network's ``params`` (a stack of one), written
    into it before each evaluation.
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
        assign(self.params, (..., trainable), theta)  # the host's vector, to the data
        (value,) = problem.objective.on_host(
            self.params, self.grad, problem.X, problem.Y, problem.sample_weight
        )
        gradient = to_numpy(self.grad[0, trainable]).astype(np.float64)
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


class _Iterations:
    """What follows each iteration scipy reports: its record, the callbacks' task, early
    stopping; and the last iterate accepted, with a finite loss."""

    def __init__(self, training, params, rule):
        self.training, self.params, self.rule = training, params, rule
        self.trainable = (..., training.problem.trainable)
        self.last_accepted = to_numpy(params[self.trainable][0, ...]).astype(np.float64)

    def __call__(self, intermediate_result):
        x, value = intermediate_result.x, float(intermediate_result.fun)
        if not (math.isfinite(value) and np.isfinite(x).all()):
            raise _Breakdown
        training, params = self.training, self.params
        history, settings = training.history, training.settings
        # scipy reports an iteration once it is done: its task opens and closes here
        training.tasks.begin_epoch()
        history.loss_curves[0].append(value)
        self.last_accepted = x.copy()
        assign(params, self.trainable, x)
        improved = self.rule.improved((value,), params)
        if training.tasks.end_epoch(lambda: training.problem.fitted_attributes(params[0, ...])):
            raise StopIteration  # a callback asked to stop: a usable model
        n_iter_no_change = settings.n_iter_no_change
        if settings.early_stopping and self.rule.stalled(improved, history, n_iter_no_change):
            if settings.verbose:
                print(self.rule.stalled_message(n_iter_no_change, "iterations"), "Stopping.")
            raise StopIteration  # the validation score stopped improving


def train_lbfgs(training, params):
    """Train one network, ``params`` (a stack of one), in place, one loss record per
    iteration in ``training.history``; returns its final loss.

    ``params`` ends at the last iterate with a finite loss or, with early stopping, at the
    iterate of the best validation score: the run stops once that score has not improved
    for ``n_iter_no_change`` iterations, as the epoch solvers do. What is to be said of the
    run (it did not converge, it became non-finite) goes into the history's notes.
    """
    problem, history, solver = training.problem, training.history, training.solver
    objective = _ScipyObjective(params, problem)
    rule = stopping_rule(training, params)
    iterations = _Iterations(training, params, rule)
    n_before = len(history.loss_curves[0])
    try:
        result = scipy.optimize.minimize(
            objective,
            iterations.last_accepted,
            method="L-BFGS-B",
            jac=True,
            callback=iterations,
            options=solver.options(problem.objective.loss),
        )
        finite = bool(
            np.isfinite(result.fun)
            and np.isfinite(result.x).all()
            and result.fun not in objective.barriers
        )
    except _Breakdown:
        result, finite = None, False
    n_iterations = len(history.loss_curves[0]) - n_before
    assign(params, iterations.trainable, result.x if finite else iterations.last_accepted)
    if finite:
        final_loss = float(result.fun)
    else:
        final_loss = history.loss_curves[0][-1] if n_iterations else np.inf
    rule.finish(params, history)
    history.t += n_iterations * problem.X.shape[0]
    if not finite:  # an error if not one iteration was finite
        history.notes.append(training.non_finite(n_iterations))
    elif result.status != 99:  # 99: a callback stopped the run
        history.notes.append(partial(_diagnostics.lbfgs_not_converged, result, solver.max_iter))
    return final_loss


def train_lbfgs_restarts(training, params):
    """L-BFGS on each network of the stack ``params`` in turn, each with a record of its
    own; what is left of them (``_state.Trained``)."""
    records, final_losses = [], []
    for r in range(params.shape[0]):
        run = replace(training, history=training.history.network(r))
        network = copy(params[r : r + 1, ...])
        final_losses.append(train_lbfgs(run, network))
        params[r : r + 1, ...] = network
        records.append(run.history)
    best_scores = [record.best_scores[0] for record in records]
    return Trained(final_losses, best_scores, records.__getitem__)
