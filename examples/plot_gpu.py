"""
=================
Training on a GPU
=================

Inside scikit-learn's ``array_api_dispatch``, both estimators train arrays of another
library (torch, CuPy) where they live: on a GPU, the data never goes back to the host, the
fitted weights stay on the device and so do the predictions. This example takes torch's GPU
arrays where there is a GPU, torch's CPU arrays where there is none, and array-api-strict's
where torch is not installed, so it runs everywhere; on a CPU it shows how, not how fast
(see the user guide's "Training on a GPU"). The device path is tested on array-api-strict
and torch's CPU build; it has not yet run on a CUDA GPU or with CuPy.
"""

# %%
# Where the arrays live
# ---------------------
# scikit-learn needs scipy's array API support, which scipy reads when it is first imported:
# set ``SCIPY_ARRAY_API=1`` in the environment before anything imports scipy (this site's
# build does it in its configuration).
import os
import warnings

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from sklearn_xornet import TinyMLPClassifier  # noqa: E402


def device_arrays():
    """A name, and the function putting a NumPy array where training should happen."""
    try:
        import torch
    except ImportError:
        import array_api_strict

        return "array-api-strict (CPU)", array_api_strict.asarray
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return f"torch on {device}", lambda array: torch.asarray(array, device=device)


where, to_device = device_arrays()
print("training on", where)

X, y = make_classification(
    n_samples=20000, n_features=20, n_informative=10, n_classes=3, random_state=0
)
X = X.astype(np.float32)  # GPUs are fastest in float32
train, test = slice(0, 15000), slice(15000, None)

# %%
# Fit and predict on the device
# -----------------------------
# Large batches are what a GPU is for: each step is a few big matrix products. The starting
# weights are drawn on the host from ``random_state``, so the fit is the NumPy fit, up to
# float32 rounding.
params = dict(
    hidden_layer_sizes=(128,), solver="adam", batch_size=1000, max_iter=20, random_state=0
)
warnings.simplefilter("ignore", ConvergenceWarning)  # 20 epochs: a demonstration
with sklearn.config_context(array_api_dispatch=True):
    clf = TinyMLPClassifier(**params).fit(to_device(X[train]), to_device(y[train]))
    proba = clf.predict_proba(to_device(X[test]))
    accuracy = clf.score(to_device(X[test]), to_device(y[test]))
print(f"weights: {type(clf.coefs_[0]).__name__}, predictions: {type(proba).__name__}")
print(f"held-out accuracy on the device: {accuracy:.4f}")

# %%
# A NumPy copy, for machines without the device
# ---------------------------------------------
# ``to_numpy()`` returns the same model with NumPy arrays: it predicts on NumPy input,
# pickles for a CPU-only machine, and exports to ONNX or skops.
cpu_model = clf.to_numpy()
print(f"held-out accuracy of the NumPy copy: {cpu_model.score(X[test], y[test]):.4f}")

on_numpy = TinyMLPClassifier(**params).fit(X[train], y[train])
pairs = zip(cpu_model.coefs_, on_numpy.coefs_, strict=True)
difference = max(np.abs(a - b).max() for a, b in pairs)
print(f"largest difference from the same fit on NumPy arrays: {difference:.1e}")
