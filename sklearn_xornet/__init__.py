"""Small multilayer perceptrons for scikit-learn, exact to the classic numpy XOR tutorial."""

from ._classifier import TinyMLPClassifier
from ._regressor import TinyMLPRegressor

__version__ = "0.1.0"
__all__ = ["TinyMLPClassifier", "TinyMLPRegressor", "__version__"]
