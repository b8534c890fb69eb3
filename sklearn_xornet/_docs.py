"""The numpydoc text of the parameters and fitted attributes both estimators share, and
where the estimators' documentation lives.

Each class docstring places it among its own entries, so every entry is written once.
"""

# the site `make docs` builds, as published: its API pages are generated/<module>.<name>.html
DOCS_URL = "https://sklearn-xornet.readthedocs.io/en/stable/"


class DocLinks:
    """The link from an estimator's HTML repr to its page in the API reference, as
    scikit-learn's third-party estimators declare it."""

    _doc_link_module = "sklearn_xornet"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"


SHARED_PARAMETERS_DOC = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of units in the ith hidden layer. The article's
        network is ``(3,)``.

    activation : str, (callable, callable) or tuple of them, default='tanh'
        Activation of the hidden layers, one of:

        - 'logistic': the article's sigmoid ``1 / (1 + exp(-x))``;
        - 'tanh': the hyperbolic tangent;
        - 'relu': ``max(0, x)``;
        - 'identity': no activation;
        - 'leaky_relu': ``x`` above 0, ``0.01 x`` below (torch's slope);
        - 'elu': ``x`` above 0, ``exp(x) - 1`` below;
        - 'gelu': in its tanh form, ``x / 2 (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))``;
        - 'silu': ``x / (1 + exp(-x))``, also called swish;
        - 'softplus': ``log(1 + exp(x))``;
        - a pair ``(function, derivative)`` of callables: each takes an array of
          pre-activations and returns an array of the same shape, taken in the layer's
          dtype. The derivative is checked against finite differences of the function once,
          at ``fit`` (in float64 and in the data's dtype), and a NaN either returns for a
          finite input is a ``ValueError`` that names it. Such a model pickles when its
          callables do, but skops' safe loading and ONNX export refuse it, as they cannot
          know the functions.

        A tuple of these gives one per hidden layer, from the input:
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

    learning_rate_init : float or 'auto', default='auto'
        The initial step size of 'sgd', 'adam' and 'gd'. 'auto' is the solver's (README,
        "Defaults"): 0.003 for 'adam' (0.001 for the regressor), 0.1 for 'sgd' (0.01 for
        the regressor) and 1.0 for 'gd' (0.1 for the regressor); unused by 'lbfgs'. The
        losses are means over samples, so the article's unit step on the error summed over
        its 4 rows is ``learning_rate_init=4.0``.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int or 'auto', default='auto'
        Maximum number of epochs ('gd', 'sgd', 'adam': passes over the data) or of
        iterations ('lbfgs'). 'auto' is 200, and 2000 for 'gd', whose every epoch is one
        full-batch step.

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
        tolerance does (README, "Defaults"); 1e-7 for the regressor's 'absolute_error'
        and 'quantile' losses, whose kinks stall the loss for a few iterations on the way.

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

    n_iter_no_change : int or 'auto', default='auto'
        Number of epochs (or, with ``early_stopping``, L-BFGS iterations) without an
        improvement of ``tol`` before training stops. 'auto' is 10 for 'lbfgs', 20 for
        'adam' and 'sgd' and 200 for 'gd', whose epochs are single full-batch steps.

    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'.

    warm_start : bool, default=False
        Whether ``fit`` goes on from the weights of the previous fit (keeping its target
        encoding: classes, or the target scaling) instead of starting afresh. The classes
        must be the same.

    early_stopping : bool, default=False
        Whether training stops when the validation score (accuracy or R2) has not
        improved by ``tol`` for ``n_iter_no_change`` epochs, or L-BFGS iterations; the
        weights of the best validation score are kept. Of the epochs with the same best
        score, the one with the lowest validation loss is the best, and holding the best
        score while lowering the validation loss by a share ``tol`` of it counts as an
        improvement where the validation targets are not all alike (scikit-learn's MLP
        keeps the first epoch of the best score: on a validation set of a few dozen
        samples that is often an underfit model). The validation set is ``fit``'s
        ``X_val``, ``y_val`` where given, else ``validation_fraction`` of the data held
        out (stratified for single-output classification). scikit-learn's MLP has it for
        'sgd' and 'adam' only.

    validation_fraction : float or 'auto', default='auto'
        The share of the data held out for early stopping when ``fit`` is given no
        ``X_val``, in [0, 1). 'auto' is 0.1, and 0.2 for the regressor's 'adam' and 'sgd',
        whose R2 on a tenth of the data is too noisy a guide.

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

    transform_layer : int, default=-1
        The hidden layer whose activations ``transform`` returns: an index into
        ``hidden_layer_sizes``, -1 for the last. It does not change how the network is
        fitted, and may be changed after fitting.

    dropout : float or array-like of float, default=0.0
        Inverted dropout on the hidden layers' outputs while training: at every step each
        unit of each sample is dropped with this probability, in [0, 1), and the units
        kept are scaled by ``1 / (1 - dropout)``; nothing is dropped at predict time. One
        rate for every hidden layer, or one per hidden layer. The masks are drawn from
        ``random_state`` (each restart of ``n_init`` its own, each ``partial_fit`` call
        new ones), so the same seed gives the same weights. Only for the epoch solvers
        ('gd', 'sgd', 'adam'): 'lbfgs' needs a deterministic objective and refuses it.
        ``loss_curve_`` records the training loss with dropout, the validation score and
        loss are computed without it.
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
        The score (accuracy or R2) on the validation set after each epoch or L-BFGS
        iteration, whenever there is one: ``fit``'s ``X_val`` and ``y_val``, or the share
        held out for early stopping. None otherwise.

    validation_loss_curve_ : list of float or None
        The unpenalised mean loss on the validation set (weighted by
        ``sample_weight_val``) after each epoch or L-BFGS iteration, beside
        ``validation_scores_``; the same loss as ``loss_curve_``'s, without the L2
        penalty. None without a validation set.

    best_validation_score_ : float or None
        The best of ``validation_scores_`` (the kept weights') with
        ``early_stopping=True``, or None.

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
        Number of output units (for several quantiles, one per target and quantile).

    out_activation_ : str
        Name of the output activation: 'logistic', 'softmax', 'identity', 'exp', or
        'ordered_quantiles' for several quantiles (the lowest, then the softplus of the
        steps to the next, summed).
"""
