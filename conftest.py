"""Collection rules for the whole tree (the doctests of the package included)."""

import importlib.util

# the ONNX module imports skl2onnx, an optional extra: without it there is nothing to collect
collect_ignore = []
if importlib.util.find_spec("skl2onnx") is None:
    collect_ignore.append("sklearn_xornet/onnx.py")
