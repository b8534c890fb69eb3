"""Training state, named: what a fit trains on, and the record it keeps.

``Problem`` is what one call to ``fit`` or ``partial_fit`` trains on, fixed while it runs;
``Validation`` its held-out samples, when there are any. ``History`` is the record of
training, carried from call to call while the weights are kept: it is made fresh, from a
fitted model (warm start, ``partial_fit``), or by selecting one restart of a stack. Nothing
here trains: the loops are in ``_training.py`` and ``_lbfgs.py``.
"""

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ._arrays import copy, namespace
from ._network import forward
from ._objective import on_host_loss


@dataclass
class Validation:
    """Validation samples (held out, or given as ``X_val``): their targets ``y``, the same
    encoded as the network's ``Y``, and ``score(Z, y, sample_weight)`` of an output ``Z``."""

    X: Any
    y: Any
    sample_weight: Any
    Y: Any
    score: Any

    def evaluate(self, params, problem):
        """The score and the unpenalised mean loss of ``params`` on these samples: numbers,
        or one of each per network for a stack of restarts."""
        raw, Z = problem.outputs(params, self.X)
        xp = namespace(Z)
        values = problem.objective.loss.value(self.Y, raw, Z, Z - self.Y, xp)
        if self.sample_weight is None:
            loss = xp.sum(values, axis=-1) / values.shape[-1]
        else:
            loss = (values @ self.sample_weight) / xp.sum(self.sample_weight)
        if Z.ndim == 3:
            scores = [self.score(Z[r, ...], self.y, self.sample_weight) for r in range(Z.shape[0])]
            return np.array(scores), on_host_loss(loss)
        return self.score(Z, self.y, self.sample_weight), float(on_host_loss(loss))


@dataclass
class Problem:
    """What one call to ``fit`` or ``partial_fit`` trains on.

    ``X``, ``Y`` (encoded targets) and ``sample_weight`` (class weights included) are the
    training rows; ``encoding`` the fitted attributes that describe the targets; ``tasks``
    the callback tasks (``_callbacks.FitTasks``); ``trainable`` the part of the flat vector
    the solver moves (all of it, or the weights without intercepts).
    """

    X: Any
    Y: Any
    sample_weight: Any
    layout: Any
    activations: list
    out_activation: str
    encoding: dict
    objective: Any
    tasks: Any
    trainable: slice
    validation: Validation | None = None
    dropout: tuple | None = None  # each hidden layer's dropout rate; None: no dropout

    def outputs(self, params, X):
        """The output layer's pre-activation and output on ``X``, as in :func:`forward`."""
        xp = namespace(params)
        coefs, intercepts = self.layout.unpack(params)
        n_stack = 1 if params.ndim == 1 else params.shape[0]
        functions = self.objective.functions(X.shape[0], n_stack, xp)
        return forward(X, coefs, intercepts, functions.hidden, functions.out, xp=xp)[2:]

    def fitted_attributes(self, params):
        """What a model needs to predict with the weights ``params``."""
        coefs, intercepts = self.layout.unpack(params)
        return {
            "coefs_": [copy(c) for c in coefs],
            "intercepts_": [copy(b) for b in intercepts],
            "n_layers_": len(self.layout.layer_units),
            "n_outputs_": self.Y.shape[1],
            "out_activation_": self.out_activation,
            **self.encoding,
        }


