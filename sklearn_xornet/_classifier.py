"""TinyMLPClassifier: class labels in, one-hot targets to the network, labels out.

Labels are encoded on the host, with NumPy, whatever the namespace of ``X`` (bool, int,
float or str labels alike); the encoded targets and ``classes_`` then go where ``X`` is, and
predictions are decoded there.
"""

from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)

from ._arrays import namespace, to_numpy
from ._base import _BaseTinyMLP, partial_fit_available, store_parameters
from ._docs import SHARED_ATTRIBUTES_DOC, SHARED_PARAMETERS_DOC
from ._losses import make_loss


def _check_same_kind_of_targets(y, encoding):
    """Continued training takes targets of the kind the model was fitted on."""
    if encoding["_y_type"] != "multilabel-indicator":
        if y.ndim == 2:
            raise ValueError("The object was not fitted with multilabel input.")
        return
    n_labels = len(encoding["classes_"])
    if y.ndim != 2 or y.shape[1] != n_labels or type_of_target(y) != "multilabel-indicator":
        raise ValueError(
            f"The object was fitted with multilabel input of {n_labels} labels: `y` must"
            f" be an indicator matrix of shape (n_samples, {n_labels}), got a"
            f" {type_of_target(y)} target of shape {y.shape}."
        )


def _check_known_classes(classes, known, incremental):
    """Continued training takes the classes it was fitted on: all of them for a
    warm-started fit, some of them for ``partial_fit``."""
    if not incremental:
        if set(classes.tolist()) != set(known.tolist()):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the"
                f" previous call to fit. Previously got {known}, `y` has {classes}"
            )
    elif set(classes.tolist()) - set(known.tolist()):  # labels of another kind included
        raise ValueError(
            f"`y` has classes not in `self.classes_`. `self.classes_` has {known}. 'y'"
            f" has {classes}."
        )


def _check_class_weight(class_weight):
    """A dict of class weights must hold finite, non-negative numbers."""
    if not isinstance(class_weight, dict):
        return
    try:
        values = np.array(list(class_weight.values()), dtype=float)
    except (TypeError, ValueError):
        values = np.array([np.nan])
    if not (np.isfinite(values).all() and (values >= 0).all()):
        raise ValueError(
            "class_weight must give each class a finite, non-negative weight; got"
            f" {class_weight!r}."
        )


def _balanced(y, sample_weight):
    """Each sample's 'balanced' class weight, ``n_samples / (n_classes * counts)``, the
    samples and classes counted with their ``sample_weight`` as scikit-learn's linear models
    count them (``compute_class_weight(..., sample_weight=)``); a multilabel indicator's
    columns each weigh a sample, as ``compute_sample_weight`` multiplies them. A class whose
    samples all weigh zero gets zero (its samples contribute nothing either way)."""
    columns = y.reshape(y.shape[0], -1)
    weights = np.ones(y.shape[0])
    for column in columns.T:
        classes, index = np.unique(column, return_inverse=True)
        counts = np.bincount(index, weights=sample_weight, minlength=classes.shape[0])
        share = np.zeros(classes.shape[0])
        np.divide(counts.sum(), classes.shape[0] * counts, out=share, where=counts > 0)
        weights *= share[index]
    return weights


# the output layer of each kind of target; 'unary' is a target of one class, which
# scikit-learn's MLP fits as a binary one whose second class never occurs: one sigmoid unit
# trained towards 0, and the one class predicted whatever it says
_OUTPUTS = {
    "unary": "logistic",
    "binary": "logistic",
    "multiclass": "softmax",
    "multilabel-indicator": "logistic",
}


def _encoding(labels):
    """The target encoding of ``labels`` (class labels, or a multilabel indicator matrix):
    the classes, and the kind of target, 'unary' where there is one class."""
    binarizer = LabelBinarizer().fit(labels)
    one_class = binarizer.y_type_ == "binary" and len(binarizer.classes_) == 1
    return {"classes_": binarizer.classes_, "_y_type": "unary" if one_class else binarizer.y_type_}


def decode(Z, encoding):
    """The labels the network's output ``Z`` predicts, where ``Z`` is."""
    xp = namespace(Z)
    y_type = encoding["_y_type"]
    if y_type == "multilabel-indicator":
        return xp.astype(Z > 0.5, xp.int64)
    if y_type == "multiclass":
        index = xp.argmax(Z, axis=1)
    else:  # one sigmoid unit: above one half is the second class, where there is one
        index = xp.astype(Z[:, 0] > 0.5, xp.int64)
        if y_type == "unary":
            index = index * 0
    return xp.take(encoding["classes_"], index)


