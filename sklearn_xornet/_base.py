"""The estimator both public classes share: parameters, validation and the training loop.

The maths is in ``_network.py`` (forward pass, backpropagation, objective) and the update rules
in ``_solvers.py``; this module decides what to train on, runs the epochs (or scipy's L-BFGS),
watches the loss and publishes the fitted attributes. The subclasses only encode targets and
turn the network's output into predictions.
"""

import inspect
import math
import warnings
from abc import abstractmethod
from contextlib import nullcontext
from functools import partial
from numbers import Integral, Real
from types import SimpleNamespace

import numpy as np
import scipy.optimize
from sklearn.base import BaseEstimator, _fit_context, is_classifier, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)
from threadpoolctl import ThreadpoolController

from ._activations import HIDDEN_ACTIVATIONS
from ._callbacks import CallbackSupportMixin, FitTasks
from ._network import Layout, Objective, forward, layer_functions, splits_rows
from ._solvers import SGD, Adam, GradientDescent

# What tol='auto' means: the epoch solvers stop when the loss improves by less than this for
# n_iter_no_change epochs, L-BFGS when an iteration lowers the loss by less than this share
# of its value (scipy's ftol), its gradient test then ending only runs that truly converged.
# On the benchmark data sets this stops L-BFGS where it generalises best (README, Defaults).
_AUTO_TOL = 1e-5
_AUTO_LBFGS = {"ftol": _AUTO_TOL, "gtol": 1e-8}

# A network whose largest product has fewer entries than this trains on one BLAS thread:
# splitting such small products between threads costs more than it gains, and makes the
# timing erratic.
_SMALL_PRODUCT = 2**17
_threadpools = []


def _blas_threads(limit):
    """A context limiting BLAS to ``limit`` threads (None: no limit)."""
    if limit is None:
        return nullcontext()
    if not _threadpools:  # inspecting the loaded libraries is slow: do it once
        _threadpools.append(ThreadpoolController())
    return _threadpools[0].limit(limits=limit, user_api="blas")


# The numpydoc text of the parameters and fitted attributes both estimators share; each class
# docstring places it among its own entries, so every entry is written exactly once.
SHARED_PARAMETERS_DOC = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of units in the ith hidden layer. The article's
        network is ``(3,)``.

    activation : {'logistic', 'tanh', 'relu', 'identity'} or tuple of them, default='tanh'
        Activation of the hidden layers: 'logistic' is the article's sigmoid
        ``1 / (1 + exp(-x))``, 'tanh' the hyperbolic tangent, 'relu' ``max(0, x)`` and
        'identity' no activation. A tuple gives one per hidden layer, from the input:
        ``hidden_layer_sizes=(8, 4), activation=('relu', 'logistic')``.

    solver : {'lbfgs', 'adam', 'sgd', 'gd'}, default='lbfgs'
        How the weights are optimised.

        - 'lbfgs': scipy's L-BFGS-B quasi-Newton method on the full data set; fast and
          accurate on small and medium data.
        - 'adam': Adam on mini-batches.
        - 'sgd': stochastic gradient descent on mini-batches, with momentum.
        - 'gd': the article's full-batch gradient descent with a constant step
          ``learning_rate_init``, no momentum and no shuffling.

    batch_size : int or 'auto', default='auto'
        Mini-batch size of 'sgd' and 'adam'; 'auto' is ``min(200, n_samples)``. Unused by
        'gd' and 'lbfgs', which use every sample at every step.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule of 'sgd': constant, ``learning_rate_init / t**power_t`` with
        ``t`` the number of samples seen, or divided by 5 whenever the loss stalls for
        ``n_iter_no_change`` epochs.

    learning_rate_init : float, default=0.001
        The initial step size of 'sgd', 'adam' and 'gd'. The losses are means over
        samples, so the article's unit step on the error summed over its 4 rows is
        ``learning_rate_init=4.0``.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs ('gd', 'sgd', 'adam': passes over the data) or of
        iterations ('lbfgs').

    shuffle : bool, default=True
        Whether 'sgd' and 'adam' shuffle the samples at every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the shuffling. With
        ``weight_init='uniform'`` and ``fit_intercept=False``, ``random_state=s`` starts
        from the same weights as the article's program after ``np.random.seed(s)``.

    tol : float or 'auto', default='auto'
        A number means what it means in scikit-learn: training stops when the loss (or
        the validation score) has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs ('gd', 'sgd', 'adam'), or when the
        largest component of the gradient falls to ``tol`` ('lbfgs', scipy's ``gtol``).
        'auto' is 1e-5 for the epoch solvers; for 'lbfgs' it stops when an iteration
        lowers the loss by less than 1e-5 times its value (scipy's ``ftol``), which on
        small and medium data stops where the model generalises better than a gradient
        tolerance does (README, "Defaults").

    verbose : bool or int, default=False
        Whether to print the loss after every epoch or iteration.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum.

    beta_1 : float, default=0.9
        Decay rate of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Number of epochs without an improvement of ``tol`` before 'gd', 'sgd' or 'adam'
        stop.

    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'.

    warm_start : bool, default=False
        Whether ``fit`` goes on from the weights of the previous fit (keeping its target
        encoding: classes, or the target scaling) instead of starting afresh. The classes
        must be the same.

    early_stopping : bool, default=False
        Whether 'gd', 'sgd' and 'adam' hold out ``validation_fraction`` of the data
        (stratified for single-output classification) and stop when its score (accuracy or
        R2) has not improved by ``tol`` for ``n_iter_no_change`` epochs; the weights of the
        best validation score are kept. Unused by 'lbfgs'.

    validation_fraction : float, default=0.1
        The share of the data held out for early stopping, in [0, 1).

    fit_intercept : bool, default=True
        Whether every layer has an intercept (bias). ``False`` gives the article's
        bias-free network; ``intercepts_`` then holds zeros.

    weight_init : {'glorot', 'uniform'}, default='glorot'
        How the weights start. 'glorot' is scikit-learn's MLP initialisation (uniform in
        ``+-sqrt(6 / (fan_in + fan_out))``, 2 instead of 6 for 'logistic'). 'uniform' is
        the article's: each weight matrix drawn from ``rng.uniform(size=(fan_in,
        fan_out))``, layer by layer from the input, intercepts starting at zero.

    n_init : int, default=1
        Number of independent initialisations trained together, as one stack of weight
        arrays and batched products ('gd', 'sgd', 'adam'; 'lbfgs' runs them one after the
        other). The one with the lowest final training loss (with ``early_stopping``, the
        best validation score) is kept; the first starts from the weights of
        ``n_init=1``. Small networks stuck in local minima (the 2-2-1 sigmoid network on
        XOR) learn from every seed with a few restarts, at a fraction of the cost of as
        many fits. Restarts happen on a fresh fit only, not when warm-starting.
