"""Backpropagation against central finite differences of the training objective."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import sparse

from sklearn_xornet import _parallel
from sklearn_xornet._activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    tanh_from_exp,
    user_activation,
)
from sklearn_xornet._losses import LOSSES, make_loss, ordered_quantiles_loss
from sklearn_xornet._network import Layout
from sklearn_xornet._objective import Objective, loss_and_gradient


def targets(loss, out_activation, rng, n_samples, n_outputs):
    if out_activation == "softmax":
        return np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    if loss == "poisson":
        return rng.poisson(2.0, size=(n_samples, n_outputs)).astype(float)
    if out_activation == "logistic":
        return rng.randint(2, size=(n_samples, n_outputs)).astype(float)
    return rng.normal(size=(n_samples, n_outputs))


# the parameters the parametrised losses are checked at: Huber's threshold, the quantile
LOSS_PARAMETERS = {"huber": 0.7, "quantile": 0.3}


def the_loss(loss, out_activation):
    return make_loss(loss, out_activation, LOSS_PARAMETERS.get(loss))


def numeric_gradient(f, params, eps=1e-6):
    grad = np.empty_like(params)
    for i in range(params.size):
        step = np.zeros_like(params)
        step[i] = eps
        grad[i] = (f(params + step) - f(params - step)) / (2 * eps)
    return grad


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("loss, out_activation", sorted(LOSSES))
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_finite_differences(
    activation, loss, out_activation, fit_intercept, weighted
):
    rng = np.random.RandomState(0)
    n_samples, n_features, n_outputs = 7, 3, 3
    layout = Layout([n_features, 4, 5, n_outputs])  # two hidden layers
    X = rng.normal(size=(n_samples, n_features))
    Y = targets(loss, out_activation, rng, n_samples, n_outputs)
    sample_weight = rng.uniform(0.2, 3.0, size=n_samples) if weighted else None
    params = rng.normal(scale=0.5, size=layout.size)
    if not fit_intercept:
        params[layout.n_coef :] = 0.0
    activations = [activation, activation]
    alpha = 0.3
    loss = the_loss(loss, out_activation)

    args = (layout, X, Y, sample_weight, alpha, activations, out_activation, loss)

    def objective(p):
        return loss_and_gradient(p, np.empty_like(p), *args)

    grad = np.empty_like(params)
    value = loss_and_gradient(params, grad, *args)
    assert value == pytest.approx(objective(params))
    expected = numeric_gradient(objective, params)
    trained = slice(None) if fit_intercept else slice(0, layout.n_coef)
    assert_allclose(grad[trained], expected[trained], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(
    "loss, out_activation",
    [(name, out) for name, out in sorted(LOSSES) if out in ("logistic", "softmax")],
)
@pytest.mark.parametrize("smoothing", [0.1, 0.5])
def test_the_gradient_on_smoothed_targets_matches_finite_differences(
    loss, out_activation, smoothing
):
    """Label smoothing trains the classifier's losses on soft targets, which sum to 1 over a
    softmax's classes and lie inside (0, 1) for a sigmoid's."""
    rng = np.random.RandomState(0)
    layout = Layout([3, 4, 3])
    X = rng.normal(size=(7, 3))
    n_classes = 3 if out_activation == "softmax" else 2
    Y = targets(loss, out_activation, rng, 7, 3) * (1 - smoothing) + smoothing / n_classes
    params = rng.normal(scale=0.5, size=layout.size)
    args = (layout, X, Y, rng.uniform(0.2, 3.0, size=7), 0.3, ["tanh"], out_activation)
    args += (the_loss(loss, out_activation),)

    def objective(p):
        return loss_and_gradient(p, np.empty_like(p), *args)

    grad = np.empty_like(params)
    loss_and_gradient(params, grad, *args)
    assert_allclose(grad, numeric_gradient(objective, params), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("n_targets", [1, 2])
def test_the_gradient_of_the_ordered_pinball_loss_matches_finite_differences(n_targets):
    rng = np.random.RandomState(0)
    layout = Layout([3, 4, 3 * n_targets])
    X = rng.normal(size=(9, 3))
    Y = np.repeat(rng.normal(size=(9, n_targets)), 3, axis=1)
    loss = ordered_quantiles_loss(np.array([0.05, 0.5, 0.95] * n_targets), 3)
    params = rng.normal(scale=0.5, size=layout.size)
    args = (layout, X, Y, rng.uniform(0.5, 2, size=9), 0.3, ["tanh"], loss.out_activation, loss)

    def objective(p):
        return loss_and_gradient(p, np.empty_like(p), *args)

    grad = np.empty_like(params)
    loss_and_gradient(params, grad, *args)
    assert_allclose(grad, numeric_gradient(objective, params), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("loss, out_activation", sorted(LOSSES))
def test_loss_value_matches_its_definition(loss, out_activation):
    """The stable formulas equal the textbook ones where the textbook ones are safe."""
    rng = np.random.RandomState(1)
    layout = Layout([2, 3, 2])
    X = rng.normal(size=(6, 2))
    Y = targets(loss, out_activation, rng, 6, 2)
    params = rng.normal(size=layout.size)
    coefs, intercepts = layout.unpack(params)
    raw = np.tanh(X @ coefs[0] + intercepts[0]) @ coefs[1] + intercepts[1]
    if out_activation == "softmax":
        Z = np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    elif out_activation == "logistic":
        Z = 1 / (1 + np.exp(-raw))
    elif out_activation == "exp":
        Z = np.exp(raw)
    else:
        Z = raw
    E = Y - Z
    if loss == "squared_error":
        per_sample = 0.5 * (E**2).sum(axis=1)
    elif loss == "absolute_error":
        per_sample = np.abs(E).sum(axis=1)
    elif loss == "huber":  # scikit-learn's HuberLoss, delta 0.7
        delta = LOSS_PARAMETERS["huber"]
        huber = np.where(np.abs(E) <= delta, E**2 / 2, delta * (np.abs(E) - delta / 2))
        per_sample = huber.sum(axis=1)
    elif loss == "quantile":  # scikit-learn's mean_pinball_loss, per sample
        q = LOSS_PARAMETERS["quantile"]
        per_sample = np.where(E >= 0, q * E, (q - 1) * E).sum(axis=1)
    elif out_activation == "softmax":
        per_sample = -(Y * np.log(Z)).sum(axis=1)
    elif out_activation == "logistic":
        per_sample = -(Y * np.log(Z) + (1 - Y) * np.log(1 - Z)).sum(axis=1)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            ylogy = np.where(Y > 0, Y * np.log(Y), 0.0)
        per_sample = (Z - Y * np.log(Z) + ylogy - Y).sum(axis=1)
    alpha = 0.5
    expected = per_sample.mean() + 0.5 * alpha * (params[: layout.n_coef] ** 2).sum() / 6
    value = loss_and_gradient(
        params,
        np.empty_like(params),
        layout,
        X,
        Y,
        None,
        alpha,
        ["tanh"],
        out_activation,
        the_loss(loss, out_activation),
    )
    assert value == pytest.approx(expected, rel=1e-12)


def test_sparse_input_gives_the_dense_gradient():
    rng = np.random.RandomState(2)
    layout = Layout([5, 4, 1])
    X = rng.normal(size=(8, 5)) * (rng.uniform(size=(8, 5)) < 0.4)
    Y = rng.normal(size=(8, 1))
    params = rng.normal(size=layout.size)
    results = []
    for data in (X, sparse.csr_matrix(X), sparse.csc_matrix(X)):
        grad = np.empty_like(params)
        value = loss_and_gradient(
            params, grad, layout, data, Y, None, 0.1, ["relu"], "identity", "squared_error"
        )
        results.append((value, grad))
    for value, grad in results[1:]:
        assert value == pytest.approx(results[0][0], rel=1e-12)
        assert_allclose(grad, results[0][1], rtol=1e-12)


@pytest.mark.parametrize("name", ["logistic", "tanh", "relu", "exp"])
def test_large_layers_split_between_threads_compute_the_same(name):
    """Above about a million entries, activations and slopes run on row blocks in threads."""
    rng = np.random.RandomState(0)
    x = rng.normal(size=(1200, 1000))  # 1.2 million entries
    activation = _parallel.layer_function(ACTIVATIONS[name].function, x.size)
    slope = _parallel.layer_function(ACTIVATIONS[name].slope, x.size)
    # the row-split version wherever there are threads to split between (tanh also
    # changes formula on large layers, threads or not)
    if name != "tanh":
        assert (activation is not ACTIVATIONS[name].function) == (_parallel.N_THREADS > 1)
    out = activation(x, np.empty_like(x))
    # large layers compute tanh as 1 - 2 / (exp(2x) + 1), within 4.5e-16 of numpy's tanh
    atol = 5e-16 if name == "tanh" else 0
    assert_allclose(out, ACTIVATIONS[name].function(x, np.empty_like(x)), rtol=0, atol=atol)
    delta = rng.normal(size=x.shape)
    expected = ACTIVATIONS[name].slope(out, delta.copy())
    slope(out, delta, np.empty_like(x))
    assert_allclose(delta, expected, rtol=0, atol=0)


@pytest.mark.parametrize("name", ["logistic", "tanh", "exp"])
def test_small_layers_compute_as_the_large_ones(name):
    """Small layers call NumPy's own function (scipy's expit for the sigmoid), large ones
    the formula: the two agree to rounding."""
    x = np.random.RandomState(0).normal(scale=4, size=(10, 30))
    small = _parallel.layer_function(ACTIVATIONS[name].function, x.size)
    assert small is not ACTIVATIONS[name].function
    assert_allclose(small(x, None), ACTIVATIONS[name].function(x, None), rtol=1e-15)


def test_the_large_layer_tanh_is_finite_and_close_everywhere():
    x = np.concatenate([np.linspace(-25, 25, 100001), [0.0, 1e-300, -1e-300, 1e308, -1e308]])
    out = tanh_from_exp(x, np.empty_like(x))
    assert np.isfinite(out).all() and np.abs(out).max() <= 1
    assert_allclose(out, np.tanh(x), rtol=0, atol=5e-16)
    assert np.array_equal(np.sign(out[-5:]), [0, 0, 0, 1, -1])


@pytest.mark.skipif(_parallel.N_THREADS < 2, reason="one core: no thread to split between")
@pytest.mark.parametrize("loss, out_activation", sorted(LOSSES))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_a_batch_split_into_row_blocks_between_threads_gives_the_same_objective(
    loss, out_activation, weighted, fit_intercept
):
    """Large full batches are computed as row blocks in threads (see ``splits_rows``):
    here 3600 rows of a 300-unit layer, over a million entries, in blocks of 436 rows."""
    rng = np.random.RandomState(0)
    n_samples, n_outputs = 3600, 3
    layout = Layout([4, 300, 5, n_outputs])
    X = rng.normal(size=(n_samples, 4))
    Y = targets(loss, out_activation, rng, n_samples, n_outputs)
    sample_weight = rng.uniform(0.2, 3.0, size=n_samples) if weighted else None
    if weighted:
        sample_weight[:900] = 0  # whole blocks without weight
    params = rng.normal(scale=0.5, size=(1, layout.size))
    args = (layout, ["tanh", "relu"], the_loss(loss, out_activation), 0.3, fit_intercept)
    assert _parallel.splits_rows(X, 300)

    whole = Objective(*args, threads=False)  # never splits
    grad = np.zeros_like(params)
    value = whole(params, grad, X, Y, sample_weight)
    split = Objective(*args)
    split_grad = np.zeros_like(params)
    split_value = split(params, split_grad, X, Y, sample_weight)
    assert_allclose(split_value, value, rtol=1e-12)
    assert_allclose(split_grad, grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("make_input", [np.asarray, sparse.csr_matrix])
@pytest.mark.parametrize("loss, out", [("log_loss", "softmax"), ("squared_error", "identity")])
@pytest.mark.parametrize("n_networks", [1, 6])
def test_a_stack_of_networks_has_each_networks_loss_and_gradient(make_input, loss, out, n_networks):
    """The restarts of n_init train as one stack (one network is a stack of one): each
    network's loss and gradient are those it has alone."""
    rng = np.random.RandomState(0)
    layout = Layout([4, 5, 3, 3])
    X = rng.normal(size=(9, 4)) * (rng.uniform(size=(9, 4)) < 0.6)
    Y = np.eye(3)[rng.randint(3, size=9)] if out == "softmax" else rng.normal(size=(9, 3))
    weights = rng.uniform(0.5, 2, size=9)
    stack = rng.normal(size=(n_networks, layout.size))
    grad = np.empty_like(stack)
    args = (layout, make_input(X), Y, weights, 0.2, ["tanh", "relu"], out, loss)
    values = loss_and_gradient(stack, grad, *args)
    assert values.shape == (n_networks,)
    for params, value, stacked_grad in zip(stack, values, grad, strict=True):
        row_grad = np.empty_like(params)
        assert loss_and_gradient(params.copy(), row_grad, *args) == pytest.approx(value, rel=1e-12)
        assert_allclose(stacked_grad, row_grad, rtol=1e-10, atol=1e-13)


