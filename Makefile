# Two entry points: `make run` (set up, build the index if needed, serve the UI) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run index test clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(BIN)/tracuu index corpus

# `tracuu serve` builds the index first when it is missing or older than corpus/.
run: setup
	$(BIN)/tracuu serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
