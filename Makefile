# The two set-up commands (README): `make run` builds the graph from the bundled data, prints
# its statistics and serves it (SPARQL endpoint on http://127.0.0.1:8000/sparql); `make test`
# runs the whole test suite. Both set up .venv first.
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
	$(BIN)/kamergraph serve

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/build_benchmark.py

clean:
	rm -rf var
