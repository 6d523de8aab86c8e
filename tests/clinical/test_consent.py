"""Consent (SPEC.md section 12): the version rule at the start, the patient's online signature
with every refusal at once and nothing written, a paper copy recorded by staff, the PDF read back,
and the audit of staff reads."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from booking.models import Appointment
from clinical.consent_pdf import consent_pdf
from clinical.errors import ClinicalError
from clinical.models import ClinicalAccess, PatientConsent
from clinical.services.consent import (
    consent_paper_record,
    consent_satisfied_on,
    consent_sign,
    consent_to_sign,
    consents_of_patient_read,
)
from clinical.services.start_gate import start_missing
from core.errors import DomainError
from tests.clinical.infusion_fixtures import LA, START, infusion_appointment
from tests.clinical.regulated_fixtures import LONG_AGO, consent_document
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

DAY = START.date()  # Monday 7 December 2026


def consent_missing(appointment: Appointment) -> bool:
    return "consent" in start_missing(appointment=appointment, now=START)


def signed_v1_then_v2(demo_clinic, *, v2_effective_on: date) -> Appointment:
    """An infusion on DAY of a patient who signed version 1; version 2 published afterwards."""
    consent_document(version=1, effective_on=LONG_AGO)
    appointment = infusion_appointment(starts_at=START)  # the fixture signs the newest: version 1
    consent_document(version=2, effective_on=v2_effective_on)
    return Appointment.objects.get(pk=appointment.pk)


def test_a_new_version_in_effect_on_the_infusions_day_asks_again(demo_clinic):
    appointment = signed_v1_then_v2(demo_clinic, v2_effective_on=DAY)
    assert consent_missing(appointment) is True


def test_a_start_on_a_day_before_the_new_versions_effective_date_does_not_ask(demo_clinic):
    appointment = signed_v1_then_v2(demo_clinic, v2_effective_on=DAY + timedelta(days=1))
    assert consent_missing(appointment) is False
    assert consent_satisfied_on(patient_id=appointment.patient_id, day=DAY + timedelta(days=1)) is False


def test_signing_the_new_version_covers_the_next_start(demo_clinic):
    appointment = signed_v1_then_v2(demo_clinic, v2_effective_on=DAY)
    patient = appointment.patient
    document = consent_to_sign(patient_id=patient.pk)
    assert document is not None
    assert document.version == 2
    consent_sign(
        actor=patient, document_id=document.pk, typed_name=f" {patient.first_name}  {patient.last_name.upper()} ",
        agreed=True, language="es", now=START - timedelta(days=1),
    )  # fmt: skip
    assert consent_missing(appointment) is False
    assert consent_to_sign(patient_id=patient.pk) is None


def test_no_treatment_consent_published_means_none_can_cover_the_start(demo_clinic):
    assert consent_satisfied_on(patient_id=PatientFactory().pk, day=DAY) is False


def test_a_signature_with_every_problem_names_them_all_and_writes_nothing(demo_clinic):
    document = consent_document(version=1)
    patient = PatientFactory(first_name="Rosa", last_name="Martínez")
    with pytest.raises(ClinicalError) as caught:
        consent_sign(actor=patient, document_id=document.pk, typed_name="Rosa M", agreed=False, language="fr")
    assert (caught.value.code, sorted(caught.value.fields)) == ("invalid", ["agree", "language", "typed_name"])
    assert PatientConsent.objects.count() == 0


def test_an_older_version_and_a_second_signature_are_refused(demo_clinic):
    old = consent_document(version=1)
    new = consent_document(version=2)
    patient = PatientFactory(first_name="Rosa", last_name="Martínez")
    sign: dict[str, Any] = {"typed_name": "Rosa Martínez", "agreed": True, "language": "es"}
    with pytest.raises(DomainError) as caught:
        consent_sign(actor=patient, document_id=old.pk, **sign)
    assert (caught.value.status_code, caught.value.code) == (409, "consent_version_superseded")
    consent = consent_sign(actor=patient, document_id=new.pk, **sign)
    assert (consent.method, consent.language, consent.typed_name, consent.recorded_by) == (
        "online",
        "es",
        "Rosa Martínez",
        patient,
    )
    with pytest.raises(DomainError) as again:
        consent_sign(actor=patient, document_id=new.pk, **sign)
    assert again.value.code == "consent_already_signed"
    assert PatientConsent.objects.count() == 1


def test_staff_sign_nothing_online_and_a_patient_records_no_paper_copy(demo_clinic, nurse_user):
    document = consent_document(version=1)
    patient = PatientFactory()
    with pytest.raises(DomainError) as caught:
        consent_sign(actor=nurse_user, document_id=document.pk, typed_name="x", agreed=True, language="en")
    assert caught.value.status_code == 403
    with pytest.raises(DomainError) as paper:
        consent_paper_record(
            actor=patient, patient_id=patient.pk, document_id=document.pk, signed_on=DAY, language="en"
        )
    assert paper.value.status_code == 403
    assert PatientConsent.objects.count() == 0


def test_a_paper_copy_is_recorded_by_staff_and_audited(demo_clinic, admin_user):
    document = consent_document(version=1)
    patient = PatientFactory()
    with pytest.raises(ClinicalError) as future:
        consent_paper_record(
            actor=admin_user, patient_id=patient.pk, document_id=document.pk, signed_on=date(2999, 1, 1), language="en"
        )
    assert list(future.value.fields) == ["signed_on"]
    consent = consent_paper_record(
        actor=admin_user, patient_id=patient.pk, document_id=document.pk, signed_on=timezone.localdate(), language="en"
    )
    assert (consent.method, consent.typed_name, consent.recorded_by) == ("paper", "", admin_user)
    assert ClinicalAccess.objects.filter(object_id=consent.pk, action="create", actor=admin_user).count() == 1


def test_every_staff_read_of_a_patients_consents_is_audited(demo_clinic, nurse_user):
    appointment = infusion_appointment(starts_at=START)
    consents = consents_of_patient_read(actor=nurse_user, patient_id=appointment.patient_id)
    assert [c.patient_id for c in consents] == [appointment.patient_id]
    assert ClinicalAccess.objects.filter(object_id=consents[0].pk, action="read", actor=nurse_user).count() == 1


def test_the_pdf_reads_back_what_the_patient_signed_in_their_language(demo_clinic):
    document = consent_document(version=3, effective_on=date(2026, 12, 1))
    patient = PatientFactory(first_name="Rosa", last_name="Martínez", language="es")
    consent = consent_sign(
        actor=patient, document_id=document.pk, typed_name="Rosa Martínez", agreed=True, language="es", now=START
    )
    pages = PdfReader(io.BytesIO(consent_pdf(consent, zone=LA))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Consentimiento para el tratamiento con ketamina, versión 3" in text
    assert "Entiendo el tratamiento, sus riesgos y sus alternativas." in text
    assert "Rosa Martínez" in text
    assert "2026-12-07" in text
    assert "09:00" in text
