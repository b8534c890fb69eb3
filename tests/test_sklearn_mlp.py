"""scikit-learn's own MLP tests, run against TinyMLPClassifier and TinyMLPRegressor.

The module ``sklearn/neural_network/tests/test_mlp.py`` of the installed scikit-learn is
loaded as it is, with ``MLPClassifier`` and ``MLPRegressor`` bound to our classes carrying
scikit-learn's defaults. Its tests are collected here; those left out are listed below, each
with its reason.
"""

import importlib.util
import inspect

import pytest
import sklearn.neural_network

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

# the defaults of scikit-learn's MLP where ours differ (README, "Defaults")
SKLEARN_DEFAULTS = {"activation": "relu", "solver": "adam", "alpha": 1e-4, "tol": 1e-4}


def with_defaults(Ours, name, **defaults):
    """A subclass of ``Ours`` named ``name`` whose parameters default to ``defaults``."""
    signature = inspect.signature(Ours.__init__)
    signature = signature.replace(
        parameters=[
            p.replace(default=defaults.get(p.name, p.default))
            for p in signature.parameters.values()
        ]
    )

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        bound.arguments.pop("self")
        Ours.__init__(self, **bound.arguments)

    __init__.__signature__ = signature
    return type(name, (Ours,), {"__init__": __init__, "__module__": __name__})


MLPClassifier = with_defaults(TinyMLPClassifier, "MLPClassifier", **SKLEARN_DEFAULTS)
MLPRegressor = with_defaults(
    TinyMLPRegressor, "MLPRegressor", **SKLEARN_DEFAULTS, normalize_y=False
)

# tests of scikit-learn's private attributes and methods (its `_backprop`, `_loss_grad_lbfgs`,
# `_optimizer`, `_no_improvement_count`, ...), which our classes do not have
PRIVATE = {
    "test_fit",
    "test_gradient",
    "test_learning_rate_warmstart",
    "test_adaptive_learning_rate",
    "test_n_iter_no_change",
    "test_n_iter_no_change_inf",
}
# deliberate differences (README, "Other differences from scikit-learn's MLP")
DIFFERENT = {}


def _load_sklearn_tests():
    """scikit-learn's test module, its MLP names bound to ours while it is imported."""
    origin = importlib.util.find_spec("sklearn.neural_network.tests.test_mlp").origin
    spec = importlib.util.spec_from_file_location("_sklearn_test_mlp", origin)
    module = importlib.util.module_from_spec(spec)
    theirs = sklearn.neural_network.MLPClassifier, sklearn.neural_network.MLPRegressor
    # the module reads the names when it is imported (its parametrize lists among them)
    sklearn.neural_network.MLPClassifier, sklearn.neural_network.MLPRegressor = (
        MLPClassifier,
        MLPRegressor,
    )
    try:
        spec.loader.exec_module(module)
    finally:
        sklearn.neural_network.MLPClassifier, sklearn.neural_network.MLPRegressor = theirs
    return module


_module = _load_sklearn_tests()
globals().update(
    {
        name: test
        for name, test in vars(_module).items()
        if name.startswith("test_") and name not in PRIVATE and name not in DIFFERENT
    }
)


@pytest.fixture
def global_random_seed():
    """scikit-learn's seed fixture at its default value (its conftest is not loaded here)."""
    return 42


def test_every_other_test_of_the_module_is_collected():
    """Nothing is left out beyond the two lists above."""
    theirs = {name for name in vars(_module) if name.startswith("test_")}
    assert PRIVATE | set(DIFFERENT) <= theirs
    assert theirs - PRIVATE - set(DIFFERENT) <= set(globals())
