"""The clinical gate of the day's transitions (booking/visit_gate.py) and the clinician's
pre-dose override (SPEC.md section 10, "Before the start").

The start of an infusion (409; ``fields.missing`` names every missing item in the table's order,
``code`` is the first one's; the items, codes and words are in ``clinical/infusion_rules.py``):
an open self-harm alert of the patient, the plan no longer active, consent and pregnancy test
(asked through ``clinical/regulated_gate.py``), no weight and so no planned dose, a planned dose
above the clinic's single-dose cap, the medication list not reviewed at check-in, this infusion's
PHQ-9 and GAD-7 not both answered, no readiness, no baseline reading in the 15 minutes before now,
and the latest of those outside the pre-dose limits with no clinician's override recorded after it.

Booking calls ``check_transition`` inside ``appointment_transition``'s transaction, with the
appointment's row locked (every write to the session record locks that row first), so what the
gate reads cannot change before the transition is written. An infusion completes only by its
discharge (409 ``discharge_required``).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking.models import Appointment, AppointmentEvent
from clinical.audit import clinical_audit
from clinical.dose_order_selectors import cosigned_order_covers
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.infusion_rules import (
    AT_THE_CLINIC,
    PREDOSE_OVERRIDE_ROLES,
    RECENT_READING,
    START_WORDS,
    dose_over_cap,
    predose_reasons,
    start_code,
)
from clinical.models import (
    Alert,
    AlertKind,
    ClinicalAccess,
    InfusionRecord,
    PlanStatus,
    PredoseOverride,
    Questionnaire,
    QuestionnaireKind,
    VitalsReading,
)
from clinical.regulated_gate import consent_satisfied, pregnancy_test_status
from clinical.services.infusion_record import check_writable, record_lock_for_write, thresholds_of

OVERRIDE_NOTE_MAX = 2000


def _baseline_missing_or_out(record: InfusionRecord | None, appointment: Appointment, now: datetime) -> list[str]:
    latest = None
    if record is not None:
        latest = (
            VitalsReading.objects.filter(record=record, taken_at__gte=now - RECENT_READING, taken_at__lte=now)
            .order_by("-taken_at", "-recorded_at")
            .first()
        )
    if latest is None:
        return ["baseline_reading"]
    reasons = predose_reasons(
        thresholds_of(appointment.appointment_type.clinic_id),
        systolic=latest.systolic,
        diastolic=latest.diastolic,
        heart_rate=latest.heart_rate,
        spo2=latest.spo2,
    )
    overridden = PredoseOverride.objects.filter(record=record, recorded_at__gte=latest.recorded_at).exists()
    return ["baseline_in_range"] if reasons and not overridden else []


def _dose_missing(record: InfusionRecord | None, appointment: Appointment) -> list[str]:
    if record is None or record.planned_dose_mg is None:
        return ["weight"]
    cap = thresholds_of(appointment.appointment_type.clinic_id).single_dose_cap_mg
    if not dose_over_cap(planned_dose_mg=record.planned_dose_mg, cap_mg=cap):
        return []
    # Above the cap only under a co-signed dose order for this infusion (section 12).
    covered = cosigned_order_covers(appointment_id=appointment.pk, planned_dose_mg=record.planned_dose_mg)
    return [] if covered else ["dose_within_cap"]


def _questionnaires_answered(appointment: Appointment) -> bool:
    answered = set(
        Questionnaire.objects.filter(appointment=appointment, answered_at__isnull=False).values_list("kind", flat=True)
    )
    return {QuestionnaireKind.PHQ9, QuestionnaireKind.GAD7} <= answered


def start_missing(*, appointment: Appointment, now: datetime) -> list[str]:
    """What the start of an infusion still needs, in the table's order (empty: it may start)."""
    missing = []
    if Alert.objects.filter(
        patient_id=appointment.patient_id, kind=AlertKind.SELF_HARM, resolved_at__isnull=True
    ).exists():
        missing.append("self_harm_acknowledgement")
    plan = appointment.treatment_plan
    if plan is None or plan.status != PlanStatus.ACTIVE:
        missing.append("plan_active")
    if not consent_satisfied(appointment):
        missing.append("consent")
    if pregnancy_test_status(appointment) != "satisfied":
        missing.append("pregnancy_test")
    record = InfusionRecord.objects.filter(appointment=appointment).first()
    missing += _dose_missing(record, appointment)
    if record is None or record.medications_reviewed_at is None:
        missing.append("medications_reviewed")
    if not _questionnaires_answered(appointment):
        missing.append("questionnaires")
    confirmed = appointment.driver_arranged and appointment.fasting_acknowledged
    if not confirmed and (record is None or record.readiness_checked_at is None):
        missing.append("readiness")
    missing += _baseline_missing_or_out(record, appointment, now)
    return missing


def start_refusal(*, appointment: Appointment, now: datetime) -> ClinicalConflictError | None:
    """The 409 the start gets now, or None when it may start."""
    missing = start_missing(appointment=appointment, now=now)
    if not missing:
        return None
    positive = "pregnancy_test" in missing and pregnancy_test_status(appointment) == "positive"
    return ClinicalConflictError(
        "The infusion cannot start: " + " ".join(START_WORDS[item] for item in missing),
        code=start_code(missing, pregnancy_positive=positive),
        fields={"missing": missing},
    )


class ClinicalVisitGate:
    def check_transition(self, *, appointment: Appointment, action: str, now: datetime) -> None:
        if action not in (AppointmentEvent.Action.STARTED, AppointmentEvent.Action.COMPLETED):
            return
        if not appointment.appointment_type.is_infusion:
            return
        if action == AppointmentEvent.Action.STARTED:
            refusal = start_refusal(appointment=appointment, now=now)
            if refusal is not None:
                raise refusal
            return
        discharged = InfusionRecord.objects.filter(appointment=appointment, discharged_at__isnull=False).exists()
        if not discharged:
            raise ClinicalConflictError(
                "An infusion is completed by its discharge.",
                code="discharge_required",
                fields={"missing": ["discharge"]},
            )


def predose_override_record(
    *, actor: User, appointment_id: UUID, note: str, request_id: str = "", now: datetime | None = None
) -> PredoseOverride:
    """A clinician's pre-dose override with its note (403 for anyone else, 400 without a note, 409
    ``visit_not_started`` before the check-in); it covers the readings recorded before it."""
    now = now or timezone.now()
    if actor.role not in PREDOSE_OVERRIDE_ROLES:
        raise ClinicalPermissionError("Only a clinician overrides the pre-dose limits.")
    note = (note or "").strip()
    if not note:
        raise ClinicalError("Say why the infusion may start.", code="note_required", fields={"note": ["Required."]})
    if len(note) > OVERRIDE_NOTE_MAX:
        raise ClinicalError(
            "The note is too long.", code="invalid", fields={"note": [f"At most {OVERRIDE_NOTE_MAX} characters."]}
        )
    with transaction.atomic():
        locked = record_lock_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        check_writable(locked)
        if locked.appointment.status not in AT_THE_CLINIC:
            raise ClinicalConflictError("The patient is not checked in.", code="visit_not_started")
        override = PredoseOverride.objects.create(record=locked.record, note=note, recorded_by=actor, recorded_at=now)
        InfusionRecord.objects.filter(pk=locked.record.pk).update(updated_at=now)
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, locked.record, request_id=request_id, at=now)
    return override
