"""A `y` of one class fits as scikit-learn's MLP fits it: `classes_` of that class, which
`predict` returns, with probability 1; so scikit-learn's meta-estimators never trip on a
fold, bag or label of one class."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.ensemble import BaggingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import learning_curve
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier

X, _ = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)[:40]
ONE = np.full(40, "setosa")


def quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def assert_predicts_the_one_class(clf, X, label):
    assert clf.classes_.tolist() == [label]
    assert clf.predict(X).tolist() == [label] * len(X)
    np.testing.assert_array_equal(clf.predict_proba(X), np.ones((len(X), 1)))
    np.testing.assert_array_equal(clf.predict_log_proba(X), np.zeros((len(X), 1)))
    assert clf.score(X, [label] * len(X)) == 1.0


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd", "gd"])
@pytest.mark.parametrize("params", [{}, {"n_init": 3}, {"early_stopping": True}])
def test_every_solver_fits_one_class_and_predicts_it(solver, params):
    clf = quietly(TinyMLPClassifier((5,), solver=solver, random_state=0, **params), X, ONE)
    assert_predicts_the_one_class(clf, X, "setosa")
    far = X * 1e3  # whatever the network says far from the data, the one class
    assert_predicts_the_one_class(clf, far, "setosa")
    assert np.isfinite(clf.loss_curve_).all()


def test_one_class_as_scikit_learn_fits_it():
    """The same classes_ and predictions as scikit-learn's MLP (whose predict_proba gives
    two columns for one class; ours gives the one class's)."""
    labels = np.full(40, 3)
    theirs = quietly(MLPClassifier(random_state=0), X, labels)
    ours = quietly(TinyMLPClassifier(random_state=0), X, labels)
    assert ours.classes_.tolist() == theirs.classes_.tolist() == [3]
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.n_outputs_ == theirs.n_outputs_ == 1


def test_weights_and_labels_of_one_class():
    """Two classes, one of them weighted zero, stay two classes; all weights zero stays an
    error."""
    y = np.where(np.arange(40) % 2 == 0, "a", "b")
    weights = (y == "a").astype(float)
    clf = quietly(TinyMLPClassifier(random_state=0), X, y, sample_weight=weights)
    assert clf.classes_.tolist() == ["a", "b"]
    assert (clf.predict(X) == "a").all()  # b's rows taught it nothing
    with pytest.raises(ValueError, match="all zeros|at least one non-zero"):
        TinyMLPClassifier().fit(X, ONE, sample_weight=np.zeros(40))
    with pytest.raises(ValueError, match="weight of zero"):
        TinyMLPClassifier(class_weight={"setosa": 0.0}).fit(X, ONE)


def test_warm_start_and_partial_fit_keep_the_announced_classes():
    clf = quietly(TinyMLPClassifier(solver="adam", warm_start=True, random_state=0), X, ONE)
    quietly(clf, X, ONE)  # the same class: goes on
    assert_predicts_the_one_class(clf, X, "setosa")
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X, np.where(np.arange(40) < 20, "setosa", "other"))
    # partial_fit: the first call's classes rule, whatever a batch holds
    two = TinyMLPClassifier(solver="adam", random_state=0)
    two.partial_fit(X, ONE, classes=["other", "setosa"])
    assert two.classes_.tolist() == ["other", "setosa"]
    assert two.predict_proba(X).shape == (40, 2)
    one = TinyMLPClassifier(solver="sgd", random_state=0).partial_fit(X, ONE, classes=["setosa"])
    one.partial_fit(X, ONE)
    assert_predicts_the_one_class(one, X, "setosa")
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        one.partial_fit(X, np.full(40, "other"))


def test_early_stopping_keeps_every_class_of_y_when_the_split_leaves_one():
    """The classes are those of every row, as scikit-learn binarises before its split."""
    y = np.array(["a"] * 38 + ["b", "c"])  # b and c cannot be stratified: a random split
    for seed in range(5):
        clf = quietly(
            TinyMLPClassifier((3,), solver="adam", early_stopping=True, random_state=seed),
            X,
            y,
        )
        assert clf.classes_.tolist() == ["a", "b", "c"]
        assert clf.predict_proba(X).shape == (40, 3)


def test_pickle_and_skops_keep_a_one_class_model():
    clf = quietly(TinyMLPClassifier(random_state=0), X, ONE)
    assert_predicts_the_one_class(pickle.loads(pickle.dumps(clf)), X, "setosa")
    sio = pytest.importorskip("skops.io")
    dumped = sio.dumps(clf)
    loaded = sio.loads(dumped, trusted=sio.get_untrusted_types(data=dumped))
    assert_predicts_the_one_class(loaded, X, "setosa")


def test_onnx_exports_a_one_class_model():
    pytest.importorskip("skl2onnx")
    rt = pytest.importorskip("onnxruntime")
    from skl2onnx import to_onnx

    import sklearn_xornet.onnx  # noqa: F401  (registers the converters)

    X32 = X.astype(np.float32)
    clf = quietly(TinyMLPClassifier(random_state=0), X32, np.full(40, 7))
    model = to_onnx(clf, X32[:1], options={"zipmap": False})
    session = rt.InferenceSession(model.SerializeToString())
    label, proba = session.run(None, {session.get_inputs()[0].name: X32})
    assert label.tolist() == [7] * 40
    np.testing.assert_array_equal(proba, np.ones((40, 1), np.float32))


def test_learning_curve_on_class_sorted_data_scores_every_point():
    X_iris, y_iris = load_iris(return_X_y=True)
    model = make_pipeline(StandardScaler(), TinyMLPClassifier(random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no FitFailedWarning
        sizes, train, test = learning_curve(
            model, X_iris, y_iris, cv=3, train_sizes=[0.1, 0.5, 1.0], shuffle=False
        )
    assert np.isfinite(test).all() and np.isfinite(train).all()
    # the smallest training sets hold one class: every test point of another is wrong
    assert (train[0] == 1.0).all()


def test_multioutput_and_classifier_chain_with_a_label_absent_from_training():
    X_ml, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    Y[:, 2] = 0  # a label that never occurs
    for meta in (MultiOutputClassifier, ClassifierChain):
        model = quietly(meta(TinyMLPClassifier((8,), random_state=0)), X_ml, Y)
        predicted = model.predict(X_ml)
        assert predicted.shape == Y.shape and (predicted[:, 2] == 0).all()
        assert model.score(X_ml, Y) > 0.5
    # each label's own probabilities: the absent label's is the certain 0
    proba = MultiOutputClassifier(TinyMLPClassifier((8,), random_state=0)).fit(X_ml, Y)
    np.testing.assert_array_equal(proba.predict_proba(X_ml)[2], np.ones((60, 1)))
    native = quietly(TinyMLPClassifier((8,), random_state=0), X_ml, Y)
    assert (native.predict(X_ml)[:, 2] == 0).all()


def test_bagging_with_bags_of_one_class():
    X_iris, y_iris = load_iris(return_X_y=True)
    bagging = BaggingClassifier(
        TinyMLPClassifier((4,), random_state=0), n_estimators=30, max_samples=3, random_state=0
    )
    quietly(bagging, StandardScaler().fit_transform(X_iris), y_iris)
    one_class_bags = sum(len(np.unique(y_iris[rows])) == 1 for rows in bagging.estimators_samples_)
    assert one_class_bags > 0  # the case at stake occurs
    proba = bagging.predict_proba(StandardScaler().fit_transform(X_iris))
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1)
