"""TinyMLPRegressor: real targets in (standardised by default), real predictions out.

Targets are scaled on the host, with NumPy, whatever the namespace of ``X``; the scaled
targets and the scaling then go where ``X`` is, and predictions are mapped back there.
"""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if

from ._activations import ordered_quantiles
from ._arrays import namespace
from ._base import _BaseTinyMLP, partial_fit_available, store_parameters
from ._docs import SHARED_ATTRIBUTES_DOC, SHARED_PARAMETERS_DOC
from ._losses import ordered_quantiles_loss, regression_loss


def _mean_and_scale(Y, sample_weight):
    """Weighted mean and standard deviation of each column, safe from overflow.

    Columns are divided by their largest magnitude first, so targets near the float range
    (1e300) give a finite mean and scale. A constant column gets scale 1.
    """
    magnitude = np.max(np.abs(Y), axis=0)
    magnitude = np.where(magnitude == 0, 1.0, magnitude)
    unit = Y / magnitude
    mean = np.average(unit, axis=0, weights=sample_weight)
    std = np.sqrt(np.average((unit - mean) ** 2, axis=0, weights=sample_weight))
    std = np.where(std > 10 * np.finfo(np.float64).eps, std, 1 / magnitude)
    return mean * magnitude, std * magnitude


def decode(Z, encoding):
    """The predictions of the network's output ``Z``, in the targets' scale, where ``Z`` is:
    for several quantiles, one column per quantile (a row of them per target)."""
    xp, n_quantiles = namespace(Z), encoding["_quantiles"].shape[0]
    if n_quantiles:
        by_target = xp.reshape(Z, (Z.shape[0], -1, n_quantiles))
        y = by_target * encoding["_y_scale"][:, None] + encoding["_y_mean"][:, None]
        return y[:, 0, :] if y.shape[1] == 1 else y
    y = Z * encoding["_y_scale"] + encoding["_y_mean"]
    return xp.reshape(y, (-1,)) if y.shape[1] == 1 else y


def quantiles_r2(y_true, y_pred, sample_weight=None):
    """R2, as in scikit-learn's regressors; for several quantiles (a last axis of
    predictions more than ``y_true`` has), the mean R2 of each quantile's predictions."""
    if y_pred.ndim == y_true.ndim or (y_true.ndim == 1 and y_pred.ndim == 1):
        return r2_score(y_true, y_pred, sample_weight=sample_weight)
    scores = [
        r2_score(y_true, y_pred[..., j], sample_weight=sample_weight)
        for j in range(y_pred.shape[-1])
    ]
    return float(np.mean(scores))


def _quantile_levels(quantile):
    """The levels of ``quantile`` where it lists several (a 1-D array), else None; a clear
    error where the list is not one of increasing numbers in (0, 1)."""
    if quantile is None or isinstance(quantile, Real):
        return None
    levels = np.asarray(quantile, dtype=float) if np.ndim(quantile) == 1 else None
    if levels is None or levels.shape[0] == 0:
        raise ValueError(
            f"quantile must be a float or a non-empty list of floats; got {quantile!r}."
        )
    if not ((levels > 0) & (levels < 1)).all():
        raise ValueError(f"Every quantile must lie in (0, 1); got {quantile!r}.")
    if not (np.diff(levels) > 0).all():
        raise ValueError(
            f"The quantiles must be listed in increasing order, each once; got {quantile!r}."
        )
    return levels


def _check_targets_fit(Y, encoding, dtype):
    """A clear error where the targets, as trained on, leave ``dtype``'s range.

    ``Y`` and the scaling are in float64; both are stored in ``dtype``, the scaling too
    since predictions are mapped back with it.
    """
    finfo = np.finfo(dtype)
    column_max, nonzero = np.max(np.abs(Y), axis=0), np.any(Y != 0, axis=0)
    mean, scale = encoding["_y_mean"], encoding["_y_scale"]
    largest = max(column_max.max(), np.abs(mean).max(), np.abs(scale).max())
    if not largest <= finfo.max:  # NaN included
        problem = f"too large to train on in {dtype.name}, whose largest number is {finfo.max:.3g}"
    elif (scale < finfo.tiny).any() or ((column_max < finfo.tiny) & nonzero).any():
        problem = (
            f"too small to train on in {dtype.name}, whose smallest normal number is"
            f" {finfo.tiny:.3g}: their spread underflows"
        )
    else:
        return
    raise ValueError(f"The targets are {problem}. Scale them, or pass float64 data.")


