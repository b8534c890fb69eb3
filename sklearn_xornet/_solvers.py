"""Gradient-based solvers: each a small object with one ``update`` on the flat parameters.

``update(params, grad)`` moves ``params`` in place and may overwrite ``grad``, which is
spent by then; moment estimates are allocated at the first update, shaped like the
gradient. The formulas are scikit-learn's
(``sklearn/neural_network/_stochastic_optimizers.py``) written on one vector, so a step is a
few vectorised operations whatever the number of layers. L-BFGS is scipy's and lives in the
estimator's training loop.
"""

import numpy as np


class GradientDescent:
    """Plain gradient descent with a constant step: the article's update.

    ``params -= learning_rate * grad``; with the article's summed error and unit step, this
    is ``Wz += H^T . dZ`` and ``Wh += X^T . dH``.
    """

    # what partial_fit carries from one call to the next: numbers and arrays only
    _state = ("learning_rate",)

    def __init__(self, learning_rate_init):
        self.learning_rate = float(learning_rate_init)

    def get_state(self):
        """The solver's running state, as a dict of numbers and array copies."""
        return {
            name: value.copy() if isinstance(value, np.ndarray) else value
            for name, value in ((name, getattr(self, name)) for name in self._state)
        }

    def set_state(self, state):
        for name in self._state:
            value = state[name]
            setattr(self, name, value.copy() if isinstance(value, np.ndarray) else value)

    def update(self, params, grad):
        grad *= self.learning_rate  # the gradient is spent: scale it in place
        params -= grad

    def iteration_ends(self, time_step):
        pass

    def trigger_stopping(self, msg, verbose):
        """Whether training stops when the loss stalls (it does, unless a schedule adapts)."""
        if verbose:
            print(msg + " Stopping.")
        return True


class SGD(GradientDescent):
    """Stochastic gradient descent with (Nesterov) momentum and a learning-rate schedule."""

    _state = ("learning_rate", "velocity")

    def __init__(self, learning_rate_init, lr_schedule, momentum, nesterov, power_t):
        super().__init__(learning_rate_init)
        self.learning_rate_init = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = None

    def update(self, params, grad):
        if self.velocity is None:
            self.velocity = np.zeros_like(grad)
        velocity = self.velocity
        velocity *= self.momentum
        grad *= self.learning_rate  # the gradient is spent: scale it in place
        velocity -= grad
        if self.nesterov:
            params += self.momentum * velocity
            params -= grad
        else:
            params += velocity

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg, verbose):
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(f"{msg} Setting learning rate to {self.learning_rate:f}")
        return False


class Adam(GradientDescent):
    """Adam (Kingma and Ba, 2014), with scikit-learn's bias-corrected step."""

    _state = ("learning_rate", "t", "m", "v")

    def __init__(self, learning_rate_init, beta_1, beta_2, epsilon):
        super().__init__(learning_rate_init)
        self.learning_rate_init = float(learning_rate_init)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = self.v = self._step = None

    def update(self, params, grad):
        if self.m is None:
            self.m, self.v = np.zeros_like(grad), np.zeros_like(grad)
        if self._step is None:
            self._step = np.empty_like(grad)
        m, v, step = self.m, self.v, self._step
        self.t += 1
        m *= self.beta_1
        m += np.multiply(grad, 1 - self.beta_1, out=step)
        v *= self.beta_2
        np.square(grad, out=step)
        step *= 1 - self.beta_2
        v += step
        self.learning_rate = (
            self.learning_rate_init * np.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)
        )
        # params -= learning_rate * m / (sqrt(v) + epsilon), without temporaries
        np.sqrt(v, out=step)
        step += self.epsilon
        np.divide(m, step, out=step)
        step *= self.learning_rate
        params -= step
