"""Our defaults beside their peers: scikit-learn's MLP, HistGradientBoosting and RealMLP-TD.

On iris, wine, breast_cancer, digits, diabetes and ``make_friedman1(n_samples=2000,
noise=1.0, random_state=0)``: 5-fold shuffled cross-validation with the folds fixed
(stratified for the classifiers), the models' ``random_state`` 0, 1 and 2, one thread each.
Every model runs with its defaults: ours for each solver, and scikit-learn's MLP, behind a
``StandardScaler``; HistGradientBoosting and RealMLP-TD (pytabkit, on the CPU) on the raw
features, which they preprocess themselves. Regression targets go in raw. Scores are
accuracy and R2; times are seconds per fit.

RealMLP-TD needs ``pip install pytabkit`` (it brings torch); without it its column is
skipped with a message. Run: ``python benchmarks/bench_peers.py`` (``--seeds``, ``--data``,
``--models``; ``--cache FILE`` keeps finished fits, so that an interrupted run resumes).
"""

import argparse
import importlib.util
import json
import os
import platform
import time
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import sklearn
from bench_defaults import DATASETS as ALL_DATASETS
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import sklearn_xornet
from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

# bench_defaults.py's data sets; friedman1 is make_friedman1(2000, noise=1.0, random_state=0)
DATASETS = {
    **{name: ALL_DATASETS[name] for name in ("iris", "wine", "breast_cancer", "digits")},
    "diabetes": ALL_DATASETS["diabetes"],
    "friedman1": ALL_DATASETS["friedman1 noisy"],
}
REGRESSION = ("diabetes", "friedman1")
HAS_PYTABKIT = importlib.util.find_spec("pytabkit") is not None


def ours(solver):
    def make(regression, seed):
        Estimator = TinyMLPRegressor if regression else TinyMLPClassifier
        return make_pipeline(StandardScaler(), Estimator(solver=solver, random_state=seed))

    return make


def scikit_learn_mlp(regression, seed):
    Estimator = MLPRegressor if regression else MLPClassifier
    return make_pipeline(StandardScaler(), Estimator(random_state=seed))


def hist_gradient_boosting(regression, seed):
    Estimator = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
    return Estimator(random_state=seed)


def real_mlp_td(regression, seed):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    Estimator = RealMLP_TD_Regressor if regression else RealMLP_TD_Classifier
    return Estimator(random_state=seed, n_threads=1, device="cpu", verbosity=0)


MODELS = {
    **{f"ours ({solver})": ours(solver) for solver in ("lbfgs", "adam", "sgd", "gd")},
    "scikit-learn MLP": scikit_learn_mlp,
    "HistGradientBoosting": hist_gradient_boosting,
    "RealMLP-TD": real_mlp_td,
}


def folds(name, X, y):
    splitter = KFold if name in REGRESSION else StratifiedKFold
    return list(splitter(5, shuffle=True, random_state=0).split(X, y))


def one_fit(model, X, y, train, test):
    """The fold's score and the seconds of its fit, on one thread."""
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # pytabkit's dependencies'
        start = time.perf_counter()
        model.fit(X[train], y[train])
        seconds = time.perf_counter() - start
        score = model.score(X[test], y[test])
    return float(score), seconds


def measure(names, models, seeds, cache):
    """{(model, data set): (scores, seconds)}, one entry per seed and fold."""
    done = json.loads(cache.read_text()) if cache and cache.exists() else {}
    results = {}
    for name in names:
        X, y = DATASETS[name]()
        splits = folds(name, X, y)
        for model_name in models:
            scores, seconds = [], []
            for seed in seeds:
                for k, (train, test) in enumerate(splits):
                    key = f"{model_name}|{name}|{seed}|{k}"
                    if key not in done:
                        model = clone(MODELS[model_name](name in REGRESSION, seed))
                        done[key] = one_fit(model, X, y, train, test)
                        if cache:
                            cache.write_text(json.dumps(done))
                    score, second = done[key]
                    scores.append(score)
                    seconds.append(second)
            results[model_name, name] = (scores, seconds)
            print(
                f"  {name}, {model_name}: {np.mean(scores):.4f} in {np.mean(seconds):.3g} s",
                flush=True,
            )
    return results


def table(names, models, results):
    lines = [
        "| data set | " + " | ".join(models) + " |",
        "|---" * (1 + len(models)) + "|",
    ]
    for name in names:
        cells = []
        for model in models:
            scores, seconds = results[model, name]
            cells.append(f"{np.mean(scores):.4f} ({np.mean(seconds):.2g} s)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def comparison(names, models, results, ours="ours (lbfgs)"):
    """Our default model against the peers: the score difference and the ratio of fit
    times, per data set (the issue's bars: no worse in score, 1/50 of RealMLP-TD's time)."""
    peers = [m for m in ("RealMLP-TD", "HistGradientBoosting") if m in models]
    if ours not in models or not peers:
        return ""
    lines = [
        f"| data set | {ours} | "
        + " | ".join(f"minus {peer} | {peer} time / ours" for peer in peers)
        + " |",
        "|---" * (2 + 2 * len(peers)) + "|",
    ]
    for name in names:
        mine, my_time = (np.mean(v) for v in results[ours, name])
        cells = [f"{mine:.4f}"]
        for peer in peers:
            theirs, their_time = (np.mean(v) for v in results[peer, name])
            cells += [f"{mine - theirs:+.4f}", f"{their_time / my_time:.0f}x"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def versions():
    found = [
        f"sklearn_xornet {sklearn_xornet.__version__}",
        f"scikit-learn {sklearn.__version__}",
        f"numpy {np.__version__}",
    ]
    if HAS_PYTABKIT:
        import torch

        found += [f"pytabkit {version('pytabkit')}", f"torch {torch.__version__}"]
    found += [
        f"Python {platform.python_version()}",
        f"{platform.machine()}, {os.cpu_count()} cores",
    ]
    return ", ".join(found)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="random states per model")
    parser.add_argument("--data", nargs="*", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--cache", type=Path, help="a JSON file of finished fits, to resume")
    args = parser.parse_args()
    models = list(args.models)
    if "RealMLP-TD" in models and not HAS_PYTABKIT:
        print("RealMLP-TD skipped: pytabkit is not installed (pip install pytabkit).")
        models.remove("RealMLP-TD")
    if "RealMLP-TD" in models:
        import torch

        torch.set_num_threads(1)
    print(versions(), flush=True)
    results = measure(args.data, models, range(args.seeds), args.cache)
    print("\nMean score over 5 folds and seeds (mean seconds per fit):\n")
    print(table(args.data, models, results))
    print("\nOur defaults against the peers:\n")
    print(comparison(args.data, models, results))


if __name__ == "__main__":
    main()
