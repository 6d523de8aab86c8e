"""The test suite: SQLite unless DATABASE_URL is set, fast hashing, in-memory email and cache."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Throttling is tested explicitly with its own low rates; the suite itself must not trip it.
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "10000/minute", "user": "10000/minute", "auth": "10000/minute"}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database: the race tests need real locking between
    # threads (IMMEDIATE transactions waiting on the busy timeout), which shared-cache mode lacks.
    # One file per test run, so two runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(RUN_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
    RUN_DIR.mkdir(exist_ok=True)  # noqa: F405
