# Two entry points: `make run` (set up, build the index, search) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QUERY ?= công tác dân vận vùng đồng bào DTTS

.PHONY: setup run index test clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(BIN)/tracuu index corpus

run: index
	$(BIN)/tracuu search "$(QUERY)" --limit 5

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
