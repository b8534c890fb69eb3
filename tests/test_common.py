"""scikit-learn's own estimator checks: the defaults, with nothing expected to fail, and 14
other configurations, whose expected failures the README lists with their reasons."""

import pytest
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor


# a user's pair written with the operators alone, so that it computes on any array library
def softsign(x):
    return x / (1 + abs(x))


def softsign_derivative(x):
    return 1 / (1 + abs(x)) ** 2


@parametrize_with_checks([TinyMLPClassifier(), TinyMLPRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def expected_failures(estimator):
    """The checks these configurations fail, each with the README's reason (its
    "scikit-learn's estimator checks" list): scikit-learn's sample-weight equivalence asks
    two fits to agree to 1e-7. Weights equal to repeated rows give the same objective
    (tests/test_sample_weight.py), but L-BFGS stops within its tolerance of the optimum, a
    little elsewhere for each ordering of the rows, further on the absolute error's kinks;
    and dropout draws a mask per row, so a repeated row is dropped apart from its copies
    where a weighted row is dropped whole: equal in expectation only."""
    params = estimator.get_params()
    if params["dropout"] != 0.0:
        reason = "dropout draws a mask per row: weights equal repeated rows in expectation only"
    elif params["activation"] in ("elu", ("gelu", "softplus")):
        reason = "L-BFGS stops within its tolerance, not at the optimum itself"
    else:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


# the other activations and losses, a user's pair, class weights, dropout and restarts,
# through the same checks
@parametrize_with_checks(
    [
        TinyMLPClassifier(activation="leaky_relu"),
        TinyMLPClassifier(activation=("gelu", "softplus"), hidden_layer_sizes=(8, 4)),
        TinyMLPRegressor(loss="absolute_error", activation="elu"),
        TinyMLPRegressor(loss="huber", activation="silu"),
        TinyMLPRegressor(loss="quantile", quantile=0.8, activation="gelu"),
        TinyMLPClassifier(activation=(softsign, softsign_derivative)),
        TinyMLPRegressor(activation=(softsign, softsign_derivative), hidden_layer_sizes=(6, 3)),
        TinyMLPClassifier(loss="squared_error", activation="logistic"),
        TinyMLPClassifier(class_weight="balanced"),
        TinyMLPClassifier(label_smoothing=0.1),
        TinyMLPClassifier(solver="adam", dropout=0.2),
        TinyMLPRegressor(solver="adam", dropout=(0.1,)),
        TinyMLPRegressor(n_init=3),
        TinyMLPClassifier(solver="adam", n_init=2),
    ],
    expected_failed_checks=expected_failures,
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
