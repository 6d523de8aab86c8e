"""The patient's consent pages (SPEC.md section 12): /account/ asks to sign, the consent reads in
the patient's language, a refusal says why beside its field and writes nothing, the signature
lands on /account/ with its PDF; the staff page records a test, a review and a paper copy."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from clinical.models import Alert, MedicationListVersion, PatientConsent, PregnancyTest, TreatmentPlan
from tests.clinical.infusion_fixtures import LA, check_in, infusion_appointment
from tests.clinical.regulated_fixtures import consent_document
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def signed_in(user, *, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def test_rosa_reads_and_signs_the_consent_in_spanish(demo_clinic):
    consent_document(version=1)
    rosa = PatientFactory(first_name="Rosa", last_name="Martínez", language="es")
    client = signed_in(rosa, language="es")
    account = client.get("/account/").content.decode()
    assert "Leer y firmar el consentimiento" in account
    page = client.get("/account/consent/").content.decode()
    assert "Entiendo el tratamiento, sus riesgos y sus alternativas." in page
    assert "Su nombre completo" in page
    refused = client.post("/account/consent/", {"typed_name": "Rosa Martínez"})
    assert refused.status_code == 400
    assert "Marque «Acepto» para firmar." in refused.content.decode()
    assert PatientConsent.objects.count() == 0
    signed = client.post("/account/consent/", {"typed_name": "rosa martínez", "agree": "on"})
    assert (signed.status_code, signed["Location"]) == (302, "/account/#consent-title")
    consent = PatientConsent.objects.get(patient=rosa)
    assert (consent.language, consent.method, consent.typed_name) == ("es", "online", "rosa martínez")
    account = client.get("/account/").content.decode()
    assert "Versión 1, firmada en línea" in account
    assert f"/account/consents/{consent.pk}/pdf/" in account


def test_the_staff_page_records_a_test_a_review_and_a_paper_copy(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    consent_document(version=2)  # newer than the one the fixture put on file
    client = signed_in(nurse_user)
    url = f"/staff/infusions/{appointment.pk}/regulated/"
    page = client.get(url).content.decode()
    assert "No current treatment consent for this infusion" in page
    bad = client.post(url + "pregnancy-test/", {"pregnancy-result": "positive"})
    assert bad.status_code == 400
    assert PregnancyTest.objects.count() == 0
    positive = client.post(
        url + "pregnancy-test/", {"pregnancy-result": "positive", "pregnancy-taken_on": "2026-12-06"}
    )
    assert positive["Location"] == url + "#pregnancy"
    assert TreatmentPlan.objects.get(appointments=appointment).status == "suspended"
    review = client.post(
        url + "medications/",
        {
            "medications-review": "updated",
            "medications-medications": "Oxycodone; 5 mg; as needed; opioid",
            "medications-allergies_none_known": "on",
        },
    )
    assert review["Location"] == url + "#medications"
    assert MedicationListVersion.objects.get().medications[0]["drug_class"] == "opioid"
    assert "Breathing: sedation and slowed breathing" in client.get(url).content.decode()
    today = timezone.now().astimezone(LA).date().isoformat()  # a version is not signed before it was published
    paper = client.post(url + "paper-consent/", {"consent-signed_on": today, "consent-language": "en"})
    assert paper["Location"] == url + "#consent"
    assert PatientConsent.objects.filter(patient=appointment.patient, document__version=2, method="paper").exists()


def test_a_clinician_acknowledges_the_positive_test_on_the_session_record(demo_clinic, nurse_user, clinician_user):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    signed_in(nurse_user).post(
        f"/staff/infusions/{appointment.pk}/regulated/pregnancy-test/",
        {"pregnancy-result": "positive", "pregnancy-taken_on": "2026-12-06"},
    )
    alert = Alert.objects.get(kind="pregnancy_positive")
    client = signed_in(clinician_user)
    page = client.get(f"/staff/infusions/{appointment.pk}/").content.decode()
    assert "Positive pregnancy test — clinician review; the plan is suspended" in page
    done = client.post(
        f"/staff/infusions/{appointment.pk}/alerts/{alert.pk}/", {f"alert-{alert.pk}-note": "Called; plan paused."}
    )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert (alert.resolved_by, alert.note) == (clinician_user, "Called; plan paused.")
