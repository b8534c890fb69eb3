"""TinyMLPClassifier: class labels in, one-hot targets to the network, labels out."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._base import SHARED_ATTRIBUTES_DOC, SHARED_PARAMETERS_DOC, _BaseTinyMLP


class TinyMLPClassifier(ClassifierMixin, _BaseTinyMLP):
    __doc__ = f"""Multilayer perceptron classifier, trained by the article's backpropagation.

    A drop-in for :class:`sklearn.neural_network.MLPClassifier`: binary targets get one
    sigmoid output, multiclass targets a softmax output, multilabel indicator targets one
    sigmoid per label. The defaults learn XOR from every seed.

    Parameters
    ----------
{SHARED_PARAMETERS_DOC}
    alpha : float, default=0.03
        Strength of the L2 penalty on the weights (not the intercepts); like the loss, it is
        divided by the total sample weight. The default (scikit-learn's is 1e-4) was chosen
        by measurement: it keeps L-BFGS from overfitting small data sets while a 4-row
        problem such as XOR is still learnt from every seed.

    loss : {{'log_loss', 'squared_error'}}, default='log_loss'
        The loss minimised. 'squared_error' trains the sigmoid/softmax output on half the
        squared error against the one-hot targets, as the article does.

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
    }
    _own_params = {"alpha": 0.03, "loss": "log_loss"}

    def _encode_targets(self, y, sample_weight, dtype):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        binarizer = LabelBinarizer().fit(y)
        Y = binarizer.transform(y).astype(dtype)
        if binarizer.y_type_ != "multilabel-indicator":
            weighted = y if sample_weight is None else y[sample_weight > 0]
            if len(np.unique(weighted)) < 2:
                raise ValueError(
                    "TinyMLPClassifier needs samples of at least 2 classes in the data"
                    " (with non-zero weight), but the data contains only one class:"
                    f" {weighted[0]!r}."
                )
        out_activation = "softmax" if binarizer.y_type_ == "multiclass" else "logistic"
        fitted = {"classes_": binarizer.classes_, "_y_type": binarizer.y_type_}
        return Y, out_activation, fitted

    def predict(self, X):
        """Predict using the multilayer perceptron classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to classify.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes (an indicator matrix for multilabel targets).
        """
        Z = self._forward(X)
        if self._y_type == "multilabel-indicator":
            return (Z > 0.5).astype(int)
        if self._y_type == "multiclass":
            return self.classes_[np.argmax(Z, axis=1)]
        return self.classes_[(Z[:, 0] > 0.5).astype(int)]

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
        Z = self._forward(X)
        # A sigmoid or softmax never reaches 0 or 1; its float rounding can. Keep every
        # probability inside the open interval, at the nearest representable values.
        finfo = np.finfo(Z.dtype)
        np.clip(Z, finfo.tiny, 1 - finfo.epsneg, out=Z)
        if self._y_type == "binary":
            return np.hstack([1 - Z, Z])
        return Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
