# `make serve` and `make test` each bootstrap .venv from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1

.PHONY: serve test lint typecheck layers pytest fuzz mutate bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e clients/python
	touch $(VENV)/.runtime $@

serve: $(VENV)/.runtime
	$(BIN)/patron serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench migrations scripts clients
	$(BIN)/ruff format --check src tests bench migrations scripts clients

typecheck: $(VENV)/.dev
	$(BIN)/mypy src/patron
	$(BIN)/mypy --strict clients/python/src

layers: $(VENV)/.dev
	$(BIN)/lint-imports

# The suite runs in TEST_PROCESSES pytest-xdist workers, each with its own databases and ports.
TEST_PROCESSES ?= 2

# The browser tests (tests/console) drive Debian's Chromium; installed here when missing (as root,
# which these machines are), since Playwright cannot download a browser of its own.
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

pytest: $(VENV)/.dev browser
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) tests clients/python/tests

test: lint typecheck layers pytest

fuzz: $(VENV)/.dev
	PATRON_FUZZ_EXAMPLES=500 PATRON_PROPERTY_EXAMPLES=300 PATRON_WORKER_EVENTS=2000 $(BIN)/python -m pytest tests/fuzz tests/limits/test_extreme_values_property.py tests/worker -q

# Breaks each promise on purpose in a temporary copy of the tree and fails unless its tests
# notice (scripts/mutate.py; the table is in docs/RELIABILITY.md). Both databases, about 4 minutes.
mutate: $(VENV)/.dev
	$(BIN)/python scripts/mutate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Starts its own servers (ports 8400-8410, databases patron_bench, patron_bench_outbox,
# patron_bench_records, patron_bench_events and patron_bench_imports), about 14 minutes; bench/README.md lists the BENCH_* knobs.
bench: $(VENV)/.dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/outbox.py
	$(BIN)/python bench/records.py
	$(BIN)/python bench/events.py
	$(BIN)/python bench/imports.py
