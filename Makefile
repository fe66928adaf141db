# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev test test-fast install runtime browser serve migrate demo lint format messages compilemessages bench clean screenshots wheel

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies change. Running Puente needs only its own
# dependencies; the test tools (a browser driver, an LRS, property-based testing...) come with
# `make test` and the other developer targets.
$(VENV)/.installed-runtime: pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -e ".[dev,postgres,redis]"
	touch $@ $(VENV)/.installed-runtime

runtime: $(VENV)/.installed-runtime

install: $(VENV)/.installed

migrate: runtime
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## Set up, load the demo courses and serve http://$(HOST):$(PORT) on SQLite, with a worker
## that delivers xAPI statements (to XAPI_LRS_ENDPOINT, if set). Ctrl-C stops both.
## As a school sees it: no debug pages, the friendly error pages in the reader's language.
run: demo
	@$(PY) manage.py deliver_statements & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=0 $(PY) manage.py runserver --noreload $(HOST):$(PORT)

## The same for developers: Django's debug pages and reloading on every change.
dev: demo
	@$(PY) manage.py deliver_statements & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Front-end test tools from npm (axe-core), pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests use: chromium (browser tests), nginx (the deployment kit's tests),
# sqlite3 (the documented SQLite backup). Installed when missing (as root, as on CI).
SYSTEM_PACKAGES := chromium nginx sqlite3
browser:
	@missing=""; for tool in $(SYSTEM_PACKAGES); do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "The tests need:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; fi

# One pytest worker per core (at most 4), each with its own test database (pytest-xdist).
# PARALLEL= runs the suite in one process.
PARALLEL ?= -n auto --maxprocesses 4

## Install what the tests need and run the whole suite (PYTEST_ARGS passes options through).
test: install node_modules/.installed browser
	$(BIN)/pytest $(PARALLEL) $(PYTEST_ARGS)

# The key screens of every journey test, as a 360 px phone shows them, for the README's tour.
## The quick loop while working: everything but the browser, the Ralph LRS and the slow tests.
test-fast: install
	$(BIN)/pytest $(PARALLEL) -m "not browser and not ralph and not slow" $(PYTEST_ARGS)

screenshots: install node_modules/.installed browser
	rm -rf docs/screenshots/journeys
	PUENTE_SCREENSHOTS=docs/screenshots/journeys $(BIN)/pytest tests/test_browser_family.py tests/test_browser_educator.py -k "not no-javascript"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Interface strings: extract, then compile after translating the .po files.
messages: install
	$(PY) manage.py makemessages --all --no-obsolete --ignore='.venv*' --ignore='var/*' --ignore='lms/*' --ignore='tests/*' --ignore='bench/*'
	cd lms && ../$(PY) ../manage.py makemessages --all --no-obsolete

compilemessages: install
	$(PY) manage.py compilemessages --ignore='.venv*' --ignore='var/*'

bench: install
	$(PY) bench/lesson_page.py
	$(PY) bench/peer.py
	$(PY) bench/course_growth.py
	$(PY) bench/events_ingest.py
	$(PY) bench/xapi_delivery.py
	$(PY) bench/class_dashboard.py
	$(PY) bench/help_queue.py
	$(PY) bench/phone_budget.py
	$(PY) bench/lighthouse.py
	$(PY) bench/load.py
	$(PY) bench/outbox_claim.py

## The plugin alone as a wheel, dist/puente_lms-*.whl (docs/plugin.md).
wheel: runtime
	$(PY) packaging/build_lms_wheel.py dist

clean:
	rm -rf $(VENV) .venv-ralph node_modules db.sqlite3 media static var dist
