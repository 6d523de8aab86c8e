"""The per-address sign-in throttle reads the client's address only behind the proxies the
settings name (NUM_PROXIES, 0 unless a proxy is named): a client that sends a new
X-Forwarded-For with every try is still one address (issue 18, item 5)."""

import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
CLIENT_ADDRESS = "203.0.113.5"
# What config.settings.production makes of the address settings, read in a process of its own.
PRODUCTION_READ = (
    "import json, config.settings.production as s; "
    "print(json.dumps({'NUM_PROXIES': s.REST_FRAMEWORK.get('NUM_PROXIES'), "
    "'AXES_IPWARE_PROXY_COUNT': getattr(s, 'AXES_IPWARE_PROXY_COUNT', None), "
    "'AXES_CLIENT_IP_CALLABLE': getattr(s, 'AXES_CLIENT_IP_CALLABLE', None)}))"
)


def production_address_settings(**variables: str) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SECRET_KEY": "q7Vh2mZ9xR4kT1bN8cW3pL6sD0fJ5gY2aE9uK4nM7rB1tX6zC3vQ8wH5jS0d",
        "ALLOWED_HOSTS": "example.com",
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # only read: nothing connects
        **variables,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_READ],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    values: dict = json.loads(result.stdout)
    return values


@pytest.fixture
def auth_rate_twenty_per_minute(monkeypatch):
    """The "auth" rate at its production default, 20 a minute (DRF binds the rates at import)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "auth": "20/minute"})
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(params=["default", "production"])
def address_settings(request, settings):
    """The address settings of the suite (base.py's) or those production.py makes with no
    NUM_PROXIES in its environment, as docker-compose.yml runs it."""
    if request.param == "production":
        values = production_address_settings()
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": values["NUM_PROXIES"]}
        settings.AXES_IPWARE_PROXY_COUNT = values["AXES_IPWARE_PROXY_COUNT"]
        settings.AXES_CLIENT_IP_CALLABLE = values["AXES_CLIENT_IP_CALLABLE"]
    return request.param


def test_production_counts_no_proxy_unless_one_is_named():
    assert production_address_settings() == {
        "NUM_PROXIES": 0,
        "AXES_IPWARE_PROXY_COUNT": 0,
        "AXES_CLIENT_IP_CALLABLE": "accounts.backends.client_address",
    }
    assert production_address_settings(NUM_PROXIES="1")["NUM_PROXIES"] == 1


def test_thirty_token_tries_each_with_a_new_forwarded_for_meet_the_throttle(
    address_settings, auth_rate_twenty_per_minute
):
    patient = PatientFactory()
    client = APIClient(REMOTE_ADDR=CLIENT_ADDRESS)

    statuses = [
        client.post(
            TOKEN,
            {"email": patient.email, "password": f"guess-{number}"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        ).status_code
        for number in range(30)
    ]

    assert statuses[:5] == [401] * 5  # then the account's lock (429 account_locked)
    assert statuses[20:] == [429] * 10
    throttled = client.post(
        TOKEN, {"email": "someone@example.com", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"


def test_thirty_sign_in_page_tries_each_with_a_new_forwarded_for_meet_the_throttle(
    address_settings, auth_rate_twenty_per_minute
):
    client = Client(REMOTE_ADDR=CLIENT_ADDRESS)

    statuses = [
        client.post(
            "/signin/",
            {"email": f"nobody{number}@example.com", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        ).status_code
        for number in range(30)
    ]

    assert statuses == [200] * 20 + [429] * 10


def test_the_lockout_records_the_connecting_address_not_the_forwarded_one(address_settings):
    Client(REMOTE_ADDR=CLIENT_ADDRESS).post(
        "/signin/", {"email": "nobody@example.com", "password": "guess"}, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_ADDRESS]


def test_behind_one_named_proxy_the_address_it_adds_is_the_clients(settings, auth_rate_twenty_per_minute):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    # The client forges the first entry each time; the proxy appends the address it saw.
    statuses = [
        proxy.post(
            "/signin/",
            {"email": f"nobody{number}@example.com", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}, {CLIENT_ADDRESS}",
        ).status_code
        for number in range(21)
    ]
    elsewhere = proxy.post(
        "/signin/", {"email": "nobody@example.com", "password": "guess"}, HTTP_X_FORWARDED_FOR="192.0.2.44"
    )

    assert statuses == [200] * 20 + [429]
    assert elsewhere.status_code == 200
