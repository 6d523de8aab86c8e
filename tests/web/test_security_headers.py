"""Security headers (SPEC.md section 9 "Safe"): the content security policy on pages, API answers
and error pages, exactly our own origin and no inline script or style; the pages themselves carry
no inline script, style or event handler for it to refuse; production settings add HSTS and
secure cookies and pass `check --deploy`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.test.client import RequestFactory

from accounts.models import User

pytestmark = pytest.mark.django_db

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

# What the content security policy would refuse in a page: an inline style attribute or block, a
# <script> without src (a JSON data block, type="application/json", is not run and is allowed),
# and an inline event handler attribute.
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
# Text between tags, where " onward=" or " style=" might be plain words of a sentence.
TEXT = re.compile(r">[^<]*<")

BASE_DIR = Path(settings.BASE_DIR)


def policy_of(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            assert words[0] not in directives, f"{words[0]} twice in {header!r}"
            directives[words[0]] = words[1:]
    return directives


def assert_our_policy(response) -> None:
    header = response["Content-Security-Policy"]
    assert policy_of(header) == EXPECTED_POLICY
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "unsafe-hashes" not in header
    assert "data:" not in header


def inline_code(html: str) -> list[str]:
    """Every piece of ``html`` the policy would refuse (empty when the page is clean)."""
    markup = TEXT.sub("><", html)
    found = [m.group(0) for m in STYLE_ATTRIBUTE.finditer(markup)]
    found += [m.group(0) for m in STYLE_BLOCK.finditer(markup)]
    found += [m.group(0) for m in EVENT_HANDLER.finditer(markup)]
    for m in SCRIPT_TAG.finditer(markup):
        attributes = m.group(1)
        if re.search(r"\ssrc\s*=", attributes) or re.search(r'type="application/json"', attributes):
            continue
        found.append(m.group(0))
    return found


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_page_answers_with_exactly_our_policy(demo_clinic):
    response = Client().get("/")

    assert response.status_code == 200
    assert_our_policy(response)


def test_an_api_answer_carries_the_policy_too(demo_clinic):
    response = Client().get("/api/v1/appointment-types/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_our_policy(response)


def test_error_pages_carry_the_policy(demo_clinic, patient):
    missing = Client().get("/no-such-page/")
    assert missing.status_code == 404
    assert_our_policy(missing)

    refused = signed_in(patient).get("/staff/")
    assert refused.status_code == 403
    assert inline_code(refused.content.decode()) == []
    assert_our_policy(refused)

    api_missing = Client().get("/api/v1/no-such-thing/")
    assert api_missing.status_code == 404
    assert_our_policy(api_missing)


def test_the_clickjacking_header_and_nosniff_are_set_in_every_environment(demo_clinic):
    response = Client().get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    ["/", "/book/", "/book/?type=evaluation", "/signin/", "/signup/", "/password-reset/", "/no-such-page/"],
)
def test_public_pages_have_no_inline_script_style_or_handler(demo_clinic, url):
    response = Client().get(url)

    assert response.status_code == (404 if url == "/no-such-page/" else 200)
    assert response["Content-Type"].startswith("text/html")
    assert inline_code(response.content.decode()) == []
    assert_our_policy(response)


@pytest.mark.parametrize(
    "url",
    ["/account/", "/account/security/", "/book/", "/book/?type=evaluation", "/account/waitlist/"],
)
def test_patient_pages_have_no_inline_script_style_or_handler(demo_clinic, patient, url):
    response = signed_in(patient).get(url)

    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []
    assert_our_policy(response)


@pytest.mark.parametrize(
    ("role_fixture", "url"),
    [
        ("nurse_user", "/staff/"),
        ("nurse_user", "/staff/day/"),
        ("nurse_user", "/staff/patients/"),
        ("nurse_user", "/staff/calendar-feed/"),
        ("nurse_user", "/account/security/"),
        ("clinician_user", "/staff/"),
        ("therapist_user", "/staff/"),
        ("clinician_user", "/staff/reports/outcomes/"),
    ],
)
def test_staff_pages_have_no_inline_script_style_or_handler(demo_clinic, request, role_fixture, url):
    user = request.getfixturevalue(role_fixture)
    # A nurse's /staff/ is the day board (a redirect there).
    response = signed_in(user).get(url, follow=True)

    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []
    assert_our_policy(response)


def test_the_day_board_refresh_fragment_has_no_inline_code(demo_clinic, nurse_user):
    response = signed_in(nurse_user).get("/staff/day/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []
    assert_our_policy(response)


def test_the_server_error_page_has_no_inline_code():
    html = render_to_string("web/500.html", request=RequestFactory().get("/"))

    assert "<html" in html
    assert inline_code(html) == []


def test_htmx_is_told_not_to_inject_its_indicator_styles(demo_clinic):
    html = Client().get("/").content.decode()

    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert match, "the base layout has no htmx-config"
    assert json.loads(match.group(1))["includeIndicatorStyles"] is False


def test_the_check_itself_finds_inline_code():
    """The detector above is what the page tests rely on: it must see each kind."""
    assert inline_code('<p style="color:red">x</p>') == [" style="]
    assert inline_code("<style>p{}</style>") == ["<style>"]
    assert inline_code("<script>alert(1)</script>") == ["<script>"]
    assert inline_code('<button onclick="go()">x</button>') == [" onclick="]
    assert inline_code('<script src="/static/x.js" defer></script><p>Go on style= words</p>') == []


def test_the_templates_themselves_have_no_inline_code():
    """Also the templates no test renders: every template file of ours, as written."""
    templates = sorted(path for folder in BASE_DIR.glob("*/templates") for path in folder.rglob("*.html"))
    offenders = {}
    for path in templates:
        found = inline_code(path.read_text())
        if found:
            offenders[str(path.relative_to(BASE_DIR))] = found

    assert BASE_DIR / "web/templates/web/base.html" in templates
    assert BASE_DIR / "web/templates/web/staff/day.html" in templates
    assert offenders == {}


def test_the_api_docs_allow_only_what_swagger_ui_needs(demo_clinic):
    page = Client().get("/api/docs/")

    assert page.status_code == 200
    assert inline_code(page.content.decode()) == []
    policy = policy_of(page["Content-Security-Policy"])
    # Swagger UI draws its icons from data: URLs in its own stylesheet; nothing else is widened.
    assert policy == {**EXPECTED_POLICY, "img-src": ["'self'", "data:"]}
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
names = [
    "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
    "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def production_env(**extra: str) -> dict[str, str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (their live server); a
    # deployment never has it, and check --deploy rightly refuses it (async.E001).
    left_out = {
        "DATABASE_URL",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_PRELOAD",
        "SECURE_HSTS_SECONDS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    environ = {key: value for key, value in os.environ.items() if key not in left_out}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="test-only-" + "k" * 60,
        ALLOWED_HOSTS="clinic.example.com",
        REDIS_URL="redis://127.0.0.1:6379/0",
        **extra,
    )
    return environ


def run_python(args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_check_deploy_with_hsts_and_secure_cookies():
    check = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout

    probe = run_python(["-c", PRODUCTION_PROBE], production_env())
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == {
        "DEBUG": False,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
    }


def test_production_hsts_preload_is_a_choice_of_the_environment():
    probe = run_python(
        ["-c", PRODUCTION_PROBE], production_env(SECURE_HSTS_PRELOAD="false", SECURE_SSL_REDIRECT="false")
    )

    assert probe.returncode == 0, probe.stderr
    values = json.loads(probe.stdout)
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 31536000
