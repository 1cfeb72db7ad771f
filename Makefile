# The README's commands. Every target builds the virtualenv first if needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run setup serve test coverage lint format bench reliability

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## setup: migrate, create the role groups, load the gazetteer and the demo content (idempotent)
setup: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_roles
	$(PY) manage.py load_gazetteer
	$(PY) manage.py load_demo

## run: set up, then serve on http://$(HOST):$(PORT)/ (admin at /admin/)
run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

## serve: production serving: collectstatic (hashed names), then gunicorn on $(HOST):$(PORT) with
## 2 x CPUs + 1 workers (newsroom/gunicorn.conf.py). Settings come from the environment (DEBUG=false ...);
## run `manage.py migrate` as a deploy step first (once, not on every server).
serve: $(VENV)/.runtime
	$(PY) manage.py collectstatic --noinput --verbosity 0
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn --config newsroom/gunicorn.conf.py

## test: the whole suite against DATABASE_URL if set, else SQLite
test: $(VENV)/.dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## coverage: the suite (browser tests left out) under coverage.py against DATABASE_URL if set, else SQLite; then
## the files with untested lines or branches, most first (not run by CI)
coverage: $(VENV)/.dev
	$(VENV)/bin/coverage run -m pytest -q -m "not browser" $(PYTEST_ARGS)
	$(VENV)/bin/coverage report

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: every benchmark side by side on PostgreSQL; prints a table, writes bench/results.json
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsroom_bench
bench: $(VENV)/.dev
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py $(BENCH)

## reliability: faults, load and hostile input on loopback (bench/reliability.py; not run by CI, ~8 minutes plus
## the archive's first generation); PHASES=kill,fuzz picks phases; writes bench/reliability.json
RELIABILITY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsroom_reliability
PHASES ?= kill,fuzz,outage,load,twoservers
reliability: $(VENV)/.dev
	RELIABILITY_DATABASE_URL=$(RELIABILITY_DATABASE_URL) $(PY) bench/reliability.py --phases $(PHASES)
