"""The declared dependency floors are the versions `make test-min` tests against."""

from pathlib import Path

import pytest

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