def _probabilities(raw, Z, y_type, out_function, xp):
    """The class probabilities from the output layer's pre-activation and output, and the
    output's function."""
    if y_type == "unary":  # the one class, certainly: a column of ones
        return xp.ones_like(Z)
    if y_type == "binary":
        # both columns from the pre-activation: 1 - Z would round to 1 where Z is tiny
        Z = xp.concat([out_function(-raw, None), Z], axis=1)
    # A sigmoid or softmax never reaches 0 or 1; its float rounding can. Keep every
    # probability inside the open interval, at the nearest representable values.
    finfo = xp.finfo(Z.dtype)
    return xp.clip(Z, finfo.smallest_normal, 1 - finfo.eps / 2, out=Z)


def _one_hot(y, encoding, dtype):
    """The network's targets: what LabelBinarizer.transform gives, in ``dtype``.

    Written out because the binarizer builds a sparse matrix first, which makes it the
    peak of a whole fit's memory on large data.
    """
    if encoding["_y_type"] == "multilabel-indicator":
        # any non-zero entry marks a label, as LabelBinarizer reads an indicator matrix
        Y = y.toarray() if sparse.issparse(y) else np.asarray(y)
        return (Y != 0).astype(dtype)
    index = np.searchsorted(encoding["classes_"], y)
    if encoding["_y_type"] in ("unary", "binary"):  # one unit: 1 for the second class
        return index.astype(dtype).reshape(-1, 1)
    Y = np.zeros((len(y), len(encoding["classes_"])), dtype=dtype)
    Y[np.arange(len(y)), index] = 1
    return Y


def _smoothed(Y, encoding, smoothing):
    """The targets ``Y`` with ``smoothing`` of the uniform distribution mixed in, as torch's
    ``CrossEntropyLoss(label_smoothing=)`` mixes it: over the classes of a softmax output,
    over 0 and 1 for each sigmoid output (binary and multilabel targets)."""
    if smoothing == 0:
        return Y
    n_classes = Y.shape[1] if encoding["_y_type"] == "multiclass" else 2
    Y *= 1 - smoothing
    Y += smoothing / n_classes
    return Y


def _announced_encoding(estimator, y, classes):
    """The encoding ``partial_fit``'s first call announces (None on later calls)."""
    known = getattr(estimator, "classes_", None)
    if known is not None and classes is not None:
        # scikit-learn's check, on the host: the fitted classes may live on a device
        if not np.array_equal(to_numpy(known), unique_labels(classes)):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to partial_fit,"
                f" was: {to_numpy(known)!r}"
            )
    if not _check_partial_fit_first_call(estimator, None if known is not None else classes):
        return None
    # the first call announces every class; the network is shaped for them all
    return _encoding(y if type_of_target(y).startswith("multilabel") else classes)


