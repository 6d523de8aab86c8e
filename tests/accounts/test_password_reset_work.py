"""Asking for a password reset does the same work whether or not the email has an account that
can sign in (SPEC.md section 11; issue 18, item 6): the same queries, no password hash, and one
email rendered and sent (a link to the account's owner; to any other address, a note that no
account uses it), so neither the answer nor its time tells which. bench/reset_timing.py measures it."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password-reset/"


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Every password hash made (the suite's hasher is MD5PasswordHasher, settings/test.py)."""
    made: list[str] = []
    encode = MD5PasswordHasher.encode

    def counted(self, password, salt):
        made.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted)
    return made


def work(email: str) -> tuple[list[str], int]:
    """The tables queried and the emails sent by one request for ``email``."""
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        assert APIClient().post(RESET, {"email": email}, format="json").status_code == 202
    return [query["sql"].split(" FROM ")[1].split(" ")[0] for query in queries.captured_queries], len(mail.outbox)


@pytest.mark.parametrize("other", ["unknown", "deactivated", "awaiting_confirmation", "no_usable_password"])
def test_a_known_email_and_any_other_cost_the_same_queries_no_hash_and_one_email(hashes, other):
    patient = PatientFactory(email="known@example.com")
    if other == "deactivated":
        UserFactory(email="other@example.com", is_active=False)
    elif other == "awaiting_confirmation":
        UserFactory(email="other@example.com", is_active=False, awaiting_confirmation=True)
    elif other == "no_usable_password":
        UserFactory(email="other@example.com", password=None)
    hashes.clear()

    known, other_address = work(patient.email), work("Other@Example.com")

    assert known == other_address == (['"accounts_user"'], 1)
    assert hashes == []


def test_the_owner_gets_the_link_and_any_other_address_a_note_in_the_requests_language(api_client: APIClient):
    PatientFactory(email="known@example.com", first_name="Kim", language="en")

    api_client.post(RESET, {"email": "known@example.com"}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    api_client.post(RESET, {"email": "nadie@example.com"}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    api_client.post(RESET, {"email": "nobody@example.com"}, format="json")

    link, nota, note = mail.outbox
    assert (link.to, link.subject) == (["known@example.com"], "Reset your password")  # the account's language
    assert (nota.to, nota.subject) == (["nadie@example.com"], "No hay ninguna cuenta con este correo electrónico")
    assert nota.body.startswith("Hola:\n\nAlguien pidió restablecer la contraseña")
    assert (note.to, note.subject) == (["nobody@example.com"], "No account with this email")
    assert note.body.startswith("Hello,\n\nSomeone asked to reset the password of an account at the clinic")
    assert "http://127.0.0.1:8000/signup/" in note.body
    assert "/password-reset/" not in note.body
