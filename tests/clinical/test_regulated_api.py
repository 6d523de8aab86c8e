"""The regulated record's API and pages (SPEC.md section 12) beyond the route matrix: a patient
reads only their own consent, refusals write nothing and name their fields, every staff read is
in the access log, the medication list shows what each class means and its review satisfies the
start's row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from clinical.models import ClinicalAccess, MedicationListVersion, PatientConsent, PregnancyTest
from clinical.services.start_gate import start_missing
from core.models import PatientDataAccess
from tests.clinical.infusion_fixtures import CHECK_IN, START, check_in, infusion_appointment
from tests.clinical.regulated_fixtures import consent_document
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NOW = CHECK_IN
LORAZEPAM = {"name": "Lorazepam", "dose": "1 mg", "frequency": "at night", "drug_class": "benzodiazepine"}


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def api(client_for: Callable[[User], APIClient]) -> Callable[[User], APIClient]:
    return client_for


def reads_logged(what: str, patient: User) -> int:
    return PatientDataAccess.objects.filter(what=what, patient_ids=[str(patient.pk)]).count()


def test_a_patient_reads_only_their_own_consent(demo_clinic, api):
    document = consent_document(version=1)
    rosa = PatientFactory(first_name="Rosa", last_name="Martínez", language="es")
    other = PatientFactory()
    signed = api(rosa).post(
        "/api/v1/me/consents/",
        {"document_id": str(document.pk), "typed_name": "Rosa Martínez", "agree": True},
        format="json",
    )
    assert (signed.status_code, signed.json()["language"], signed.json()["method"]) == (201, "es", "online")
    own = api(rosa).get("/api/v1/me/consent/").json()
    assert (own["to_sign"], [c["id"] for c in own["signed"]]) == (None, [signed.json()["id"]])
    theirs = api(other).get("/api/v1/me/consent/").json()
    assert (theirs["to_sign"]["id"], theirs["to_sign"]["language"], theirs["signed"]) == (str(document.pk), "en", [])
    assert api(other).get(f"/api/v1/patients/{rosa.pk}/consents/").status_code == 403
    page = Client()
    page.force_login(other)
    assert page.get(f"/account/consents/{signed.json()['id']}/pdf/").status_code == 404
    page.force_login(rosa)
    pdf = page.get(f"/account/consents/{signed.json()['id']}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")


def test_a_refused_signature_names_every_field_and_writes_nothing(demo_clinic, api):
    document = consent_document(version=1)
    patient = PatientFactory(first_name="Ana", last_name="Ruiz")
    answer = api(patient).post(
        "/api/v1/me/consents/",
        {"document_id": str(document.pk), "typed_name": "Someone Else", "agree": False},
        format="json",
    )
    assert (answer.status_code, answer.json()["code"], sorted(answer.json()["fields"])) == (
        400,
        "invalid",
        ["agree", "typed_name"],
    )
    assert (PatientConsent.objects.count(), ClinicalAccess.objects.count()) == (0, 0)


def test_staff_reads_of_consents_tests_and_medications_are_in_the_access_log(demo_clinic, api, nurse_user):
    appointment = infusion_appointment(starts_at=START)
    patient = appointment.patient
    nurse = api(nurse_user)
    assert nurse.get(f"/api/v1/patients/{patient.pk}/consents/").status_code == 200
    assert nurse.get(f"/api/v1/infusions/{appointment.pk}/pregnancy-tests/").status_code == 200
    assert nurse.get(f"/api/v1/infusions/{appointment.pk}/medications/").status_code == 200
    page = Client()
    page.force_login(nurse_user)
    assert page.get(f"/staff/infusions/{appointment.pk}/regulated/").status_code == 200
    logged = [
        reads_logged(what, patient)
        for what in (
            "api:patient-consents",
            "api:infusion-pregnancy-tests",
            "api:infusion-medications",
            "page:infusion-regulated",
        )
    ]
    assert logged == [1, 1, 1, 1]
    consent = PatientConsent.objects.get(patient=patient)
    assert ClinicalAccess.objects.filter(object_id=consent.pk, action="read", actor=nurse_user).count() == 2


def test_a_refused_pregnancy_test_writes_nothing(demo_clinic, api, nurse_user):
    appointment = infusion_appointment(starts_at=START)
    answer = api(nurse_user).post(
        f"/api/v1/infusions/{appointment.pk}/pregnancy-tests/",
        {"result": "negative", "taken_on": (NOW.date() + timedelta(days=1)).isoformat()},
        format="json",
    )
    assert (answer.status_code, answer.json()["code"], list(answer.json()["fields"])) == (
        400,
        "taken_on_out_of_range",
        ["taken_on"],
    )
    assert (PregnancyTest.objects.count(), ClinicalAccess.objects.count()) == (0, 0)


def test_the_medication_list_shows_what_each_class_means_and_an_update_is_a_new_version(demo_clinic, api, nurse_user):
    appointment = infusion_appointment(starts_at=START)
    check_in(appointment, nurse_user)
    nurse = api(nurse_user)
    url = f"/api/v1/infusions/{appointment.pk}/medications/"
    refused = nurse.post(url, {"review": "updated", "medications": [LORAZEPAM]}, format="json")
    assert (refused.status_code, list(refused.json()["fields"])) == (400, ["allergies"])
    assert MedicationListVersion.objects.count() == 0
    updated = nurse.post(
        url, {"review": "updated", "medications": [LORAZEPAM], "allergies": "Penicillin: hives."}, format="json"
    )
    assert updated.status_code == 200
    body = updated.json()
    assert body["medications"] == [{**LORAZEPAM, "meaning": "May blunt the response to ketamine."}]
    assert (body["allergies"], body["review"]) == ("Penicillin: hives.", "updated")
    assert MedicationListVersion.objects.filter(record__appointment=appointment).count() == 1
    assert "medications_reviewed" not in start_missing(appointment=appointment, now=START)
    again = nurse.post(url, {"review": "no_change"}, format="json").json()
    assert (again["review"], again["medications"][0]["name"]) == ("no_change", "Lorazepam")
    assert MedicationListVersion.objects.count() == 1
