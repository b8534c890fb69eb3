"""Training on a GPU against our NumPy path and scikit-learn's MLP, on one machine, in one run.

Four cases, each run on the device (torch's CUDA, else CuPy), on our NumPy path on this
machine's CPU, and with scikit-learn's MLPClassifier on the same CPU:

- (a) medium: 20000 x 50, 3 classes, (64,) logistic, adam, batch 200;
- (b) 1M x 100, 10 classes, (256, 256) relu, adam, batch 1000;
- (c) the same with batch 8192;
- (d) full-batch 'gd' on the same data, as a share of the device's float32 matrix-product
  rate, measured in the same run (TF32 off).

Before the times, each case's two floors: the time its floating-point operations take at the
device's measured matrix-product rate, and the time its memory traffic takes at the device's
measured copy bandwidth; the larger one bounds the case. On a machine without a GPU the
device rows are skipped, with a message, and the CPU rows run (``--rows`` shrinks the large
cases, which take minutes on a CPU).

Run: ``PYTHONPATH=. python benchmarks/gpu.py`` (``--epochs``, ``--rows``).
"""

import argparse
import os
import platform
import time
import warnings
from itertools import pairwise

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # scikit-learn's array API dispatch needs it

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from sklearn_xornet import TinyMLPClassifier  # noqa: E402


def device_library(torch_cpu=False):
    """(name, to_device, synchronize) for the GPU, or None without one.

    ``torch_cpu`` takes torch's CPU arrays for the device: a check of this script on a
    machine without a GPU, whose numbers mean nothing.
    """
    try:
        import torch

        if torch_cpu:
            return f"torch {torch.__version__} on the CPU (a check)", torch.asarray, None
        if torch.cuda.is_available():
            torch.backends.cuda.matmul.allow_tf32 = False  # float32 products in float32
            return (
                f"torch {torch.__version__} on {torch.cuda.get_device_name()}",
                lambda a: torch.asarray(a, device="cuda"),
                torch.cuda.synchronize,
            )
    except ImportError:
        pass
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount():
            return (
                f"CuPy {cupy.__version__}",
                cupy.asarray,
                lambda: cupy.cuda.Stream.null.synchronize(),
            )
    except Exception:  # no CuPy, or no CUDA device for it
        pass
    return None


def seconds(function, synchronize=None, repeats=1):
    """The best of ``repeats`` runs of ``function``, the device synchronised around it."""
    best = np.inf
    for _ in range(repeats):
        if synchronize:
            synchronize()
        start = time.perf_counter()
        function()
        if synchronize:
            synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def device_rates(to_device, synchronize, n=8192):
    """The device's float32 matrix-product rate (FLOP/s) and copy bandwidth (byte/s)."""
    A = to_device(np.random.RandomState(0).normal(size=(n, n)).astype(np.float32))
    matmul = seconds(lambda: A @ A, synchronize, repeats=5)
    big = to_device(np.zeros(1 << 28, dtype=np.float32))  # 1 GiB
    copy = seconds(lambda: big + 0, synchronize, repeats=5)  # one read, one write
    return 2 * n**3 / matmul, 2 * big.nbytes / copy


def cases(rows):
    """(name, data parameters, estimator parameters) of the four cases."""
    large = dict(n_samples=rows, n_features=100, n_informative=40, n_classes=10)
    deep = dict(hidden_layer_sizes=(256, 256), activation="relu", solver="adam")
    return [
        ("(a) medium, batch 200", dict(n_samples=20000, n_features=50, n_informative=20,
         n_classes=3), dict(hidden_layer_sizes=(64,), activation="logistic", solver="adam",
         batch_size=200)),
        (f"(b) {rows} x 100, batch 1000", large, dict(deep, batch_size=1000)),
        (f"(c) {rows} x 100, batch 8192", large, dict(deep, batch_size=8192)),
        (f"(d) {rows} x 100, full-batch gd", large, dict(deep, solver="gd",
         learning_rate_init=0.01)),
    ]  # fmt: skip


