# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench clean

install: $(STAMP)

# Reinstall only when the project's metadata changes; the package itself is editable.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/qa-bot run

test: lint
	$(BIN)/python -m pytest -q

# ruff's rules and format live in pyproject.toml; make test runs this first, so CI does too.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The quicker benchmarks (a few minutes); the 1M-passage engine run is in bench/README.md.
bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/scifact.py
	$(BIN)/python bench/engines.py --sizes 1000,10000,100000
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