"""

SHARED_ATTRIBUTES_DOC = """\
    init_losses_ : ndarray of shape (n_init,)
        The final training loss of each restart (infinite for one that diverged); the
        kept restart has the lowest, unless early stopping chose by validation score.

    loss_ : float
        The training loss at the end of fitting (mean loss plus penalty; on standardised
        targets for a regressor with ``normalize_y=True``).

    best_loss_ : float or None
        The lowest training loss seen during fitting; None with ``early_stopping=True``,
        as in scikit-learn (see ``best_validation_score_``).

    loss_curve_ : list of float
        The training loss after each epoch ('gd', 'sgd', 'adam') or iteration ('lbfgs'),
        since the weights were first drawn: warm-started fits and ``partial_fit`` append
        to it.

    validation_scores_ : list of float or None
        The score on the held-out samples after each epoch, with ``early_stopping=True``;
        None otherwise.

    best_validation_score_ : float or None
        The best of ``validation_scores_`` (the kept weights'), or None.

    t_ : int
        The number of training samples seen by the solver since the weights were first
        drawn (``n_iter_ * n_samples`` after a fresh fit).

    coefs_ : list of ndarray of shape (n_layers - 1,)
        ``coefs_[i]`` is the weight matrix from layer i to layer i + 1 (``[Wh, Wz]`` in the
        article).

    intercepts_ : list of ndarray of shape (n_layers - 1,)
        ``intercepts_[i]`` is the bias vector added at layer i + 1.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, defined only when ``X`` has feature names that
        are all strings.

    n_iter_ : int
        The number of epochs ('gd', 'sgd', 'adam') or iterations ('lbfgs') of the last
        call to ``fit`` (1 after ``partial_fit``), as in scikit-learn; ``loss_curve_`` and
        ``t_`` go on across warm starts.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Name of the output activation: 'logistic', 'softmax', 'identity' or 'exp'.
"""


def _shared_signature(
    self,
    hidden_layer_sizes=(100,),
    activation="tanh",
    *,
    solver="lbfgs",
    batch_size="auto",
    learning_rate="constant",
    learning_rate_init=0.001,
    power_t=0.5,
    max_iter=200,
    shuffle=True,
    random_state=None,
    tol="auto",
    verbose=False,
    momentum=0.9,
    nesterovs_momentum=True,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    n_iter_no_change=10,
    max_fun=15000,
    warm_start=False,
    early_stopping=False,
    validation_fraction=0.1,
    fit_intercept=True,
    weight_init="glorot",
    n_init=1,
):
    """Never called: its signature declares the parameters both estimators share."""


def _make_init(own_params):
    """An ``__init__`` taking the shared parameters followed by ``own_params``.

    scikit-learn reads an estimator's parameters from its ``__init__`` signature; building
    that signature once here spares writing two dozen arguments out in every class.
    """
    shared = list(inspect.signature(_shared_signature).parameters.values())
    own = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
        for name, default in own_params.items()
    ]
    signature = inspect.Signature(shared + own)

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    __init__.__doc__ = "Store the parameters (see the class docstring); nothing else."
    return __init__


class _Breakdown(Exception):
    """scipy's L-BFGS left the finite numbers: its arithmetic overflowed."""


def _largest_magnitude(A):
    """The largest absolute value of a dense or sparse array (0 when it is empty)."""
    if A.shape[0] == 0 or A.shape[1] == 0:
        return 0.0
    # two passes rather than abs(A): no copy of the training data
    return max(float(A.max()), -float(A.min()))


def _outputs_cannot_overflow(params, problem):
    """Whether no output on the training rows can overflow, by a bound (one bool per net).

    Layer by layer, no entry of ``A @ W + b`` exceeds ``max|A|`` times the largest column
    sum of ``|W|``, plus ``max|b|``; tanh and the sigmoid bring it back to 1, relu and the
    identity keep it. Kept well below the largest float, the bound leaves room for the
    rounding of the products.
    """
    limit = np.finfo(params.dtype).max / 16
    if problem.out_activation == "exp":
        limit = np.log(limit)
    coefs, intercepts = problem.layout.unpack(params)
    bound = np.full(params.shape[:-1], _largest_magnitude(problem.X))
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
            column_sums = np.abs(W).sum(axis=-2).max(axis=-1)
            bound = bound * column_sums + np.abs(b).max(axis=-1, initial=0)
            if i < len(problem.activations) and problem.activations[i] in ("tanh", "logistic"):
                # (past the limit, inf - inf in the product could still make a NaN)
                bound = np.where(bound < limit, 1.0, bound)
    return bound < limit


def _raise_if_not_finite(values, what, remedy):
    """A clear error where finite input gave non-finite ``values`` (one row per sample)."""
    finite = np.isfinite(values)
    if not finite.all():
        n_bad = int((~finite.reshape(len(values), -1).all(axis=1)).sum())
        raise ValueError(
            f"The {what} overflows {values.dtype.name} for {n_bad} of the {len(values)}"
            f" samples: they lie far outside the range of the training data. {remedy}"
        )


class _BaseTinyMLP(CallbackSupportMixin, BaseEstimator):
    """The multilayer perceptron shared by ``TinyMLPClassifier`` and ``TinyMLPRegressor``.

    Subclasses set ``_own_params`` (their own parameters with defaults, ``alpha`` among
    them: its best default differs between classification and regression), encode targets
    in ``_encode_targets``, decode the network's output in ``_decode`` and name their
    ``_score_function``.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), tuple, list],
        "solver": [StrOptions({"lbfgs", "adam", "sgd", "gd"})],
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
        "warm_start": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    }

    _own_params: dict = {}
    __init__ = _make_init(_own_params)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_own_params" in cls.__dict__ and "__init__" not in cls.__dict__:
            cls.__init__ = _make_init(cls._own_params)
            cls.__init__.__qualname__ = f"{cls.__qualname__}.__init__"

    # -- what the subclasses provide ----------------------------------------------------

    @abstractmethod
    def _encode_targets(self, y, sample_weight, dtype, encoding, incremental):
        """Validate ``y`` and encode it for the network.

        ``encoding`` is None on a first fit, which learns the encoding from ``y``; a
        warm-started fit or ``partial_fit`` passes the one to keep (``incremental`` tells
        which of the two). Returns
        ``(Y, out_activation, encoding)``: the 2-D float targets, the output activation's name
        and a dict of the fitted attributes that describe the targets.
        """

    @abstractmethod
    def _decode(self, Z, encoding):
        """Predictions from the network's output ``Z`` under a target ``encoding``."""

    def _target_encoding(self):
        """The fitted target encoding, as ``_encode_targets`` returned it."""
        return {name: getattr(self, name) for name in self._encoding_attributes}

    # -- fitting ------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
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

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_or_restore(X, y, sample_weight, incremental=False)

    def _partial_fit_available(self):
        """``partial_fit`` exists for the epoch solvers only (as ``hasattr`` reports)."""
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. lbfgs is not stochastic."
            )
        return True

    def _fit_or_restore(self, X, y, sample_weight, incremental, encoding=None):
        restarts = self.n_init if self.solver == "lbfgs" else 1
        tasks = FitTasks(self, max_subtasks=1 if incremental else self.max_iter * restarts)
        # Train on local state and publish at the end; should anything raise, put back
        # what validation already changed, so a fitted model is never left half-refitted.
        previous = dict(vars(self))
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return self._fit(X, y, sample_weight, incremental, encoding, tasks)
        except BaseException:  # Ctrl-C and a callback's GeneratorExit included
            vars(self).clear()
            vars(self).update(previous)
            raise

    def _fit(self, X, y, sample_weight, incremental, encoding, tasks):
        """Fit afresh, or go on from the fitted weights (warm start, partial_fit).

        ``encoding`` is the target encoding to train a fresh network for (the first
        ``partial_fit`` call's classes); None learns it from ``y``.
        """
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        continuing = (
            encoding is None and hasattr(self, "coefs_") and (incremental or self.warm_start)
        )
        X, y = validate_data(
            self,
            X,
            y,
            reset=not continuing,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=is_regressor(self),
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            if not sample_weight.sum() > 0:
                raise ValueError("sample_weight must not be all zeros.")

        try:
            hidden_layer_sizes = np.atleast_1d(self.hidden_layer_sizes)
        except (TypeError, ValueError):  # ragged: [3, [4]]
            hidden_layer_sizes = np.array([[]])
        if hidden_layer_sizes.ndim != 1 or (
            hidden_layer_sizes.size and hidden_layer_sizes.dtype.kind not in "iu"
        ):
            # a fractional size would be truncated, (0.5,) to a layer of no units
            raise ValueError(
                "hidden_layer_sizes must be an int or a sequence of ints, got"
                f" {self.hidden_layer_sizes!r}."
            )
        if np.any(hidden_layer_sizes <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes}.")
        sample_weight = self._weigh_classes(y, sample_weight, X.dtype, incremental)
        tasks.begin(X, y, None if sample_weight is None else {"sample_weight": sample_weight})
        rng = check_random_state(self.random_state)
        validation = None
        if self.early_stopping and self.solver != "lbfgs":
            X, y, sample_weight, validation = self._split_validation(X, y, sample_weight, rng)

        if continuing:
            encoding = self._target_encoding()
        Y, out_activation, encoding = self._encode_targets(
            y, sample_weight, X.dtype, encoding, incremental
        )
        layout = Layout([X.shape[1], *hidden_layer_sizes, Y.shape[1]])
        activations = self._hidden_activations(len(hidden_layer_sizes))
        if continuing:
            params, history = self._resume(layout, X.dtype, incremental)
        else:
            params = self._initial_params(layout, activations, X.dtype, rng, self.n_init)
            history = SimpleNamespace(
                loss_curve=[],  # the training loss after each epoch (one per restart)
                t=0,
                best_loss=np.inf,
                no_improvement=0,
                solver_state=None,
                validation_scores=[] if validation else None,
                best_validation_score=-np.inf if validation else None,
                best_scores=-np.inf,  # each restart's best validation score
            )

        problem = SimpleNamespace(
            X=X,
            Y=Y,
            sample_weight=sample_weight,
            layout=layout,
            activations=activations,
            out_activation=out_activation,
            encoding=encoding,
            tasks=tasks,
            objective=Objective(
                layout, activations, out_activation, self.loss, self.alpha, self.fit_intercept
            ),
        )
        rows = X.shape[0]
        if self.solver in ("sgd", "adam"):
            rows = min(rows, 200 if self.batch_size == "auto" else self.batch_size)
        stack = params.shape[0] if params.ndim == 2 else 1
        small = rows * stack * max(layout.layer_units) < _SMALL_PRODUCT
        # one BLAS thread for small products, and where the objective splits the rows
        # between threads of its own
        one_thread = small or splits_rows(rows, max(layout.layer_units[1:]), stack > 1)
        n_before = len(history.loss_curve)
        with _blas_threads(1 if one_thread else None):
            if self.solver == "lbfgs":
                params, history, init_losses = self._train_lbfgs_restarts(params, problem, history)
            else:
                self._train_epochs(params, problem, history, rng, validation, incremental)
                params, history, init_losses = self._keep_best_restart(params, history, validation)

        for name, value in self._fitted_attributes(params, problem).items():
            setattr(self, name, value)
        self.loss_curve_ = history.loss_curve
        # an L-BFGS run may end before its first iteration: its loss is the start's
        ran = len(history.loss_curve) > n_before
        self.loss_ = history.loss_curve[-1] if ran else float(np.min(init_losses))
        self.best_loss_ = None if validation else min(history.loss_curve, default=self.loss_)
        self.n_iter_ = len(history.loss_curve) - n_before  # this call's, as in scikit-learn
        self.t_ = history.t
        self.validation_scores_ = history.validation_scores
        self.best_validation_score_ = history.best_validation_score
        self._no_improvement_count = history.no_improvement
        self._solver_state = history.solver_state
        self.init_losses_ = init_losses
        tasks.end()
        return self

    def _fitted_attributes(self, params, problem):
        """What a model needs to predict with the weights ``params``."""
        coefs, intercepts = problem.layout.unpack(params)
        return {
            "coefs_": [c.copy() for c in coefs],
            "intercepts_": [b.copy() for b in intercepts],
            "n_layers_": len(problem.layout.layer_units),
            "n_outputs_": problem.Y.shape[1],
            "out_activation_": problem.out_activation,
            **problem.encoding,
        }

    def _hidden_activations(self, n_hidden):
        """One activation name per hidden layer."""
        if isinstance(self.activation, str):
            return [self.activation] * n_hidden
        activations = list(self.activation)
        unknown = [name for name in activations if name not in HIDDEN_ACTIVATIONS]
        if unknown or len(activations) != n_hidden:
            raise ValueError(
                "activation must be one of {'identity', 'logistic', 'relu', 'tanh'} or a"
                f" sequence of them, one per hidden layer ({n_hidden}); got"
                f" {self.activation!r}."
            )
        return activations

    def _weigh_classes(self, y, sample_weight, dtype, incremental):
        """The sample weights the loss uses (the classifier multiplies in class weights)."""
        return sample_weight

    def _split_validation(self, X, y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data for early stopping."""
        # stratified for single-output classification, as scikit-learn does
        stratify = y if is_classifier(self) and y.ndim == 1 else None
        arrays = [X, y] if sample_weight is None else [X, y, sample_weight]
        split = train_test_split(
            *arrays, test_size=self.validation_fraction, random_state=rng, stratify=stratify
        )
        X_train, X_val, y_train, y_val = split[:4]
        sw_train, sw_val = split[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size"
                " of your dataset."
            )
        return X_train, y_train, sw_train, (X_val, y_val, sw_val)

    def _resume(self, layout, dtype, incremental):
        """The fitted weights as a flat vector, and the record of their training so far."""
        shapes = [c.shape for c in self.coefs_]
        if shapes != layout.coef_shapes:
            raise ValueError(
                "The network's shape changed since it was fitted: its weight matrices are"
                f" {shapes}, the parameters and data ask for {layout.coef_shapes}. Set"
                " warm_start=False to start afresh."
            )
        params = np.concatenate([c.ravel() for c in self.coefs_] + list(self.intercepts_))
        history = SimpleNamespace(
            loss_curve=list(self.loss_curve_),
            t=self.t_,
            best_loss=min(self.loss_curve_, default=np.inf),
            no_improvement=self._no_improvement_count,
            # scikit-learn's rule: partial_fit keeps the solver's state, fit starts it anew
            solver_state=self._solver_state if incremental else None,
            validation_scores=(
                list(self.validation_scores_) if self.validation_scores_ is not None else None
            ),
            best_validation_score=self.best_validation_score_,
            best_scores=self.best_validation_score_,
        )
        if self.early_stopping and history.validation_scores is None:
            history.validation_scores, history.best_validation_score = [], -np.inf
            history.best_scores = -np.inf
        return params.astype(dtype, copy=False), history

    def _initial_params(self, layout, activations, dtype, rng, n_init=1):
        """Draw the starting weights, layer by layer from the input.

        With ``n_init > 1``, a stack of that many draws, one after the other: the first is
        the draw of ``n_init=1``.
        """
        if n_init > 1:
            return np.stack(
                [self._initial_params(layout, activations, dtype, rng) for _ in range(n_init)]
            )
        params = np.zeros(layout.size, dtype=dtype)
        coefs, intercepts = layout.unpack(params)
        # scikit-learn's Glorot factor follows the hidden activation, output layer included
        factors = [2.0 if a == "logistic" else 6.0 for a in activations]
        factors.append(factors[-1] if factors else 6.0)
        for W, b, factor in zip(coefs, intercepts, factors, strict=True):
            if self.weight_init == "uniform":
                W[...] = rng.uniform(size=W.shape)
                continue
            bound = np.sqrt(factor / sum(W.shape))
            W[...] = rng.uniform(-bound, bound, W.shape)
            if self.fit_intercept:
                b[...] = rng.uniform(-bound, bound, b.shape)
        return params

    def _trainable(self, layout):
        """The part of the flat parameter vector the solver moves."""
        return slice(None) if self.fit_intercept else slice(0, layout.n_coef)

    def _objective(self, params, grad, problem, rows=None):
        """The training loss at ``params`` on all samples (or ``rows``); gradient into ``grad``."""
        X, Y, sample_weight = problem.X, problem.Y, problem.sample_weight
        if rows is not None:
            X, Y = X[rows], Y[rows]
            sample_weight = None if sample_weight is None else sample_weight[rows]
        return problem.objective(params, grad, X, Y, sample_weight)

    def _make_solver(self, state):
        if self.solver == "sgd":
            solver = SGD(
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        elif self.solver == "adam":
            solver = Adam(self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)
        else:
            solver = GradientDescent(self.learning_rate_init)
        if state is not None:
            solver.set_state(state)
        return solver

    def _train_epochs(self, params, problem, history, rng, validation, incremental):
        """Gradient descent by epochs: 'gd' on the full batch, 'sgd' and 'adam' on mini-batches."""
        n_samples = problem.X.shape[0]
        full_batch = self.solver == "gd"
        if full_batch:
            batch_size = n_samples
        elif self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is going"
                    " to be clipped",
                    stacklevel=4,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_samples))
        shuffle = self.shuffle and not full_batch
        batches = list(gen_batches(n_samples, batch_size))

        solver = self._make_solver(history.solver_state)
        grad = np.zeros_like(params)
        trainable = self._trainable(problem.layout)
        theta, theta_grad = params[..., trainable], grad[..., trainable]
        stacked = params.ndim == 2
        # the weights an epoch starts from are known finite once its loss is: two buffers
        # take turns holding the last such weights and the current epoch's start
        last_finite, start = params.copy(), np.empty_like(params)
        best_params = params.copy() if validation else None
        n_epochs = 1 if incremental else self.max_iter
        n_before = len(history.loss_curve)
        # the loop runs thousands of times on small networks: what it reads, it reads once
        objective, tasks, curve = problem.objective, problem.tasks, history.loss_curve
        X, Y, sample_weight = problem.X, problem.Y, problem.sample_weight
        update, watched, tol = solver.update, problem.tasks.watched, self._epoch_tol()
        try:
            for epoch in range(n_epochs):
                if watched:
                    tasks.begin_epoch()
                start[...] = params
                if full_batch:  # all of X as it is: no copy, no indexing
                    loss = objective(params, grad, X, Y, sample_weight)
                    update(theta, theta_grad)
                else:
                    order = rng.permutation(n_samples) if shuffle else None
                    accumulated = 0.0
                    for batch in batches:
                        rows = batch if order is None else order[batch]
                        loss = self._objective(params, grad, problem, rows)
                        accumulated += (batch.stop - batch.start) * loss
                        update(theta, theta_grad)
                    loss = accumulated / n_samples  # one per restart when they are stacked
                if stacked:
                    finite = np.isfinite(loss)
                    all_finite = bool(finite.all())
                    any_finite = all_finite or bool(finite.any())
                else:
                    all_finite = any_finite = math.isfinite(loss)
                if not any_finite:
                    self._warn_non_finite(epoch, problem)
                    np.copyto(params, last_finite)
                    tasks.end_epoch()
                    break
                if all_finite:
                    last_finite, start = start, last_finite
                else:
                    # diverged restarts go back to their last finite weights and drop out
                    # of the race
                    np.copyto(last_finite, start, where=finite[:, np.newaxis])
                    params[~finite] = last_finite[~finite]
                    loss = np.where(finite, loss, np.inf)
                # the run goes on while its best restart improves
                best_now = float(loss.min()) if stacked else loss
                curve.append(loss)
                history.t += n_samples
                if self.verbose:
                    self._report(len(curve), best_now)

                if validation:
                    score = self._validation_score(params, problem, validation)
                    history.validation_scores.append(score)
                    best_now = float(np.fmax.reduce(np.atleast_1d(score)))
                    if self.verbose:
                        print(f"Validation score: {best_now:f}")
                    improved = best_now >= history.best_validation_score + tol
                    better = score > history.best_scores
                    history.best_scores = np.where(better, score, history.best_scores)
                    np.copyto(best_params, params, where=np.asarray(better)[..., np.newaxis])
                    history.best_validation_score = max(history.best_validation_score, best_now)
                else:
                    improved = best_now <= history.best_loss - tol
                    if best_now < history.best_loss:
                        history.best_loss = best_now
                history.no_improvement = 0 if improved else history.no_improvement + 1
                solver.iteration_ends(history.t)
                if watched:
                    leader = params[np.argmin(loss)] if stacked else params
                    if tasks.end_epoch(partial(self._fitted_attributes, leader, problem)):
                        break  # a callback asked to stop: a usable model, as it is now
                if history.no_improvement > self.n_iter_no_change:
                    what = "Validation score" if validation else "Training loss"
                    msg = (
                        f"{what} did not improve more than tol={tol:f} for"
                        f" {self.n_iter_no_change} consecutive epochs."
                    )
                    if solver.trigger_stopping(msg, self.verbose):
                        self._warn_if_diverged(history.loss_curve[n_before:])
                        break
                    history.no_improvement = 0
            else:
                if not incremental:
                    name = "Gradient descent" if full_batch else "Stochastic Optimizer"
                    warnings.warn(
                        f"{name}: Maximum iterations ({self.max_iter}) reached and the"
                        " optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=4,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=4)
        # the last updates were not checked by a loss yet: the weights may have overflowed,
        # or grown so large that their outputs do
        unchecked = ~self._finite_outputs(params, problem)
        if np.any(unchecked):
            self._warn_non_finite(len(history.loss_curve) - n_before, problem)
            params[unchecked] = last_finite[unchecked]
        if validation and np.isfinite(history.best_validation_score):
            np.copyto(params, best_params)  # the weights of the best validation score
        history.solver_state = solver.get_state()

    def _epoch_tol(self):
        """The least improvement of the loss (or score) that counts, for the epoch solvers."""
        return _AUTO_TOL if self.tol == "auto" else self.tol

    def _outputs(self, params, problem, X):
        """The network's output pre-activation and output on ``X``, as :func:`forward`."""
        coefs, intercepts = problem.layout.unpack(params)
        activations, _, out_activation, _ = layer_functions(
            problem.activations,
            problem.out_activation,
            problem.layout.layer_units,
            X.shape[0],
            params.shape[0] if params.ndim == 2 else 1,
        )
        return forward(X, coefs, intercepts, activations, out_activation)[1:]

    def _finite_outputs(self, params, problem, rows_at_once=4096):
        """Whether the outputs on every training sample are finite (one bool per restart).

        A bound on the outputs, from the weights alone, settles it in most runs; the
        forward pass over the training rows is left to the restarts it cannot clear.
        """
        finite = _outputs_cannot_overflow(params, problem)
        if finite.all():
            return finite
        for rows in gen_batches(problem.X.shape[0], rows_at_once):
            raw, Z = self._outputs(params, problem, problem.X[rows])
            finite &= np.isfinite(raw).all(axis=(-2, -1)) & np.isfinite(Z).all(axis=(-2, -1))
        return finite

    def _validation_score(self, params, problem, validation):
        """The score (accuracy or R2) of the current weights on the held-out samples.

        One score per network when ``params`` is a stack of restarts.
        """
        X_val, y_val, sw_val = validation
        Z = self._outputs(params, problem, X_val)[1]
        if Z.ndim == 3:
            return np.array([self._score_output(Z_r, y_val, sw_val, problem) for Z_r in Z])
        return self._score_output(Z, y_val, sw_val, problem)

    def _score_output(self, Z, y, sample_weight, problem):
        # weights whose output, or score, overflows have no score: NaN, as in scikit-learn
        if not np.isfinite(Z).all():
            return np.nan
        y_pred = self._decode(Z, problem.encoding)
        score = float(self._score_function(y, y_pred, sample_weight=sample_weight))
        return score if math.isfinite(score) else np.nan

    def _keep_best_restart(self, params, history, validation):
        """Of stacked restarts, keep the best; returns its weights, record and every loss.

        The best has the lowest final training loss, or with early stopping the highest
        validation score. The final losses of all restarts become ``init_losses_``.
        """
        final = np.atleast_1d(history.loss_curve[-1] if history.loss_curve else np.nan)
        if params.ndim == 1:
            return params, history, final.astype(float)
        if validation:
            best = int(np.argmax(np.nan_to_num(history.best_scores, nan=-np.inf)))
            history.best_validation_score = float(history.best_scores[best])
            history.validation_scores = [float(s[best]) for s in history.validation_scores]
        else:
            best = int(np.argmin(np.nan_to_num(final, nan=np.inf)))
        history.loss_curve = [float(loss[best]) for loss in history.loss_curve]
        history.solver_state = {
            name: value[best] if np.ndim(value) == 2 else value
            for name, value in history.solver_state.items()
        }
        return params[best].copy(), history, final.astype(float)

    def _train_lbfgs_restarts(self, params, problem, history):
        """L-BFGS on each restart in turn; returns the best's weights, record and all losses.

        Only the kept run's warnings reach the user: those of the others are about weights
        that are thrown away, and sixteen restarts would say the same thing sixteen times.
        """
        runs = []
        for start in np.atleast_2d(params):
            run = SimpleNamespace(**{**vars(history), "loss_curve": list(history.loss_curve)})
            start = start.copy()
            runs.append((start, run, self._train_lbfgs(start, problem, run)))
        final = np.array([outcome.final_loss for *_, outcome in runs])
        best, run, outcome = runs[int(np.argmin(final))]
        self._warn_lbfgs(outcome, problem)
        return best, run, final

    def _report(self, iteration, loss):
        """The progress line scikit-learn's MLP prints, when ``verbose``."""
        if self.verbose:
            print(f"Iteration {iteration}, loss = {loss:.8f}")

    def _warn_non_finite(self, n_finite_epochs, problem):
        """The caller keeps the last finite weights; raise if there are none worth keeping."""
        if n_finite_epochs == 0:
            raise ValueError(
                "Solver produced non-finite parameter weights. " + self._why_non_finite(problem)
            )
        steps = "iterations" if self.solver == "lbfgs" else "epochs"
        warnings.warn(
            f"The training became non-finite after {n_finite_epochs} {steps}; it stopped,"
            " and the last weights with a finite loss were kept. " + self._why_non_finite(problem),
            ConvergenceWarning,
            stacklevel=5,
        )

    def _why_non_finite(self, problem):
        """What most likely made the training non-finite, and what to do: sentences."""
        # Beyond about 1e100 the squares and products of training leave float64's range
        # (1.8e308); below it, a step size too large is the usual cause.
        reasons = []
        if problem.sample_weight is not None and self.alpha > 0:
            total = float(problem.sample_weight.sum())
            if self.alpha / total > 1e100:
                weights = (
                    "sample weights"
                    if getattr(self, "class_weight", None) is None
                    else "sample weights (sample_weight times class_weight)"
                )
                reasons.append(
                    f"The {weights} sum to {total:.3g}, and the L2 penalty alpha is"
                    " divided by that sum, as in scikit-learn: multiply the weights by a"
                    " constant (the loss depends only on their ratios) or lower alpha."
                )
        largest = max(_largest_magnitude(problem.X), _largest_magnitude(problem.Y))
        if largest > 1e100 or not reasons:
            # scikit-learn's words, then what we know
            reasons.append(
                "The input data may contain large values and need to be preprocessed"
                + ("." if self.solver == "lbfgs" else ", or learning_rate_init may be too large.")
                + (f" It has values as large as {largest:.3g}." if largest > 1e100 else "")
            )
        return " ".join(reasons)

    def _warn_if_diverged(self, loss_curve):
        """A run that stalls far above where it started has diverged: say so, once."""
        first, last = np.min(loss_curve[0]), np.min(loss_curve[-1])
        if last > 10 * first:
            warnings.warn(
                f"The training diverged: the loss rose from {first:.3g} after the first epoch"
                f" to {last:.3g} and stopped improving. Lower learning_rate_init"
                f" (now {self.learning_rate_init:g}) or scale the data.",
                ConvergenceWarning,
                stacklevel=5,
            )

    def _train_lbfgs(self, params, problem, history):
        """L-BFGS-B from scipy on the flat parameters, one loss record per iteration.

        Leaves in ``params`` the last iterate with a finite loss. Returns the run's outcome
        (see :meth:`_warn_lbfgs`, which tells the user about it).
        """
        trainable = self._trainable(problem.layout)
        grad = np.zeros_like(params)

        largest_loss = None  # the largest finite loss seen
        barriers = []  # the values returned in place of non-finite ones

        def objective(theta):
            nonlocal largest_loss
            if not np.isfinite(theta).all():
                raise _Breakdown  # scipy's own arithmetic overflowed
            params[trainable] = theta
            value = self._objective(params, grad, problem)
            gradient = grad[trainable].astype(np.float64)
            # scipy squares the gradient's norm: where that overflows, so does its step
            if np.isfinite(value) and np.isfinite(gradient @ gradient):
                largest_loss = max(abs(value), largest_loss or 0.0)
                return value, gradient
            if largest_loss is None:
                raise _Breakdown  # not even the start is finite: nothing to train from
            # A step too long overflowed. Infinity would break the line search's
            # interpolation (scipy then reports convergence, or a NaN iterate); a finite
            # value above every loss seen sends it back to a shorter step.
            barriers.append(10 * largest_loss + 1)
            return barriers[-1], np.zeros_like(gradient)

        n_before = len(history.loss_curve)
        start = params[trainable].astype(np.float64)
        last_accepted = start  # the last iterate scipy reported, with a finite loss

        def callback(intermediate_result):
            nonlocal last_accepted
            x, value = intermediate_result.x, float(intermediate_result.fun)
            if not (math.isfinite(value) and np.isfinite(x).all()):
                raise _Breakdown
            # scipy reports an iteration once it is done: its task opens and closes here
            problem.tasks.begin_epoch()
            history.loss_curve.append(value)
            last_accepted = x.copy()
            self._report(len(history.loss_curve), value)
            params[trainable] = x
            if problem.tasks.end_epoch(lambda: self._fitted_attributes(params, problem)):
                raise StopIteration  # a callback asked to stop: a usable model

        try:
            result = scipy.optimize.minimize(
                objective,
                start,
                method="L-BFGS-B",
                jac=True,
                callback=callback,
                options={
                    "maxiter": self.max_iter,
                    "maxfun": self.max_fun,
                    **(_AUTO_LBFGS if self.tol == "auto" else {"gtol": self.tol}),
                },
            )
            finite = bool(
                np.isfinite(result.fun)
                and np.isfinite(result.x).all()
                and result.fun not in barriers
            )
        except _Breakdown:
            result, finite = None, False
        n_iterations = len(history.loss_curve) - n_before
        if finite:
            params[trainable] = result.x
            final_loss = float(result.fun)
        else:
            params[trainable] = last_accepted
            final_loss = history.loss_curve[-1] if n_iterations else np.inf
        history.t += n_iterations * problem.X.shape[0]
        return SimpleNamespace(
            result=result, finite=finite, n_iterations=n_iterations, final_loss=final_loss
        )

    def _warn_lbfgs(self, outcome, problem):
        """Tell the user how an L-BFGS run ended: not converged, or no longer finite."""
        if not outcome.finite:
            self._warn_non_finite(outcome.n_iterations, problem)  # raises if none was finite
        elif outcome.result.status != 99:  # 99: a callback stopped the run
            _check_optimize_result("lbfgs", outcome.result, self.max_iter)

    # -- predicting ---------------------------------------------------------------------

    def _forward(self, X):
        """The output layer's pre-activation and output ``Z`` for validated ``X``."""
        if not hasattr(self, "coefs_"):
            check_is_fitted(self)
        # A plain float array of the right width needs no conversion: only the finiteness
        # check. Anything else goes through scikit-learn's validation, with its errors.
        plain = (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in (np.float64, np.float32)
            and X.shape[1] == self.n_features_in_
            and X.shape[0] > 0
            and not hasattr(self, "feature_names_in_")
            and np.isfinite(X).all()
        )
        if not plain:
            X = validate_data(
                self,
                X,
                reset=False,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
            )
        activations, _, out_activation, _ = layer_functions(
            self._hidden_activations(self.n_layers_ - 2),
            self.out_activation_,
            [self.n_features_in_] + [W.shape[1] for W in self.coefs_],
            X.shape[0],
        )
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            _, raw, Z = forward(X, self.coefs_, self.intercepts_, activations, out_activation)
        # finite weights and finite X can still overflow: relu and identity layers grow
        # without bound, and X may lie far outside the data the model was fitted on
        _raise_if_not_finite(raw, "network's output", "Scale X as the training data was.")
        _raise_if_not_finite(Z, "network's output", "Scale X as the training data was.")
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
        Z = self._forward(X)[1]
        with np.errstate(over="ignore", invalid="ignore"):
            y = self._decode(Z, self._target_encoding())
        if y.dtype.kind == "f":  # a regressor's output mapped back to the targets' scale
            _raise_if_not_finite(
                y,
                "prediction, mapped back to the targets' scale,",
                "Scale X as the training data was, or fit on smaller targets.",
            )
        return y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
