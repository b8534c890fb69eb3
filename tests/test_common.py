"""scikit-learn's own estimator checks, with defaults and nothing expected to fail."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor


@parametrize_with_checks([TinyMLPClassifier(), TinyMLPRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