# every loss with its outputs, every hidden activation and a user's pair: integer weights
# and repeated rows give one objective, its value and its gradient
@settings(max_examples=60, deadline=None)
@given(
    loss=st.sampled_from(sorted(LOSSES)),
    activation=st.sampled_from([*HIDDEN_ACTIVATIONS, "yours"]),
    counts=st.lists(st.integers(0, 4), min_size=9, max_size=9).filter(any),
    seed=st.integers(0, 1000),
)
def test_integer_weights_give_the_objective_of_repeated_rows(loss, activation, counts, seed):
    name, out_activation = loss
    rng = np.random.RandomState(seed)
    layout = Layout([3, 4, 2])
    rows = rng.normal(size=(9, 3))
    Y = targets(name, out_activation, rng, 9, 2)
    counts = np.array(counts)
    params = rng.normal(scale=0.5, size=layout.size)
    hidden = [
        user_activation((np.tanh, tanh_slope), np.float64) if activation == "yours" else activation
    ]
    objective = the_loss(name, out_activation)

    def value_and_gradient(X, Y, sample_weight):
        grad = np.empty_like(params)
        args = (layout, X, Y, sample_weight, 0.3, hidden, out_activation, objective)
        return loss_and_gradient(params, grad, *args), grad

    weighted, weighted_grad = value_and_gradient(rows, Y, counts.astype(float))
    repeated, repeated_grad = value_and_gradient(rows.repeat(counts, 0), Y.repeat(counts, 0), None)
    assert weighted == pytest.approx(repeated, rel=1e-12)
    assert_allclose(weighted_grad, repeated_grad, rtol=1e-10, atol=1e-13 * abs(repeated_grad).max())


def tanh_slope(x):
    return 1 - np.tanh(x) ** 2
