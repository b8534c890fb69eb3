"""What an index and a notebook show of the package: its metadata, its changelog, the
HTML repr's link to the documentation; and the declared dependency floors are the versions
`make test-min` tests against."""

import importlib.metadata
import re
from pathlib import Path

import pytest
from sklearn.utils import estimator_html_repr

import sklearn_xornet
from sklearn_xornet import TinyMLPClassifier, TinyMLPRegressor

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parent.parent


def version(text):
    """'1.6' and '1.6.0' are one version."""
    parts = [int(part) for part in text.strip().split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def test_make_test_min_pins_exactly_the_declared_floors():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = {
        name: version(floor)
        for name, floor in (requirement.split(">=") for requirement in project["dependencies"])
    }
    pins = {
        name: version(pin)
        for name, pin in (
            line.split("==")
            for line in (ROOT / ".ci" / "oldest.txt").read_text().splitlines()
            if line and not line.startswith("#")
        )
    }
    assert floors == pins


@pytest.mark.parametrize("Estimator", [TinyMLPClassifier, TinyMLPRegressor])
def test_the_html_repr_links_to_the_estimators_api_page(Estimator):
    name = Estimator.__name__
    url = f"https://sklearn-xornet.readthedocs.io/en/stable/generated/sklearn_xornet.{name}.html"
    assert Estimator()._get_doc_link() == url
    assert f'href="{url}"' in estimator_html_repr(Estimator(solver="adam"))
    # the page the link names is the one the API reference generates
    api = ROOT / "docs" / "api.rst"
    if api.exists():  # not in the sdist
        text = api.read_text()
        assert ":toctree: generated/" in text and f"   {name}\n" in text
        assert "currentmodule:: sklearn_xornet" in text


def test_the_installed_metadata_is_the_packages():
    metadata = importlib.metadata.metadata("sklearn-xornet")
    assert importlib.metadata.version("sklearn-xornet") == sklearn_xornet.__version__
    urls = dict(entry.split(", ", 1) for entry in metadata.get_all("Project-URL"))
    assert {"Documentation", "Source", "Changelog"} <= set(urls)
    assert urls["Documentation"] in TinyMLPClassifier()._get_doc_link()
    assert metadata["License-Expression"] == "BSD-3-Clause"
    assert "License :: OSI Approved :: BSD License" in metadata.get_all("Classifier")
    assert "scikit-learn" in metadata["Keywords"]


def test_the_classifiers_name_every_supported_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    oldest = int(re.fullmatch(r">=3\.(\d+)", project["requires-python"]).group(1))
    named = {
        int(c.rsplit(".", 1)[1])
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert min(named) == oldest and named == set(range(oldest, max(named) + 1))


def test_the_changelog_names_the_current_version():
    changelog = ROOT / "CHANGELOG.md"
    headings = re.findall(r"^## (\S+)", changelog.read_text(), flags=re.MULTILINE)
    assert headings[0] == sklearn_xornet.__version__
