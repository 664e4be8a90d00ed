# The project's front door. `make run` and `make test` are the README's Quick start.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
DEV_ENV := var/development.env
# Development targets run with DEBUG on; var/development.env is only read when it is.
run setup: export DJANGO_DEBUG := 1

.PHONY: help run setup assets migrate seed test drill cluster-drill lint format bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

assets: node_modules/.installed  ## Build NHS.UK frontend and our styles into static/dist/
	mkdir -p static/dist
	npm run --silent build:css
	cp -R node_modules/nhsuk-frontend/dist/nhsuk/assets/images static/dist/
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js static/dist/
	cp static/js/portal.js static/dist/portal.js

# Rebuilt when devkeys.py changes, so a key added to the project reaches existing files.
$(DEV_ENV): $(VENV)/.installed portal/devkeys.py
	$(PY) -m portal.devkeys $(DEV_ENV)

setup: $(VENV)/.installed assets $(DEV_ENV)  ## Install everything and prepare the development databases
	$(PY) -m portal.devkeys $(DEV_ENV)
	$(PY) manage.py migrate --database default
	$(PY) manage.py migrate --database confidential
	$(PY) manage.py seed_demo

run: setup  ## Start the portal on http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all)
	@echo "Starting the portal on http://127.0.0.1:8000 (Ctrl-C stops the site, worker and beat)"
	@bash scripts/run-dev.sh

# Connections are not kept between requests in tests: worker and live-server threads would
# otherwise hold the test databases open when pytest drops them. The catalogue search's cases
# then run again on SQLite (in-memory databases made by the same migrations), the embedded
# default of `make run`, so both of its backends pass the same tests (ADR 0032).
SQLITE_TESTS := tests/learning/test_search_on_both_databases.py
test: $(VENV)/.installed assets  ## Run the whole suite on PostgreSQL (two databases), Redis and Chromium
	@services=$$(bash scripts/test-services.sh) || exit 1; \
	set -a; eval "$$services"; set +a; \
	DJANGO_DEBUG=1 DJANGO_DB_CONN_MAX_AGE=0 $(PY) -m pytest $(PYTEST_ARGS) && \
	echo "make test: the search cases again on SQLite ($(SQLITE_TESTS))" && \
	DATABASE_URL=sqlite:///$(CURDIR)/var/test-default.sqlite3 \
	CONFIDENTIAL_DATABASE_URL=sqlite:///$(CURDIR)/var/test-confidential.sqlite3 \
	DJANGO_DEBUG=1 $(PY) -m pytest -q -p no:cacheprovider $(SQLITE_TESTS)

# Fault drills on real Redis, workers and SMTP, in their own databases and Redis db: each
# starts a private redis-server and `celery worker` processes. About two minutes.
drill: $(VENV)/.installed  ## Fault drills: Redis down, a worker killed, a failing mail server (writes bench/drill-results.md)
	@services=$$(bash scripts/test-services.sh) || exit 1; \
	set -a; eval "$$services"; set +a; \
	DATABASE_URL=$${DATABASE_URL%/*}/portal_drill \
	CONFIDENTIAL_DATABASE_URL=$${DATABASE_URL%/*}/portal_drill_confidential \
	REDIS_URL=$${REDIS_URL%/*}/8 DJANGO_DEBUG=1 DJANGO_DB_CONN_MAX_AGE=0 \
	$(PY) -m pytest -m drill -s tests/drills $(PYTEST_ARGS)

# The portal on several machines: one network namespace per host on this machine (a proxy, two
# web hosts, two worker hosts, beat, PostgreSQL and Redis, mail, a client), production settings,
# HAProxy in front and wrk sending pages through it. Needs root; about seven minutes; CI does not
# run it. Everything it makes is removed at the end (tests/drills/cluster/README.md).
cluster-drill: $(VENV)/.installed assets  ## The portal on several machines in network namespaces, hosts lost under load (root; writes bench/cluster-drill-results.md)
	$(PY) -m tests.drills.cluster

# The benchmark makes its own databases for each run (portal_bench_<run id>, dropped after) and
# uses Redis db 12 (BENCH_REDIS_DB) under its own key prefix; wrk is installed if missing.
# SIZE=1k, 10k (the default) or 100k: resources and referrals seeded, and the sizes measured.
SIZE ?= 10k
bench: $(VENV)/.installed assets  ## Benchmarks: every main page under load with wrk through gunicorn (writes bench/results.md)
	@services=$$(bash scripts/test-services.sh) || exit 1; \
	set -a; eval "$$services"; set +a; \
	BENCH_SERVER_URL=$${DATABASE_URL%/*} \
	REDIS_URL=$${REDIS_URL%/*}/$${BENCH_REDIS_DB:-12} SIZE=$(SIZE) $(PY) bench/run.py

lint: $(VENV)/.installed  ## ruff (lint and format check), mypy, and the walls between apps (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed  ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:  ## Remove the development databases, keys and built assets
	rm -rf var static/dist staticfiles
