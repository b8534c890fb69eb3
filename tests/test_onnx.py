"""ONNX export (``import sklearn_xornet.onnx``): the graphs run in onnxruntime and agree with
``predict``, ``predict_proba`` and ``transform`` on float32 data: labels equal, values within 1e-5
(relative for regression)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")

from skl2onnx import to_onnx  # noqa: E402
from test_fidelity import article_v1_config  # noqa: E402

import sklearn_xornet.onnx  # noqa: E402, F401 (registers the converters)
from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor  # noqa: E402
from sklearn_xornet._activations import HIDDEN_ACTIVATIONS  # noqa: E402

# short fits on small data: whether they converge is not what these tests are about
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS).astype(np.float32)
X_ML, Y_ML = make_multilabel_classification(120, 6, n_classes=3, random_state=0)
X_ML = StandardScaler().fit_transform(X_ML).astype(np.float32)
X_REG, Y_REG = make_regression(150, 5, n_targets=2, noise=1.0, random_state=0)
X_REG = X_REG.astype(np.float32)
ACTIVATIONS = [
    *HIDDEN_ACTIVATIONS,
    ("relu", "logistic"),
    ("tanh", "identity"),
    ("gelu", "elu"),
]


def run(model, X, options=None):
    """Export ``model`` for inputs like ``X`` and run the graph on ``X`` in onnxruntime."""
    onx = to_onnx(model, X[:1], options=options)
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


def hidden(activation):
    return (6, 4) if isinstance(activation, tuple) else (6,)


def check_classifier(clf, X, options=None):
    labels, proba = run(clf, X, options)
    assert_array_equal(labels, clf.predict(X))
    if isinstance(proba, list):  # zipmap: one {class: probability} dict per row
        proba = np.array([[row[c] for c in clf.classes_] for row in proba])
    assert_allclose(proba, clf.predict_proba(X), rtol=0, atol=1e-5)
    return labels, proba


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel", "strings"])
def test_classifier_matches_onnxruntime(activation, fit_intercept, target):
    X, y = X_IRIS, Y_IRIS
    if target == "binary":
        y = np.where(y == 1, 7, -3)  # numeric labels other than 0/1
    elif target == "strings":
        y = np.array(["setosa", "versicolor", "virginica"])[y]
    elif target == "multilabel":
        X, y = X_ML, Y_ML
    clf = TinyMLPClassifier(
        hidden(activation), activation=activation, fit_intercept=fit_intercept, random_state=0
    ).fit(X, y)
    labels, proba = check_classifier(clf, X, {"zipmap": False})
    assert proba.dtype == np.float32
    assert labels.shape == clf.predict(X).shape


@pytest.mark.parametrize("zipmap", [True, "columns"])
def test_classifier_zipmap_options(zipmap):
    y = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]
    clf = TinyMLPClassifier((5,), random_state=0).fit(X_IRIS, y)
    if zipmap is True:
        check_classifier(clf, X_IRIS, {"zipmap": True})
        multilabel = TinyMLPClassifier((5,), random_state=0).fit(X_ML, Y_ML)
        check_classifier(multilabel, X_ML, {"zipmap": True})
    else:
        outputs = run(clf, X_IRIS, {"zipmap": "columns"})
        assert_array_equal(outputs[0], clf.predict(X_IRIS))
        columns = np.column_stack(outputs[1:])  # one output per class
        assert_allclose(columns, clf.predict_proba(X_IRIS), atol=1e-5)


def test_classifier_nocl_gives_class_indices():
    y = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]
    clf = TinyMLPClassifier((5,), random_state=0).fit(X_IRIS, y)
    labels, _ = run(clf, X_IRIS, {"zipmap": False, "nocl": True})
    assert_array_equal(clf.classes_[labels], clf.predict(X_IRIS))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "output",
    [
        "identity",
        "logistic",
        "poisson",
        "multi-output",
        "no normalize_y",
        "absolute_error",
        "huber",
        "quantile",
    ],
)
def test_regressor_matches_onnxruntime(activation, fit_intercept, output):
    X, y = X_REG, Y_REG[:, 0] * 10 + 500  # unscaled: normalize_y maps back
    params = {}
    if output == "logistic":
        y = (y - y.min()) / (y.max() - y.min())
        params = {"output_activation": "logistic"}
    elif output == "poisson":
        y = np.random.default_rng(0).poisson(np.exp(X[:, 0] / 2))
        params = {"loss": "poisson"}
    elif output == "multi-output":
        y = Y_REG * [1, 100] + [0, -1000]
    elif output == "no normalize_y":
        y = Y_REG[:, 0] / 100
        params = {"normalize_y": False}
    elif output in ("absolute_error", "huber", "quantile"):  # the loss changes only training
        params = {"loss": output, "quantile": 0.8, "huber_delta": 5.0}
    reg = TinyMLPRegressor(
        hidden(activation),
        activation=activation,
        fit_intercept=fit_intercept,
        random_state=0,
        **params,
    ).fit(X, y)
    (prediction,) = run(reg, X)
    expected = reg.predict(X).reshape(len(X), -1)
    assert prediction.shape == expected.shape and prediction.dtype == np.float32
    scale = np.abs(expected).max(axis=0)
    assert_allclose(prediction / scale, expected / scale, rtol=0, atol=1e-5)


def test_a_user_supplied_activation_is_refused_with_a_clear_error():
    clf = TinyMLPClassifier((4,), activation=(np.tanh, tanh_slope), random_state=0)
    clf.fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="user-supplied activation cannot be exported"):
        to_onnx(clf, X_IRIS[:1])


def tanh_slope(x):
    return 1 - np.tanh(x) ** 2


def test_float64_input_gives_a_float64_graph():
    X = X_REG.astype(np.float64)
    reg = TinyMLPRegressor((8,), random_state=0).fit(X, Y_REG[:, 0])
    (prediction,) = run(reg, X)
    assert prediction.dtype == np.float64
    assert_allclose(prediction.ravel(), reg.predict(X), rtol=1e-12)


def test_inside_pipelines():
    raw = load_iris().data.astype(np.float32)
    clf = make_pipeline(StandardScaler(), TinyMLPClassifier((8,), random_state=0))
    clf.fit(raw, Y_IRIS)
    check_classifier(clf, raw, {TinyMLPClassifier: {"zipmap": False}})
    reg = make_pipeline(StandardScaler(), TinyMLPRegressor((8,), random_state=0))
    reg.fit(X_REG * 100, Y_REG[:, 0])
    (prediction,) = run(reg, X_REG * 100)
    assert_allclose(prediction.ravel(), reg.predict(X_REG * 100), rtol=1e-5, atol=1e-3)


def test_the_article_network_exports():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    net = TinyMLPRegressor(**article_v1_config(0, epochs=2000))
    with pytest.warns(Warning):  # the article's fixed epochs end in a ConvergenceWarning
        net.fit(X, [0, 1, 1, 0])
    (prediction,) = run(net, X)
    assert_allclose(prediction.ravel(), net.predict(X), rtol=1e-5)


@pytest.mark.parametrize("layer", [-1, 0])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_transform_matches_onnxruntime(Estimator, activation, layer):
    X, y = (X_IRIS, Y_IRIS) if Estimator is TinyMLPClassifier else (X_REG, Y_REG)
    est = Estimator((6, 4), activation=activation, max_iter=20, random_state=0).fit(X, y)
    est.set_params(transform_layer=layer)
    (embedded,) = run(est, X, {"transform": True})
    assert embedded.shape == (len(X), 4 if layer == -1 else 6) and embedded.dtype == np.float32
    assert_allclose(embedded, est.transform(X), rtol=1e-5, atol=1e-5)


def test_a_network_feeding_a_second_estimator_exports():
    raw = load_iris().data.astype(np.float32)
    pipe = make_pipeline(
        StandardScaler(), TinyMLPClassifier((5,), random_state=0), LogisticRegression()
    ).fit(raw, Y_IRIS)
    options = {id(pipe[1]): {"transform": True}, LogisticRegression: {"zipmap": False}}
    labels, proba = run(pipe, raw, options)
    assert_array_equal(labels, pipe.predict(raw))
    assert_allclose(proba, pipe.predict_proba(raw), rtol=0, atol=1e-5)


def test_label_smoothing_changes_training_only_and_exports():
    clf = TinyMLPClassifier((5,), label_smoothing=0.1, random_state=0).fit(X_IRIS, Y_IRIS)
    check_classifier(clf, X_IRIS, options={"zipmap": False})
