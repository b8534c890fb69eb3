"""The benchmark suite: every figure a ratio measured side by side in one run.

Writes ``benchmarks/results.md`` (the table, the machine, the commit measured) and prints
the same table. Repeats are interleaved so that drifts in the machine's load hit both sides,
and the median is kept: on a shared machine absolute seconds mean little, ratios do.

Run: ``make bench`` (or ``python benchmarks/run.py``; ``--quick`` for fewer repeats).
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_info

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import bench_defaults  # noqa: E402  (beside this file)
import bench_n_init  # noqa: E402
import xor_article  # noqa: E402  (the article's programs, as the tests use them)

import sklearn_xornet  # noqa: E402
from sklearn_xornet import TinyMLPClassifier  # noqa: E402
from sklearn_xornet._article import article_network  # noqa: E402

ROWS = []


def record(figure, measured, must, aim, passed, detail=""):
    ROWS.append((figure, measured, must, aim, "PASS" if passed else "FAIL", detail))
    print(f"{figure}: {measured} (must {must}, aim {aim}) {ROWS[-1][4]} {detail}", flush=True)


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(functions, repeats):
    """The seconds of each function, run in turn ``repeats`` times: one list per function."""
    times = [[] for _ in functions]
    for _ in range(repeats):
        for seconds, function in zip(times, functions, strict=True):
            seconds.append(timed(function))
    return times


def paired_ratio(numerator, denominator):
    """The median of the ratios of runs made side by side: a load that comes and goes hits
    both runs of a pair, so their ratio varies less than either time."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


median = statistics.median


def figure_a(repeats, epochs=20000):
    X, y = xor_article.X, xor_article.Y.ravel()
    ours = article_network(epochs=epochs)
    theirs_config = dict(
        hidden_layer_sizes=(3,),
        activation="logistic",
        solver="sgd",
        batch_size=4,
        momentum=0.0,
        alpha=0.0,
        shuffle=False,
        learning_rate_init=0.4,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=0,
    )
    improved = article_network(epochs=epochs, improved=True)
    runs = interleaved(
        [
            lambda: ours.fit(X, y),
            lambda: xor_article.v1(0, epochs),
            lambda: improved.fit(X, y),
            lambda: MLPRegressor(**theirs_config).fit(X, y),
        ],
        repeats,
    )
    t_ours, t_article, t_improved, t_sklearn = map(median, runs)
    per_epoch = 1e6 / epochs
    ratio = paired_ratio(runs[0], runs[1])
    record(
        "(a) XOR 2-3-1, per epoch, vs the article's loop",
        f"{ratio:.2f}x",
        "<= 1.10x",
        "<= 0.8x",
        ratio <= 1.10,
        f"({t_ours * per_epoch:.1f} us against {t_article * per_epoch:.1f} us)",
    )
    ratio = paired_ratio(runs[2], runs[3])
    record(
        "(a) XOR 2-3-1, per epoch, vs scikit-learn's sgd",
        f"{ratio:.2f}x",
        "<= 0.25x",
        "<= 0.15x",
        ratio <= 0.25,
        f"({t_improved * per_epoch:.1f} us against {t_sklearn * per_epoch:.1f} us)",
    )


def figure_b(repeats):
    X, y = make_classification(
        n_samples=20000, n_features=50, n_informative=20, n_classes=3, random_state=0
    )
    params = dict(
        hidden_layer_sizes=(64,),
        activation="logistic",
        solver="adam",
        batch_size=200,
        max_iter=10,
        tol=0.0,
        random_state=0,
    )
    fitted = {}

    def fit(name, Estimator, **extra):
        return lambda: fitted.__setitem__(name, Estimator(**params, **extra).fit(X, y))

    runs = interleaved(
        [fit("ours", TinyMLPClassifier, alpha=1e-4), fit("theirs", MLPClassifier)], repeats
    )
    accuracy = {name: est.score(X, y) for name, est in fitted.items()}
    ratio = paired_ratio(*runs)
    close = abs(accuracy["ours"] - accuracy["theirs"]) <= 0.01
    record(
        "(b) medium adam fit vs scikit-learn",
        f"{ratio:.2f}x",
        "<= 0.70x, accuracy within 0.01",
        "<= 0.5x",
        ratio <= 0.70 and close,
        f"(accuracy {accuracy['ours']:.4f} against {accuracy['theirs']:.4f})",
    )


def one_row_latencies(first, second, repeats, calls=2000):
    """The seconds of ``calls`` one-row predict_proba calls of two fitted models, side by
    side: their medians and the median of their paired ratios."""
    row = load_iris(return_X_y=True)[0][:1]

    def latency(est):
        def run():
            for _ in range(calls):
                est.predict_proba(row)

        return run

    runs = interleaved([latency(first), latency(second)], repeats)
    first_us, second_us = (1e6 * median(times) / calls for times in runs)
    return first_us, second_us, paired_ratio(*runs)


