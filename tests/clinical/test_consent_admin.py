"""The consent documents in the admin: an admin publishes a version in both languages; a signed
version is read-only and cannot be deleted."""

from __future__ import annotations

import pytest
from django.test import Client

from clinical.models import ConsentDocument
from core.roles import Role
from tests.accounts.otp import enrolled
from tests.clinical.infusion_fixtures import START
from tests.clinical.regulated_fixtures import consent_document, consented
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(demo_clinic) -> Client:
    client = Client()
    client.force_login(enrolled(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)))
    return client


def test_an_admin_publishes_a_version_in_english_and_spanish(admin_client):
    response = admin_client.post(
        "/admin/clinical/consentdocument/add/",
        {
            "kind": "treatment",
            "version": "2",
            "effective_on": "2027-01-04",
            "title_en": "Consent to ketamine treatment",
            "text_en": "I understand.",
            "title_es": "Consentimiento para el tratamiento con ketamina",
            "text_es": "Entiendo.",
        },
    )
    assert response.status_code == 302
    document = ConsentDocument.objects.get(version=2)
    assert (document.kind, document.effective_on.isoformat(), document.text_es) == (
        "treatment",
        "2027-01-04",
        "Entiendo.",
    )


def test_a_signed_version_is_read_only_and_stays(admin_client):
    document = consent_document(version=1)
    unsigned = admin_client.get(f"/admin/clinical/consentdocument/{document.pk}/change/").content.decode()
    assert 'name="text_en"' in unsigned
    consented(PatientFactory(), at=START, document=document)
    signed = admin_client.get(f"/admin/clinical/consentdocument/{document.pk}/change/").content.decode()
    assert 'name="text_en"' not in signed
    assert (
        admin_client.post(f"/admin/clinical/consentdocument/{document.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert ConsentDocument.objects.filter(pk=document.pk).exists()
