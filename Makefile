# Two entry points for a fresh clone: `make run` and `make test`. Both build the
# local virtual environment first, from nothing but the clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

run: venv
	$(BIN)/ivig serve

# The tests run against SQLite always and against a throwaway PostgreSQL that the
# wrapper starts when the server binaries exist (CI insists on it).
test: venv
	scripts/with-postgres.sh $(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# Benchmarks (issue 6): figures and ratios appended to bench/results/results.jsonl.
# `bench` takes tens of minutes (the 1,000,000-course database is built once, in
# /tmp/ivig-bench); `bench-smoke` runs every workload at a small size for CI.
.PHONY: bench bench-smoke
bench: venv
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.sweep --max-due 1000
	$(BIN)/python -m bench.orchestration
	$(BIN)/python -m bench.simulated_year --courses 10000
	scripts/with-postgres.sh $(BIN)/python -m bench.postgres

bench-smoke: venv
	$(BIN)/python -m bench.ingest --smoke
	$(BIN)/python -m bench.sweep --smoke
	$(BIN)/python -m bench.simulated_year --smoke

# Reliability (issue 12): the kill -9 harness at length. `make soak` kills the API
# hundreds of times (SOAK_KILLS, default 300) while wards send events, compares the
# database with a run never killed, and prints kills, events, lost, doubled, wall time;
# then the dispatcher under as many kills. The CI-sized runs are in tests/reliability.
.PHONY: soak
SOAK_KILLS ?= 300
soak: venv
	SOAK_KILLS=$(SOAK_KILLS) $(BIN)/python -m tests.reliability.harness
	IVIG_RELIABILITY_KILLS=$(SOAK_KILLS) $(BIN)/pytest -q -s -p no:cacheprovider \
		tests/reliability/test_outbox_under_kills.py
