"""The estimator both public classes share: scikit-learn's face of the network.

It declares the parameters, takes a fit's arrays in at the door (``_inputs.py``), builds
what the fit trains on (``_state.Problem``) and the run that trains it
(``_training.Training``, every solver's entry), and publishes the fitted attributes all at
once, or leaves the estimator as it was. It predicts. It does no arithmetic on the weights:
the network is ``_network.py``, the objective ``_objective.py``, the steps ``_solvers.py``.
"""

from abc import abstractmethod
from copy import deepcopy
from functools import partial
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, is_classifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._activations import HIDDEN_ACTIVATIONS, identity, per_layer
from ._arrays import (
    DEVICES,
    dtype_name,
    float_dtypes,
    host_dtype,
    input_namespace,
    is_float,
    like,
    namespace,
    plain_rows,
    same_place,
    to_numpy,
)
from ._callbacks import CallbackSupportMixin, FitTasks
from ._docs import DocLinks
from ._embedding import Embedding
from ._inputs import about_the_validation_set, fit_data, held_out
from ._network import Layout, Pass, forward, layer_functions
from ._objective import Objective
from ._solvers import SOLVERS, make_solver, resolve_auto
from ._state import History, Problem, Validation
from ._training import Settings, Training
from ._weights import fitted_params, initial_params


def _raise_if_not_finite(values, what, remedy, xp):
    """A clear error where finite input gave non-finite ``values`` (one row per sample),
    arrays of the namespace ``xp``."""
    finite = xp.isfinite(values)
    if not bool(xp.all(finite)):
        rows = to_numpy(xp.all(xp.reshape(finite, (values.shape[0], -1)), axis=1))
        raise ValueError(
            f"The {what} overflows {dtype_name(values)} for {int((~rows).sum())} of the"
            f" {values.shape[0]} samples: they lie far outside the range of the training"
            f" data. {remedy}"
        )


def _dropout_rates(dropout, n_hidden, solver):
    """Each hidden layer's dropout rate, or None where no layer has dropout."""
    rates = np.asarray(dropout, dtype=object)
    if rates.ndim == 0:  # one rate for every hidden layer
        rates = np.broadcast_to(rates, n_hidden)
    valid = (
        rates.ndim == 1
        and len(rates) == n_hidden
        and all(isinstance(p, Real) and not isinstance(p, bool) and 0 <= p < 1 for p in rates)
    )
    if not valid:
        raise ValueError(
            "dropout must be a float in [0, 1) or a sequence of them, one per hidden layer"
            f" ({n_hidden}); got {dropout!r}."
        )
    rates = tuple(float(p) for p in rates)
    if not any(rates):
        return None
    if not solver.by_epochs:
        raise ValueError(
            f"dropout needs an epoch solver ('sgd', 'adam' or 'gd'); {solver.name!r} needs"
            " a deterministic objective, which dropout's random masks are not. Use"
            " solver='adam' (or dropout=0)."
        )
    return rates


def _hidden_layer_sizes(value):
    """The validated ``hidden_layer_sizes``, as a 1-D array of positive ints."""
    try:
        sizes = np.atleast_1d(value)
    except (TypeError, ValueError):  # ragged: [3, [4]]
        sizes = np.array([[]])
    if sizes.ndim != 1 or (sizes.size and sizes.dtype.kind not in "iu"):
        # a fractional size would be truncated, (0.5,) to a layer of no units
        raise ValueError(f"hidden_layer_sizes must be an int or a sequence of ints, got {value!r}.")
    if np.any(sizes <= 0):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {value}.")
    return sizes


def _validated_for_prediction(estimator, X, method):
    """``X`` checked against the fitted estimator, as scikit-learn's ``validate_data``,
    where the model lives (``method`` names the caller in the error)."""
    if plain_rows(X, estimator.coefs_[0], estimator.n_features_in_) and not hasattr(
        estimator, "feature_names_in_"
    ):
        return X  # NumPy's shortcut (_arrays.plain_rows): nothing to convert
    # before anything reads X, whether dispatch is on or off
    same_place(X, estimator.coefs_[0], f"{type(estimator).__name__}.{method}()")
    xp, device = input_namespace(X)
    return validate_data(
        estimator, X, reset=False, accept_sparse=("csr", "csc"), dtype=float_dtypes(xp, device)
    )


