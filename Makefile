PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install run test lint typecheck migrations-check bench bench-load bench-notifications lock

install: $(STAMP)

# Reinstall only when the pinned requirements change.
$(STAMP): requirements/dev.txt requirements/base.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

run: install
	PORT=$(PORT) $(BIN)/python -m config.run_local

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/availability.py

# Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/clinic_load).
bench-load: install
	$(BIN)/python bench/booking_load.py

# Needs PostgreSQL and Redis: 10,000 due messages, one worker, a real SMTP sink.
bench-notifications: install
	$(BIN)/python bench/notifications.py

# Regenerate the lock files after editing requirements/*.in.
lock: install
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o dev.txt dev.in