def floors(data, params, epochs, flop_rate, bandwidth):
    """Seconds from the FLOPs and from the bytes of ``epochs`` epochs (float32)."""
    n, d = data["n_samples"], data["n_features"]
    units = [d, *params["hidden_layer_sizes"], data["n_classes"]]
    weights = sum(a * b for a, b in pairwise(units))
    flops = 6 * n * weights * epochs  # forward 2, backward 4 per weight and row
    batch = n if params["solver"] == "gd" else params["batch_size"]
    steps = n // batch
    # per epoch: X read once; each layer's activations written and read back a few times;
    # the weights, the gradient and Adam's moments read and written once a step
    activations = 4 * n * sum(units[1:])
    bytes_ = 4 * (n * d + activations + 8 * weights * steps) * epochs
    return flops / flop_rate, bytes_ / bandwidth


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2, help="epochs per fit")
    parser.add_argument("--rows", type=int, default=None, help="rows of the large cases")
    parser.add_argument("--torch-cpu", action="store_true", help="torch's CPU as the device")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    device = device_library(args.torch_cpu)
    rows = args.rows or (1_000_000 if device and not args.torch_cpu else 100_000)
    print(
        f"{platform.machine()}, {os.cpu_count()} CPU cores; numpy {np.__version__},"
        f" scikit-learn {sklearn.__version__}; device: {device[0] if device else 'none'}"
    )
    if device is None:
        print(f"No GPU (torch with CUDA, or CuPy): device rows skipped; {rows} rows.")
    else:
        name, to_device, synchronize = device
        flop_rate, bandwidth = device_rates(to_device, synchronize)
        print(
            f"device float32 matmul {flop_rate / 1e12:.1f} TFLOP/s, copy {bandwidth / 1e9:.0f} GB/s"
        )
    print("\n| case | floor: FLOPs | floor: bytes | device | our CPU | scikit-learn CPU |")
    print("|---|---|---|---|---|---|")
    for name, data, params in cases(rows):
        X, y = make_classification(**data, random_state=0)
        X = X.astype(np.float32)
        common = dict(max_iter=args.epochs, tol=0.0, random_state=0, **params)
        cpu = seconds(lambda: TinyMLPClassifier(alpha=1e-4, **common).fit(X, y))  # noqa: B023
        theirs_params = {k: v for k, v in common.items() if k != "solver" or v != "gd"}
        if params["solver"] == "gd":  # scikit-learn's nearest: sgd on one batch, no momentum
            theirs_params.update(solver="sgd", batch_size=X.shape[0], momentum=0.0)
        theirs = seconds(lambda: MLPClassifier(**theirs_params).fit(X, y))  # noqa: B023
        if device is None:
            row = ["-", "-", "skipped"]
        else:
            X_d, y_d = to_device(X), to_device(y)
            with sklearn.config_context(array_api_dispatch=True):
                fit = lambda: TinyMLPClassifier(alpha=1e-4, **common).fit(X_d, y_d)  # noqa: B023, E731
                fit()  # warm: kernels compiled, memory pooled
                on_device = seconds(fit, synchronize)
            by_flops, by_bytes = floors(data, params, args.epochs, flop_rate, bandwidth)
            bound = "FLOPs" if by_flops > by_bytes else "bytes"
            share = f", {by_flops / on_device:.0%} of the matmul rate" * (params["solver"] == "gd")
            row = [
                f"{by_flops:.3f} s" + (" (bound)" if bound == "FLOPs" else ""),
                f"{by_bytes:.3f} s" + (" (bound)" if bound == "bytes" else ""),
                f"{on_device:.2f} s ({cpu / on_device:.1f}x our CPU,"
                f" {theirs / on_device:.1f}x scikit-learn{share})",
            ]
        print(f"| {name} | {' | '.join(row)} | {cpu:.2f} s | {theirs:.2f} s |", flush=True)


if __name__ == "__main__":
    main()
