# The two set-up commands (README): `make run` builds the graph from the bundled data and
# prints its statistics; `make test` runs the whole test suite. Both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup build stats bench clean

$(BIN)/kamergraph: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/kamergraph

run: setup
	$(BIN)/kamergraph build
	$(BIN)/kamergraph stats

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/build_benchmark.py

clean:
	rm -rf var
