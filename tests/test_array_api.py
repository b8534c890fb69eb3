"""The seam for other array libraries (``sklearn_xornet/_arrays.py``), on array-api-strict.

array-api-strict implements the Array API standard and nothing beyond it, so the maths that
runs on its arrays runs on any library's (torch, CuPy). The objective, its gradient and the
solvers' steps computed on its arrays must equal NumPy's fast path.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from test_gradients import targets

from sklearn_xornet._activations import HIDDEN_ACTIVATIONS
from sklearn_xornet._arrays import NUMPY, namespace
from sklearn_xornet._losses import LOSSES
from sklearn_xornet._network import Layout
from sklearn_xornet._objective import Objective
from sklearn_xornet._solvers import SGD, Adam, GradientDescent

xp = pytest.importorskip("array_api_strict")


def strict(array):
    return None if array is None else xp.asarray(array)


def to_numpy(array):
    return np.from_dlpack(array)


def test_numpy_arrays_keep_numpy_and_others_get_their_namespace():
    assert namespace(np.ones(3), None) is NUMPY
    wrapped = namespace(strict(np.ones(3)))
    assert not wrapped.is_numpy
    # the wrap takes NumPy's out= and returns a new array
    assert to_numpy(wrapped.add(strict(np.ones(2)), strict(np.ones(2)), out=None)).tolist() == [
        2.0,
        2.0,
    ]


@pytest.mark.parametrize("loss, out_activation", sorted(LOSSES))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_networks", [1, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_the_objective_on_strict_arrays_equals_numpys(
    loss, out_activation, activation, weighted, n_networks, fit_intercept
):
    rng = np.random.RandomState(0)
    n_samples, n_outputs = 9, 3
    layout = Layout([4, 5, 4, n_outputs])
    X = rng.normal(size=(n_samples, 4))
    Y = targets(loss, out_activation, rng, n_samples, n_outputs)
    sample_weight = rng.uniform(0.2, 3.0, size=n_samples) if weighted else None
    shape = (layout.size,) if n_networks == 1 else (n_networks, layout.size)
    params = rng.normal(scale=0.5, size=shape)
    args = (layout, [activation, activation], out_activation, loss, 0.3, fit_intercept)

    grad = np.zeros_like(params)
    value = Objective(*args)(params, grad, X, Y, sample_weight)
    strict_grad = xp.zeros(shape, dtype=xp.float64)
    strict_value = Objective(*args)(
        strict(params), strict_grad, strict(X), strict(Y), strict(sample_weight)
    )
    assert_allclose(to_numpy(xp.asarray(strict_value)), value, rtol=1e-12)
    assert_allclose(to_numpy(strict_grad), grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    "make",
    [
        lambda: GradientDescent(0.5),
        lambda: SGD(0.1, "constant", 0.9, True, 0.5),
        lambda: SGD(0.1, "constant", 0.9, False, 0.5),
        lambda: Adam(0.01, 0.9, 0.999, 1e-8),
    ],
    ids=["gd", "sgd-nesterov", "sgd", "adam"],
)
def test_the_solvers_steps_on_strict_arrays_equal_numpys(make):
    rng = np.random.RandomState(0)
    params = rng.normal(size=6)
    strict_params = strict(params)
    ours, theirs = make(), make()
    for _ in range(5):
        grad = rng.normal(size=6)
        ours.update(params, grad.copy())
        theirs.update(strict_params, strict(grad))
    assert_allclose(to_numpy(strict_params), params, rtol=1e-13)
