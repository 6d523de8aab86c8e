"""Every /staff/ page, walked from the URL configuration itself: a patient is refused (403), and
someone signed out is sent to sign in. A new staff route is covered without a new line here."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, reverse

from web.staff import urls as staff_urls

pytestmark = pytest.mark.django_db

# A fixed id: the test ids are built from it, and pytest-xdist's workers must collect the same ones.
CONVERTER_VALUES = {"uuid": uuid.UUID("00000000-0000-4000-8000-000000000001"), "slug": "check-in", "str": "x", "int": 1}


def _staff_urls() -> list[str]:
    found = []
    for pattern in staff_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        converters = pattern.pattern.converters
        kwargs = {
            name: CONVERTER_VALUES[type(c).__name__.removesuffix("Converter").lower()] for name, c in converters.items()
        }
        found.append(reverse(pattern.name, kwargs=kwargs))
    return found


STAFF_URLS = _staff_urls()


def test_the_walk_covers_every_staff_route():
    assert len(STAFF_URLS) == len(staff_urls.urlpatterns) >= 10


@pytest.mark.parametrize("url", STAFF_URLS)
def test_a_patient_is_refused_on_every_staff_page(client, patient, url):
    client.force_login(patient)

    answers = {method: getattr(client, method)(url).status_code for method in ("get", "post")}

    # 403 for the method the page takes; 405 for the one it does not (the method is checked first).
    assert set(answers.values()) <= {403, 405}, answers
    assert 403 in answers.values(), answers


@pytest.mark.parametrize("url", STAFF_URLS)
def test_someone_signed_out_is_sent_to_sign_in_on_every_staff_page(client, url):
    answers = {method: getattr(client, method)(url) for method in ("get", "post")}

    redirects = [r for r in answers.values() if r.status_code == 302]
    assert redirects, {m: r.status_code for m, r in answers.items()}
    assert all(r["Location"].startswith("/signin/") for r in redirects)
    assert {r.status_code for r in answers.values()} <= {302, 405}
