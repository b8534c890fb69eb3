"""scikit-learn's own estimator checks, with defaults and nothing expected to fail."""

import pytest
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor


@parametrize_with_checks([TinyMLPClassifier(), TinyMLPRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# scikit-learn runs these on its own transformers only (sklearn/tests/test_common.py):
# set_output and the feature names of what ``transform`` returns
OUTPUT_CHECKS = [
    "check_set_output_transform",
    "check_set_output_transform_pandas",
    "check_global_output_transform_pandas",
    "check_transformer_get_feature_names_out",
    "check_transformer_get_feature_names_out_pandas",
    "check_get_feature_names_out_error",
]


@pytest.mark.parametrize("check", OUTPUT_CHECKS)
@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_transform_follows_scikit_learn_s_output_conventions(Estimator, check):
    getattr(estimator_checks, check)(Estimator.__name__, Estimator(random_state=0))
