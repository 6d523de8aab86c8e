PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install install-test run test lint typecheck migrations-check bench bench-pages bench-load bench-notifications lock messages soak

CHROMIUM := /usr/bin/chromium
REDIS_SERVER := /usr/bin/redis-server
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

# What running needs (`make run`): the virtualenv, the Spanish catalogue and a Redis server for the
# worker and beat. The browser tests' Chromium comes with `make install-test` (and `make test`).
install: $(STAMP) $(MO_FILES) $(REDIS_SERVER)

install-test: install $(CHROMIUM)

# Debian's packages, as root (CI and a fresh machine); otherwise say what to run.
define apt_install
	@if [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -qq $(1) >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1))); \
	else \
	  echo "Missing $(1): run 'sudo apt-get install -y $(1)' once, then 'make install' again." >&2; exit 1; \
	fi
endef

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
$(CHROMIUM):
	$(call apt_install,chromium)

# `make run` starts a private Redis on a Unix socket under .run/ when REDIS_URL is unset.
$(REDIS_SERVER):
	$(call apt_install,redis-server)

/usr/bin/msgfmt:
	$(call apt_install,gettext)

# Translations: the .po files are the source; the .mo files are built, never committed.
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP) /usr/bin/msgfmt
	$(BIN)/python manage.py compilemessages --locale $* --ignore=.venv -v0

# Reinstall only when the pinned requirements change.
$(STAMP): requirements/dev.txt requirements/base.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

run: install
	PORT=$(PORT) $(BIN)/python -m config.run_local

# The suite runs on every core (pytest-xdist; PYTEST_WORKERS=0 runs it in one process).
PYTEST_WORKERS ?= auto
test: install-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/availability.py --postgres

# Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/clinic_load).
bench-load: install
	$(BIN)/python bench/booking_load.py

# Needs PostgreSQL and Redis: 10,000 due messages, one worker, a real SMTP sink.
bench-notifications: install
	$(BIN)/python bench/notifications.py

# Refresh the .po files from the code and templates after changing translatable text.
messages: install
	$(BIN)/python manage.py makemessages --locale es --ignore=.venv --ignore=bench --ignore=tests --no-obsolete

# Server time of /book/'s day and time lists on the clinic of SPEC.md section 8.
bench-pages: install
	$(BIN)/python bench/pages.py

SOAK_MINUTES ?= 20
# make run's launcher under a steady load for SOAK_MINUTES (bench/soak.py): no process may exit,
# no message may go twice or be lost.
soak: install
	$(BIN)/python bench/soak.py --minutes $(SOAK_MINUTES)

# Regenerate the lock files after editing requirements/*.in.
lock: install
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o dev.txt dev.in
