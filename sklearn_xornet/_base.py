"""The estimator both public classes share: scikit-learn's face of the network.

It declares the parameters, validates them and the data, builds what a fit trains on
(``_state.Problem``), hands it to the solver's loop (``_training.py`` for the epoch solvers,
``_lbfgs.py`` for L-BFGS) and publishes the fitted attributes all at once, or leaves the
estimator as it was. It predicts. It does no arithmetic on the weights: the network is
``_network.py``, the objective ``_objective.py``, the steps ``_solvers.py``.
"""

from abc import abstractmethod
from copy import deepcopy
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    check_is_fitted,
    validate_data,
)

from ._activations import HIDDEN_ACTIVATIONS, identity, per_layer
from ._arrays import (
    DEVICES,
    NUMPY,
    dtype_name,
    float_dtypes,
    host_dtype,
    input_namespace,
    is_float,
    like,
    namespace,
    same_place,
    to_numpy,
)
from ._callbacks import CallbackSupportMixin, FitTasks
from ._embedding import Embedding
from ._network import Layout, forward, layer_functions
from ._objective import Objective
from ._solvers import SOLVERS, make_solver
from ._state import History, Problem, Validation
from ._training import TrainingSettings, train
from ._validation_set import about_the_validation_set, targets_and_weights, validation_samples
from ._weights import fitted_params, initial_params


def _raise_if_not_finite(values, what, remedy):
    """A clear error where finite input gave non-finite ``values`` (one row per sample)."""
    if type(values) is np.ndarray and np.isfinite(values).all():  # the common case, fast
        return
    xp = namespace(values)
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


def _validated_training_data(estimator, X, y, sample_weight, continuing):
    """``X``, ``y`` and ``sample_weight`` checked as scikit-learn checks them for ``fit``.

    Inside scikit-learn's ``array_api_dispatch``, another library's ``X`` stays where it
    is, and ``y`` and ``sample_weight`` follow it there.
    """
    xp, device = input_namespace(X)
    X, y = validate_data(
        estimator,
        X,
        y,
        reset=not continuing,
        accept_sparse=("csr", "csc"),
        dtype=float_dtypes(xp, device),
        multi_output=True,
        y_numeric=is_regressor(estimator),
    )
    return X, *targets_and_weights(X, y, sample_weight, xp, device)


def _validated_for_prediction(estimator, X, method):
    """``X`` checked against the fitted estimator, as scikit-learn's ``validate_data``.

    A plain float array of the right width, for a model fitted on NumPy arrays, needs no
    conversion: only the finiteness check, which costs far less on one row. Anything else
    goes through scikit-learn's validation, and must live where the model does (``method``
    names the caller in the error).
    """
    plain = (
        type(X) is np.ndarray
        and type(estimator.coefs_[0]) is np.ndarray
        and X.ndim == 2
        and X.dtype in (np.float64, np.float32)
        and X.shape[1] == estimator.n_features_in_
        and X.shape[0] > 0
        and not hasattr(estimator, "feature_names_in_")
        and np.isfinite(X).all()
    )
    if plain:
        return X
    xp, device = input_namespace(X)
    X = validate_data(
        estimator, X, reset=False, accept_sparse=("csr", "csc"), dtype=float_dtypes(xp, device)
    )
    # in scikit-learn's words (its check_same_namespace), whether dispatch is on or off
    same_place(X, estimator.coefs_[0], f"{type(estimator).__name__}.{method}() on")
    return X


def partial_fit_available(estimator):
    """``partial_fit`` exists for the epoch solvers only (as ``hasattr`` reports)."""
    if not SOLVERS[estimator.solver].supports_partial_fit:
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers. {estimator.solver} is"
            " not stochastic."
        )
    return True


def _score_output(estimator, Z, y, sample_weight, encoding):
    """The score (accuracy or R2) of the network's output ``Z`` against ``y``."""
    # weights whose output, or score, overflows have no score: NaN, as in scikit-learn
    xp = namespace(Z)
    if not bool(xp.all(xp.isfinite(Z))):
        return np.nan
    y_pred = estimator._decode(Z, encoding)
    score = float(estimator._score_function(y, y_pred, sample_weight=sample_weight))
    return score if np.isfinite(score) else np.nan


def _store_parameters(estimator, arguments):
    """What every ``__init__`` does: store its arguments, and nothing else."""
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


