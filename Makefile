# Two commands (see README.md):
#   make run    install everything, create the SpatiaLite demo database, start the app
#   make test   install what the tests need, run the suite on SpatiaLite and on PostGIS
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_RUN := python3-venv python3-pip libsqlite3-mod-spatialite
APT_TEST := chromium fonts-dejavu-core

.PHONY: run setup test test-sqlite test-postgis lint i18n system-deps test-system-deps

run: setup instance/secret_key  ## set up and start the demo on SpatiaLite
	@export INSPECTIONS_SECRET_KEY="$$(cat instance/secret_key)"; \
	$(VENV)/bin/flask --app inspections demo --url "http://$(HOST):$(PORT)/" && \
	exec $(VENV)/bin/gunicorn --bind "$(HOST):$(PORT)" --workers 2 --threads 4 \
	  --access-logfile - --error-logfile - inspections.wsgi:app

setup: system-deps $(VENV)/.run-installed

test: test-system-deps $(VENV)/.test-installed  ## ruff, then the suite on both databases
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest --db sqlite
	INSPECTIONS_TEST_PG_URL="$$(bash .ci/ensure-postgres)" $(PY) -m pytest --db postgis

test-sqlite: $(VENV)/.test-installed
	$(PY) -m pytest --db sqlite $(ARGS)

test-postgis: $(VENV)/.test-installed
	INSPECTIONS_TEST_PG_URL="$$(bash .ci/ensure-postgres)" $(PY) -m pytest --db postgis $(ARGS)

lint: $(VENV)/.test-installed
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

i18n: $(VENV)/.run-installed  ## merge new messages into the Vietnamese catalogue
	$(PY) -m inspections.i18n_catalog

system-deps:
	@bash .ci/apt-install $(APT_RUN)

test-system-deps: system-deps
	@bash .ci/apt-install $(APT_TEST)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.run-installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

instance/secret_key: | $(VENV)/bin/python
	mkdir -p instance
	umask 077; $(PY) -c "import secrets; print(secrets.token_hex(32))" > $@
