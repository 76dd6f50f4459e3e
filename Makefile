# RetroVue: `make test` sets up .venv, installs the project with its test extras, then runs
# the linters (ruff, lint-imports, mypy) and the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: test lint demo clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

lint: $(BIN)/.installed
	$(BIN)/ruff check retrovue tests bench
	$(BIN)/ruff format --check retrovue tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# `make demo`: a sample library and three channels, planned, then the station on the LAN.
# The station prints the URLs to open (guide page, M3U, XMLTV, HDHomeRun) once it listens.
DEMO_PORT ?= 8420
DEMO_HOST ?= 0.0.0.0

demo: $(BIN)/.installed
	$(BIN)/retrovue demo --quiet
	$(BIN)/retrovue-station plan
	$(BIN)/retrovue-station serve --host $(DEMO_HOST) --port $(DEMO_PORT)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
