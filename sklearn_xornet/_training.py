"""A training run, and the epochs of 'gd', 'sgd' and 'adam'.

:class:`Training` owns one call's training: what it trains on (``_state.Problem``), its
record (``_state.History``), the solver, the settings, the callback tasks and the random
state. :meth:`Training.run` is every solver's entry: under ``_parallel``'s BLAS limit it
hands the stack of starting weights to the solver's own loop (``Solver.train``: the epochs
below, or scipy's L-BFGS on each restart in ``_lbfgs.py``), keeps the best network and says
what there is to say about its training (``_diagnostics``). An epoch runs over batches
(:class:`Batches`), each step evaluating the objective and letting the solver update the
weights; after it, the rules of ``_stopping.py`` judge. This module neither validates nor
publishes (the estimator does), nor draws starting weights (``_weights.py``).
"""

from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import numpy as np
from sklearn.utils import gen_batches

from . import _diagnostics, _parallel
from ._arrays import copy, host_dtype, like, namespace, unstacked
from ._state import Trained, best_restart
from ._stopping import NonFiniteGuard, stopping_rule, warn_if_diverged


@dataclass
class Settings:
    """What the estimator's parameters say about one call's training."""

    n_epochs: int  # max_iter, or 1 for partial_fit
    incremental: bool  # a partial_fit call: no max_iter warning
    n_iter_no_change: float
    early_stopping: bool  # the validation score decides, and its best weights are kept
    verbose: bool
    alpha: float  # for the diagnosis of a non-finite run
    class_weighted: bool

    @classmethod
    def of(cls, params, incremental):
        """The settings of an estimator's parameters ``params`` (``get_params()``, 'auto'
        resolved)."""
        return cls(
            n_epochs=1 if incremental else params["max_iter"],
            incremental=incremental,
            n_iter_no_change=params["n_iter_no_change"],
            early_stopping=params["early_stopping"],
            verbose=params["verbose"],
            alpha=params["alpha"],
            class_weighted=params.get("class_weight") is not None,
        )


@dataclass
class Training:
    """One call's training: what it trains on, its record, its solver and its rules.

    ``problem`` (``_state.Problem``), ``history`` (``_state.History``, of the whole stack),
    ``solver`` (``_solvers.Solver``), ``settings`` (:class:`Settings`), ``tasks`` (the
    callbacks', ``_callbacks.FitTasks``) and ``rng`` (the random state that shuffles and
    drops out).
    """

    problem: Any
    history: Any
    solver: Any
    settings: Settings
    tasks: Any
    rng: Any

    @cached_property
    def rows(self):
        """The rows of one step: the solver's batch size on this problem."""
        return self.solver.batch_size(self.problem.X.shape[0])

    def run(self, params):
        """Train the stack ``params``: the network kept (a stack of one), its record, and
        every network's final loss (``init_losses_``).

        The best has the lowest final training loss, or with early stopping the highest
        validation score; what there is to say about its training is said (a warning, or
        the error of a run that never had finite weights).
        """
        if self.history.solver_state is not None:  # partial_fit goes on where it stopped
            self.solver.set_state(self.history.solver_state)
        # L-BFGS trains its restarts one after the other: its products are one network's
        n_networks = params.shape[0] if self.solver.by_epochs else 1
        with _parallel.blas_limit(self.rows, n_networks, self.problem.layout.layer_units):
            trained = self.solver.train(self, params)
        early_stopping = self.settings.early_stopping
        best = best_restart(trained.final_losses, trained.best_scores, early_stopping)
        history = trained.record(best)
        for note in history.notes:
            note()
        final_losses = np.asarray(trained.final_losses, dtype=float)
        return copy(params[best : best + 1, ...]), history, final_losses

    def non_finite(self, n_finite_steps):
        """The note on a training that became non-finite after ``n_finite_steps``."""
        settings = self.settings
        return partial(
            _diagnostics.non_finite,
            n_finite_steps,
            self.solver,
            self.problem,
            settings.alpha,
            settings.class_weighted,
        )