def partial_fit_available(estimator):
    """``partial_fit`` exists for the epoch solvers only (as ``hasattr`` reports)."""
    if not SOLVERS[estimator.solver].supports_partial_fit:
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers. {estimator.solver} is"
            " not stochastic."
        )
    return True


def score_output(Z, y, sample_weight, *, decode, metric, encoding):
    """The score (accuracy or R2, ``metric``) of one network's output ``Z`` against ``y``,
    its predictions ``decode(Z, encoding)``: NaN where the output or its score overflows,
    as in scikit-learn."""
    xp = namespace(Z)
    if not bool(xp.all(xp.isfinite(Z))):
        return np.nan
    score = float(metric(y, decode(Z, encoding), sample_weight=sample_weight))
    return score if np.isfinite(score) else np.nan


def _on_host(array):
    return None if array is None else to_numpy(array)


def _encoding_on_host(encoding):
    """A target encoding's arrays on the host (None kept)."""
    if encoding is None:
        return None
    return {name: to_numpy(v) if hasattr(v, "shape") else v for name, v in encoding.items()}


def store_parameters(estimator, arguments):
    """What every ``__init__`` does: store its arguments, and nothing else."""
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


def _with_class_weights(estimator, data, incremental):
    """``data`` with the class weights of ``estimator`` multiplied into its sample weights,
    training and validation rows alike: data, handed to the training as they are."""

    def weighed(y, sample_weight, X):
        weights = estimator._class_weights(y, _on_host(sample_weight), incremental)
        if weights is None:
            return sample_weight
        weights = like(X, weights.astype(host_dtype(X.dtype)))
        weights = weights if sample_weight is None else sample_weight * weights
        if not float(namespace(weights).sum(weights)) > 0:
            raise ValueError(
                f"class_weight={estimator.class_weight!r} gives every sample a weight of"
                " zero: there is nothing to learn from."
            )
        return weights

    validation = data.validation
    if validation is not None:
        X_val, y_val, sample_weight_val = validation
        validation = (X_val, y_val, weighed(y_val, sample_weight_val, X_val))
    return data._replace(
        sample_weight=weighed(data.y, data.sample_weight, data.X), validation=validation
    )


class _Call(NamedTuple):
    """One call to ``fit`` or ``partial_fit``: its arrays, whether it is ``partial_fit``'s,
    the target encoding announced for a fresh network (``partial_fit``'s first ``classes``;
    None learns it from ``y`` or keeps the fitted one), and ``fit``'s validation set
    ``(X_val, y_val, sample_weight_val)``."""

    X: object
    y: object
    sample_weight: object
    incremental: bool
    encoding: dict | None = None
    given: tuple | None = None


# scikit-learn checks the shared parameters against these (the subclasses add their own)
_PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), tuple, list],
    "solver": [StrOptions(set(SOLVERS))],
    "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    "verbose": ["verbose"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
        StrOptions({"auto"}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "fit_intercept": ["boolean"],
    "weight_init": [StrOptions({"glorot", "uniform"})],
    "n_init": [Interval(Integral, 1, None, closed="left")],
    "transform_layer": [Integral],
    "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    "warm_start": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
}


