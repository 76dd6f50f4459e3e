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
DEMO_PORT ?= 8420
DEMO_HOST := $(shell hostname -I 2>/dev/null | cut -d' ' -f1)

demo: $(BIN)/.installed
	$(BIN)/retrovue demo --quiet
	$(BIN)/retrovue-station plan
	@echo ""
	@echo "RetroVue demo station ready. Open:"
	@echo "  VLC / mpv / Kodi (M3U):    http://$(or $(DEMO_HOST),127.0.0.1):$(DEMO_PORT)/iptv/channels.m3u"
	@echo "  Guide (XMLTV):             http://$(or $(DEMO_HOST),127.0.0.1):$(DEMO_PORT)/iptv/xmltv.xml"
	@echo "  Plex / Jellyfin tuner:     $(or $(DEMO_HOST),127.0.0.1):$(DEMO_PORT)  (HDHomeRun)"
	@echo "Ctrl-C stops the station."
	$(BIN)/retrovue-station serve --host 0.0.0.0 --port $(DEMO_PORT)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
