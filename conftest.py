"""Collection rules for the whole tree (the doctests of the package included)."""

import importlib.util
import os

# scikit-learn's array API checks, and training on other libraries' arrays, need scipy's
# array API support, which scipy reads once, when it is first imported
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# the ONNX module imports skl2onnx, an optional extra: without it there is nothing to collect
collect_ignore = []
if importlib.util.find_spec("skl2onnx") is None:
    collect_ignore.append("sklearn_xornet/onnx.py")

if importlib.util.find_spec("hypothesis") is not None:
    from hypothesis import settings

    # The property tests draw the same examples on every run, so that `make test` cannot
    # fail by chance; HYPOTHESIS_PROFILE=explore draws new ones, to search for bugs.
    settings.register_profile("repeatable", derandomize=True, database=None)
    settings.register_profile("explore", derandomize=False)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
