"""Sphinx configuration: numpydoc API pages, a sphinx-gallery of examples, the pydata theme."""

import os
import re

# the GPU example trains inside scikit-learn's array_api_dispatch, which needs scipy's array
# API support: scipy reads this once, when it is first imported
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import sklearn_xornet  # noqa: E402
from sklearn_xornet._docs import DOCS_URL  # noqa: E402

project = "sklearn_xornet"
author = "the sklearn_xornet developers"
copyright = "the sklearn_xornet developers"
release = version = sklearn_xornet.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build"]
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
# numpydoc lists the methods itself; autodoc's member list would repeat them
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_xornet {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
# where the site is published: the estimators' HTML repr links to its API pages
html_baseurl = DOCS_URL

# the examples run on every build: the figures are made, not copied
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # each API page lists the examples that use its class
    "doc_module": ("sklearn_xornet",),
    "backreferences_dir": "generated/backreferences",
    "filename_pattern": "/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
}

# the examples are built headless
os.environ.setdefault("MPLBACKEND", "Agg")


def _plain_scikit_learn_references(app, what, name, obj, options, lines):
    """Inherited scikit-learn docstrings (``set_output``'s) point at labels of scikit-learn's
    own site, which this one does not have: keep their text, without the link."""
    for i, line in enumerate(lines):
        line = re.sub(r":ref:`([^`<]+?)\s*<[^`>]+>`", r"\1", line)
        lines[i] = re.sub(r":ref:`sphx_glr_auto_examples_[^`]+`", "scikit-learn's gallery", line)


def setup(app):
    app.connect("autodoc-process-docstring", _plain_scikit_learn_references)