class TinyMLPClassifier(ClassifierMixin, _BaseTinyMLP):
    __doc__ = f"""Multilayer perceptron classifier, trained by the article's backpropagation.

    A drop-in for :class:`sklearn.neural_network.MLPClassifier`: binary targets get one
    sigmoid output, multiclass targets a softmax output, multilabel indicator targets one
    sigmoid per label. The defaults learn XOR from every seed.

    Parameters
    ----------
{SHARED_PARAMETERS_DOC}
    alpha : float or 'auto', default='auto'
        Strength of the L2 penalty on the weights (not the intercepts); like the loss, it is
        divided by the total sample weight. 'auto' is 0.03 for 'lbfgs' and 'gd' and 0.3
        for 'adam' and 'sgd' (scikit-learn's is 1e-4), chosen by measurement (README,
        "Defaults"): 0.03 keeps L-BFGS from overfitting small data sets while a 4-row
        problem such as XOR is still learnt from every seed; the mini-batch solvers, which
        stop long before L-BFGS's optimum, gain from a stronger one. A mini-batch step
        divides it by the batch's weight, as scikit-learn's MLP does. Being divided by
        the total sample weight, it is ``n_samples`` times stronger under weights that sum
        to 1, such as AdaBoost's: uniform weights ``1 / n_samples`` take the default's
        training accuracy on iris from 1.0 to 0.967 (``alpha / n_samples`` gives 1.0
        back).

    loss : {{'log_loss', 'squared_error'}}, default='log_loss'
        The loss minimised. 'squared_error' trains the sigmoid/softmax output on half the
        squared error against the one-hot targets, as the article does.

    label_smoothing : float in [0, 1), default=0.0
        Label smoothing, as torch's ``CrossEntropyLoss`` defines it: each one-hot target
        is mixed with the uniform distribution, ``(1 - label_smoothing) * one_hot +
        label_smoothing / n_classes``, and each sigmoid output's 0/1 target (binary and
        multilabel targets) with 1/2. It discourages over-confident outputs. It changes
        training only: the losses reported (``loss_curve_``, ``validation_loss_curve_``)
        are those of the smoothed targets, while ``predict_proba`` still estimates the
        classes' probabilities and scores use the true labels.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplying ``sample_weight`` in the loss (and in the
        early-stopping score) as in scikit-learn's linear models: ``{{label: weight}}``, or
        'balanced' for ``n_samples / (n_classes * np.bincount(y))``, the samples counted
        with their ``sample_weight`` (as scikit-learn's linear models count them).
        ``partial_fit`` accepts a dict only, since a batch cannot tell the class
        frequencies.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, the label indices).

{SHARED_ATTRIBUTES_DOC}
    See Also
    --------
    TinyMLPRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : scikit-learn's multilayer perceptron.

    Examples
    --------
    >>> from sklearn_xornet import TinyMLPClassifier
    >>> X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> y = [0, 1, 1, 0]
    >>> clf = TinyMLPClassifier(random_state=0).fit(X, y)
    >>> clf.predict(X)
    array([0, 1, 1, 0])
    >>> clf.predict_proba([[1, 0]]).round(2)
    array([[0.06, 0.94]])
    """

    _parameter_constraints: dict = {
        **_BaseTinyMLP._parameter_constraints,
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [None, StrOptions({"balanced"}), dict],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="tanh",
        *,
        solver="lbfgs",
        alpha="auto",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol="auto",
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction="auto",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change="auto",
        max_fun=15000,
        fit_intercept=True,
        weight_init="glorot",
        n_init=1,
        transform_layer=-1,
        dropout=0.0,
        loss="log_loss",
        label_smoothing=0.0,
        class_weight=None,
    ):
        store_parameters(self, locals())

    _encoding_attributes = ("classes_", "_y_type")
    _score_function = staticmethod(accuracy_score)
    _decode = staticmethod(decode)

    def _class_weights(self, y, sample_weight, incremental):
        if self.class_weight is None:
            return None
        if self.class_weight != "balanced":
            _check_class_weight(self.class_weight)
            return compute_sample_weight(self.class_weight, y)
        if incremental:
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit: a batch cannot"
                " tell the class frequencies. Pass a dict of weights instead."
            )
        return _balanced(y, sample_weight)

    def _encode_targets(self, y, sample_weight, dtype, encoding, incremental):
        check_classification_targets(y)
        if encoding is None:
            encoding = _encoding(y)
        else:
            _check_same_kind_of_targets(y, encoding)
            if encoding["_y_type"] != "multilabel-indicator":
                _check_known_classes(unique_labels(y), encoding["classes_"], incremental)
        return _smoothed(_one_hot(y, encoding, dtype), encoding, self.label_smoothing), encoding

    def _encoding_of(self, y):
        # scikit-learn's MLP binarises the labels before its early-stopping split
        check_classification_targets(y)
        return _encoding(y)

    def _training_loss(self, encoding):
        return make_loss(self.loss, _OUTPUTS[encoding["_y_type"]])

    @available_if(partial_fit_available)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Available for the solvers 'gd', 'sgd' and 'adam'. The solver's state (momentum,
        Adam's moments, the adapted learning rate) carries over from call to call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The class labels (or a label indicator matrix).

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data set: required on the first call (for example
            ``np.unique(y_all)``), unneeded afterwards; ``y`` need not contain them all.

        Returns
        -------
        self : object
            The updated estimator.
        """
        encoding = _announced_encoding(self, y, classes)
        return self._partial_fit(X, y, sample_weight, encoding)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose class probabilities are wanted.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``, kept strictly
            between 0 and 1.
        """
        return self._probabilities(X, "predict_proba")

    def _probabilities(self, X, method):
        raw, Z, out_function, xp = self._forward(X, method)
        return _probabilities(raw, Z, self._y_type, out_function, xp)

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates: ``np.log(predict_proba(X))``.

        Never infinite, since the probabilities stay strictly between 0 and 1. Being the
        logarithm of the same numbers, it ranks the classes of each
        sample as ``predict_proba`` does, ties included: where a probability rounds to its
        largest value below 1, several labels of a multilabel model can share it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose class log-probabilities are wanted.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        proba = self._probabilities(X, "predict_log_proba")
        return namespace(proba).log(proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
