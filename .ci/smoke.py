"""A smoke test of an installed wheel, run from outside the source tree: the package comes
from site-packages, its metadata version is its __version__, and it fits and predicts."""

import importlib.metadata
from pathlib import Path

import numpy as np

import sklearn_xornet
from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

assert "site-packages" in Path(sklearn_xornet.__file__).parts, sklearn_xornet.__file__
assert importlib.metadata.version("sklearn-xornet") == sklearn_xornet.__version__
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([0, 1, 1, 0])
clf = TinyMLPClassifier(random_state=0).fit(X, y)
assert (clf.predict(X) == y).all()
reg = TinyMLPRegressor(hidden_layer_sizes=(8,), alpha=1e-3, random_state=0).fit(X, y)
assert np.abs(reg.predict(X) - y).max() < 0.2
assert clf._get_doc_link().endswith("/generated/sklearn_xornet.TinyMLPClassifier.html")
print(f"sklearn-xornet {sklearn_xornet.__version__}: the installed wheel fits and predicts")
