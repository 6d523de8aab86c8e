"""Consent (SPEC.md section 12): the patient signs the newest treatment consent on /account/ (in
their language, typing their full name, ticking "I agree"), or staff record that a signed paper
copy is on file. A signature never changes; a new version asks again before the next infusion on
or after its effective day (``clinical/regulated_rules.py``). Booking is allowed without it; the
start is not (``ConsentAndPregnancyGate`` in ``clinical/services/regulated_gate.py``).

Refusals name every field at once and write nothing; each signature locks the patient's row
first (booking's lock order), so two presses of "I agree" make one signature. Staff reads are
audited (the clinical access log, and the views log the patient's data access).
"""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import ClinicalAccess, ConsentDocument, ConsentKind, ConsentMethod, PatientConsent
from clinical.regulated_rules import (
    CONSENT_TYPED_NAME_MAX,
    consent_covers,
    consent_version_current,
    typed_name_matches,
)
from core.roles import Role
from scheduling.selectors import clinic_zone

# Who records a paper copy and reads a patient's consents: the front desk (admin) and the chair.
CONSENT_STAFF_ROLES = (Role.NURSE, Role.CLINICIAN, Role.ADMIN)
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def consent_document_newest(*, kind: str = ConsentKind.TREATMENT) -> ConsentDocument | None:
    return ConsentDocument.objects.filter(kind=kind).order_by("-version").first()


def consent_current_on(*, day: date, kind: str = ConsentKind.TREATMENT) -> int | None:
    """The version of ``kind`` that applies to a visit on ``day`` (None: none published yet)."""
    return consent_version_current(
        ConsentDocument.objects.filter(kind=kind).values_list("version", "effective_on"), day=day
    )


def consent_signed_versions(*, patient_id: UUID, kind: str = ConsentKind.TREATMENT) -> list[int]:
    return list(
        PatientConsent.objects.filter(patient_id=patient_id, document__kind=kind).values_list(
            "document__version", flat=True
        )
    )


def consent_satisfied_on(*, patient_id: UUID, day: date) -> bool:
    """Whether the patient's signatures cover a treatment visit on ``day``."""
    return consent_covers(consent_signed_versions(patient_id=patient_id), current_version=consent_current_on(day=day))


def consent_to_sign(*, patient_id: UUID) -> ConsentDocument | None:
    """The newest treatment consent when the patient has not signed it (or a later one)."""
    newest = consent_document_newest()
    if newest is None or consent_covers(consent_signed_versions(patient_id=patient_id), current_version=newest.version):
        return None
    return newest


def consents_of_patient_own(*, patient: User) -> list[PatientConsent]:
    """A patient's own signatures, newest first (no audit: their own record)."""
    return list(PatientConsent.objects.filter(patient=patient).select_related("document"))


def consent_of_patient_own(*, patient: User, consent_id: UUID) -> PatientConsent:
    """One of the patient's own signatures (404 for anyone else's)."""
    consent = (
        PatientConsent.objects.select_related("document", "patient").filter(pk=consent_id, patient=patient).first()
    )
    if consent is None:
        raise ClinicalError("No such consent.", code="not_found", status_code=404)
    return consent


def _check_document(document_id: UUID) -> ConsentDocument:
    document = ConsentDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise ClinicalError(
            "No such consent document.", code="not_found", fields={"document_id": ["No such document."]}
        )
    return document


