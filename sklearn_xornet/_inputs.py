"""Every array a fit takes, at the door: checked once, and brought to where the fit works.

A fit works where ``X`` lives: its namespace and device (``_arrays.input_namespace``) and a
float dtype they have, float64 or float32 (float16 trains in float64, as NumPy's does).
``sample_weight``, ``X_val`` and ``sample_weight_val`` are brought there; ``y`` and ``y_val``
go to the host, where the estimators encode targets with NumPy, the same way whatever the
namespace, before moving the encoded targets to ``X``. Each is checked as scikit-learn
checks it (``validate_data``, ``_check_sample_weight``), and an error about the validation
set names it. Without a validation set, early stopping holds out a share of the training
rows (:func:`held_out`). Nothing downstream asks where an array lives.
"""

from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import _check_sample_weight, column_or_1d, validate_data

from ._arrays import (
    float_dtypes,
    input_namespace,
    is_foreign,
    like,
    move,
    namespace,
    same_place,
    to_numpy,
    where_name,
)


class Place(NamedTuple):
    """Where a fit works: ``X``'s namespace and device (None, None for NumPy's)."""

    xp: object
    device: object

    def of(self, array):
        """The array-like ``array`` (None kept) brought here."""
        if array is None:
            return None
        if self.xp is None:
            return to_numpy(array) if is_foreign(array) else array
        if not is_foreign(array):  # a list, a Series, NumPy's
            array = np.asarray(array)
        return move(array, xp=self.xp, device=self.device)[0]


class FitData(NamedTuple):
    """A fit's arrays, checked: ``X`` and ``sample_weight`` where the fit works, ``y`` on
    the host, and the validation set ``(X_val, y_val, sample_weight_val)`` likewise, or
    None."""

    X: object
    y: object
    sample_weight: object
    validation: tuple | None


def _host(y):
    return to_numpy(y) if is_foreign(y) else y


def fit_data(estimator, X, y, sample_weight, given, continuing):
    """Every array of a fit, checked and brought to where it works (see the module).

    ``given`` holds ``fit``'s ``(X_val, y_val, sample_weight_val)``, or None;
    ``continuing`` names the method ('fit' with ``warm_start``, 'partial_fit') in which the
    fitted model goes on training, so that ``X`` must match what it was fitted on (its
    features, and where its weights live: scikit-learn's namespace error); None for a fresh
    fit.
    """
    if continuing:  # before anything reads X, whether dispatch is on or off
        same_place(X, estimator.coefs_[0], f"{type(estimator).__name__}.{continuing}()")
    place = Place(*input_namespace(X))
    X, y = validate_data(
        estimator,
        X,
        _host(y),
        reset=not continuing,
        accept_sparse=("csr", "csc"),
        dtype=float_dtypes(*place),
        multi_output=True,
        y_numeric=is_regressor(estimator),
    )
    _check_labels_fit(y, X, place, "y")
    y, sample_weight = targets_and_weights(X, y, place.of(sample_weight))
    validation = None
    if given is not None and any(a is not None for a in given):
        with about_the_validation_set():
            validation = _validation_data(estimator, X, given, place)
    return FitData(X, y, sample_weight, validation)


def _validation_data(estimator, X, given, place):
    """``fit``'s validation samples checked as its training data, and put where ``X`` is."""
    X_val, y_val, sample_weight_val = given
    if X_val is None or y_val is None:
        raise ValueError(
            "X_val and y_val are given together (sample_weight_val only with them); got"
            f" X_val={'None' if X_val is None else 'an array'} and"
            f" y_val={'None' if y_val is None else 'an array'}."
        )
    own = Place(*input_namespace(X_val))  # checked where it is, then moved
    X_val, y_val = validate_data(
        estimator,
        X_val,
        _host(y_val),
        reset=False,
        accept_sparse=("csr", "csc"),
        dtype=float_dtypes(*own),
        multi_output=True,
        y_numeric=is_regressor(estimator),
        ensure_min_samples=2 if is_regressor(estimator) else 1,  # R2 needs two
    )
    _check_labels_fit(y_val, X, place, "y_val")
    X_val = namespace(X).astype(place.of(X_val), X.dtype)
    y_val, sample_weight_val = targets_and_weights(
        X_val, y_val, place.of(sample_weight_val), "sample_weight_val"
    )
    return X_val, y_val, sample_weight_val


def _check_labels_fit(y, X, place, name):
    """A clear error where targets of a dtype no array library holds (strings, objects)
    are to go where ``X`` lives, on another library's device."""
    if place.xp is not None and y.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} holds {y.dtype} labels, which {where_name(X)} cannot hold: encode them"
            " as integers first (sklearn.preprocessing.LabelEncoder), or fit on NumPy"
            " arrays."
        )


def targets_and_weights(X, y, sample_weight, weights_name="sample_weight"):
    """``y`` and ``sample_weight`` (named ``weights_name`` in errors) checked as
    scikit-learn checks them beside ``X``, training or validation rows alike."""
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


@contextmanager
def about_the_validation_set():
    """Errors raised within name the validation set, not the training data they speak of."""
    try:
        yield
    except ValueError as error:
        raise ValueError(
            f"Invalid validation set (X_val, y_val, sample_weight_val): {error}"
        ) from error


def held_out(estimator, data, rng, validation_fraction):
    """Early stopping's validation set when ``fit`` was given none: a share
    ``validation_fraction`` of the training rows, held out. Returns the data to train on,
    with the held-out rows as its validation set.

    Stratified for single-output classification, as scikit-learn's MLP documents ("The
    split is stratified, except in a multilabel setting"; its code stratifies binary
    targets only): a multiclass validation set of a dozen rows drawn at random may lack a
    class, and early stopping then keeps a model that never predicts it. A multiclass
    target that cannot be stratified (a class of one member, or fewer held-out rows than
    classes) is split at random, as scikit-learn's code does; a binary one is refused, in
    scikit-learn's words (which name its binarised classes, 'True' and 'False') and ours.
    """
    X, y, sample_weight, _ = data
    stratify, classes = None, None
    if is_classifier(estimator) and y.ndim == 1:
        classes, counts = np.unique(y, return_counts=True)
        n_test = int(np.ceil(validation_fraction * len(y)))
        if len(classes) == 2:  # scikit-learn's binarised target: a column, True for classes[1]
            stratify = (y == classes[1]).reshape(-1, 1)
        elif counts.min() >= 2 and len(classes) <= min(n_test, len(y) - n_test):
            stratify = y
    try:  # the rows train_test_split would take from the arrays themselves
        train, test = train_test_split(
            np.arange(X.shape[0]),
            test_size=validation_fraction,
            random_state=rng,
            stratify=stratify,
        )
    except ValueError as error:
        if classes is None or len(classes) != 2:
            raise
        raise ValueError(
            f"{error} (early stopping's split is stratified: 'True' is the class"
            f" {classes[1].item()!r}, 'False' the class {classes[0].item()!r})"
        ) from error
    if test.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size"
            " of your dataset."
        )
    take = namespace(X).take_rows
    rows = [like(X, train), like(X, test)]
    weights = [None, None] if sample_weight is None else [take(sample_weight, r) for r in rows]
    validation = (take(X, rows[1]), y[test], weights[1])
    return FitData(take(X, rows[0]), y[train], weights[0], validation)
