# saferplaces: one task runner for people and CI alike. `make help` lists targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SAFERPLACES := $(BIN)/saferplaces
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/saferplaces
TEST_DATA_DIR := $(CURDIR)/var/test
BUILD := saferplaces/web/static/saferplaces/build

# Debian packages: Pango and fonts for the tasking pack's PDF (WeasyPrint);
# poppler-utils for the test that turns its pages into images; nginx for the
# test of the example proxy site (deploy/nginx.conf), which it never starts
# as a service.
DEBIAN_RUNTIME := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
DEBIAN_TEST := poppler-utils nginx

.PHONY: help demo serve test test-sqlite test-spark test-attack test-attack-spark test-postgres lint format assets install install-dev lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

demo: install assets ## Install, migrate, load the synthetic demo partnership and users, serve on http://127.0.0.1:8000
	$(SAFERPLACES) migrate
	$(SAFERPLACES) demo
	$(SAFERPLACES) serve --host $(HOST) --port $(PORT)

serve: install assets ## Serve without touching users (HOST, PORT)
	$(SAFERPLACES) serve --host $(HOST) --port $(PORT)

test: install-dev assets $(VENV)/.chromium ## Run every test: on SQLite (the browser's too) and, at the same time, on PostgreSQL when reachable, then the attackers' and Spark's
	@# Two lines of work side by side, one on each core: the SQLite leg, and
	@# the PostgreSQL leg followed by the attackers' and the Spark engine's
	@# tests (one run: they share the demo store). The second's
	@# output is kept and printed when both have ended.
	@status=0; log=$$(mktemp); \
	( other=0; \
	  if $(BIN)/python scripts/postgres-reachable "$(PG_URL)"; then \
		$(MAKE) --no-print-directory test-postgres || other=1; \
	  else \
		echo "== PostgreSQL is not reachable at $(PG_URL): skipping the PostgreSQL leg =="; \
	  fi; \
	  $(MAKE) --no-print-directory test-attack-spark || other=1; \
	  exit $$other ) >"$$log" 2>&1 & alongside=$$!; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	wait $$alongside || status=1; \
	echo "== Run alongside: the PostgreSQL leg, then the attackers' and the Spark engine's tests =="; \
	cat "$$log"; rm -f "$$log"; exit $$status

test-sqlite: ## The test suite on SQLite, but for the attackers' and the Spark engine's tests
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL SAFERPLACES_DATA_DIR=$(TEST_DATA_DIR)/sqlite $(BIN)/pytest -m "not spark and not attack" --basetemp=$(TEST_DATA_DIR)/sqlite-tmp

test-attack-spark: install-dev ## The attackers' and the Spark engine's tests, in one run
	@echo "== The attackers' and the Spark engine's tests =="
	env -u DATABASE_URL SAFERPLACES_DATA_DIR=$(TEST_DATA_DIR)/spark $(BIN)/pytest -m "attack or spark" --basetemp=$(TEST_DATA_DIR)/spark-tmp

test-attack: install-dev ## The attackers: no published figure can be pinned (docs/publication.md)
	@echo "== The attackers' tests =="
	env -u DATABASE_URL SAFERPLACES_DATA_DIR=$(TEST_DATA_DIR)/attack $(BIN)/pytest -m attack --basetemp=$(TEST_DATA_DIR)/attack-tmp

test-spark: install-dev ## The Spark engine's tests: both engines give the same figures
	@echo "== The Spark engine's tests =="
	env -u DATABASE_URL SAFERPLACES_DATA_DIR=$(TEST_DATA_DIR)/spark $(BIN)/pytest -m spark --basetemp=$(TEST_DATA_DIR)/spark-tmp

test-postgres: ## The test suite on PostgreSQL only (PG_URL)
	@echo "== Test suite on PostgreSQL ($(PG_URL)) =="
	@# A database name of its own per run (the shell's PID), so a concurrent or
	@# killed run holding test_saferplaces cannot break this one. Browser
	@# tests prove what only a browser can (drawing, scripts, axe): they run on
	@# the SQLite leg; this leg runs everything that touches the database.
	DATABASE_URL=$(PG_URL)_$$$$ SAFERPLACES_DATA_DIR=$(TEST_DATA_DIR)/postgres $(BIN)/pytest -m "not browser and not spark and not attack" --basetemp=$(TEST_DATA_DIR)/postgres-tmp

lint: install-dev ## ruff check, ruff format --check, mypy, lint-imports (the layers)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy saferplaces
	$(BIN)/lint-imports

format: install-dev ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

install: $(VENV)/.runtime ## Python runtime dependencies in .venv (pinned by constraints.txt)

install-dev: $(VENV)/.dev ## Python runtime and development dependencies

assets: $(BUILD)/.built ## Build CSS and JavaScript from npm packages

$(VENV)/.python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "saferplaces needs Python 3.11"' \
		|| { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	@touch $@

$(VENV)/.runtime: $(VENV)/.python pyproject.toml constraints.txt scripts/ensure-debian-packages
	scripts/ensure-debian-packages $(DEBIAN_RUNTIME)
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime scripts/ensure-java
	scripts/ensure-debian-packages $(DEBIAN_TEST)
	scripts/ensure-java
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

$(VENV)/.chromium: scripts/ensure-chromium
	scripts/ensure-chromium
	@mkdir -p $(VENV) && touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(BUILD)/.built: node_modules/.installed $(wildcard frontend/*)
	npm run --silent build
	@touch $@

lock: ## Re-resolve the newest allowed versions into constraints.txt
	rm -rf /tmp/saferplaces-lock && $(PYTHON) -m venv /tmp/saferplaces-lock
	/tmp/saferplaces-lock/bin/pip install --quiet -e ".[dev]"
	(echo "# Pinned versions for saferplaces and its tools; regenerate with: make lock"; \
	 /tmp/saferplaces-lock/bin/pip freeze --exclude-editable | sort -f) > constraints.txt

clean: ## Remove build output, caches and the virtualenv (keeps var/, the data)
	rm -rf $(VENV) node_modules $(BUILD) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
