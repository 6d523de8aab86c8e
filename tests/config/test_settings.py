"""What the settings make of the environment `make run`'s launcher sets: a Redis on a Unix socket
for both the broker and the cache, the demo mailbox in development only, RUN_DIR."""

from __future__ import annotations

import json

import pytest

from config.settings.redis_url import celery_broker_url
from tests.test_platform import SECRET_KEY, clean_env, run_python

SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "broker": settings.CELERY_BROKER_URL,
    "transport": getattr(settings, "CELERY_BROKER_TRANSPORT", None),
    "cache": settings.CACHES["default"],
    "email": settings.EMAIL_BACKEND,
    "sms": settings.SMS_BACKEND,
    "mailbox": settings.DEV_MAILBOX_DIR,
    "run_dir": str(settings.RUN_DIR),
}))
"""


def _settings(module: str, **variables: str) -> dict:
    environment = clean_env(DJANGO_SETTINGS_MODULE=f"config.settings.{module}", **variables)
    result = run_python("-c", SHOW_SETTINGS, env=environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("redis_url", "broker_url"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("rediss://user:secret@cache.example.com:6380/2", "rediss://user:secret@cache.example.com:6380/2"),
        ("unix:///srv/clinic/.run/redis.sock", "redis+socket:///srv/clinic/.run/redis.sock"),
        ("unix:///srv/clinic/.run/redis.sock?db=3", "redis+socket:///srv/clinic/.run/redis.sock?virtual_host=3"),
    ],
)
def test_the_broker_url_is_spelt_for_kombu(redis_url, broker_url):
    assert celery_broker_url(redis_url) == broker_url


def test_a_redis_socket_serves_as_broker_and_cache(tmp_path):
    seen = _settings("dev", REDIS_URL=f"unix://{tmp_path}/redis.sock")

    assert seen["broker"] == f"redis+socket://{tmp_path}/redis.sock"
    assert seen["transport"] is None
    assert seen["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"unix://{tmp_path}/redis.sock",
    }


def test_without_redis_the_race_free_filesystem_broker_and_a_file_cache_live_in_the_run_directory(tmp_path):
    seen = _settings("dev", RUN_DIR=str(tmp_path))

    assert (seen["broker"], seen["transport"], seen["run_dir"]) == (
        "filesystem://",
        "config.kombu_filesystem:Transport",
        str(tmp_path),
    )
    assert seen["cache"] == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache"),
    }


def test_development_keeps_messages_in_the_demo_mailbox_when_the_launcher_turns_it_on(tmp_path):
    seen = _settings("dev", DEV_MAILBOX_DIR=str(tmp_path))

    assert (seen["mailbox"], seen["email"], seen["sms"]) == (
        str(tmp_path),
        "core.mail_backends.MailboxEmailBackend",
        "notifications.sms.MailboxSmsBackend",
    )


def test_development_without_the_mailbox_logs_messages_at_debug():
    seen = _settings("dev")

    assert (seen["mailbox"], seen["email"], seen["sms"]) == (
        "",
        "core.mail_backends.DebugLogEmailBackend",
        "notifications.sms.ConsoleSmsBackend",
    )


def test_an_email_url_or_sms_backend_given_wins_over_the_mailbox(tmp_path):
    seen = _settings("dev", DEV_MAILBOX_DIR=str(tmp_path), EMAIL_URL="smtp://127.0.0.1:2525", SMS_BACKEND="sms.Backend")

    assert (seen["email"], seen["sms"]) == ("django.core.mail.backends.smtp.EmailBackend", "sms.Backend")


MAILBOX_PAGE = """
import django
from django.conf import settings
django.setup()
from django.http import Http404
from django.test import RequestFactory
from django.urls import resolve
page = resolve("/dev/mail/").func
try:
    answer = page(RequestFactory().get("/dev/mail/")).status_code
except Http404:
    answer = 404
print(repr(settings.DEV_MAILBOX_DIR), settings.EMAIL_BACKEND, settings.SMS_BACKEND, answer)
"""


def test_production_keeps_the_demo_mailbox_off_whatever_the_environment_says(tmp_path):
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="clinic.example.com",
        REDIS_URL="redis://127.0.0.1:6379/0",  # never connected to: the page answers before
        DEV_MAILBOX_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/never-opened.sqlite3",
    )

    result = run_python("-c", MAILBOX_PAGE, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "''",
        "core.mail_backends.DebugLogEmailBackend",
        "notifications.sms.ConsoleSmsBackend",
        "404",
    ]
