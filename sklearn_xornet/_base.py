"""The estimator both public classes share: parameters, validation and the training loop.

The maths is in ``_network.py`` (forward pass, backpropagation, objective) and the update rules
in ``_solvers.py``; this module decides what to train on, runs the epochs (or scipy's L-BFGS),
watches the loss and publishes the fitted attributes. The subclasses only encode targets and
turn the network's output into predictions.
"""

import inspect
import warnings
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from sklearn.base import BaseEstimator, _fit_context, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._activations import HIDDEN_ACTIVATIONS
from ._network import Layout, forward, loss_and_gradient
from ._solvers import SGD, Adam, GradientDescent

# L-BFGS stops on the loss (``tol``); the gradient test only ends runs that truly converged.
_LBFGS_GTOL = 1e-8

# The numpydoc text of the parameters and fitted attributes both estimators share; each class
# docstring places it among its own entries, so every entry is written exactly once.
SHARED_PARAMETERS_DOC = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of units in the ith hidden layer. The article's
        network is ``(3,)``.

    activation : {'logistic', 'tanh', 'relu', 'identity'}, default='tanh'
        Activation of the hidden layers: 'logistic' is the article's sigmoid
        ``1 / (1 + exp(-x))``, 'tanh' the hyperbolic tangent, 'relu' ``max(0, x)`` and
        'identity' no activation.

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

    tol : float, default=1e-5
        Training stops when the loss has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs ('gd', 'sgd', 'adam'), or when an
        iteration lowers the loss by less than ``tol`` times its value ('lbfgs', scipy's
        ``ftol``). scikit-learn's MLP gives ``tol`` to L-BFGS as the gradient tolerance,
        which stops it too early wherever the gradient is spread over many weights (on
        ``load_digits`` it costs 1% of accuracy) and at once on the flat start of a
        sigmoid network; a loss-based criterion means the same thing for every solver.

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

    fit_intercept : bool, default=True
        Whether every layer has an intercept (bias). ``False`` gives the article's
        bias-free network; ``intercepts_`` then holds zeros.

    weight_init : {'glorot', 'uniform'}, default='glorot'
        How the weights start. 'glorot' is scikit-learn's MLP initialisation (uniform in
        ``+-sqrt(6 / (fan_in + fan_out))``, 2 instead of 6 for 'logistic'). 'uniform' is
        the article's: each weight matrix drawn from ``rng.uniform(size=(fan_in,
        fan_out))``, layer by layer from the input, intercepts starting at zero.
"""

SHARED_ATTRIBUTES_DOC = """\
    loss_ : float
        The training loss at the end of fitting (mean loss plus penalty; on standardised
        targets for a regressor with ``normalize_y=True``).

    best_loss_ : float
        The lowest training loss seen during fitting.

    loss_curve_ : list of float
        The training loss after each epoch ('gd', 'sgd', 'adam') or iteration ('lbfgs').

    t_ : int
        The number of training samples seen by the solver (``n_iter_ * n_samples``).

    coefs_ : list of ndarray of shape (n_layers - 1,)
        ``coefs_[i]`` is the weight matrix from layer i to layer i + 1 (``[Wh, Wz]`` in the
        article).

    intercepts_ : list of ndarray of shape (n_layers - 1,)
        ``intercepts_[i]`` is the bias vector added at layer i + 1.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, defined only when ``X`` has feature names that
        are all strings.

    n_iter_ : int
        The number of epochs ('gd', 'sgd', 'adam') or iterations ('lbfgs') run.

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
    tol=1e-5,
    verbose=False,
    momentum=0.9,
    nesterovs_momentum=True,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    n_iter_no_change=10,
    max_fun=15000,
    fit_intercept=True,
    weight_init="glorot",
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


