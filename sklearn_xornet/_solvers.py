"""The solvers: one contract, the update rules of 'gd', 'sgd' and 'adam', and L-BFGS.

:class:`Solver` states what every solver provides, training included: ``train(training,
params)`` is every solver's entry, the epoch loop of ``_training.py`` for the epoch solvers,
scipy's L-BFGS in ``_lbfgs.py`` for :class:`LBFGS`. :func:`make_solver` turns an estimator's
``solver`` parameter (and the parameters that go with it) into one, and is the only place
that reads that name. The update rules are scikit-learn's
(``sklearn/neural_network/_stochastic_optimizers.py``) written on one flat vector, so a step
is a few vectorised operations whatever the number of layers; they are ordered by growing
complexity, each variant a few lines on top of the one before.
"""

import math

import numpy as np

from . import _diagnostics
from ._arrays import copy, namespace
from ._lbfgs import train_lbfgs_restarts
from ._training import train_epochs

# What tol='auto' means: the epoch solvers stop when the loss improves by less than this for
# n_iter_no_change epochs, L-BFGS when an iteration lowers the loss by less than this share
# of its value (scipy's ftol), its gradient test then ending only runs that truly converged.
# On the benchmark data sets this stops L-BFGS where it generalises best (README, Defaults).
AUTO_TOL = 1e-5
# A loss whose gradient jumps where the error changes sign (absolute error, pinball: not
# Loss.smooth) stalls L-BFGS's loss for a few iterations on the way: 'auto' asks it for a
# 100x smaller relative decrease before it stops. Measured on a noisy heteroscedastic set
# (4 seeds): the 0.05 quantile's held-out pinball loss 0.292 at 1e-5, 0.233 at 1e-7, 0.232
# at 1e-9.
AUTO_TOL_NONSMOOTH = 1e-7


def _copy(value):
    return copy(value) if hasattr(value, "shape") else value


class Solver:
    """What every solver provides to the training loops.

    Class attributes describe how it trains: ``by_epochs`` (False: it drives its own
    iterations, as L-BFGS does), ``full_batch`` (every step sees every row),
    ``random_order`` (it draws from ``random_state`` while training: shuffled batches, and
    whatever other randomness an epoch may need), ``supports_partial_fit`` and ``steps`` (the
    word for its iterations in messages).

    An epoch solver's ``update(params, grad)`` moves ``params`` in place and may overwrite
    ``grad``, which is spent by then; moment estimates are allocated at the first update,
    shaped like the gradient. ``iteration_ends(time_step)``, where a solver has it (a
    learning-rate schedule), runs after each epoch; ``trigger_stopping(msg, verbose)`` when
    the loss stalls, and says whether training stops. ``get_state()`` and
    ``set_state(state)`` carry the running state (numbers and arrays) from one
    ``partial_fit`` call to the next. ``train(training, params)`` trains the stack
    ``params`` in place and returns what is left of it (``_state.Trained``).
    """

    by_epochs = True
    full_batch = False
    random_order = True
    supports_partial_fit = True
    steps = "epochs"
    name = "Stochastic Optimizer"  # as scikit-learn's messages call it
    _state = ()
    # the estimator's parameters its constructor takes (see make_solver)
    parameters = ("learning_rate_init",)
    keywords = ("batch_size", "shuffle", "tol")

    def __init__(self, learning_rate_init, *, batch_size="auto", shuffle=True, tol="auto"):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.requested_batch_size = batch_size
        self.shuffle = shuffle
        self.tol = AUTO_TOL if tol == "auto" else tol

    def batch_size(self, n_samples):
        """The rows of one step: ``'auto'`` is ``min(200, n_samples)``, as in scikit-learn."""
        if self.full_batch:
            return n_samples
        if self.requested_batch_size == "auto":
            return min(200, n_samples)
        if self.requested_batch_size > n_samples:
            _diagnostics.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be"
                " clipped",
                UserWarning,
            )
        return int(np.clip(self.requested_batch_size, 1, n_samples))

    # the learning rate as the operand the gradient's library takes fastest (NumPy converts
    # a Python number on every call, which costs more than a small layer's arithmetic);
    # made at the first step after the rate changes
    _rate = None

    def rate(self, grad):
        self._rate = namespace(grad).scalar(self.learning_rate, grad.dtype)
        return self._rate

    def get_state(self):
        """The solver's running state, as a dict of numbers and array copies."""
        return {name: _copy(getattr(self, name)) for name in self._state}

    def set_state(self, state):
        for name in self._state:
            setattr(self, name, _copy(state[name]))
        self._rate = None

    def train(self, training, params):
        return train_epochs(training, params)

    def update(self, params, grad):
        raise NotImplementedError

    iteration_ends = None

    def trigger_stopping(self, msg, verbose):
        """Whether training stops when the loss stalls (it does, unless a schedule adapts)."""
        if verbose:
            print(msg + " Stopping.")
        return True


