"""The workloads of ``make bench``, timed on two versions of the library side by side.

Each version runs in a worker process of its own (the library imported from its folder),
and the workloads are run in turn, one version then the other, ``--repeats`` times: a load
that comes and goes on the machine hits both runs of a pair, and the median of the paired
ratios (this checkout over the other) is reported. Peak memory (tracemalloc) is measured
once in each.

    git worktree add /tmp/before <commit>
    python benchmarks/compare_versions.py --against /tmp/before
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, sys, time, tracemalloc, warnings
import numpy as np
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
import sklearn_xornet
from sklearn_xornet import TinyMLPClassifier
from sklearn_xornet._article import article_network

warnings.simplefilter("ignore", ConvergenceWarning)
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = np.array([0, 1, 1, 0])
MEDIUM = make_classification(
    n_samples=20000, n_features=50, n_informative=20, n_classes=3, random_state=0
)
rng = np.random.RandomState(0)
LARGE_X = rng.normal(size=(100000, 100))
LARGE_Y = (LARGE_X[:, 0] + LARGE_X[:, 1] > 0).astype(int)
MEMORY_X = rng.normal(size=(200000, 100)).astype(np.float32)
MEMORY_Y = (MEMORY_X[:, 0] > 0).astype(int)
IRIS_X, IRIS_Y = load_iris(return_X_y=True)
PREDICTOR = TinyMLPClassifier((16,), random_state=0).fit(IRIS_X, IRIS_Y)
ROW = IRIS_X[:1]


def one_row_predict_proba():
    for _ in range(2000):
        PREDICTOR.predict_proba(ROW)


def medium_adam():
    TinyMLPClassifier(
        (64,), activation="logistic", solver="adam", batch_size=200, max_iter=10, tol=0.0,
        alpha=1e-4, random_state=0,
    ).fit(*MEDIUM)


def large_gd():
    TinyMLPClassifier(
        (256,), solver="gd", learning_rate_init=0.1, max_iter=3, tol=0.0, random_state=0
    ).fit(LARGE_X, LARGE_Y)


def peak_memory():
    tracemalloc.start()
    TinyMLPClassifier(alpha=1e-4, solver="adam", max_iter=2, random_state=0).fit(
        MEMORY_X, MEMORY_Y
    )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


WORKLOADS = {
    "(a) XOR, the article's first program, 20000 epochs": lambda: article_network(
        epochs=20000
    ).fit(XOR_X, XOR_Y),
    "(a) XOR, the improved program, 20000 epochs": lambda: article_network(
        epochs=20000, improved=True
    ).fit(XOR_X, XOR_Y),
    "(b) medium adam fit, 20000 x 50, 10 epochs": medium_adam,
    "(c) one-row predict_proba, 2000 calls": one_row_predict_proba,
    "(d) n_init=1 on XOR, gd, 5000 epochs": lambda: article_network(epochs=5000).fit(
        XOR_X, XOR_Y
    ),
    "(d) n_init=32 on XOR, gd, 5000 epochs": lambda: article_network(epochs=5000).set_params(
        n_init=32
    ).fit(XOR_X, XOR_Y),
    "(e) large-batch gd, 100000 x 100, 3 epochs": large_gd,
}
print(json.dumps({"ready": sklearn_xornet.__file__}), flush=True)
for line in sys.stdin:
    name = json.loads(line)
    if name == "memory":
        print(json.dumps(peak_memory()), flush=True)
        continue
    start = time.perf_counter()
    WORKLOADS[name]()
    print(json.dumps(time.perf_counter() - start), flush=True)
"""

NAMES = [
    "(a) XOR, the article's first program, 20000 epochs",
    "(a) XOR, the improved program, 20000 epochs",
    "(b) medium adam fit, 20000 x 50, 10 epochs",
    "(c) one-row predict_proba, 2000 calls",
    "(d) n_init=1 on XOR, gd, 5000 epochs",
    "(d) n_init=32 on XOR, gd, 5000 epochs",
    "(e) large-batch gd, 100000 x 100, 3 epochs",
]


class Worker:
    def __init__(self, tree):
        env = dict(os.environ, PYTHONPATH=str(tree))
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tree,
        )
        self.module = json.loads(self.process.stdout.readline())["ready"]

    def ask(self, name):
        self.process.stdin.write(json.dumps(name) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the other version's folder")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--only", default="", help="the workloads whose name has this")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    this, other = Worker(here), Worker(Path(args.against).resolve())
    print(f"this: {this.module}\nother: {other.module}", flush=True)
    rows = []
    for name in [name for name in NAMES if args.only in name]:
        ratios, mine, theirs = [], [], []
        for _ in range(args.repeats):
            mine.append(this.ask(name))
            theirs.append(other.ask(name))
            ratios.append(mine[-1] / theirs[-1])
        rows.append(
            (name, statistics.median(mine), statistics.median(theirs), statistics.median(ratios))
        )
        print(f"{name}: {rows[-1][3]:.3f}x", flush=True)
    memory = this.ask("memory") / other.ask("memory") if not args.only else float("nan")
    this.close(), other.close()
    print("\n| workload | this (median s) | other (median s) | paired ratio |")
    print("|---|---|---|---|")
    for name, a, b, ratio in rows:
        print(f"| {name} | {a:.4f} | {b:.4f} | {ratio:.3f}x |")
    print(f"| (f) peak memory, adam on 200000 x 100 float32 | | | {memory:.3f}x |")


if __name__ == "__main__":
    main()
