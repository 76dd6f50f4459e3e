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

# `make demo`: a sample library and three channels, planned, then the station on the LAN and
# the operator console beside it on loopback. The station prints the URLs to open (guide page,
# M3U, XMLTV, HDHomeRun) once it listens; the console prints its URL and how to sign in. Both
# share one admin token (RETROVUE_ADMIN_TOKEN, made up when unset) for the director switch.
DEMO_PORT ?= 8420
DEMO_HOST ?= 0.0.0.0
DEMO_CONSOLE_PORT ?= 8421
DEMO_CONSOLE_HOST ?= 127.0.0.1

demo: $(BIN)/.installed
	$(BIN)/retrovue demo --quiet
	$(BIN)/retrovue-station plan
	@token="$${RETROVUE_ADMIN_TOKEN:-$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(16))')}"; \
	RETROVUE_ADMIN_TOKEN="$$token" $(BIN)/retrovue console --host $(DEMO_CONSOLE_HOST) \
	    --port $(DEMO_CONSOLE_PORT) --station-url http://127.0.0.1:$(DEMO_PORT) & console=$$!; \
	trap 'kill $$console 2>/dev/null' EXIT INT TERM; \
	RETROVUE_ADMIN_TOKEN="$$token" $(BIN)/retrovue-station serve --host $(DEMO_HOST) --port $(DEMO_PORT)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
