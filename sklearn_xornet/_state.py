"""Training state, named: what a fit trains on, and the record it keeps.

``Problem`` is what one call to ``fit`` or ``partial_fit`` trains on, fixed while it runs;
``Validation`` its held-out samples, when there are any. ``History`` is the record of
training a stack of networks (one network is a stack of one), carried from call to call
while the weights are kept: made fresh, or from a fitted model's attributes (warm start,
``partial_fit``); :meth:`History.network` is one network's record, as if it had trained
alone, and :func:`best_restart` says which network of a trained stack to keep. Nothing here
trains: the loops are in ``_training.py`` and ``_lbfgs.py``.
"""

import math
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from ._arrays import copy, to_numpy


@dataclass
class Validation:
    """Validation samples (held out, or given as ``X_val``): their targets ``y``, the same
    encoded as the network's ``Y``, and ``score(Z, y, sample_weight)``, a plain function
    that scores one network's output ``Z``."""

    X: Any
    y: Any
    sample_weight: Any
    Y: Any
    score: Any

    def evaluate(self, params, objective):
        """Each network's score and unpenalised mean loss on these samples: two lists, one
        number per network of the stack ``params``."""
        losses, Z = objective.mean_loss(params, self.X, self.Y, self.sample_weight)
        scores = [self.score(Z[r, ...], self.y, self.sample_weight) for r in range(Z.shape[0])]
        return tuple(scores), tuple(to_numpy(losses).tolist())


@dataclass
class Problem:
    """What one call to ``fit`` or ``partial_fit`` trains on.

    ``X``, ``Y`` (encoded targets) and ``sample_weight`` (class weights included) are the
    training rows; ``objective`` what is minimised on them; ``encoding`` the fitted
    attributes that describe the targets; ``trainable`` the part of the flat vector the
    solver moves (all of it, or the weights without intercepts).
    """

    X: Any
    Y: Any
    sample_weight: Any
    objective: Any
    encoding: dict
    trainable: slice
    validation: Validation | None = None
    dropout: tuple | None = None  # each hidden layer's dropout rate; None: no dropout

    @property
    def layout(self):
        return self.objective.layout

    @property
    def activations(self):
        return self.objective.activations

    @property
    def out_activation(self):
        return self.objective.loss.out_activation

    def fitted_attributes(self, network):
        """What a model needs to predict with the weights ``network`` (one flat vector)."""
        coefs, intercepts = self.layout.unpack(network)
        return {
            "coefs_": [copy(c) for c in coefs],
            "intercepts_": [copy(b) for b in intercepts],
            "n_layers_": len(self.layout.layer_units),
            "n_outputs_": self.Y.shape[1],
            "out_activation_": getattr(self.out_activation, "name", self.out_activation),
            **self.encoding,
        }


