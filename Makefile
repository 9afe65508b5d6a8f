# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false
TEST_PORT ?= 8765

.PHONY: run test test-unit install install-test build lint clean

run: install build ## install, migrate, seed the demo, start web + worker + cron
	@$(ENV) $(PY) -m hygate_app.cli up

test: install-test ## install what the tests need and run them all (real PostgreSQL, Redis, Chromium)
	@$(ENV) PORT=$(TEST_PORT) HYGATE_DEMO=true $(MAKE) --no-print-directory build
	@$(ENV) HYGATE_TEST_PORT=$(TEST_PORT) $(PY) -m pytest -q -p no:cacheprovider

test-unit: install-test
	@$(ENV) $(PY) -m pytest -q tests/unit

lint: install-test
	@$(VENV)/bin/ruff check .

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@command -v redis-server >/dev/null || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)) || \
		echo "note: redis-server not installed; set REDIS_URL to a running Redis"
	@touch $@

install-test: install $(VENV)/.installed-test

$(VENV)/.installed-test: requirements-test.txt
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@touch $@

build: ## compile and build the frontend once (the web process serves it, no rebuild at start)
	@echo "Building the frontend (first time: installs npm packages, a few minutes)…"
	@$(ENV) $(VENV)/bin/reflex export --frontend-only --no-zip --loglevel warning >/dev/null

clean:
	rm -rf .web $(VENV) .run hygate.db*
