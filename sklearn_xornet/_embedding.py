"""The hidden layer as features: ``transform``, and the names of its columns.

A fitted network is a supervised feature extractor: the activations of a hidden layer
(``transform_layer``, the last by default) feed another estimator, a plot or a search. The
mixin follows scikit-learn's transformer conventions (``fit_transform``,
``get_feature_names_out``, ``set_output``); the forward pass it runs is the estimator's.
"""

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted


class Embedding(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """``transform`` for an estimator with ``coefs_``, ``transform_layer`` and
    ``_forward(X, method, depth)``."""

    def transform(self, X):
        """The activations of a hidden layer: the fitted network as a feature extractor.

        The output of hidden layer ``transform_layer`` (the last by default) for each
        sample: features learnt for the targets, for another estimator to use
        (``make_pipeline(TinyMLPClassifier(), LogisticRegression())``), to plot, or to
        search among. ``fit_transform`` fits the network on ``(X, y)`` and transforms
        ``X``; ``get_feature_names_out`` names the units.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to transform.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_units)
            The hidden layer's activations, one column per unit.
        """
        check_is_fitted(self)
        return self._forward(X, "transform", depth=self._transform_depth())[1]

    def _transform_depth(self):
        """How many weight layers lead to the output of hidden layer ``transform_layer``."""
        n_hidden = len(self.coefs_) - 1
        if not -n_hidden <= self.transform_layer < n_hidden:
            has = f"{n_hidden} hidden layer{'s' * (n_hidden > 1)}" if n_hidden else "none"
            raise ValueError(
                f"transform_layer={self.transform_layer} is not a hidden layer of this"
                f" network, which has {has}: give an index into hidden_layer_sizes"
                " (-1 for the last)."
            )
        return self.transform_layer % n_hidden + 1

    @property
    def _n_features_out(self):
        """The width of ``transform``'s output (for ``get_feature_names_out``)."""
        return self.coefs_[self._transform_depth() - 1].shape[1]
