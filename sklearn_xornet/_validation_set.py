"""The validation set: given to ``fit`` as ``X_val``, ``y_val``, ``sample_weight_val``, or
held out of the training data for early stopping.

It is checked as the training data is, put where the training data is, and its errors
name it. What is recorded on it after each epoch is ``_state.Validation``'s; what stops on
it, ``_stopping.py``'s.
"""

from contextlib import contextmanager

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import _check_sample_weight, column_or_1d, validate_data

from ._arrays import input_namespace, move, namespace, on_host, to_numpy


def validation_samples(estimator, X, y, sample_weight, given, rng, incremental):
    """The rows to train on, and the validation samples ``(X_val, y_val, weights)``:
    those given to ``fit``, else with early stopping a held-out share, else None."""
    X_val, y_val, sample_weight_val = given or (None, None, None)
    if X_val is None and y_val is None and sample_weight_val is None:
        if not estimator.early_stopping:
            return X, y, sample_weight, None
        # stratified for binary targets only, as scikit-learn does (its MLP stratifies
        # when one output unit remains: multiclass and multilabel targets have several)
        binary = is_classifier(estimator) and y.ndim == 1 and _n_labels(y) == 2
        stratify = y if binary else None
        return held_out(X, y, sample_weight, estimator.validation_fraction, rng, stratify)
    if X_val is None or y_val is None:
        raise ValueError(
            "X_val and y_val are given together (sample_weight_val only with them); got"
            f" X_val={'None' if X_val is None else 'an array'} and"
            f" y_val={'None' if y_val is None else 'an array'}."
        )
    X_val, y_val, sample_weight_val = _validated_validation_data(
        estimator, X, X_val, y_val, sample_weight_val
    )
    sample_weight_val = estimator._weigh_classes(y_val, sample_weight_val, X.dtype, incremental)
    return X, y, sample_weight, (X_val, y_val, sample_weight_val)


def _n_labels(y):
    return len(np.unique(to_numpy(y)))


def held_out(X, y, sample_weight, fraction, rng, stratify):
    """Hold out ``fraction`` of the data for early stopping: the rest, and the held out."""
    arrays = [X, y] if sample_weight is None else [X, y, sample_weight]
    split = train_test_split(*arrays, test_size=fraction, random_state=rng, stratify=stratify)
    X_train, X_val, y_train, y_val = split[:4]
    sw_train, sw_val = split[4:] if sample_weight is not None else (None, None)
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size"
            " of your dataset."
        )
    return X_train, y_train, sw_train, (X_val, y_val, sw_val)


@contextmanager
def about_the_validation_set():
    """Errors raised within name the validation set, not the training data they speak of."""
    try:
        yield
    except ValueError as error:
        raise ValueError(
            f"Invalid validation set (X_val, y_val, sample_weight_val): {error}"
        ) from error


def _validated_validation_data(estimator, X, X_val, y_val, sample_weight_val):
    """``fit``'s validation samples checked as its training data, and put where ``X`` is."""
    with about_the_validation_set():
        return _checked_validation_data(estimator, X, X_val, y_val, sample_weight_val)


def _checked_validation_data(estimator, X, X_val, y_val, sample_weight_val):
    xp, device = input_namespace(X)
    if xp is None and not on_host(X_val):  # another library's X_val with NumPy's X
        X_val = to_numpy(X_val)
    X_val, y_val = validate_data(
        estimator,
        X_val,
        y_val,
        reset=False,
        accept_sparse=("csr", "csc"),
        dtype=X.dtype,
        multi_output=True,
        y_numeric=is_regressor(estimator),
        ensure_min_samples=2 if is_regressor(estimator) else 1,  # R2 needs two
    )
    if xp is not None:
        (X_val,) = move(X_val, xp=xp, device=device)
    y_val, sample_weight_val = targets_and_weights(
        X_val, y_val, sample_weight_val, xp, device, "sample_weight_val"
    )
    return X_val, y_val, sample_weight_val


def targets_and_weights(X, y, sample_weight, xp, device, weights_name="sample_weight"):
    """``y`` and ``sample_weight`` (named ``weights_name`` in errors) checked as
    scikit-learn checks them beside ``X``, training or validation rows alike, and moved to
    another library's ``xp`` and ``device`` where those are given."""
    if xp is not None:
        y, sample_weight = move(y, sample_weight, xp=xp, device=device)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        # scikit-learn >= 1.7 refuses these itself; the loss would be 0 / 0
        if not float(namespace(sample_weight).sum(sample_weight)) > 0:
            raise ValueError(f"{weights_name} must not be all zeros.")
    return y, sample_weight
