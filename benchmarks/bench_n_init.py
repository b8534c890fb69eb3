"""The cost of restarts: ``n_init=32`` against ``n_init=1`` on XOR, measured side by side.

The epoch solvers train the restarts as one stack (batched products); L-BFGS runs them one
after the other, so its ratio is shown for information. Repeats are interleaved and the
median time of each is compared; absolute seconds on a shared machine mean little.

Run: ``python benchmarks/bench_n_init.py``
"""

import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_xornet import TinyMLPClassifier
from sklearn_xornet._article import article_network

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([0, 1, 1, 0])

CASES = {
    "gd, article 2-3-1, 5000 epochs": lambda n: article_network(epochs=5000).set_params(n_init=n),
    "adam, 2-2-1 classifier, 1000 epochs": lambda n: TinyMLPClassifier(
        hidden_layer_sizes=(2,),
        solver="adam",
        learning_rate_init=0.05,
        max_iter=1000,
        tol=0.0,
        n_iter_no_change=10**6,
        n_init=n,
        random_state=0,
    ),
    "lbfgs (sequential), 2-2-1 classifier": lambda n: TinyMLPClassifier(
        hidden_layer_sizes=(2,), n_init=n, random_state=0
    ),
}


def seconds(make, n_init):
    start = time.perf_counter()
    make(n_init).fit(X, y)
    return time.perf_counter() - start


def main(repeats=5):
    warnings.simplefilter("ignore", ConvergenceWarning)
    print("| case | n_init=1 (s) | n_init=32 (s) | ratio | must <= 4x |")
    print("|---|---|---|---|---|")
    for name, make in CASES.items():
        one, many = [], []
        for _ in range(repeats):  # interleaved, so drifts in machine load hit both
            one.append(seconds(make, 1))
            many.append(seconds(make, 32))
        ratio = statistics.median(many) / statistics.median(one)
        verdict = "info" if "sequential" in name else ("PASS" if ratio <= 4 else "FAIL")
        print(
            f"| {name} | {statistics.median(one):.3f} | {statistics.median(many):.3f} |"
            f" {ratio:.2f}x | {verdict} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
