# Two entry points for a fresh clone: `make run` and `make test`. Both build the
# local virtual environment first, from nothing but the clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# uv installs .venv exactly as uv.lock says (runtime + dev group, the project editable).
# uv itself, at the version pyproject.toml requires, lives in a venv of its own: `uv
# sync` removes from .venv whatever the lock does not list.
TOOLS ?= .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := $(shell sed -n 's/^required-version = "==\(.*\)"/\1/p' pyproject.toml)
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint check docs venv clean

venv: $(VENV)/.installed

$(TOOLS)/.uv-$(UV_VERSION):
	rm -rf $(TOOLS)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q "uv==$(UV_VERSION)"
	touch $@

$(VENV)/.installed: pyproject.toml uv.lock $(TOOLS)/.uv-$(UV_VERSION)
	$(UV) sync --locked --quiet --python $(PYTHON)
	touch $@

run: venv
	$(BIN)/ivig serve

# The tests run against SQLite always and against a throwaway PostgreSQL that the
# wrapper starts when the server binaries exist (CI insists on it).
test: venv
	scripts/with-postgres.sh $(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The developer loop, about a minute: the linters and the fast unit tests.
check: lint
	$(BIN)/pytest -q -n 2 tests/unit

# Every generated document, one line each: the file=the module:function that writes it.
GENERATED_DOCS += docs/course-states.md=ivig_workflow.domain.course.diagram:document
GENERATED_DOCS += docs/configuration.md=ivig_workflow.settings:document

docs: venv
	$(BIN)/python scripts/write-docs.py $(GENERATED_DOCS)

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache

# Benchmarks (issue 6): figures and ratios appended to bench/results/results.jsonl.
# `bench` takes tens of minutes (the 1,000,000-course database is built once, in
# /tmp/ivig-bench); `bench-smoke` runs every workload at a small size for CI.
.PHONY: bench bench-smoke
bench: venv
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.sweep --max-due 1000
	$(BIN)/python -m bench.sweep_scale
	$(BIN)/python -m bench.orchestration
	$(BIN)/python -m bench.simulated_year --courses 10000
	scripts/with-postgres.sh $(BIN)/python -m bench.postgres

bench-smoke: venv
	$(BIN)/python -m bench.ingest --smoke
	$(BIN)/python -m bench.sweep --smoke
	$(BIN)/python -m bench.sweep_scale --smoke
	$(BIN)/python -m bench.simulated_year --smoke
	$(BIN)/python -m bench.scheduling --smoke

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
