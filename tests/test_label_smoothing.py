"""``label_smoothing``: torch's definition, through every path a fit can take."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit, log_softmax
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier

X, Y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
TARGETS = {
    "multiclass": Y,
    "binary": Y == 1,
    "multilabel": np.c_[Y == 0, Y == 1, Y != 2].astype(int),
}


def quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def output_pre_activation(est, X):
    """The network's output pre-activation, from the fitted weights alone (tanh layers)."""
    A = X
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1], strict=True):
        A = np.tanh(A @ W + b)
    return A @ est.coefs_[-1] + est.intercepts_[-1]


def per_sample_loss(raw, y, kind, smoothing):
    """The loss by its definition, written apart from the library: cross-entropy against
    the one-hot targets mixed with the uniform distribution (torch's CrossEntropyLoss with
    label_smoothing); for sigmoid outputs, each label's 0/1 mixed with 1/2. One per row."""
    if kind == "multiclass":
        n_classes = raw.shape[1]
        target = np.eye(n_classes)[y] * (1 - smoothing) + smoothing / n_classes
        return -(target * log_softmax(raw, axis=1)).sum(axis=1)
    labels = np.asarray(y, dtype=float).reshape(len(y), -1)
    target = labels * (1 - smoothing) + smoothing / 2
    p = expit(raw)
    return -(target * np.log(p) + (1 - target) * np.log1p(-p)).sum(axis=1)


def smoothed_log_loss(raw, y, kind, smoothing):
    return float(np.mean(per_sample_loss(raw, y, kind, smoothing)))


@pytest.mark.parametrize("kind", sorted(TARGETS))
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.4])
def test_the_loss_is_the_cross_entropy_against_the_smoothed_targets(kind, smoothing):
    est = TinyMLPClassifier((5,), alpha=0.0, label_smoothing=smoothing, max_iter=30)
    quietly(est.set_params(random_state=0), X, TARGETS[kind])
    expected = smoothed_log_loss(output_pre_activation(est, X), TARGETS[kind], kind, smoothing)
    assert est.loss_ == pytest.approx(expected, rel=1e-9)


def test_the_loss_is_torch_s_cross_entropy_with_label_smoothing():
    torch = pytest.importorskip("torch")
    est = quietly(TinyMLPClassifier((5,), alpha=0.0, label_smoothing=0.1, random_state=0), X, Y)
    raw = torch.tensor(output_pre_activation(est, X))
    theirs = torch.nn.functional.cross_entropy(raw, torch.tensor(Y), label_smoothing=0.1)
    assert est.loss_ == pytest.approx(float(theirs), rel=1e-12)


def test_smoothing_makes_the_fitted_probabilities_less_extreme():
    """What it is for: on separable data, the unsmoothed network's probabilities go to 0
    and 1; smoothed, the largest stays near 1 - 0.2 + 0.2 / 3, where the loss is least."""
    params = {"hidden_layer_sizes": (8,), "alpha": 0.0, "max_iter": 500, "random_state": 0}
    setosa = Y == 0  # separable from the rest
    sharp = quietly(TinyMLPClassifier(**params), X, setosa)
    smooth = quietly(TinyMLPClassifier(label_smoothing=0.2, **params), X, setosa)
    assert sharp.predict_proba(X).max() > 0.999
    assert smooth.predict_proba(X).max() == pytest.approx(1 - 0.2 / 2, abs=0.01)
    assert (smooth.predict(X) == setosa).all()


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd", "gd"])
def test_every_solver_trains_the_smoothed_loss(solver):
    """The loss falls and the network learns, by the smoothed loss's gradient."""
    params = {"solver": solver, "label_smoothing": 0.1, "random_state": 0, "max_iter": 40}
    params |= {"lbfgs": {}, "gd": {"learning_rate_init": 0.5}}.get(
        solver, {"learning_rate_init": 0.05}
    )
    est = quietly(TinyMLPClassifier((5,), alpha=0.0, **params), X, Y)
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert est.score(X, Y) > 0.9


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_sample_and_class_weights_weigh_the_smoothed_loss(kind):
    weights = np.arange(len(Y)) % 3 + 0.5
    y = TARGETS[kind]
    class_weight = None
    if kind != "multilabel":
        class_weight = dict(zip(np.unique(y).tolist(), [2.0, 1.0, 0.5], strict=False))
        weights = weights * np.array([class_weight[label] for label in y.tolist()])
    est = TinyMLPClassifier((5,), alpha=0.0, label_smoothing=0.1, max_iter=20, random_state=0)
    quietly(
        est.set_params(class_weight=class_weight), X, y, sample_weight=np.arange(len(Y)) % 3 + 0.5
    )
    per_sample = per_sample_loss(output_pre_activation(est, X), y, kind, 0.1)
    assert est.loss_ == pytest.approx(np.average(per_sample, weights=weights), rel=1e-9)


def test_restarts_warm_start_and_partial_fit_keep_the_smoothing():
    est = TinyMLPClassifier(
        (5,), alpha=0.03, label_smoothing=0.1, n_init=3, max_iter=10, random_state=0
    )
    quietly(est, X, Y)
    assert est.init_losses_.min() == pytest.approx(est.loss_, rel=1e-12)
    quietly(est.set_params(warm_start=True), X, Y)
    expected = smoothed_log_loss(output_pre_activation(est, X), Y, "multiclass", 0.1)
    penalty = 0.5 * 0.03 * sum((W**2).sum() for W in est.coefs_) / len(Y)
    assert est.loss_ == pytest.approx(expected + penalty, rel=1e-9)
    adam = TinyMLPClassifier((5,), solver="adam", label_smoothing=0.1, random_state=0)
    adam.partial_fit(X, Y, classes=[0, 1, 2])
    assert np.isfinite(adam.loss_)


def test_float32_keeps_float32():
    est = quietly(
        TinyMLPClassifier((5,), label_smoothing=0.1, random_state=0), X.astype(np.float32), Y
    )
    assert est.coefs_[0].dtype == np.float32
    assert est.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_the_validation_loss_is_smoothed_too():
    """On the training rows, L-BFGS's validation loss is its training loss less the
    penalty: the same smoothed targets."""
    est = TinyMLPClassifier((5,), label_smoothing=0.2, alpha=0.0, max_iter=10, random_state=0)
    quietly(est, X, Y, X_val=X, y_val=Y)
    assert_allclose(est.validation_loss_curve_, est.loss_curve_, rtol=1e-9)


def test_it_pickles_and_refuses_values_outside_0_1():
    est = quietly(TinyMLPClassifier((4,), label_smoothing=0.1, random_state=0), X, Y)
    loaded = pickle.loads(pickle.dumps(est))
    assert loaded.label_smoothing == 0.1
    assert_allclose(loaded.predict_proba(X), est.predict_proba(X), rtol=0)
    for bad in (-0.1, 1.0, 2):
        with pytest.raises(ValueError, match="label_smoothing"):
            TinyMLPClassifier(label_smoothing=bad).fit(X, Y)
