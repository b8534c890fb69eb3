"""``transform``: a fitted network's hidden layer as features for other estimators."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.special import expit
from sklearn.datasets import load_iris, make_regression
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_X = StandardScaler().fit_transform(IRIS_X)
REG_X, REG_Y = make_regression(n_samples=80, n_features=4, noise=5.0, random_state=0)

# the hidden activations written out, independently of the library
BY_HAND = {
    "tanh": np.tanh,
    "logistic": expit,
    "relu": lambda x: np.maximum(x, 0),
    "identity": lambda x: x,
}


def quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def hidden_by_hand(est, X, layer):
    """The output of hidden layer ``layer`` (counted from 0), from the fitted weights."""
    activations = est.activation
    if isinstance(activations, str):
        activations = [activations] * (len(est.coefs_) - 1)
    A = X
    for W, b, name in zip(est.coefs_[: layer + 1], est.intercepts_, activations, strict=False):
        A = BY_HAND[name](A @ W + b)
    return A


@pytest.mark.parametrize("activation", ["tanh", "logistic", "relu", "identity", ("relu", "tanh")])
@pytest.mark.parametrize(
    "Estimator, X, y",
    [(TinyMLPClassifier, IRIS_X, IRIS_Y), (TinyMLPRegressor, REG_X, REG_Y)],
)
def test_transform_is_the_forward_pass_up_to_the_chosen_hidden_layer(Estimator, X, y, activation):
    est = quietly(Estimator((6, 3), activation=activation, max_iter=30, random_state=0), X, y)
    embedded = est.transform(X)
    assert embedded.shape == (len(X), 3)
    assert_allclose(embedded, hidden_by_hand(est, X, 1), rtol=1e-12, atol=1e-12)
    est.set_params(transform_layer=0)  # another layer, without refitting
    assert_allclose(est.transform(X), hidden_by_hand(est, X, 0), rtol=1e-12, atol=1e-12)
    est.set_params(transform_layer=-2)
    assert est.transform(X).shape == (len(X), 6)


def test_fit_transform_fits_on_the_targets_and_transforms():
    params = {"hidden_layer_sizes": (5,), "max_iter": 40, "random_state": 0}
    fitted = quietly(TinyMLPClassifier(**params), IRIS_X, IRIS_Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        at_once = TinyMLPClassifier(**params).fit_transform(IRIS_X, IRIS_Y)
    assert_allclose(at_once, fitted.transform(IRIS_X))


def test_the_units_are_named_after_the_class():
    est = quietly(TinyMLPRegressor((4, 2), max_iter=5, random_state=0), REG_X, REG_Y)
    assert_array_equal(est.get_feature_names_out(), ["tinymlpregressor0", "tinymlpregressor1"])
    est.set_params(transform_layer=0)
    assert len(est.get_feature_names_out()) == 4


def test_pandas_output_keeps_the_index_and_names_the_columns():
    X = pd.DataFrame(IRIS_X, columns=list("abcd"), index=np.arange(150) + 1000)
    est = TinyMLPClassifier((3,), max_iter=10, random_state=0).set_output(transform="pandas")
    embedded = quietly(est, X, IRIS_Y).transform(X)
    assert isinstance(embedded, pd.DataFrame)
    assert list(embedded.columns) == [
        "tinymlpclassifier0",
        "tinymlpclassifier1",
        "tinymlpclassifier2",
    ]
    assert_array_equal(embedded.index, X.index)
    assert isinstance(est.predict(X), np.ndarray)  # only transform's output is wrapped


def test_a_network_feeds_a_second_estimator_in_a_pipeline():
    pipe = make_pipeline(
        TinyMLPClassifier((8,), max_iter=200, random_state=0), LogisticRegression()
    )
    quietly(pipe, IRIS_X, IRIS_Y)
    network = pipe[0]
    # the logistic regression was fitted on the network's hidden layer
    assert pipe[1].n_features_in_ == 8
    assert_allclose(
        pipe[1].decision_function(network.transform(IRIS_X)), pipe.decision_function(IRIS_X)
    )
    assert pipe.score(IRIS_X, IRIS_Y) > 0.9


def test_a_feature_union_names_the_units_of_its_network():
    union = FeatureUnion(
        [("mlp", TinyMLPClassifier((3,), max_iter=20, random_state=0)), ("pca", PCA(2))]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        features = union.fit_transform(IRIS_X, IRIS_Y)
    assert features.shape == (150, 5)
    assert list(union.get_feature_names_out()[:3]) == [
        f"mlp__tinymlpclassifier{i}" for i in range(3)
    ]


def test_float32_and_sparse_input_are_transformed():
    X32 = IRIS_X.astype(np.float32)
    est = quietly(TinyMLPClassifier((4,), max_iter=10, random_state=0), X32, IRIS_Y)
    assert est.transform(X32).dtype == np.float32
    est = quietly(TinyMLPClassifier((4,), max_iter=10, random_state=0), IRIS_X, IRIS_Y)
    assert_allclose(est.transform(sparse.csr_matrix(IRIS_X)), est.transform(IRIS_X), rtol=1e-12)


def test_fit_transform_takes_the_validation_set():
    est = TinyMLPClassifier((4,), max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit_transform(IRIS_X[::2], IRIS_Y[::2], X_val=IRIS_X[1::2], y_val=IRIS_Y[1::2])
    assert len(est.validation_loss_curve_) == est.n_iter_


@pytest.mark.parametrize("layer", [2, -3, 7])
def test_a_layer_the_network_does_not_have_is_refused(layer):
    est = quietly(TinyMLPClassifier((4, 3), max_iter=5, random_state=0), IRIS_X, IRIS_Y)
    est.set_params(transform_layer=layer)
    with pytest.raises(
        ValueError, match=f"transform_layer={layer} is not a hidden layer.*2 hidden"
    ):
        est.transform(IRIS_X)
    with pytest.raises(ValueError, match="is not a hidden layer"):
        est.get_feature_names_out()


def test_a_network_without_hidden_layers_has_nothing_to_transform():
    est = quietly(TinyMLPClassifier(hidden_layer_sizes=(), max_iter=5), IRIS_X, IRIS_Y)
    with pytest.raises(ValueError, match="which has none"):
        est.transform(IRIS_X)


def test_transform_needs_a_fitted_network_with_the_features_it_was_fitted_on():
    with pytest.raises(NotFittedError):
        TinyMLPClassifier().transform(IRIS_X)
    est = quietly(TinyMLPClassifier((3,), max_iter=5, random_state=0), IRIS_X, IRIS_Y)
    with pytest.raises(ValueError, match="X has 2 features"):
        est.transform(IRIS_X[:, :2])


def test_an_overflowing_hidden_layer_is_a_clear_error():
    est = quietly(
        TinyMLPRegressor((4,), activation="relu", max_iter=20, random_state=0), REG_X, REG_Y
    )
    est.coefs_[0][:, 0] = 1.0  # a first unit that sums its inputs:
    X = np.full((2, 4), 1e308)  # finite inputs, whose sum is not
    with pytest.raises(ValueError, match="hidden layer's output"):
        est.transform(X)
