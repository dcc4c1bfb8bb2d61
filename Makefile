# The catalogue's commands. `make run` and `make test` are all a newcomer needs (README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV := DJANGO_DEBUG=1
PORT ?= 8000

.PHONY: run test lint format migrations-check check venv deps dev-deps demo messages bench clean

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

## test: the whole suite on the configured database (SQLite, or PostgreSQL when DATABASE_URL is set)
test: dev-deps
	DJANGO_TESTING=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

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

## messages: recompile the translation catalogues (needs gettext)
messages: deps
	$(DEV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/db.sqlite3 .pytest_cache