class _BaseTinyMLP(Embedding, CallbackSupportMixin, DocLinks, BaseEstimator):
    """The multilayer perceptron shared by ``TinyMLPClassifier`` and ``TinyMLPRegressor``.

    Subclasses write out their ``__init__`` (scikit-learn reads the parameters from it),
    encode targets in ``_encode_targets``, decode the network's output with ``_decode``
    (a plain function ``decode(Z, encoding)``), name their ``_score_function`` and the
    ``_encoding_attributes`` that describe the targets.
    """

    _parameter_constraints: dict = _PARAMETER_CONSTRAINTS

    # -- what the subclasses provide ----------------------------------------------------

    @abstractmethod
    def _encode_targets(self, y, sample_weight, dtype, encoding, incremental):
        """Check the targets ``y`` (NumPy, on the host) and encode them for the network.

        ``encoding`` is None on a first fit, which learns the encoding from ``y``; a
        warm-started fit or ``partial_fit`` passes the one to keep, on the host
        (``incremental``: ``y`` may lack some of its classes, as a ``partial_fit`` batch
        or the rows early stopping leaves may). Returns ``(Y, encoding)``: the 2-D targets
        in the NumPy dtype ``dtype``, and a dict of the fitted attributes that describe the
        targets.
        """

    @abstractmethod
    def _training_loss(self, encoding):
        """The ``_losses.Loss`` to train (its output included), for targets described by
        ``encoding`` (where ``X`` is: a parameter bound from it lives there too)."""

    def _class_weights(self, y, sample_weight, incremental):
        """Each sample's class weight (the classifier's ``class_weight``; ``sample_weight``,
        on the host, counts the samples for 'balanced'), on the host, or None."""
        return None

    def _encoding_of(self, y):
        """The encoding of every row of ``y``, learnt before early stopping holds some
        out, or None where the rows left to train on decide it."""
        return None

    def _output_activation(self):
        """The fitted output layer's activation: a name, or an activation built from one."""
        return self.out_activation_

    def _target_encoding(self):
        """The fitted target encoding, as ``_encode_targets`` returned it."""
        return {name: getattr(self, name) for name in self._encoding_attributes}

    # -- fitting ------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to data matrix X and targets y.

        With ``warm_start=True`` a fitted model goes on from its weights; otherwise
        training starts afresh. As in scikit-learn, ``n_iter_`` counts the epochs (or L-BFGS
        iterations) of this call, which ``max_iter`` bounds, while ``t_`` and
        ``loss_curve_`` describe the whole training of the current weights: a fresh fit
        starts them at zero, a warm-started fit or ``partial_fit`` continues them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets: class labels for the classifier, real numbers for the regressor.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; ``None`` weighs every sample equally. The penalty
            ``alpha`` is divided by their total, as in scikit-learn's MLP: weights that sum
            to 1 (AdaBoost's) make the same ``alpha`` ``n_samples`` times stronger
            (multiply them by ``n_samples``, or divide ``alpha`` by it).

        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Validation samples, as in scikit-learn's HistGradientBoosting: their score and
            loss are recorded after every epoch or L-BFGS iteration
            (``validation_scores_``, ``validation_loss_curve_``), and with
            ``early_stopping=True`` they decide when to stop, in place of a held-out
            ``validation_fraction`` of ``X``. Routable as metadata: a ``Pipeline`` with
            ``transform_input=["X_val"]`` passes it through its transformers.

        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_outputs), \
                default=None
            The targets of ``X_val``; required with it.

        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        given = (X_val, y_val, sample_weight_val)
        return self._fit_atomically(_Call(X, y, sample_weight, False, None, given))

    def _partial_fit(self, X, y, sample_weight, encoding=None):
        """``partial_fit``: one epoch on ``(X, y)``, for a fresh network shaped by the
        announced ``encoding``, else for the fitted one."""
        return self._fit_atomically(_Call(X, y, sample_weight, True, encoding))

    def _fit_atomically(self, call):
        """Fit, publishing every fitted attribute at the end, or none if anything raises."""
        params = resolve_auto(self.get_params(deep=False), not is_classifier(self))
        solver = make_solver(params)
        steps = params["max_iter"] * (1 if solver.by_epochs else self.n_init)
        tasks = FitTasks(self, max_subtasks=1 if call.incremental else steps)
        previous = dict(vars(self))
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return self._fit(call, params, solver, tasks)
        except BaseException:  # Ctrl-C and a callback's GeneratorExit included
            vars(self).clear()
            vars(self).update(previous)
            raise

    def _fit(self, call, params, solver, tasks):
        """Train ``call`` with ``solver``; ``params`` are ``get_params()``, 'auto' resolved."""
        if call.incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        continuing = (
            call.encoding is None
            and hasattr(self, "coefs_")
            and (call.incremental or self.warm_start)
        )
        method = "partial_fit" if call.incremental else "fit"
        data = fit_data(self, call.X, call.y, call.sample_weight, call.given, continuing and method)
        # checked before anything is computed
        n_hidden = len(_hidden_layer_sizes(self.hidden_layer_sizes))
        dropout = _dropout_rates(self.dropout, n_hidden, solver)
        data = _with_class_weights(self, data, call.incremental)
        metadata = None if data.sample_weight is None else {"sample_weight": data.sample_weight}
        tasks.begin(data.X, like(data.X, data.y), metadata)
        rng = check_random_state(self.random_state)
        encoding = self._target_encoding() if continuing else call.encoding
        subset = call.incremental  # may y lack some of the encoding's classes?
        if data.validation is None and self.early_stopping:
            if encoding is None:  # classes held out are classes all the same
                encoding = self._encoding_of(data.y)
                subset = encoding is not None
            data = held_out(self, data, rng, params["validation_fraction"])
        problem = self._problem(data, encoding, subset, dropout, params["alpha"])
        weights, history = self._starting_point(problem, rng, continuing, call.incremental)
        settings = Settings.of(params, call.incremental)
        training = Training(problem, history, solver, settings, tasks, rng)
        n_before = len(history.loss_curves[0])
        kept, history, final_losses = training.run(weights)
        self._publish(problem, kept, history, final_losses, n_before)
        tasks.end()
        return self

    def _problem(self, data, encoding, subset, dropout, alpha):
        """What this call trains on: encoded targets (``subset``: ``y`` may lack some of the
        classes of ``encoding``), the network's layout, its objective (penalised by
        ``alpha``) and the validation set, all where ``X`` is."""
        X, dtype = data.X, host_dtype(data.X.dtype)
        Y, encoding = self._encode_targets(
            data.y, _on_host(data.sample_weight), dtype, _encoding_on_host(encoding), subset
        )
        layout = Layout([X.shape[1], *_hidden_layer_sizes(self.hidden_layer_sizes), Y.shape[1]])
        activations = per_layer(self.activation, len(layout.layer_units) - 2, dtype)
        placed = {
            name: like(X, v) if isinstance(v, np.ndarray) else v for name, v in encoding.items()
        }
        validation = data.validation and self._validation(data.validation, encoding, placed, X)
        return Problem(
            X=X,
            Y=like(X, Y),
            sample_weight=data.sample_weight,
            objective=Objective(
                layout, activations, self._training_loss(placed), alpha, self.fit_intercept
            ),
            encoding=placed,
            trainable=slice(None) if self.fit_intercept else slice(0, layout.n_coef),
            validation=validation,
            dropout=dropout,
        )

    def _validation(self, validation, encoding, placed, X):
        """The validation samples as training uses them: targets encoded as the training
        rows' are (``encoding`` on the host, ``placed`` where ``X`` is), weights divided by
        the largest (the loss and the score depend on their ratios alone, and the sum of
        large ones would overflow), and a plain function that scores an output."""
        X_val, y_val, sample_weight_val = validation
        with about_the_validation_set():
            Y_val = self._encode_targets(
                y_val, _on_host(sample_weight_val), host_dtype(X.dtype), encoding, True
            )[0]
        if sample_weight_val is not None:
            sample_weight_val = sample_weight_val / namespace(X).max(sample_weight_val)
        score = partial(
            score_output, decode=self._decode, metric=self._score_function, encoding=placed
        )
        return Validation(X_val, like(X, y_val), sample_weight_val, like(X, Y_val), score)

    def _starting_point(self, problem, rng, continuing, incremental):
        """The stack of weights training starts from, and the record it goes on with."""
        validation = problem.validation is not None
        if continuing:
            params = fitted_params(self, problem.layout, problem.X.dtype)
            record = History.from_fitted(vars(self), incremental, validation, self.early_stopping)
            return params, record
        params = initial_params(  # on the host, whatever the data: the same draws
            problem.layout,
            problem.activations,
            host_dtype(problem.X.dtype),
            rng,
            weight_init=self.weight_init,
            fit_intercept=self.fit_intercept,
            n_init=self.n_init,
        )
        record = History.fresh(self.n_init, validation, self.early_stopping)
        return like(problem.X, params), record

    def _publish(self, problem, kept, history, final_losses, n_before):
        """Set the fitted attributes of the network kept and of its training."""
        fitted = problem.fitted_attributes(kept[0, ...])
        fitted.update(history.fitted_attributes(n_before, final_losses, self.early_stopping))
        fitted["init_losses_"] = like(problem.X, final_losses)  # beside the weights
        for name, value in fitted.items():
            setattr(self, name, value)

    # -- predicting ---------------------------------------------------------------------

    def _forward(self, X, method, depth=None, watch_nan=False):
        """The output layer's pre-activation and output ``Z`` for ``X``, validated for the
        public ``method`` that asks, the output's function and the namespace; or, to a
        ``depth`` of hidden layers, the last one's output (twice). A non-finite output is
        an error; ``watch_nan``, for a second look at one, makes it name a user's function
        that returned NaN."""
        if not hasattr(self, "coefs_"):
            check_is_fitted(self)
        X = _validated_for_prediction(self, X, method)
        xp = namespace(X)
        functions = layer_functions(
            per_layer(self.activation, self.n_layers_ - 2, watch_nan=watch_nan),
            self._output_activation(),
            [self.n_features_in_] + [W.shape[1] for W in self.coefs_],
            X.shape[0],
            xp=xp,
            slopes=False,
        )
        layers = slice(depth)  # all of them for None
        if depth is not None:
            functions = functions._replace(out=identity)
        net = Pass(self.coefs_[layers], self.intercepts_[layers], functions, xp)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            _, _, raw, Z = forward(X, net)
        # finite weights and finite X can still overflow: relu and identity layers grow
        # without bound, and X may lie far outside the data the model was fitted on
        what = "network's output" if depth is None else "hidden layer's output"
        try:
            _raise_if_not_finite(raw, what, "Scale X as the training data was.", xp)
            _raise_if_not_finite(Z, what, "Scale X as the training data was.", xp)
        except ValueError:
            if watch_nan or isinstance(self.activation, str):
                raise
            return self._forward(X, method, depth, watch_nan=True)  # a user's NaN, named
        return raw, Z, functions.out, xp

    def predict(self, X):
        """Predict using the multilayer perceptron.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to predict for.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted classes (an indicator matrix for multilabel targets), or the
            predicted values.
        """
        Z = self._forward(X, "predict")[1]
        with np.errstate(over="ignore", invalid="ignore"):
            y = self._decode(Z, self._target_encoding())
        if is_float(y):  # a regressor's output mapped back to the targets' scale
            _raise_if_not_finite(
                y,
                "prediction, mapped back to the targets' scale,",
                "Scale X as the training data was, or fit on smaller targets.",
                namespace(y),
            )
        return y

    def to_numpy(self):
        """A copy of the fitted estimator whose arrays are NumPy arrays on the host.

        A model fitted on another library's arrays (a GPU's, inside scikit-learn's
        ``array_api_dispatch``) keeps its weights there; this copy predicts on NumPy input,
        pickles for a machine without that library, and exports to ONNX or skops. It uses
        scikit-learn's own ``move_estimator_to``.

        Returns
        -------
        estimator : object
            A new estimator of the same class, with the same parameters and fitted
            attributes, every array among them a NumPy array.
        """
        check_is_fitted(self)
        if isinstance(self.coefs_[0], np.ndarray):
            return deepcopy(self)  # NumPy's already
        from sklearn.utils._array_api import move_estimator_to

        return move_estimator_to(self, np, "cpu")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = DEVICES
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
