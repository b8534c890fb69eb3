"""Each update rule against scikit-learn's list-based optimizer, step for step."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from sklearn_xornet._solvers import SGD, Adam, GradientDescent


def gradients(n_steps, size, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.normal(size=size) for _ in range(n_steps)]


def test_gradient_descent_is_a_constant_step():
    params = np.array([1.0, -2.0, 0.5])
    grad = np.array([0.5, 0.25, -1.0])
    GradientDescent(4.0).update(params, grad.copy())
    assert_allclose(params, [-1.0, -3.0, 4.5])


@pytest.mark.parametrize("nesterov", [True, False])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_scikit_learn(momentum, nesterov):
    start = np.linspace(-1, 1, 6)
    ours, theirs = start.copy(), [start[:4].reshape(2, 2).copy(), start[4:].copy()]
    solver = SGD(0.1, "constant", momentum, nesterov, 0.5)
    reference = SGDOptimizer(theirs, 0.1, "constant", momentum, nesterov, 0.5)
    for grad in gradients(5, 6):
        solver.update(ours, grad.copy())  # an update may spend the gradient
        reference.update_params(theirs, [grad[:4].reshape(2, 2), grad[4:]])
    assert_allclose(ours, np.concatenate([theirs[0].ravel(), theirs[1]]), rtol=1e-14)


def test_adam_matches_scikit_learn():
    start = np.linspace(-1, 1, 6)
    ours, theirs = start.copy(), [start.copy()]
    solver = Adam(0.01, 0.9, 0.999, 1e-8)
    reference = AdamOptimizer(theirs, 0.01, 0.9, 0.999, 1e-8)
    for grad in gradients(7, 6, seed=1):
        solver.update(ours, grad.copy())  # an update may spend the gradient
        reference.update_params(theirs, [grad])
    assert_allclose(ours, theirs[0], rtol=1e-13)


def test_invscaling_schedule():
    solver = SGD(0.5, "invscaling", 0.9, True, 0.25)
    solver.iteration_ends(15)
    assert solver.learning_rate == pytest.approx(0.5 / 16**0.25)


def test_adaptive_schedule_divides_by_five_then_stops(capsys):
    solver = SGD(1e-5, "adaptive", 0.9, True, 0.5)
    assert solver.trigger_stopping("stalled.", verbose=True) is False
    assert solver.learning_rate == pytest.approx(2e-6)
    assert solver.trigger_stopping("stalled.", verbose=True) is False
    assert solver.trigger_stopping("stalled.", verbose=True) is True
    assert capsys.readouterr().out.splitlines()[-1] == "stalled. Learning rate too small. Stopping."