@dataclass
class History:
    """The record of training a stack of networks, carried across warm starts and
    ``partial_fit`` calls.

    ``loss_curves`` holds one curve per network: its loss after each epoch or L-BFGS
    iteration (lists of floats, which the garbage collector need not follow); so do
    ``validation_scores`` and ``validation_losses`` where there are validation samples.
    ``best_scores`` holds each network's best validation score, ``best_validation_losses``
    its validation loss there (the lowest among the epochs of that score), and
    ``best_validation_score`` the best of them (early stopping's); ``notes`` what is to be
    said to the user (warnings, or an error) about the training, for the network kept.
    """

    loss_curves: list
    t: int
    best_loss: float
    no_improvement: int
    solver_state: dict | None
    validation_scores: list | None
    validation_losses: list | None
    best_validation_score: float | None
    best_scores: list
    best_validation_losses: list
    notes: list = field(default_factory=list)

    @classmethod
    def fresh(cls, n_networks, validation, early_stopping):
        def curves():
            return [[] for _ in range(n_networks)]

        return cls(
            loss_curves=curves(),
            t=0,
            best_loss=np.inf,
            no_improvement=0,
            solver_state=None,
            validation_scores=curves() if validation else None,
            validation_losses=curves() if validation else None,
            best_validation_score=-np.inf if early_stopping else None,
            best_scores=[-np.inf] * n_networks,
            best_validation_losses=[np.inf] * n_networks,
        )

    @classmethod
    def from_fitted(cls, fitted, keep_solver_state, validation, early_stopping):
        """The record of one network that a fitted model's attributes (``fitted``, by
        name) describe, to go on from.

        scikit-learn's rule: ``partial_fit`` keeps the solver's state (``keep_solver_state``),
        a warm-started ``fit`` starts it anew.
        """
        scores = fitted["validation_scores_"]
        losses = fitted.get("validation_loss_curve_")
        best_score = fitted["best_validation_score_"]
        if validation and scores is None:  # validation samples since the last fit
            scores, losses = [], []
        if early_stopping and best_score is None:  # early stopping switched on since
            best_score = -np.inf
        return cls(
            loss_curves=[list(fitted["loss_curve_"])],
            t=fitted["t_"],
            best_loss=min(fitted["loss_curve_"], default=np.inf),
            no_improvement=fitted["_no_improvement_count"],
            solver_state=fitted["_solver_state"] if keep_solver_state else None,
            validation_scores=None if scores is None else [list(scores)],
            validation_losses=None if losses is None else [list(losses)],
            best_validation_score=best_score,
            best_scores=[-np.inf if best_score is None else best_score],
            best_validation_losses=[_loss_at_best(scores, losses, best_score)],
        )

    def network(self, r):
        """The record of network ``r`` of the stack, as if it had trained alone."""
        early_stopping = self.best_validation_score is not None
        state = self.solver_state

        def own(curves):
            return None if curves is None else [list(curves[r])]

        return replace(
            self,
            loss_curves=own(self.loss_curves),
            validation_scores=own(self.validation_scores),
            validation_losses=own(self.validation_losses),
            best_validation_score=self.best_scores[r] if early_stopping else None,
            solver_state=state
            and {  # the arrays are stacks, shaped like the gradient
                name: value[r : r + 1, ...] if hasattr(value, "shape") else value
                for name, value in state.items()
            },
            best_scores=[self.best_scores[r]],
            best_validation_losses=[self.best_validation_losses[r]],
            notes=list(self.notes),
        )

    def fitted_attributes(self, n_before, init_losses, early_stopping):
        """The estimator's attributes that describe this record of one network,
        ``n_before`` entries of the loss curve being older than the call, ``init_losses``
        the final losses of the restarts; ``best_loss_`` is None with ``early_stopping``, as
        in scikit-learn (a validation set that is only watched leaves it)."""
        (curve,) = self.loss_curves
        # an L-BFGS run may end before its first iteration: its loss is the start's
        loss = curve[-1] if len(curve) > n_before else float(np.min(init_losses))
        scores, losses = self.validation_scores, self.validation_losses
        return {
            "loss_curve_": curve,
            "loss_": loss,
            "best_loss_": None if early_stopping else min(curve, default=loss),
            "n_iter_": len(curve) - n_before,  # this call's, as in scikit-learn
            "t_": self.t,
            "validation_scores_": None if scores is None else scores[0],
            "validation_loss_curve_": None if losses is None else losses[0],
            "best_validation_score_": self.best_validation_score,
            "init_losses_": init_losses,
            "_no_improvement_count": self.no_improvement,
            "_solver_state": self.solver_state,
        }


def _loss_at_best(scores, losses, best_score):
    """The lowest validation loss among the epochs of the validation score ``best_score``."""
    if not scores or not losses:
        return np.inf
    at_best = (loss for score, loss in zip(scores, losses, strict=True) if score == best_score)
    return min(at_best, default=np.inf)


class Trained(NamedTuple):
    """What a solver's loop leaves of a stack: each network's final loss and best
    validation score, and ``record(r)``, the record of network ``r``."""

    final_losses: list
    best_scores: list
    record: Any

    @classmethod
    def of(cls, history, n_networks):
        """A stack trained together, on one record."""
        final = [curve[-1] if curve else math.nan for curve in history.loss_curves]
        return cls(final, history.best_scores, history.network)


def best_restart(final_losses, best_scores, early_stopping):
    """The index of the restart to keep: the highest validation score with early stopping,
    else the lowest final loss (a NaN counts as the worst of either)."""
    if early_stopping:
        return int(np.argmax(np.nan_to_num(np.asarray(best_scores, float), nan=-np.inf)))
    return int(np.argmin(np.nan_to_num(np.asarray(final_losses, float), nan=np.inf)))
