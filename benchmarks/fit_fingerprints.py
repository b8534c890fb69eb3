"""Fingerprints of NumPy fits, to show that a change of structure leaves every fit as it was.

Each configuration (every solver with every activation, restarts, early stopping, a
validation set, multilabel and multiclass targets, the regression losses, class and sample
weights, dropout, sparse and float32 input, warm start, ``partial_fit``, a user activation,
divergence) is fitted on a small data set, and what the fit publishes is recorded: weights,
loss curve, validation record, iteration counts and predictions. Record them with one
version of the library and compare with another:

    python benchmarks/fit_fingerprints.py --record before.npz   # at the old commit
    python benchmarks/fit_fingerprints.py --compare before.npz  # at the new one

The comparison prints, for each configuration, whether every recorded number is bitwise
equal, else the largest relative difference (``--tolerance``, 1e-12 by default, is the most
it accepts), and exits non-zero when any configuration differs by more or fails.
"""

import argparse
import sys
import warnings

import numpy as np
from scipy import sparse
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

# written out, not imported: the two versions compared must fit the same configurations
ACTIVATIONS = "identity logistic tanh relu leaky_relu elu gelu silu softplus".split()
SOLVERS = ["lbfgs", "adam", "sgd", "gd"]

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_X = StandardScaler().fit_transform(IRIS_X)
REG_X, REG_Y = make_regression(n_samples=120, n_features=5, noise=10.0, random_state=0)
LABELS = np.c_[IRIS_Y == 0, IRIS_Y == 2, IRIS_X[:, 0] > 0].astype(int)
WEIGHTS = np.arange(150) % 4 + 0.5
VAL = np.arange(150) % 5 == 0


def softsign(x):
    return x / (1 + abs(x))


def softsign_derivative(x):
    return 1 / (1 + abs(x)) ** 2


def fit(Estimator, X=IRIS_X, y=IRIS_Y, **params):
    return lambda: Estimator(random_state=0, **params).fit(X, y)


def classifier(**params):
    return fit(TinyMLPClassifier, **params)


def regressor(**params):
    return fit(TinyMLPRegressor, REG_X, REG_Y, **params)


def configurations():
    cases = {}
    for solver in SOLVERS:
        for activation in ACTIVATIONS:
            cases[f"{solver} {activation}"] = classifier(
                solver=solver, activation=activation, hidden_layer_sizes=(7,), max_iter=25
            )
        short = {"solver": solver, "max_iter": 20, "hidden_layer_sizes": (6,)}
        cases[f"{solver} restarts"] = classifier(n_init=3, **short)
        cases[f"{solver} restarts regressor"] = regressor(n_init=3, **short)
        cases[f"{solver} early stopping"] = classifier(
            early_stopping=True, n_iter_no_change=3, **short
        )
        cases[f"{solver} early stopping restarts"] = classifier(
            early_stopping=True, n_iter_no_change=3, n_init=2, **short
        )
        cases[f"{solver} validation set"] = lambda short=short: TinyMLPClassifier(
            random_state=0, **short
        ).fit(IRIS_X[~VAL], IRIS_Y[~VAL], X_val=IRIS_X[VAL], y_val=IRIS_Y[VAL])
        cases[f"{solver} early stopping regressor"] = regressor(
            early_stopping=True, n_iter_no_change=3, **short
        )
        cases[f"{solver} validation set regressor"] = lambda short=short: TinyMLPRegressor(
            random_state=0, **short
        ).fit(REG_X[20:], REG_Y[20:], X_val=REG_X[:20], y_val=REG_Y[:20])
        cases[f"{solver} multilabel"] = classifier(y=LABELS, **short)
        cases[f"{solver} binary"] = classifier(y=IRIS_Y % 2, **short)
        cases[f"{solver} squared error classifier"] = classifier(loss="squared_error", **short)
        cases[f"{solver} class weights"] = classifier(class_weight="balanced", **short)
        cases[f"{solver} sample weights"] = lambda short=short: TinyMLPClassifier(
            random_state=0, **short
        ).fit(IRIS_X, IRIS_Y, sample_weight=WEIGHTS)
        cases[f"{solver} no intercepts"] = classifier(fit_intercept=False, **short)
        cases[f"{solver} sparse"] = classifier(X=sparse.csr_matrix(IRIS_X), **short)
        cases[f"{solver} float32"] = classifier(X=IRIS_X.astype(np.float32), **short)
        cases[f"{solver} two layers"] = classifier(
            solver=solver, max_iter=20, hidden_layer_sizes=(5, 4), activation=("relu", "tanh")
        )
        cases[f"{solver} user activation"] = classifier(
            activation=(softsign, softsign_derivative), **short
        )
        for loss in ["squared_error", "absolute_error", "huber", "quantile", "poisson"]:
            y = np.abs(REG_Y) // 10 if loss == "poisson" else REG_Y
            extra = {"quantile": 0.7} if loss == "quantile" else {}
            cases[f"{solver} {loss}"] = fit(TinyMLPRegressor, REG_X, y, loss=loss, **short, **extra)
        cases[f"{solver} logistic output"] = fit(
            TinyMLPRegressor,
            REG_X,
            (REG_Y - REG_Y.min()) / np.ptp(REG_Y),
            output_activation="logistic",
            **short,
        )
        if solver != "lbfgs":
            cases[f"{solver} dropout"] = classifier(dropout=0.3, **short)
            cases[f"{solver} dropout restarts"] = classifier(dropout=0.2, n_init=2, **short)
            cases[f"{solver} partial_fit"] = lambda short=short: partial_fits(short)
            cases[f"{solver} diverges"] = regressor(
                solver=solver, learning_rate_init=1e4, max_iter=30, normalize_y=False
            )
        cases[f"{solver} warm start"] = lambda short=short: (
            TinyMLPClassifier(random_state=0, warm_start=True, **short)
            .fit(IRIS_X, IRIS_Y)
            .fit(IRIS_X, IRIS_Y)
        )
    return cases


