"""What the user is told when training goes wrong, said at the user's own line of code.

The warnings of runs that do not converge, diverge or become non-finite, and the error of a
run that never had finite weights, with the likely cause and its remedy. The training
modules decide what to do; this module only says it.
"""

import sys
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.optimize import _check_optimize_result

from ._arrays import namespace

# modules whose frames a warning skips, so that it points at the line that called fit
_LIBRARY = ("sklearn_xornet.", "sklearn.")


def warn(message, category=ConvergenceWarning):
    """``warnings.warn``, attributed to the first frame outside this library (and sklearn's)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_LIBRARY):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def not_converged(solver, max_iter):
    warn(
        f"{solver.name}: Maximum iterations ({max_iter}) reached and the optimization hasn't"
        " converged yet."
    )


def lbfgs_not_converged(result, max_iter):
    """scikit-learn's words on an L-BFGS run that stopped before it converged (scipy's
    ``result``), said at the user's line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _check_optimize_result("lbfgs", result, max_iter)
    for warning in caught:
        warn(str(warning.message), warning.category)


def diverged(first, last, learning_rate_init):
    warn(
        f"The training diverged: the loss rose from {first:.3g} after the first epoch to"
        f" {last:.3g} and stopped improving. Lower learning_rate_init (now"
        f" {learning_rate_init:g}) or scale the data."
    )


def non_finite(n_finite_steps, solver, problem, alpha, class_weighted):
    """Training became non-finite: warn that the last finite weights were kept, or raise
    when there are none (not one epoch or iteration had a finite loss)."""
    cause = _why_non_finite(solver, problem, alpha, class_weighted)
    if n_finite_steps == 0:
        raise ValueError("Solver produced non-finite parameter weights. " + cause)
    warn(
        f"The training became non-finite after {n_finite_steps} {solver.steps}; it stopped,"
        " and the last weights with a finite loss were kept. " + cause
    )


def largest_magnitude(A):
    """The largest absolute value of a dense or sparse array (0 when it is empty)."""
    if A.shape[0] == 0 or A.shape[1] == 0:
        return 0.0
    # two passes rather than abs(A): no copy of the training data
    if hasattr(A, "max"):  # NumPy's, sparse ones
        return max(float(A.max()), -float(A.min()))
    xp = namespace(A)
    return max(float(xp.max(A)), -float(xp.min(A)))


def _why_non_finite(solver, problem, alpha, class_weighted):
    """What most likely made the training non-finite, and what to do: sentences."""
    # Beyond about 1e100 the squares and products of training leave float64's range
    # (1.8e308); below it, a step size too large is the usual cause.
    reasons = []
    if problem.sample_weight is not None and alpha > 0:
        total = float(namespace(problem.sample_weight).sum(problem.sample_weight))
        if alpha / total > 1e100:
            weights = (
                "sample weights (sample_weight times class_weight)"
                if class_weighted
                else "sample weights"
            )
            reasons.append(
                f"The {weights} sum to {total:.3g}, and the L2 penalty alpha is divided by"
                " that sum, as in scikit-learn: multiply the weights by a constant (the loss"
                " depends only on their ratios) or lower alpha."
            )
    largest = max(largest_magnitude(problem.X), largest_magnitude(problem.Y))
    if largest > 1e100 or not reasons:
        # scikit-learn's words, then what we know
        step = solver.learning_rate_init is not None
        reasons.append(
            "The input data may contain large values and need to be preprocessed"
            + (", or learning_rate_init may be too large." if step else ".")
            + (f" It has values as large as {largest:.3g}." if largest > 1e100 else "")
        )
    return " ".join(reasons)