class _BaseTinyMLP(BaseEstimator):
    """The multilayer perceptron shared by ``TinyMLPClassifier`` and ``TinyMLPRegressor``.

    Subclasses set ``_own_params`` (their own parameters with defaults, ``alpha`` among
    them: its best default differs between classification and regression), encode targets
    in ``_encode_targets`` and define the predict methods.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", "adam", "sgd", "gd"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
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
    def _encode_targets(self, y, sample_weight, dtype):
        """Validate ``y`` and encode it for the network.

        Returns ``(Y, out_activation, fitted)``: the 2-D float targets, the name of the output
        activation, and a dict of the fitted attributes describing the targets.
        """

    # -- fitting ------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and targets y.

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
        # Train on local state and publish at the end; should anything raise, put back
        # what validation already changed, so a fitted model is never left half-refitted.
        previous = dict(vars(self))
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return self._fit(X, y, sample_weight)
        except Exception:
            vars(self).clear()
            vars(self).update(previous)
            raise

    def _fit(self, X, y, sample_weight):
        X, y = validate_data(
            self,
            X,
            y,
            reset=True,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=is_regressor(self),
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            if not sample_weight.sum() > 0:
                raise ValueError("sample_weight must not be all zeros.")
        Y, out_activation, fitted = self._encode_targets(y, sample_weight, X.dtype)

        hidden_layer_sizes = np.atleast_1d(self.hidden_layer_sizes)
        if hidden_layer_sizes.ndim != 1 or np.any(hidden_layer_sizes <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes}.")
        layout = Layout([X.shape[1], *hidden_layer_sizes, Y.shape[1]])
        activations = [self.activation] * len(hidden_layer_sizes)
        rng = check_random_state(self.random_state)
        params = self._initial_params(layout, activations, X.dtype, rng)

        if self.solver == "lbfgs":
            record = self._train_lbfgs(
                params, layout, X, Y, sample_weight, activations, out_activation
            )
        else:
            record = self._train_epochs(
                params, layout, X, Y, sample_weight, activations, out_activation, rng
            )

        coefs, intercepts = layout.unpack(params)
        self.coefs_ = [c.copy() for c in coefs]
        self.intercepts_ = [b.copy() for b in intercepts]
        self.n_layers_ = len(layout.layer_units)
        self.n_outputs_ = Y.shape[1]
        self.out_activation_ = out_activation
        self.loss_curve_ = record["loss_curve"]
        self.loss_ = record["loss"]
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)
        self.n_iter_ = record["n_iter"]
        self.t_ = self.n_iter_ * X.shape[0]
        for name, value in fitted.items():
            setattr(self, name, value)
        return self

    def _initial_params(self, layout, activations, dtype, rng):
        """Draw the starting weights, layer by layer from the input."""
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

    def _train_epochs(self, params, layout, X, Y, sample_weight, activations, out_activation, rng):
        """Gradient descent by epochs: 'gd' on the full batch, 'sgd' and 'adam' on mini-batches."""
        n_samples = X.shape[0]
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
                    stacklevel=3,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_samples))
        shuffle = self.shuffle and not full_batch

        trainable = self._trainable(layout)
        if self.solver == "sgd":
            optimizer = SGD(
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        elif self.solver == "adam":
            optimizer = Adam(self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)
        else:
            optimizer = GradientDescent(self.learning_rate_init)

        grad = np.empty_like(params)
        theta, theta_grad = params[trainable], grad[trainable]
        last_finite = params.copy()
        loss_curve, best_loss, no_improvement, time_step = [], np.inf, 0, 0
        order = np.arange(n_samples)
        try:
            for epoch in range(self.max_iter):
                if shuffle:
                    order = rng.permutation(n_samples)
                accumulated = 0.0
                for batch in gen_batches(n_samples, batch_size):
                    rows = order[batch] if shuffle else batch
                    accumulated += (batch.stop - batch.start) * loss_and_gradient(
                        params,
                        grad,
                        layout,
                        X[rows],
                        Y[rows],
                        None if sample_weight is None else sample_weight[rows],
                        self.alpha,
                        activations,
                        out_activation,
                        self.loss,
                    )
                    optimizer.update(theta, theta_grad)
                loss = accumulated / n_samples
                if not (np.isfinite(loss) and np.isfinite(params).all()):
                    self._warn_non_finite(epoch)
                    np.copyto(params, last_finite)
                    break
                np.copyto(last_finite, params)
                loss_curve.append(loss)
                time_step += n_samples
                self._report(len(loss_curve), loss)

                if loss > best_loss - self.tol:
                    no_improvement += 1
                else:
                    no_improvement = 0
                best_loss = min(best_loss, loss)
                optimizer.iteration_ends(time_step)
                if no_improvement > self.n_iter_no_change:
                    msg = (
                        f"Training loss did not improve more than tol={self.tol:f} for"
                        f" {self.n_iter_no_change} consecutive epochs."
                    )
                    if optimizer.trigger_stopping(msg, self.verbose):
                        break
                    no_improvement = 0
            else:
                name = "Gradient descent" if full_batch else "Stochastic Optimizer"
                warnings.warn(
                    f"{name}: Maximum iterations ({self.max_iter}) reached and the"
                    " optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=3)
            np.copyto(params, last_finite)
        return {
            "loss_curve": loss_curve,
            "loss": loss_curve[-1] if loss_curve else np.nan,
            "n_iter": len(loss_curve),
        }

    def _report(self, iteration, loss):
        """The progress line scikit-learn's MLP prints, when ``verbose``."""
        if self.verbose:
            print(f"Iteration {iteration}, loss = {loss:.8f}")

    def _warn_non_finite(self, n_finite_epochs):
        """The caller keeps the last finite weights; raise if there are none worth keeping."""
        if n_finite_epochs == 0:
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain"
                " large values and need to be preprocessed, or learning_rate_init may be"
                " too large."
            )
        warnings.warn(
            f"The training loss became non-finite at epoch {n_finite_epochs + 1}; training"
            f" stopped and the weights after epoch {n_finite_epochs} were kept. Lower"
            " learning_rate_init or scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )

    def _train_lbfgs(self, params, layout, X, Y, sample_weight, activations, out_activation):
        """L-BFGS-B from scipy on the flat parameters, one loss record per iteration."""
        trainable = self._trainable(layout)
        grad = np.empty_like(params)

        def objective(theta):
            params[trainable] = theta
            value = loss_and_gradient(
                params,
                grad,
                layout,
                X,
                Y,
                sample_weight,
                self.alpha,
                activations,
                out_activation,
                self.loss,
            )
            if not (np.isfinite(value) and np.isfinite(grad).all()):
                # an infinite value sends the line search back to a shorter step
                return np.inf, np.zeros_like(theta, dtype=np.float64)
            return value, grad[trainable].astype(np.float64)

        loss_curve = []
        best = {"x": params[trainable].astype(np.float64)}

        def callback(intermediate_result):
            loss_curve.append(float(intermediate_result.fun))
            best["x"] = intermediate_result.x.copy()
            self._report(len(loss_curve), loss_curve[-1])

        result = scipy.optimize.minimize(
            objective,
            params[trainable].astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={
                "maxiter": self.max_iter,
                "maxfun": self.max_fun,
                "ftol": self.tol,
                "gtol": _LBFGS_GTOL,
            },
        )
        n_iter = _check_optimize_result("lbfgs", result, self.max_iter)
        x, loss = result.x, float(result.fun)
        if not (np.isfinite(loss) and np.isfinite(x).all()):
            self._warn_non_finite(len(loss_curve))
            x, loss = best["x"], loss_curve[-1]
        params[trainable] = x
        return {"loss_curve": loss_curve, "loss": loss, "n_iter": n_iter}

    # -- predicting ---------------------------------------------------------------------

    def _forward(self, X):
        """The network's output ``Z`` for validated ``X``."""
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
        )
        activations = [self.activation] * (self.n_layers_ - 2)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return forward(X, self.coefs_, self.intercepts_, activations, self.out_activation_)[2]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