def partial_fits(params):
    est = TinyMLPClassifier(random_state=0, **params)
    for rows in (slice(0, 75), slice(75, None), slice(0, 150)):
        est.partial_fit(IRIS_X[rows], IRIS_Y[rows], classes=[0, 1, 2])
    return est


def fingerprint(est):
    """The numbers a fit publishes, as named float arrays."""
    numbers = {}
    for i, (W, b) in enumerate(zip(est.coefs_, est.intercepts_, strict=True)):
        numbers[f"coef{i}"], numbers[f"intercept{i}"] = W, b
    numbers["loss_curve"] = est.loss_curve_
    numbers["counts"] = [est.n_iter_, est.t_, est.loss_]
    for name in ["validation_scores_", "validation_loss_curve_", "init_losses_"]:
        if getattr(est, name, None) is not None:
            numbers[name] = getattr(est, name)
    for name in ["best_loss_", "best_validation_score_"]:
        numbers[name] = [np.nan if getattr(est, name) is None else getattr(est, name)]
    X = REG_X if isinstance(est, TinyMLPRegressor) else IRIS_X
    numbers["predict"] = est.predict(X.astype(est.coefs_[0].dtype))
    if hasattr(est, "predict_proba"):
        numbers["proba"] = est.predict_proba(X.astype(est.coefs_[0].dtype))
    return {name: np.asarray(value, dtype=float) for name, value in numbers.items()}


def run():
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        for name, make in configurations().items():
            try:
                results.update({f"{name}|{k}": v for k, v in fingerprint(make()).items()})
            except Exception as error:  # recorded: a fit that fails must fail alike
                results[f"{name}|error"] = np.array([hash(type(error).__name__) % 1000.0])
    return results


def compare(before, after, tolerance):
    names = sorted({key.split("|")[0] for key in before})
    failed = 0
    for name in names:
        keys = sorted(key for key in before if key.startswith(name + "|"))
        if sorted(key for key in after if key.startswith(name + "|")) != keys:
            print(f"DIFFERENT RECORD  {name}")
            failed += 1
            continue
        worst, bitwise = 0.0, True
        for key in keys:
            a, b = before[key], after[key]
            if a.shape != b.shape:
                worst, bitwise = np.inf, False
                continue
            same = (a == b) | (np.isnan(a) & np.isnan(b))
            if same.all():
                continue
            bitwise = False
            with np.errstate(divide="ignore", invalid="ignore"):
                relative = np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))
            worst = max(worst, float(np.nanmax(np.where(same, 0.0, relative))))
        ok = worst <= tolerance
        failed += not ok
        verdict = "bitwise" if bitwise else f"max relative difference {worst:.2e}"
        print(f"{'ok  ' if ok else 'FAIL'}  {name}: {verdict}")
    print(f"{len(names)} configurations, {failed} beyond {tolerance:g}")
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", help="write the fingerprints to this .npz file")
    parser.add_argument("--compare", help="compare with the fingerprints in this .npz file")
    parser.add_argument("--tolerance", type=float, default=1e-12)
    args = parser.parse_args()
    results = run()
    if args.record:
        np.savez_compressed(args.record, **results)
        print(f"{len({k.split('|')[0] for k in results})} configurations recorded")
    if args.compare:
        with np.load(args.compare) as before:
            sys.exit(1 if compare(dict(before), results, args.tolerance) else 0)


if __name__ == "__main__":
    main()
