"""scikit-learn's own estimator checks, with defaults and nothing expected to fail."""

import pytest
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor


@parametrize_with_checks([TinyMLPClassifier(), TinyMLPRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def stopping_short_of_the_optimum(estimator):
    """The checks that need two fits to reach the same optimum to 1e-7: the defaults pass
    them (above), as do most of these; weights equal to repeated rows give the same
    objective, but L-BFGS stops within its tolerance of the optimum, a little elsewhere for
    each ordering of the rows (on the absolute error's kinks, further). The equivalence of
    the objectives themselves is tested in test_regression_losses.py and
    test_sample_weight.py."""
    if estimator.get_params()["activation"] in ("elu", ("gelu", "softplus")):
        reason = "L-BFGS stops within its tolerance, not at the optimum itself"
        return {
            "check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }
    return {}


# the other activations and losses, through the same checks
@parametrize_with_checks(
    [
        TinyMLPClassifier(activation="leaky_relu"),
        TinyMLPClassifier(activation=("gelu", "softplus"), hidden_layer_sizes=(8, 4)),
        TinyMLPRegressor(loss="absolute_error", activation="elu"),
        TinyMLPRegressor(loss="huber", activation="silu"),
        TinyMLPRegressor(loss="quantile", quantile=0.8, activation="gelu"),
    ],
    expected_failed_checks=stopping_short_of_the_optimum,
)
def test_other_activations_and_losses_pass_the_same_checks(estimator, check):
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