class GradientDescent(Solver):
    """Plain gradient descent with a constant step: the article's update.

    ``params -= learning_rate * grad``; with the article's summed error and unit step, this
    is ``Wz += H^T . dZ`` and ``Wh += X^T . dH``.
    """

    full_batch = True
    random_order = False
    name = "Gradient descent"
    _state = ("learning_rate",)

    def update(self, params, grad):
        rate = self._rate
        grad *= self.rate(grad) if rate is None else rate  # the gradient is spent: scale it
        params -= grad


class SGD(GradientDescent):
    """Stochastic gradient descent with (Nesterov) momentum and a learning-rate schedule."""

    full_batch = False
    random_order = True
    name = Solver.name
    _state = ("learning_rate", "velocity")
    parameters = (
        "learning_rate_init",
        "learning_rate",
        "momentum",
        "nesterovs_momentum",
        "power_t",
    )

    def __init__(self, learning_rate_init, lr_schedule, momentum, nesterov, power_t, **kwargs):
        super().__init__(learning_rate_init, **kwargs)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = None

    def update(self, params, grad):
        if self.velocity is None:
            self.velocity = namespace(grad).zeros_like(grad)
        velocity = self.velocity
        velocity *= self.momentum
        rate = self._rate
        grad *= self.rate(grad) if rate is None else rate  # the gradient is spent: scale it
        velocity -= grad
        if self.nesterov:
            params += self.momentum * velocity
            params -= grad
        else:
            params += velocity

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** self.power_t
            self._rate = None

    def trigger_stopping(self, msg, verbose):
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        self._rate = None
        if verbose:
            print(f"{msg} Setting learning rate to {self.learning_rate:f}")
        return False


