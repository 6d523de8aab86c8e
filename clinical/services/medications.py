"""The medication list and allergies at check-in (SPEC.md section 12): the session record shows
the patient's current list (the latest version recorded at a check-in, else the evaluation's) with
what each class means here (``clinical/regulated_rules.py``); the nurse records "no change" or an
updated list, which is a new version (the old ones stay). The review is the session record's own
``medications_review`` (the start gate's ``medications_reviewed`` row reads it); an update also
writes the ``MedicationListVersion`` it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.evaluation_rules import medications_problems
from clinical.infusion_rules import RECORD_ROLES
from clinical.models import (
    ClinicalAccess,
    Evaluation,
    EvaluationStatus,
    InfusionRecord,
    MedicationListVersion,
    MedicationsReview,
)
from clinical.regulated_rules import medication_class_meaning
from clinical.services.infusion_record import check_writable, infusion_record_read, record_lock_for_write

ALLERGIES_MAX = 2000


@dataclass(frozen=True)
class MedicationLine:
    name: str
    dose: str
    frequency: str
    drug_class: str
    meaning: str


@dataclass(frozen=True)
class MedicationList:
    medications: list[MedicationLine] | None  # None: never recorded
    allergies: str
    allergies_none_known: bool
    recorded_at: datetime | None
    version_id: UUID | None  # None: the evaluation's list


@dataclass(frozen=True)
class MedicationsAtCheckIn:
    record: InfusionRecord
    current: MedicationList
    review: str
    reviewed_at: datetime | None


def _lines(medications: Any) -> list[MedicationLine] | None:
    if medications is None:
        return None
    return [
        MedicationLine(
            name=item["name"],
            dose=item["dose"],
            frequency=item["frequency"],
            drug_class=item["drug_class"],
            meaning=medication_class_meaning(item["drug_class"]),
        )
        for item in medications
    ]


def medication_list_current(*, patient_id: UUID) -> MedicationList:
    latest = MedicationListVersion.objects.filter(patient_id=patient_id).order_by("-recorded_at").first()
    if latest is not None:
        return MedicationList(
            _lines(latest.medications), latest.allergies, latest.allergies_none_known, latest.recorded_at, latest.pk
        )
    evaluation = (
        Evaluation.objects.filter(patient_id=patient_id, status=EvaluationStatus.SIGNED).order_by("-signed_at").first()
    )
    if evaluation is None:
        return MedicationList(None, "", False, None, None)
    return MedicationList(
        _lines(evaluation.medications),
        evaluation.allergies,
        evaluation.allergies_none_known,
        evaluation.signed_at,
        None,
    )


def medications_at_check_in_read(
    *, actor: User, appointment_id: UUID, request_id: str = "", now: datetime | None = None
) -> MedicationsAtCheckIn:
    """The session record's medication list for a nurse or clinician (the record's read is audited)."""
    record = infusion_record_read(actor=actor, appointment_id=appointment_id, request_id=request_id, now=now)
    return MedicationsAtCheckIn(
        record,
        medication_list_current(patient_id=record.patient_id),
        record.medications_review,
        record.medications_reviewed_at,
    )


def _update_problems(review: str, medications: Any, allergies: str, allergies_none_known: bool) -> dict[str, list[str]]:
    if review not in MedicationsReview.values:
        return {"review": ["Either no_change or updated."]}
    if review == MedicationsReview.NO_CHANGE:
        return {}
    problems: dict[str, list[str]] = {}
    if medications is None:
        problems["medications"] = ["The updated list ([] when none are taken)."]
    else:
        problems |= medications_problems(medications)
    if allergies.strip() and allergies_none_known:
        problems["allergies"] = ["Allergies are written down and also marked as none known: keep one."]
    elif not allergies.strip() and not allergies_none_known:
        problems["allergies"] = ["Write the allergies, or mark none known."]
    if len(allergies) > ALLERGIES_MAX:
        problems["allergies"] = [f"At most {ALLERGIES_MAX} characters."]
    return problems


@locking.retried_once_on_deadlock
def medications_review_record(
    *,
    actor: User,
    appointment_id: UUID,
    review: str,
    medications: Any = None,
    allergies: str = "",
    allergies_none_known: bool = False,
    request_id: str = "",
    now: datetime | None = None,
) -> MedicationsAtCheckIn:
    """The nurse's review at check-in: ``no_change``, or ``updated`` with the new list and
    allergies (a new version). 400 naming every field; 409 ``infusion_started`` after the start."""
    now = now or timezone.now()
    if actor.role not in RECORD_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians keep the infusion record.")
    problems = _update_problems(review, medications, allergies, allergies_none_known)
    if problems:
        raise ClinicalError("The medication review is not recorded.", code="invalid", fields=problems)
    with transaction.atomic():
        locked = record_lock_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        check_writable(locked)
        record = locked.record
        if record.started_at is not None:
            raise ClinicalConflictError("The infusion has started.", code="infusion_started")
        if review == MedicationsReview.UPDATED:
            version = MedicationListVersion.objects.create(
                patient_id=record.patient_id,
                record=record,
                medications=medications,
                allergies=allergies.strip(),
                allergies_none_known=allergies_none_known,
                recorded_by=actor,
                recorded_at=now,
            )
            clinical_audit(actor, ClinicalAccess.Action.CREATE, version, request_id=request_id, at=now)
        InfusionRecord.objects.filter(pk=record.pk).update(
            medications_review=review, medications_reviewed_at=now, medications_reviewed_by=actor, updated_at=now
        )
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, record, request_id=request_id, at=now)
    record.refresh_from_db()
    return MedicationsAtCheckIn(record, medication_list_current(patient_id=record.patient_id), review, now)
