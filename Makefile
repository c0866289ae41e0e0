# swe-agent: `make demo` runs the main job on the built-in defaults, `make test` runs the checks.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install demo test lint typecheck contracts pytest clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/swe-agent localize --repo examples/calculator --issue @examples/calculator/ISSUE.md --top 5

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck contracts pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
