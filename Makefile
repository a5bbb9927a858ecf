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
	scripts/with-postgres.sh $(BIN)/pytest -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