class Batches:
    """The rows of each step of an epoch of ``training``: all of them, or (shuffled)
    mini-batches, for the weights ``params`` (their gradient in ``grad``); and, with
    dropout, each step's masks."""

    def __init__(self, training, params, grad):
        problem, solver, rng = training.problem, training.solver, training.rng
        self.X, self.Y, self.sample_weight = problem.X, problem.Y, problem.sample_weight
        self.objective, self.params, self.grad = problem.objective, params, grad
        self.n_samples = problem.X.shape[0]
        self.full = solver.full_batch
        self.shuffle = solver.shuffle and solver.random_order
        self.slices = list(gen_batches(self.n_samples, training.rows))
        self.rng = rng
        self.dropout = problem.dropout
        if self.dropout is not None:
            # Each call draws the masks from a stream of its own, keyed by the samples seen
            # so far (t): an int random_state restarts the rng on every call, as in
            # scikit-learn, which would give every partial_fit call the same masks.
            t = training.history.t
            key = np.random.SeedSequence([int(rng.randint(2**31 - 1)), int(t)])
            self.mask_rng = np.random.RandomState(key.generate_state(4))
        self.hidden_units = problem.layout.layer_units[1:-1]
        self.host_values = namespace(problem.X).host_values  # where the weights and data are
        if self.full:  # all of X as it is, every epoch: no copy, no indexing, bound once
            self.run = self.objective.bound(params, grad, self.X)
            self.epoch = self._full_epoch

    def masks(self, params, n_rows):
        """Inverted dropout's masks for a step on ``n_rows`` rows (with dropout only).

        For each hidden layer with rate ``p``, each unit of each row (of each stacked
        network: every restart draws its own) is kept with probability ``1 - p`` and then
        scaled by ``1 / (1 - p)``, so that the layer's expected output is what it is at
        predict time, when nothing is dropped. Drawn on the host from the training's
        random state (and ``t``), in the weights' precision, shaped as the maths computes
        the layers (``_arrays.unstacked``), and moved to where the weights are.
        """
        stack, dtype = tuple(unstacked(params).shape[:-1]), host_dtype(params.dtype)
        masks = []
        for rate, units in zip(self.dropout, self.hidden_units, strict=True):
            if rate == 0:
                masks.append(None)
                continue
            mask = (self.mask_rng.random_sample(stack + (n_rows, units)) >= rate).astype(dtype)
            mask *= dtype.type(1 / (1 - rate))
            masks.append(like(params, mask))
        return masks

    def _full_epoch(self, update, theta, theta_grad):
        masks = None if self.dropout is None else self.masks(self.params, self.n_samples)
        losses = self.objective.evaluate(self.run, self.X, self.Y, self.sample_weight, masks)
        update(theta, theta_grad)
        return self.host_values(losses)

    def epoch(self, update, theta, theta_grad):
        """One pass: the objective, then ``update(theta, theta_grad)``, for each batch.

        ``theta`` and ``theta_grad`` are the trainable parts of the weights and their
        gradient. Returns the epoch's mean loss of each network, on the host.
        """
        X, Y, sample_weight, objective = self.X, self.Y, self.sample_weight, self.objective
        params, grad = self.params, self.grad
        take = namespace(X).take_rows
        order = like(X, self.rng.permutation(self.n_samples)) if self.shuffle else None
        accumulated = 0.0
        for batch in self.slices:
            rows = batch if order is None else order[batch]
            weights = None if sample_weight is None else take(sample_weight, rows)
            n_rows = batch.stop - batch.start
            masks = None if self.dropout is None else self.masks(params, n_rows)
            losses = objective.values(params, grad, take(X, rows), take(Y, rows), weights, masks)
            accumulated = accumulated + n_rows * losses
            update(theta, theta_grad)
        return self.host_values(accumulated / self.n_samples)  # on a device, read once


def train_epochs(training, params):
    """Train the stack ``params`` in place, epoch by epoch, recording each in the history;
    what is left of it (``_state.Trained``). What is to be said about the training (it did
    not converge, diverged, became non-finite) goes into the history's notes."""
    problem, history = training.problem, training.history
    solver, settings = training.solver, training.settings
    grad = namespace(params).zeros_like(params)
    batches = Batches(training, params, grad)
    theta, theta_grad = params[..., problem.trainable], grad[..., problem.trainable]
    guard = NonFiniteGuard(params)
    rule = stopping_rule(training, params)
    # the loop runs thousands of times on small networks: what it reads, it reads once
    tasks, curves, watched = training.tasks, history.loss_curves, training.tasks.watched
    update, n_before, notes = solver.update, len(curves[0]), history.notes
    iteration_ends = solver.iteration_ends
    epoch, accept, improved_by = batches.epoch, guard.accept, rule.improved
    try:
        for _ in range(settings.n_epochs):
            if watched:
                tasks.begin_epoch()
            losses = accept(epoch(update, theta, theta_grad), params)
            if losses is None:
                notes.append(training.non_finite(len(curves[0]) - n_before))
                tasks.end_epoch()
                break
            for r, loss in enumerate(losses):  # (zip's strict= keyword costs more, here)
                curves[r].append(loss)
            history.t += batches.n_samples
            improved = improved_by(losses, params)
            history.no_improvement = 0 if improved else history.no_improvement + 1
            if iteration_ends is not None:
                iteration_ends(history.t)
            if watched and tasks.end_epoch(partial(_leader_attributes, params, losses, problem)):
                break  # a callback asked to stop: a usable model, as it is now
            if history.no_improvement > settings.n_iter_no_change:
                msg = rule.stalled_message(settings.n_iter_no_change, solver.steps)
                if solver.trigger_stopping(msg, settings.verbose):
                    notes.append(partial(warn_if_diverged, curves, n_before, solver))
                    break
                history.no_improvement = 0
        else:
            if not settings.incremental:
                notes.append(partial(warn_if_diverged, curves, n_before, solver, settings.n_epochs))
    except KeyboardInterrupt:
        _diagnostics.warn("Training interrupted by user.", UserWarning)
    if not guard.check_outputs(params, problem):
        notes.append(training.non_finite(len(curves[0]) - n_before))
    rule.finish(params, history)
    history.solver_state = solver.get_state()
    return Trained.of(history, params.shape[0])


def _leader_attributes(params, losses, problem):
    """The fitted attributes of the network in the lead (the best restart of a stack)."""
    return problem.fitted_attributes(params[int(np.argmin(losses)), ...])
