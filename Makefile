# swe-agent: `make demo` runs the main job on the built-in defaults, `make test` runs the checks.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install local-model demo test lint typecheck contracts pytest clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

# llama-cpp-python compiles from source (~4 min on 2 cores; pip caches the wheel afterwards).
LLAMA_CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

# The server extra serves the model over an OpenAI-compatible API (swe-agent models serve).
$(VENV)/.local-model: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install -q -e ".[test,local-model,server]"
	touch $@

local-model: $(VENV)/.local-model

# The demo compiles the model runtime itself, while the model downloads in the background.
demo: install
	bash examples/demo.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Test folders are checked one by one: each has its own conftest module, and they are not packages.
TEST_DIRS = $(filter-out tests/fixtures/,$(sort $(dir $(wildcard tests/*/))))

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy tests/*.py
	for dir in $(TEST_DIRS); do $(BIN)/mypy "$$dir" || exit 1; done

contracts: install
	$(BIN)/lint-imports

# Two passes: two workers (pytest-xdist, a test file per worker at a time) for every test but the
# real-model and `serial` ones, which then run alone (llama.cpp stalls on a busy machine; a fork
# bomb slows whatever runs beside it). Exit code 5 (no test selected) is not a failure.
PYTEST_WORKERS ?= 2
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not model and not serial" $(PYTEST_ARGS) \
		|| [ $$? -eq 5 ]
	$(BIN)/pytest -m "model or serial" $(PYTEST_ARGS) || [ $$? -eq 5 ]

test: lint typecheck contracts pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
