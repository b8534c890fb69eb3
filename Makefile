# Every target bootstraps the local virtualenv it needs: `make demo` and `make test` work
# from a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test test-min lint bench docs dist clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-%: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[$*]"
	touch $@

demo: $(VENV)/.installed
	$(PY) -m sklearn_xornet

# torch's CPU build (183 MB), where the package index has it: the array-API tests and
# scikit-learn's array-API checks then run on torch too; without it they skip. The local
# version pins the CPU build: never the CUDA one, which is gigabytes.
$(VENV)/.installed-torch: | $(PY)
	-$(PY) -m pip install --quiet "torch==2.13.0+cpu" && touch $@

test: $(VENV)/.installed-test,skops,onnx,distributed $(VENV)/.installed-torch
	$(PY) -m pytest

# the same suite in a second virtualenv, on the oldest versions pyproject.toml declares
MIN_VENV := .venv-min
$(MIN_VENV)/.installed: pyproject.toml .ci/oldest.txt
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/python -m pip install --quiet -c .ci/oldest.txt -e ".[test,skops]"
	touch $@

test-min: $(MIN_VENV)/.installed
	$(MIN_VENV)/bin/python -m pytest -p no:cacheprovider

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# the site, with its gallery run, in docs/_build/html; any warning fails the build
docs: $(VENV)/.installed-docs
	rm -rf docs/generated docs/auto_examples
	$(PY) -m sphinx -E -W --keep-going -b html docs docs/_build/html

# the sdist and wheel, built and checked as an index would take them: twine's check, the
# wheel alone in a fresh virtualenv (.ci/smoke.py, run outside the tree), and the test
# suite run from the unpacked sdist, installed with its test extra in another
CHECK := build/dist-check
dist: $(VENV)/.installed-dev
	rm -rf dist $(CHECK)
	$(PY) -m build --outdir dist .
	$(PY) -m twine check --strict dist/*
	$(PYTHON) -m venv $(CHECK)/wheel
	$(CHECK)/wheel/bin/python -m pip install --quiet dist/*.whl
	cd $(CHECK) && wheel/bin/python $(CURDIR)/.ci/smoke.py
	mkdir -p $(CHECK)/sdist && tar -xzf dist/*.tar.gz -C $(CHECK)/sdist
	$(PYTHON) -m venv $(CHECK)/sdist-venv
	$(CHECK)/sdist-venv/bin/python -m pip install --quiet "$$(ls $(CURDIR)/dist/*.tar.gz)[test]"
	cd $(CHECK)/sdist/sklearn_xornet-* && $(CURDIR)/$(CHECK)/sdist-venv/bin/python -m pytest -p no:cacheprovider -q

bench: $(VENV)/.installed-test
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) $(MIN_VENV) .pytest_cache .ruff_cache docs/_build docs/generated docs/auto_examples dist build