def _signature_problems(patient: User, *, typed_name: str, agreed: bool, language: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not typed_name.strip() or len(typed_name) > CONSENT_TYPED_NAME_MAX:
        problems["typed_name"] = ["Type your full name."]
    elif not typed_name_matches(typed_name, first_name=patient.first_name, last_name=patient.last_name):
        problems["typed_name"] = ["Type your full name as it is on your account."]
    if not agreed:
        problems["agree"] = ["Tick “I agree” to sign."]
    if language not in LANGUAGE_CODES:
        problems["language"] = ["English or Spanish."]
    return problems


def consent_sign(
    *,
    actor: User,
    document_id: UUID,
    typed_name: str,
    agreed: bool,
    language: str,
    request_id: str = "",
    now: datetime | None = None,
) -> PatientConsent:
    """The patient signs the newest treatment consent online (400 naming every missing field,
    409 ``consent_version_superseded`` for an older version, ``consent_already_signed``)."""
    now = now or timezone.now()
    if actor.role != Role.PATIENT:
        raise ClinicalPermissionError("Patients sign their own consent; staff record a paper copy.")
    document = _check_document(document_id)
    problems = _signature_problems(actor, typed_name=typed_name, agreed=agreed, language=language)
    if problems:
        code = "agreement_required" if list(problems) == ["agree"] else "invalid"
        raise ClinicalError("The consent is not signed yet.", code=code, fields=problems)
    with transaction.atomic():
        locking.lock_patient(patient_id=actor.pk)
        consent = _consent_create(
            patient=actor,
            document=document,
            method=ConsentMethod.ONLINE,
            language=language,
            typed_name=" ".join(typed_name.split()),
            signed_at=now,
            actor=actor,
            now=now,
        )
    return consent


def _consent_create(
    *,
    patient: User,
    document: ConsentDocument,
    method: str,
    language: str,
    typed_name: str,
    signed_at: datetime,
    actor: User,
    now: datetime,
) -> PatientConsent:
    """Inside the caller's transaction, the patient's row locked: refuse a superseded or already
    signed version, then write the signature."""
    newest = consent_document_newest(kind=document.kind)
    if newest is not None and newest.version > document.version:
        raise ClinicalConflictError(
            f"Version {newest.version} replaces this one: sign that.", code="consent_version_superseded"
        )
    if PatientConsent.objects.filter(patient=patient, document=document).exists():
        raise ClinicalConflictError("This version is already signed.", code="consent_already_signed")
    return PatientConsent.objects.create(
        patient=patient,
        document=document,
        method=method,
        language=language,
        typed_name=typed_name,
        signed_at=signed_at,
        recorded_by=actor,
        recorded_at=now,
    )


def consent_paper_record(
    *,
    actor: User,
    patient_id: UUID,
    document_id: UUID,
    signed_on: date,
    language: str,
    request_id: str = "",
    now: datetime | None = None,
) -> PatientConsent:
    """Staff record that the patient's signed paper copy of a version is on file (``signed_on``,
    the day on the paper, neither in the future nor before the version existed)."""
    now = now or timezone.now()
    if actor.role not in CONSENT_STAFF_ROLES:
        raise ClinicalPermissionError("Nurses, clinicians and the front desk record a paper consent.")
    patient = User.objects.filter(pk=patient_id, role=Role.PATIENT).first()
    if patient is None:
        raise ClinicalError("No such patient.", code="not_found", status_code=404)
    document = _check_document(document_id)
    problems: dict[str, list[str]] = {}
    zone = clinic_zone()
    if signed_on > now.astimezone(zone).date() or signed_on < document.created_at.astimezone(zone).date():
        problems["signed_on"] = ["The day written on the signed copy: not in the future, not before this version."]
    if language not in LANGUAGE_CODES:
        problems["language"] = ["English or Spanish."]
    if problems:
        raise ClinicalError("The paper consent is not recorded.", code="invalid", fields=problems)
    signed_at = datetime.combine(signed_on, time(12), tzinfo=zone)  # the paper names a day: its clinic noon
    with transaction.atomic():
        locking.lock_patient(patient_id=patient.pk)
        consent = _consent_create(
            patient=patient,
            document=document,
            method=ConsentMethod.PAPER,
            language=language,
            typed_name="",
            signed_at=signed_at,
            actor=actor,
            now=now,
        )
        clinical_audit(actor, ClinicalAccess.Action.CREATE, consent, request_id=request_id, at=now)
    return consent


def consents_of_patient_read(
    *, actor: User, patient_id: UUID, request_id: str = "", now: datetime | None = None
) -> list[PatientConsent]:
    """A patient's signatures for staff, each read audited."""
    now = now or timezone.now()
    if actor.role not in CONSENT_STAFF_ROLES:
        raise ClinicalPermissionError("Nurses, clinicians and the front desk read consents.")
    if not User.objects.filter(pk=patient_id, role=Role.PATIENT).exists():
        raise ClinicalError("No such patient.", code="not_found", status_code=404)
    consents = list(PatientConsent.objects.filter(patient_id=patient_id).select_related("document"))
    with transaction.atomic():
        for consent in consents:
            clinical_audit(actor, ClinicalAccess.Action.READ, consent, request_id=request_id, at=now)
    return consents