# scikit-learn checks the shared parameters against these (the subclasses add their own)
_PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), tuple, list],
    "solver": [StrOptions(set(SOLVERS))],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
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
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "fit_intercept": ["boolean"],
    "weight_init": [StrOptions({"glorot", "uniform"})],
    "n_init": [Interval(Integral, 1, None, closed="left")],
    "transform_layer": [Integral],
    "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    "warm_start": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
}


def _starting_point(estimator, problem, rng, continuing, incremental):
    """The weights training starts from, and the record it goes on with."""
    validation = problem.validation is not None
    early_stopping = estimator.early_stopping
    if continuing:
        X = problem.X
        same_place(X, estimator.coefs_[0], f"{type(estimator).__name__}.fit() on")
        params = fitted_params(estimator, problem.layout, X.dtype)
        history = History.from_fitted(estimator, incremental, validation, early_stopping)
        return params, history
    params = initial_params(  # on the host, whatever the data: the same draws
        problem.layout,
        problem.activations,
        host_dtype(problem.X.dtype),
        rng,
        weight_init=estimator.weight_init,
        fit_intercept=estimator.fit_intercept,
        n_init=estimator.n_init,
    )
    history = History.fresh(estimator.n_init, validation, early_stopping)
    return like(problem.X, params), history


class _BaseTinyMLP(Embedding, CallbackSupportMixin, BaseEstimator):
    """The multilayer perceptron shared by ``TinyMLPClassifier`` and ``TinyMLPRegressor``.

    Subclasses write out their ``__init__`` (scikit-learn reads the parameters from it),
    encode targets in ``_encode_targets``, decode the network's output in ``_decode``, name
    their ``_score_function`` and the ``_encoding_attributes`` that describe the targets.
    """

    _parameter_constraints: dict = _PARAMETER_CONSTRAINTS

    # -- what the subclasses provide ----------------------------------------------------

    @abstractmethod
    def _encode_targets(self, y, sample_weight, dtype, encoding, incremental):
        """Validate ``y`` and encode it for the network.

        ``encoding`` is None on a first fit, which learns the encoding from ``y``; a
        warm-started fit or ``partial_fit`` passes the one to keep (``incremental`` tells
        which of the two). Returns ``(Y, out_activation, encoding)``: the 2-D float
        targets, the output activation's name and a dict of the fitted attributes that
        describe the targets.
        """

    @abstractmethod
    def _decode(self, Z, encoding):
        """Predictions from the network's output ``Z`` under a target ``encoding``."""

    def _training_loss(self, out_activation, encoding):
        """The loss trained on (a name, or a ``_losses.Loss`` with its parameter bound)."""
        return self.loss

    def _weigh_classes(self, y, sample_weight, dtype, incremental):
        """The sample weights the loss uses (the classifier multiplies in class weights)."""
        return sample_weight

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
            Non-negative sample weights; ``None`` weighs every sample equally.

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
        return self._fit_atomically(X, y, sample_weight, incremental=False, given=given)

    def _fit_atomically(self, X, y, sample_weight, incremental, encoding=None, given=None):
        """Fit, publishing every fitted attribute at the end, or none if anything raises.

        ``encoding`` is the target encoding to train a fresh network for (the first
        ``partial_fit`` call's classes); None learns it from ``y``, or keeps the fitted one.
        ``given`` holds ``fit``'s ``(X_val, y_val, sample_weight_val)``.
        """
        solver = make_solver(self.get_params(deep=False))
        restarts = 1 if solver.by_epochs else self.n_init
        tasks = FitTasks(self, max_subtasks=1 if incremental else self.max_iter * restarts)
        previous = dict(vars(self))
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return self._fit(X, y, sample_weight, incremental, encoding, solver, tasks, given)
        except BaseException:  # Ctrl-C and a callback's GeneratorExit included
            vars(self).clear()
            vars(self).update(previous)
            raise

    def _fit(self, X, y, sample_weight, incremental, encoding, solver, tasks, given):
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        continuing = (
            encoding is None and hasattr(self, "coefs_") and (incremental or self.warm_start)
        )
        X, y, sample_weight = _validated_training_data(self, X, y, sample_weight, continuing)
        # checked before anything is computed
        n_hidden = len(_hidden_layer_sizes(self.hidden_layer_sizes))
        dropout = _dropout_rates(self.dropout, n_hidden, solver)
        sample_weight = self._weigh_classes(y, sample_weight, X.dtype, incremental)
        tasks.begin(X, y, None if sample_weight is None else {"sample_weight": sample_weight})
        rng = check_random_state(self.random_state)
        X, y, sample_weight, validation = validation_samples(
            self, X, y, sample_weight, given, rng, incremental
        )
        if continuing:
            encoding = self._target_encoding()
        problem = self._problem(
            X, y, sample_weight, encoding, incremental, tasks, validation, dropout
        )
        params, history = _starting_point(self, problem, rng, continuing, incremental)
        n_before = len(history.loss_curve)
        params, history, init_losses = self._train(
            params, problem, history, solver, rng, incremental
        )
        self._publish(params, problem, history, init_losses, n_before)
        tasks.end()
        return self

    def _validation_targets(self, y_val, sample_weight_val, dtype, encoding):
        """``y_val`` encoded as the training targets are, for the validation loss."""
        with about_the_validation_set():
            return self._encode_targets(y_val, sample_weight_val, dtype, encoding, True)[0]

    def _hidden_activations(self, n_hidden):
        """One activation per hidden layer (see ``_activations.per_layer``)."""
        return per_layer(self.activation, n_hidden)

    def _problem(self, X, y, sample_weight, encoding, incremental, tasks, validation, dropout):
        """What this call trains on: encoded targets, the network's layout, its objective."""
        Y, out_activation, encoding = self._encode_targets(
            y, sample_weight, X.dtype, encoding, incremental
        )
        layout = Layout([X.shape[1], *_hidden_layer_sizes(self.hidden_layer_sizes), Y.shape[1]])
        activations = self._hidden_activations(len(layout.layer_units) - 2)
        if validation is not None:
            X_val, y_val, sample_weight_val = validation
            validation = Validation(
                X_val,
                y_val,
                sample_weight_val,
                self._validation_targets(y_val, sample_weight_val, X.dtype, encoding),
                partial(_score_output, self, encoding=encoding),
            )
        return Problem(
            X=X,
            Y=Y,
            sample_weight=sample_weight,
            layout=layout,
            activations=activations,
            out_activation=out_activation,
            encoding=encoding,
            objective=Objective(
                layout,
                activations,
                out_activation,
                self._training_loss(out_activation, encoding),
                self.alpha,
                self.fit_intercept,
            ),
            tasks=tasks,
            trainable=slice(None) if self.fit_intercept else slice(0, layout.n_coef),
            validation=validation,
            dropout=dropout,
        )

    def _train(self, params, problem, history, solver, rng, incremental):
        """The solver's loop over ``params``: the kept weights, their record, final losses."""
        settings = TrainingSettings.of(self, incremental)
        return train(params, problem, history, solver, rng, settings)

    def _publish(self, params, problem, history, init_losses, n_before):
        """Set the fitted attributes of the weights ``params`` and of their training."""
        fitted = problem.fitted_attributes(params)
        fitted.update(history.fitted_attributes(n_before, init_losses, problem.validation))
        fitted["init_losses_"] = like(problem.X, init_losses)  # beside the weights
        for name, value in fitted.items():
            setattr(self, name, value)

    # -- predicting ---------------------------------------------------------------------

    def _forward(self, X, method, depth=None):
        """The output layer's pre-activation and output ``Z`` for ``X``, validated for the
        public ``method`` that asks; or, to a ``depth`` of hidden layers, the last one's
        output (twice)."""
        if not hasattr(self, "coefs_"):
            check_is_fitted(self)
        X = _validated_for_prediction(self, X, method)
        xp = NUMPY if type(X) is np.ndarray else namespace(X)
        functions = layer_functions(
            self._hidden_activations(self.n_layers_ - 2),
            self.out_activation_,
            [self.n_features_in_] + [W.shape[1] for W in self.coefs_],
            X.shape[0],
            xp=xp,
            slopes=False,
        )
        layers = slice(depth)  # all of them for None
        out = functions.out if depth is None else identity
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            _, _, raw, Z = forward(
                X, self.coefs_[layers], self.intercepts_[layers], functions.hidden, out, xp=xp
            )
        # finite weights and finite X can still overflow: relu and identity layers grow
        # without bound, and X may lie far outside the data the model was fitted on
        what = "network's output" if depth is None else "hidden layer's output"
        _raise_if_not_finite(raw, what, "Scale X as the training data was.")
        _raise_if_not_finite(Z, what, "Scale X as the training data was.")
        return raw, Z

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
