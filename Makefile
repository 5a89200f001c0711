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

# The editor page's front-end packages (YASGUI), from npm into frontend/node_modules (never committed).
# Without npm the server still runs; /query is then a plain form.
NODE_STAMP := frontend/node_modules/.package-lock.json

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd frontend && npm ci --ignore-scripts --no-audit --no-fund; \
	else \
		echo "warning: npm not found: the /query editor (YASGUI) is not installed; /query works as a plain form" >&2; \
	fi

setup: $(BIN)/kamergraph $(NODE_STAMP)

run: setup
	$(BIN)/kamergraph build
	$(BIN)/kamergraph stats
	$(BIN)/kamergraph serve

# The tests on every core (pytest-xdist): the tests of a file (of tests/remote/: of the folder) stay on
# one worker, so that their fixtures start once (tests/conftest.py); built stores are cached
# (tests/support/build_cache.py); the 15 slowest steps are listed at the end.
test: setup
	$(BIN)/python -m pytest -q -n auto --dist loadfile --durations=15

bench: setup
	$(BIN)/python bench/build_benchmark.py

clean:
	rm -rf var