def figure_c(repeats):
    X, y = load_iris(return_X_y=True)
    ours = TinyMLPClassifier((16,), random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPClassifier((16,), random_state=0).fit(X, y)
    ours_us, theirs_us, ratio = one_row_latencies(ours, theirs, repeats)
    record(
        "(c) one-row predict_proba latency vs scikit-learn",
        f"{ratio:.2f}x",
        "<= 0.5x",
        "<= 0.3x",
        ratio <= 0.5,
        f"({ours_us:.0f} us against {theirs_us:.0f} us)",
    )


def tanh_slope(x):
    return 1 - np.tanh(x) ** 2


def figure_h(repeats):
    """A user's pair costs no more than the built-in activation it writes out, once the
    model is fitted: the check of the pair runs at fit alone."""
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yours = TinyMLPClassifier((16,), activation=(np.tanh, tanh_slope), random_state=0)
        built_in = TinyMLPClassifier((16,), activation="tanh", random_state=0)
        yours.fit(X, y), built_in.fit(X, y)
    yours_us, built_in_us, ratio = one_row_latencies(yours, built_in, repeats)
    record(
        "(h) one-row predict_proba, a user's tanh pair vs the built-in tanh",
        f"{ratio:.2f}x",
        "<= 1.2x",
        "<= 1.1x",
        ratio <= 1.2,
        f"({yours_us:.0f} us against {built_in_us:.0f} us)",
    )


def figure_d(repeats):
    make = bench_n_init.CASES["gd, article 2-3-1, 5000 epochs"]
    t_one, t_many = interleaved(
        [lambda: bench_n_init.seconds(make, 1), lambda: bench_n_init.seconds(make, 32)],
        repeats,
    )
    ratio = paired_ratio(t_many, t_one)
    record("(d) n_init=32 vs n_init=1 on XOR", f"{ratio:.2f}x", "<= 4x", "<= 2x", ratio <= 4)


def figure_e(repeats, n_samples=100000, n_features=100, hidden=256, epochs=3):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_samples, n_features))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    W = rng.normal(size=(n_features, hidden))
    est = TinyMLPClassifier(
        (hidden,), solver="gd", learning_rate_init=0.1, max_iter=epochs, tol=0.0, random_state=0
    )
    t_fit, t_matmul = [], []
    for _ in range(repeats):  # interleaved; the matmul's best of 3, so that BLAS threads
        t_fit.append(timed(lambda: est.fit(X, y)))  # woken from the fit's limit are warm
        t_matmul.append(min(timed(lambda: X @ W) for _ in range(3)))
    t_fit, t_matmul = median(t_fit), median(t_matmul)
    # per epoch: X @ W1, H @ W2 forward; H^T dZ, dZ W2^T, X^T dH backward (one output)
    flops = 2 * n_samples * (2 * n_features * hidden + 3 * hidden)
    ours = flops * epochs / t_fit / 1e9
    matmul = 2 * n_samples * n_features * hidden / t_matmul / 1e9
    share = ours / matmul
    record(
        "(e) large-batch gd, share of numpy's matmul rate",
        f"{100 * share:.0f}%",
        ">= 40%",
        ">= 60%",
        share >= 0.40,
        f"({ours:.1f} GFLOP/s training against {matmul:.1f} GFLOP/s matmul)",
    )


def peak_memory(fit):
    tracemalloc.start()
    fit()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def figure_f(n_samples=200000, n_features=100):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    params = dict(solver="adam", max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = peak_memory(lambda: TinyMLPClassifier(alpha=1e-4, **params).fit(X, y))
        theirs = peak_memory(lambda: MLPClassifier(**params).fit(X, y))
    ratio = ours / theirs
    record(
        "(f) peak memory fitting 200000 x 100 float32 (adam) vs scikit-learn",
        f"{ratio:.2f}x",
        "<= 1.0x",
        "<= 0.7x",
        ratio <= 1.0,
        f"({ours / 2**20:.0f} MiB against {theirs / 2**20:.0f} MiB, tracemalloc)",
    )


def figure_g(seeds):
    rows = bench_defaults.measure(range(seeds))
    failed = [name for name, _, _, passed in rows if not passed]
    worst = min(ours - theirs for _, theirs, ours, _ in rows)
    record(
        "(g) default 5-fold CV scores vs scikit-learn, 6 data sets",
        f"worst {worst:+.4f}",
        ">= scikit-learn - 0.005",
        ">= scikit-learn",
        not failed,
        f"(failed: {', '.join(failed) or 'none'}; bench_defaults.py has the table)",
    )


def machine():
    blas = ", ".join(
        f"{info.get('internal_api')} {info.get('version')} ({info.get('num_threads')} threads)"
        for info in threadpool_info()
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"commit {commit or 'unknown'}; {platform.machine()}, {os.cpu_count()} cores;"
        f" Python {platform.python_version()}, numpy {np.__version__}, scikit-learn"
        f" {sklearn.__version__}, sklearn_xornet {sklearn_xornet.__version__}; BLAS: {blas}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and seeds")
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(machine(), flush=True)
    figure_a(repeats + 4)  # the smallest times, the most repeats
    figure_b(repeats + 4)
    figure_c(repeats)
    figure_d(repeats)
    figure_e(repeats)
    figure_f()
    figure_g(seeds=1 if args.quick else 3)
    figure_h(repeats)

    lines = [
        "# Benchmark results",
        "",
        f"Measured by `make bench` on {machine()}.",
        "",
        "| figure | measured | must | aim | result | detail |",
        "|---|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in ROWS),
        "",
    ]
    Path(__file__).with_name("results.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