class TinyMLPRegressor(RegressorMixin, _BaseTinyMLP):
    __doc__ = f"""Multilayer perceptron regressor, trained by the article's backpropagation.

    A drop-in for :class:`sklearn.neural_network.MLPRegressor`. With
    ``output_activation='logistic'`` it is the article's first network, with 'identity'
    its improved version; ``normalize_y=True`` (the default) standardises the targets so
    that the defaults work on unscaled data.

    Parameters
    ----------
{SHARED_PARAMETERS_DOC}
    alpha : float or 'auto', default='auto'
        L2 penalty on the weights, intercepts excepted, divided like the loss by the total
        sample weight. 'auto' is 5.0 for 'lbfgs' and 'gd' and 0.3 for 'adam' and 'sgd',
        chosen by measurement (README, "Defaults"): noisy regression targets need a
        stronger penalty than class labels to keep L-BFGS from fitting the noise (on
        ``load_diabetes``, R2 0.49 instead of below 0), while on mini-batches, whose steps
        divide it by the batch's weight rather than the data's, 5.0 smothers the fit (R2
        0.75 instead of 0.95 on a noisy ``make_friedman1``). Lower it for clean signals.
        Being divided by the total sample weight, it is ``n_samples`` times stronger under
        weights that sum to 1: scale such weights up, or ``alpha`` down.

    loss : {{'squared_error', 'absolute_error', 'huber', 'quantile', 'poisson'}}, \
            default='squared_error'
        The loss minimised, on a linear output (the Poisson deviance has its own):

        - 'squared_error': half the squared error; the network predicts the mean.
        - 'absolute_error': the absolute error; the network predicts the median, robust
          to outliers in ``y``.
        - 'huber': half the squared error within ``huber_delta`` of the target, and
          ``huber_delta * (|error| - huber_delta / 2)`` beyond it: the mean near the
          bulk of the data, robust to the far points.
        - 'quantile': the pinball loss of ``quantile``; the network predicts that
          quantile of ``y`` given ``X``, as HistGradientBoostingRegressor's
          ``loss='quantile'``. Two networks at 0.05 and 0.95 give a 90% prediction
          interval; so does one, given ``quantile=[0.05, 0.95]``.
        - 'poisson': half the Poisson deviance, with an exponential output and
          non-negative targets.

        Each is summed over the outputs and averaged over the samples with their weights.
        ``score`` stays R2, as in scikit-learn's regressors.

    huber_delta : float, default=1.0
        Where the Huber loss turns from quadratic to linear, in the units of ``y``, with or
        without ``normalize_y`` (which then only rescales the loss). scikit-learn names this
        threshold ``epsilon`` (HuberRegressor, SGDRegressor; here Adam's) or ``alpha``
        (GradientBoostingRegressor; here the L2 penalty), so it takes the name torch and
        Keras give it, ``delta``, prefixed with its loss. Only used with ``loss='huber'``.

    quantile : float or array-like of float, default=None
        The quantile to estimate with ``loss='quantile'``, in (0, 1); required there. The
        name and meaning of HistGradientBoostingRegressor's ``quantile``. Only used with
        ``loss='quantile'``.

        A list of increasing quantiles, such as ``[0.05, 0.5, 0.95]``, trains one network
        with one output per quantile (and per target) on the sum of their pinball losses.
        ``predict`` then returns an array of shape ``(n_samples, n_quantiles)`` for one
        target, ``(n_samples, n_targets, n_quantiles)`` for several. The predicted
        quantiles never cross: each target's outputs are its lowest quantile and the
        softplus of the steps to the next ones, summed. ``score`` is the mean R2 of each
        quantile's predictions.

    output_activation : {{'identity', 'logistic'}}, default='identity'
        Activation of the output layer with ``loss='squared_error'``. 'logistic' is the
        article's first network; its targets must lie in [0, 1].

    normalize_y : bool, default=True
        Whether to fit on targets standardised by their (weighted) mean and standard
        deviation and map the predictions back, as
        ``GaussianProcessRegressor(normalize_y=True)`` does. Used with the 'identity'
        output, whatever its loss (not with 'logistic', nor the Poisson deviance). It
        changes how the network is trained, not what it estimates: the median, a quantile
        and the Huber estimate move with ``y`` when ``y`` is shifted and scaled, and
        ``huber_delta`` is converted to the standardised units. The loss in
        ``loss_curve_`` is in those units (for the absolute error and quantile losses, the
        loss in the units of ``y`` divided by its standard deviation; for the squared
        error and Huber losses, divided by its square).

    Attributes
    ----------
{SHARED_ATTRIBUTES_DOC}
    See Also
    --------
    TinyMLPClassifier : The same network for class labels.
    sklearn.neural_network.MLPRegressor : The scikit-learn estimator this one replaces.
    sklearn.gaussian_process.GaussianProcessRegressor : The model whose ``normalize_y``
        this estimator's follows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_xornet import TinyMLPRegressor
    >>> X = np.linspace(0, 2 * np.pi, 50).reshape(-1, 1)
    >>> y = 10 * np.sin(X).ravel() + 100
    >>> # a clean signal on 50 points: a far weaker penalty than the default suits it
    >>> reg = TinyMLPRegressor(hidden_layer_sizes=(10,), alpha=1e-3, random_state=0)
    >>> reg = reg.fit(X, y)
    >>> bool(reg.score(X, y) > 0.99)
    True
    """

    _parameter_constraints: dict = {
        **_BaseTinyMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "huber", "quantile", "poisson"})],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "quantile": [Interval(Real, 0, 1, closed="neither"), "array-like", None],
        "output_activation": [StrOptions({"identity", "logistic"})],
        "normalize_y": ["boolean"],
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
        loss="squared_error",
        huber_delta=1.0,
        quantile=None,
        output_activation="identity",
        normalize_y=True,
    ):
        store_parameters(self, locals())

    _encoding_attributes = ("_y_mean", "_y_scale", "_quantiles")
    _score_function = staticmethod(quantiles_r2)
    _decode = staticmethod(decode)

    def _encode_targets(self, y, sample_weight, dtype, encoding, incremental):
        # scaled in float64 whatever the training dtype: raw targets may not fit float32
        Y = np.asarray(y, dtype=np.float64).reshape(y.shape[0], -1)
        if encoding is not None and Y.shape[1] != encoding["_y_mean"].shape[0]:
            raise ValueError(
                f"The targets have {Y.shape[1]} output(s), but the model was fitted on"
                f" {encoding['_y_mean'].shape[0]}: pass targets of the same outputs."
            )
        if self.loss == "quantile" and self.quantile is None:
            raise ValueError("loss='quantile' needs quantile, the quantile to estimate, in (0, 1).")
        levels = _quantile_levels(self.quantile) if self.loss == "quantile" else None
        levels = np.empty(0) if levels is None else levels
        out_activation = regression_loss(self.loss, self.output_activation).out_activation
        if out_activation == "exp" and ((Y < 0).any() or not (Y > 0).any()):
            raise ValueError("loss='poisson' requires non-negative targets with a positive sum.")
        if out_activation == "logistic" and ((Y < 0).any() or (Y > 1).any()):
            raise ValueError(
                "output_activation='logistic' requires targets in [0, 1]; got values in"
                f" [{Y.min()}, {Y.max()}]."
            )
        if encoding is None:
            mean, scale = np.zeros_like(Y[0]), np.ones_like(Y[0])
            if self.normalize_y and out_activation == "identity":
                mean, scale = _mean_and_scale(Y, sample_weight)
            # continued training keeps the first fit's scaling: the weights are tied to it
            encoding = {"_y_mean": mean, "_y_scale": scale, "_quantiles": levels}
        elif not np.array_equal(
            encoding["_quantiles"], levels.astype(encoding["_quantiles"].dtype)
        ):
            raise ValueError(
                "The model was fitted on other quantiles: continued training keeps them"
                f" (quantile={encoding['_quantiles'].tolist() or None}), or refit."
            )
        Y = (Y - encoding["_y_mean"]) / encoding["_y_scale"]
        _check_targets_fit(Y, encoding, dtype)
        if levels.shape[0]:  # each target once for each of its quantiles' outputs
            Y = np.repeat(Y, levels.shape[0], axis=1)
        encoding = {name: value.astype(dtype) for name, value in encoding.items()}
        return Y.astype(dtype), encoding

    def _training_loss(self, encoding):
        levels = encoding["_quantiles"]
        if levels.shape[0]:  # each output unit's quantile, the targets' in turn
            xp = namespace(levels)
            by_unit = xp.concat([levels] * encoding["_y_mean"].shape[0])
            return ordered_quantiles_loss(by_unit, levels.shape[0])
        # Huber's threshold in the units the network is trained in
        parameters = {"huber": self.huber_delta / encoding["_y_scale"], "quantile": self.quantile}
        return regression_loss(self.loss, self.output_activation, parameters.get(self.loss))

    def _output_activation(self):
        if self.out_activation_ == "ordered_quantiles":
            return ordered_quantiles(self._quantiles.shape[0])
        return self.out_activation_

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R2 of the predictions, as scikit-learn's
        regressors do; for several quantiles, the mean R2 of each quantile's predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values for ``X``.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R2 of ``self.predict(X)`` with respect to ``y``.
        """
        return quantiles_r2(y, self.predict(X), sample_weight=sample_weight)

    @available_if(partial_fit_available)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one more epoch, on a new batch of samples.

        Available for the solvers 'gd', 'sgd' and 'adam'. The solver's state (momentum,
        Adam's moments, the adapted learning rate) carries over from call to call, and so
        does the target scaling learnt on the first call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The batch's samples.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