class Adam(Solver):
    """Adam (Kingma and Ba, 2014), with scikit-learn's bias-corrected step."""

    _state = ("learning_rate", "t", "m", "v")
    parameters = ("learning_rate_init", "beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate_init, beta_1, beta_2, epsilon, **kwargs):
        super().__init__(learning_rate_init, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = self.v = self._step = None

    def update(self, params, grad):
        xp = namespace(grad)
        if self.m is None:
            self.m, self.v, self._step = (xp.zeros_like(grad) for _ in range(3))
        m, v, step = self.m, self.v, self._step
        self.t += 1
        # m = beta_1 m + (1 - beta_1) grad and v = beta_2 v + (1 - beta_2) grad^2, in place
        m *= self.beta_1
        m += xp.multiply(grad, 1 - self.beta_1, out=step)
        v *= self.beta_2
        step = xp.square(grad, out=step)
        step *= 1 - self.beta_2
        v += step
        self.learning_rate = (
            self.learning_rate_init * math.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)
        )
        # params -= learning_rate * m / (sqrt(v) + epsilon), without temporaries on NumPy
        step = xp.sqrt(v, out=step)
        step += self.epsilon
        step = xp.divide(m, step, out=step)
        step *= self.learning_rate
        params -= step


class LBFGS(Solver):
    """scipy's L-BFGS-B on the full batch, with scikit-learn's meaning of ``tol``.

    It drives its own iterations, one restart after the other (``_lbfgs.py``); what it
    holds is their options.
    """

    by_epochs = False
    full_batch = True
    random_order = False
    supports_partial_fit = False
    steps = "iterations"
    name = "lbfgs"
    parameters = ("max_iter", "max_fun", "tol")
    keywords = ()

    def __init__(self, max_iter, max_fun, tol):
        self.learning_rate_init = None
        self.max_iter = max_iter
        self.max_fun = max_fun
        self.requested_tol = tol
        # early stopping's least improvement of the validation score, as the epoch solvers'
        self.tol = AUTO_TOL if tol == "auto" else tol

    def options(self, loss):
        """scipy's options for a run on ``loss`` (a ``_losses.Loss``)."""
        options = {"maxiter": self.max_iter, "maxfun": self.max_fun}
        if self.requested_tol == "auto":
            ftol = AUTO_TOL if loss.smooth else AUTO_TOL_NONSMOOTH
            options.update(ftol=ftol, gtol=1e-8)
        else:
            options.update(gtol=self.requested_tol)  # scikit-learn's: the gradient tolerance
        return options

    def train(self, training, params):
        return train_lbfgs_restarts(training, params)


SOLVERS = {"lbfgs": LBFGS, "adam": Adam, "sgd": SGD, "gd": GradientDescent}


# What 'auto' means for the parameters whose best value depends on the solver: the
# classifier's value, then the regressor's (its targets are standardised, its loss a half
# squared error). Chosen on the benchmark data sets, 5-fold CV, with and without early
# stopping (benchmarks/bench_defaults.py --solvers and --try; README, "Defaults"): L-BFGS's
# are the values these parameters always had. A mini-batch step divides the penalty by the
# batch's weight, not the data's (as scikit-learn's MLP does), so it weighs n_samples /
# batch_size times more against the loss than on the full batch: L-BFGS's regressor alpha
# would smother Adam's fit. 'gd' takes hundreds of full-batch steps where L-BFGS takes
# dozens of iterations.
AUTO_DEFAULTS = {
    "lbfgs": {
        "alpha": (0.03, 5.0),
        "learning_rate_init": (0.001, 0.001),  # unused
        "max_iter": (200, 200),
        "n_iter_no_change": (10, 10),
        "validation_fraction": (0.1, 0.1),
    },
    "adam": {
        "alpha": (0.3, 0.3),
        "learning_rate_init": (0.003, 0.001),
        "max_iter": (200, 200),
        "n_iter_no_change": (20, 20),
        "validation_fraction": (0.1, 0.2),
    },
    "sgd": {
        "alpha": (0.3, 0.3),
        "learning_rate_init": (0.1, 0.01),
        "max_iter": (200, 200),
        "n_iter_no_change": (20, 20),
        "validation_fraction": (0.1, 0.2),
    },
    "gd": {
        "alpha": (0.03, 5.0),
        "learning_rate_init": (1.0, 0.1),
        "max_iter": (2000, 2000),
        "n_iter_no_change": (200, 200),
        "validation_fraction": (0.1, 0.1),
    },
}


def resolve_auto(params, regressor):
    """``params`` (an estimator's ``get_params()``) with each ``'auto'`` of
    :data:`AUTO_DEFAULTS` replaced by its value for the solver and the estimator
    (``regressor``: the regressor's); ``tol`` and ``batch_size`` keep theirs, which the
    solvers read."""
    auto = AUTO_DEFAULTS[params["solver"]]
    return {
        name: auto[name][regressor] if name in auto and isinstance(value, str) else value
        for name, value in params.items()
    }


def make_solver(params):
    """The solver for an estimator's parameters ``params`` (its ``get_params()``, every
    ``'auto'`` of :data:`AUTO_DEFAULTS` resolved by :func:`resolve_auto`).

    The one place that reads the name in ``params['solver']``: each solver class lists the
    estimator's parameters its constructor takes, positional then keyword.
    """
    solver = SOLVERS[params["solver"]]
    return solver(
        *(params[name] for name in solver.parameters),
        **{name: params[name] for name in solver.keywords},
    )
