# syntax=docker/dockerfile:1
#
# One image for every process of the stack; docker-compose.yml picks the command:
#   web     gunicorn -c config/gunicorn.conf.py config.wsgi:application   (the default CMD)
#   migrate python manage.py migrate --noinput
#   worker  celery -A config worker --loglevel=INFO
#   beat    celery -A config beat --loglevel=INFO --schedule /tmp/celerybeat-schedule
# Configuration is environment variables only (SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS,
# ...); nothing secret is baked into the image.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000

WORKDIR /app

# The processes run as this unprivileged user; the code stays owned by root, read-only to them.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app

# Dependencies first, in their own layer, so a code change does not reinstall them.
# Only the pinned runtime set: requirements/dev.txt (tests, linters) stays out of the image.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt

# gettext's msgfmt compiles the Spanish catalogue (locale/*.po) at build time; the .mo files are
# build output, never committed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

COPY . .

# Static files are collected at build time: whitenoise's CompressedManifestStaticFilesStorage needs
# its manifest before the first request. Production settings refuse to load without SECRET_KEY and
# ALLOWED_HOSTS and REDIS_URL, so this one RUN exports throwaway build-only values in its own shell; they are not
# in ENV, so no later layer and no container started from the image sees them. `check --deploy`
# fails the build on any deployment warning of the production settings. The checks instantiate the
# file cache that settings fall back to without REDIS_URL, creating a root-only .run/; it goes.
RUN export SECRET_KEY="build-only-throwaway-key-for-collectstatic-never-used-at-runtime-0123456789" \
        ALLOWED_HOSTS="localhost" \
        REDIS_URL="redis://localhost:6379/0" \
    && python manage.py check --deploy --fail-level WARNING \
    && python manage.py compilemessages --ignore=.venv -v0 \
    && python manage.py collectstatic --noinput \
    && rm -rf .run

# Numeric (the app user above), so a runtime that enforces "run as non-root" can verify it.
USER 10001:10001

EXPOSE 8000

# No curl in the slim image: the check is a few lines of Python's urllib (docker/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi:application"]