@dataclass
class History:
    """The record of training, carried across warm starts and ``partial_fit`` calls.

    ``loss_curve`` has one loss per epoch or L-BFGS iteration: a float, or, while restarts
    train as a stack, an array of their losses, until :meth:`select` keeps one; so do
    ``validation_scores`` and ``validation_losses`` where there are validation samples.
    ``best_validation_score`` and ``best_scores`` (each network's best score, one entry for
    one network) are early stopping's.
    """

    loss_curve: list
    t: int
    best_loss: float
    no_improvement: int
    solver_state: dict | None
    validation_scores: list | None
    validation_losses: list | None
    best_validation_score: float | None
    best_scores: np.ndarray

    @classmethod
    def fresh(cls, n_networks, validation, early_stopping):
        return cls(
            loss_curve=[],
            t=0,
            best_loss=np.inf,
            no_improvement=0,
            solver_state=None,
            validation_scores=[] if validation else None,
            validation_losses=[] if validation else None,
            best_validation_score=-np.inf if early_stopping else None,
            best_scores=np.full(n_networks, -np.inf),
        )

    @classmethod
    def from_fitted(cls, estimator, keep_solver_state, validation, early_stopping):
        """The record of a fitted ``estimator``'s training, to go on from.

        scikit-learn's rule: ``partial_fit`` keeps the solver's state (``keep_solver_state``),
        a warm-started ``fit`` starts it anew.
        """
        scores = estimator.validation_scores_
        losses = getattr(estimator, "validation_loss_curve_", None)
        best_score = estimator.best_validation_score_
        if validation and scores is None:  # validation samples since the last fit
            scores, losses = [], []
        if early_stopping and best_score is None:  # early stopping switched on since
            best_score = -np.inf
        return cls(
            loss_curve=list(estimator.loss_curve_),
            t=estimator.t_,
            best_loss=min(estimator.loss_curve_, default=np.inf),
            no_improvement=estimator._no_improvement_count,
            solver_state=estimator._solver_state if keep_solver_state else None,
            validation_scores=None if scores is None else list(scores),
            validation_losses=None if losses is None else list(losses),
            best_validation_score=best_score,
            best_scores=np.array([-np.inf if best_score is None else best_score]),
        )

    def fitted_attributes(self, n_before, init_losses, validation):
        """The estimator's attributes that describe this record, ``n_before`` entries of
        the loss curve being older than the call, ``init_losses`` the restarts' last."""
        # an L-BFGS run may end before its first iteration: its loss is the start's
        ran = len(self.loss_curve) > n_before
        loss = self.loss_curve[-1] if ran else float(np.min(init_losses))
        return {
            "loss_curve_": self.loss_curve,
            "loss_": loss,
            "best_loss_": None if validation else min(self.loss_curve, default=loss),
            "n_iter_": len(self.loss_curve) - n_before,  # this call's, as in scikit-learn
            "t_": self.t,
            "validation_scores_": self.validation_scores,
            "validation_loss_curve_": self.validation_losses,
            "best_validation_score_": self.best_validation_score,
            "init_losses_": init_losses,
            "_no_improvement_count": self.no_improvement,
            "_solver_state": self.solver_state,
        }

    def copy(self):
        """A record that can go its own way (one L-BFGS restart's)."""
        scores, losses = self.validation_scores, self.validation_losses
        return replace(
            self,
            loss_curve=list(self.loss_curve),
            validation_scores=None if scores is None else list(scores),
            validation_losses=None if losses is None else list(losses),
        )

    def select(self, best):
        """The record of restart ``best`` of a stack, as if it had trained alone."""
        scores, losses = self.validation_scores, self.validation_losses
        early_stopping = self.best_validation_score is not None
        return replace(
            self,
            loss_curve=[float(loss[best]) for loss in self.loss_curve],
            validation_scores=None if scores is None else [float(s[best]) for s in scores],
            validation_losses=None if losses is None else [float(v[best]) for v in losses],
            best_validation_score=float(self.best_scores[best]) if early_stopping else None,
            solver_state=self.solver_state
            and {
                name: value[best, ...] if getattr(value, "ndim", 0) == 2 else value
                for name, value in self.solver_state.items()
            },
            best_scores=self.best_scores[best : best + 1],
        )


def keep_best_restart(params, history, early_stopping):
    """Of stacked restarts, keep the best: its weights, its record, and every final loss.

    The best has the lowest final training loss, or with early stopping the highest
    validation score. The final losses of all restarts become ``init_losses_``.
    """
    final = np.atleast_1d(history.loss_curve[-1] if history.loss_curve else np.nan)
    final = final.astype(float)
    if params.ndim == 1:
        return params, history, final
    best = best_restart(final, history.best_scores, early_stopping)
    return copy(params[best, ...]), history.select(best), final


def best_restart(final_losses, best_scores, early_stopping):
    """The index of the restart to keep: the highest validation score with early stopping,
    else the lowest final loss (a NaN counts as the worst of either)."""
    if early_stopping:
        return int(np.argmax(np.nan_to_num(np.asarray(best_scores, float), nan=-np.inf)))
    return int(np.argmin(np.nan_to_num(np.asarray(final_losses, float), nan=np.inf)))
