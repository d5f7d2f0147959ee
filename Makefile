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
APT_TEST := chromium fonts-dejavu-core poppler-utils postgresql-client
# Exact versions, with hashes, of everything installed: a fresh machine gets what CI tested.
LOCK_RUN := requirements/run.txt
LOCK_TEST := requirements/test.txt
TRANSLATIONS := inspections/translations
MO := $(TRANSLATIONS)/vi/LC_MESSAGES/messages.mo
PO := $(TRANSLATIONS)/vi/LC_MESSAGES/messages.po
POT := $(TRANSLATIONS)/messages.pot

.PHONY: run setup test test-sqlite test-postgis lint typecheck i18n lock system-deps \
	test-system-deps static-build

run: setup instance/secret_key  ## set up and start the demo on SpatiaLite
	@export INSPECTIONS_SECRET_KEY="$$(cat instance/secret_key)"; \
	$(VENV)/bin/flask --app inspections demo --url "http://$(HOST):$(PORT)/" && \
	exec $(VENV)/bin/gunicorn --bind "$(HOST):$(PORT)" --workers 2 --threads 4 \
	  --access-logfile - --error-logfile - inspections.wsgi:app

setup: system-deps $(VENV)/.run-installed $(MO) static-build

test: test-system-deps $(VENV)/.test-installed $(MO) static-build  ## lint, then the suite on both databases
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest --db sqlite
	INSPECTIONS_TEST_PG_URL="$$(bash .ci/ensure-postgres)" $(PY) -m pytest --db postgis

test-sqlite: $(VENV)/.test-installed $(MO) static-build
	$(PY) -m pytest --db sqlite $(ARGS)

test-postgis: $(VENV)/.test-installed $(MO) static-build
	INSPECTIONS_TEST_PG_URL="$$(bash .ci/ensure-postgres)" $(PY) -m pytest --db postgis $(ARGS)

lint: $(VENV)/.test-installed  ## ruff and the type checker
	$(PY) -m ruff check . && $(PY) -m ruff format --check .
	$(PY) -m mypy

typecheck: $(VENV)/.test-installed
	$(PY) -m mypy

# Translations: extract every message of the code and templates, merge it into the Vietnamese
# catalogue (sorted, without source locations, so merges stay small), then translate the new
# msgstr in $(PO) and run `make i18n` again to see what is left.
i18n: $(VENV)/.run-installed  ## extract messages and merge them into the Vietnamese catalogue
	$(VENV)/bin/pybabel -q extract -F $(TRANSLATIONS)/babel.cfg -k _l -k lazy_gettext -k said \
	  --ignore-dirs '.*' --no-location --sort-output --width 100 --project inspections -o $(POT) .
	@cp $(PO) $(PO).before
	$(VENV)/bin/pybabel -q update -i $(POT) -d $(TRANSLATIONS) -l vi --width 100 \
	  --no-fuzzy-matching --ignore-obsolete
	@# a run that adds nothing leaves the file as it was (not even a new creation date)
	@if diff -q -I '^"POT-Creation-Date' $(PO).before $(PO) >/dev/null; then \
	  mv $(PO).before $(PO); else rm $(PO).before; fi
	@rm -f $(POT)
	$(VENV)/bin/pybabel compile -d $(TRANSLATIONS) -l vi --statistics

# Static files with content-hashed names, gzip and Brotli copies and their manifest (served
# with a one-year immutable cache); made again whenever make runs, in a few seconds.
static-build: $(VENV)/.run-installed
	$(PY) -m inspections.assets

# Compiled once at install, never by the app's workers when they start.
$(MO): $(PO) | $(VENV)/.run-installed
	$(VENV)/bin/pybabel -q compile -d $(TRANSLATIONS) -l vi

lock:  ## re-resolve the pinned versions after a change to pyproject.toml
	$(PY) -m pip install --quiet pip-tools
	for target in run test; do \
	  extra=$$( [ $$target = test ] && echo "--extra test" ); \
	  CUSTOM_COMPILE_COMMAND="make lock" $(PY) -m piptools compile --quiet --strip-extras \
	    --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links $$extra \
	    -o requirements/$$target.txt pyproject.toml || exit 1; \
	done

system-deps:
	@bash .ci/apt-install $(APT_RUN)

test-system-deps: system-deps
	@bash .ci/apt-install $(APT_TEST)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: $(LOCK_RUN) pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK_RUN)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(LOCK_TEST) $(VENV)/.run-installed
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK_TEST)
	touch $@

instance/secret_key: | $(VENV)/bin/python
	mkdir -p instance
	umask 077; $(PY) -c "import secrets; print(secrets.token_hex(32))" > $@
