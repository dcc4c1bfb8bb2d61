# The catalogue's commands. `make run` and `make test` are all a newcomer needs (README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV := DJANGO_DEBUG=1
PORT ?= 8000

.PHONY: run test lint format migrations-check check venv deps dev-deps demo demo-fixture messages bench clean \
	serve deploy-check backup restore backups faults two-hosts load load-quick lighthouse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.deps

venv: $(BIN)/python
deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

## run: set up everything on a fresh machine and serve http://127.0.0.1:8000 (SQLite, demo data)
run: deps
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo
	@echo "Admin account: $(BIN)/python manage.py createsuperuser (none is created for you)"
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite on the configured database (SQLite, or PostgreSQL when DATABASE_URL is set),
## on two processes (pytest-xdist; each has its own test database, ports and Redis database: tests/workers.py;
## not --dist loadfile, which runs a module's transactional tests, and so their flush, before other modules'
## tests on the same process). PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n 2
test: dev-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: deps
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

check: deps
	$(DEV) $(BIN)/python manage.py check

demo: deps
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo

## demo-fixture: rebuild fixtures/ocop_decisions.json from the sourced research files in fixtures/sources/
SOURCES := fixtures/sources
demo-fixture: deps
	$(BIN)/python scripts/decisions_to_fixture.py $(SOURCES)/national_5star.json $(SOURCES)/son_la_decisions.json \
		$(SOURCES)/son_la_recent.json $(SOURCES)/provincial_decisions.json $(SOURCES)/more_decisions.json \
		$(SOURCES)/more_decisions_2.json --figures $(SOURCES)/figures.json --figures $(SOURCES)/figures_provincial.json \
		--programmes $(SOURCES)/programmes.json --out fixtures/ocop_decisions.json

## messages: recompile the translation catalogues (needs gettext)
messages: deps
	$(DEV) $(BIN)/python manage.py compilemessages --ignore=.venv

## serve: production server: migrate, collectstatic, gunicorn with gunicorn.conf.py (on PORT, default 8000).
## Needs DJANGO_SECRET_KEY (50+ random characters) and DJANGO_ALLOWED_HOSTS; see deploy/README.md
serve: deps
	scripts/serve.sh

## lighthouse: Lighthouse (mobile) on the home, list and product pages: `make serve` behind deploy/nginx.conf.sample
## on local ports (needs nginx, npx, Chromium); fails under 98 in any category (scripts/lighthouse.sh)
lighthouse: deps
	scripts/lighthouse.sh

## deploy-check: Django's deployment checklist with production-like settings, as CI runs it
deploy-check: deps
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_SECURE_SSL=1 DJANGO_ALLOWED_HOSTS=ocop.example.gov.vn DJANGO_DEBUG=0 DJANGO_TESTING=0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

## backup: database (pg_dump, or SQLite's backup API) and media into var/backups/<new folder>
backup: deps
	$(BIN)/python scripts/backup.py backup

## restore: make restore BACKUP=var/backups/<folder> (replaces the database and the media)
restore: deps
	@test -n "$(BACKUP)" || { $(BIN)/python scripts/backup.py list; echo "usage: make restore BACKUP=<folder>"; exit 2; }
	$(BIN)/python scripts/backup.py restore "$(BACKUP)"

backups: deps
	$(BIN)/python scripts/backup.py list

## faults: PostgreSQL stopped and started under load (200 from the cache or 503, and the time to recover),
## then Redis stopped, started and hung under load (every answer 200, none slow); README "Deployment"
faults: deps
	scripts/db_fault_drill.sh
	scripts/redis_fault_drill.sh

## two-hosts: two gunicorn app hosts (8105, 8106) on one PostgreSQL and one Redis, for trying by hand
two-hosts: deps
	scripts/two_hosts.sh

clean:
	rm -rf $(VENV) var/db.sqlite3 .pytest_cache

## bench: throughput and latency at scale on PostgreSQL + Redis (BENCH_PRODUCTS, default 100000); JSON in var/bench/
bench: deps
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 2; }
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

## load: wrk for 60 s at 64 connections over a mixed page set against scripts/serve.sh (what `make serve`
## runs) on PostgreSQL `ocop_load` (LOAD_PRODUCTS, default 100000) and Redis db 4; fails on any 5xx,
## unintended non-2xx, unanswered request or worker memory growth; JSON in var/load/ (README, "Load test")
load: deps
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 2; }
	$(BIN)/python scripts/load_test.py

## load-quick: the same, small and short, for development: 2,000 products (database ocop_load_quick), 10 s
load-quick: deps
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 2; }
	LOAD_PRODUCTS=$${LOAD_PRODUCTS:-2000} LOAD_DURATION=$${LOAD_DURATION:-10} \
	LOAD_DATABASE_URL=$${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ocop_load_quick} \
	$(BIN)/python scripts/load_test.py
