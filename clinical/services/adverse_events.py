"""Recording adverse events (SPEC.md section 10): at the chair, and later from the next-day
follow-up call, each against its infusion.

- ``adverse_event_record``: a nurse or a clinician records an event of a session while the patient
  is at the clinic (checked in or under way: 409 ``visit_not_started`` otherwise; a discharged
  record is closed, 409 ``record_discharged``), ``occurred_at`` (default now) neither in the future
  nor before the appointment's clinic day (400 ``occurred_at_out_of_range``).
- ``adverse_event_add``: the write itself, for a caller that holds the infusion's locks and has
  decided the event belongs to it (the follow-up call records one after the discharge).

Bad input is a 400 naming every problem at once (``clinical.adverse_event_rules``), checked
before anything is locked or written. An event of grade 3 or more, or serious, raises an alert in
the same transaction (``clinical.services.alerts.alert_raise``), which reaches the clinician.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.models import Appointment
from clinical.adverse_event_rules import AdverseEventInput, adverse_event_problems, adverse_event_raises_alert
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import AdverseEvent, AlertKind, ClinicalAccess, InfusionRecord
from clinical.services.alerts import alert_raise
from clinical.services.infusions import AT_THE_CLINIC, RECORD_ROLES, WRITABLE_STATUSES, infusion_record_ensure
from scheduling.intervals import local_day_bounds


def adverse_event_check(event: AdverseEventInput) -> None:
    """400 naming every problem of the event (the first one's code), or nothing."""
    problems = adverse_event_problems(event)
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.field, []).append(problem.words)
        raise ClinicalError("Some fields are missing or invalid.", code=problems[0].code, fields=fields)


def adverse_event_add(
    *,
    actor: User,
    record: InfusionRecord,
    appointment: Appointment,
    event: AdverseEventInput,
    occurred_at: datetime,
    note: str = "",
    now: datetime,
) -> AdverseEvent:
    """Write a checked event against ``record`` (the caller's transaction holds the locks), and
    raise its alert when it is grade 3 or more or serious."""
    adverse_event_check(event)
    assert event.grade is not None
    written = AdverseEvent.objects.create(
        record=record,
        code=event.code,
        description=event.description.strip(),
        grade=event.grade,
        serious=event.serious,
        relatedness=event.relatedness,
        outcome=event.outcome,
        action=event.action,
        action_detail=event.action_detail.strip(),
        occurred_at=occurred_at,
        note=note,
        recorded_by=actor,
        recorded_at=now,
    )
    if adverse_event_raises_alert(grade=event.grade, serious=event.serious):
        reasons = [f"grade_{event.grade}", *(["serious"] if event.serious else [])]
        alert_raise(
            kind=AlertKind.ADVERSE_EVENT, appointment=appointment, adverse_event=written, reasons=reasons, at=now
        )
    InfusionRecord.objects.filter(pk=record.pk).update(updated_at=now)
    return written


def _locked_session(appointment_id: UUID, *, actor: User, now: datetime, request_id: str) -> InfusionRecord:
    """Inside a transaction: the patient's, the appointment's, then the record's row locked
    (the infusion service's order); refusals of the session's state."""
    rows = Appointment.objects.select_related("appointment_type__clinic", "treatment_plan")
    appointment = locking.lock_appointment(appointment_id=appointment_id, rows=rows)
    if appointment is None or not appointment.appointment_type.is_infusion:
        raise ClinicalError("No such infusion appointment.", code="not_found", status_code=404)
    record, created = infusion_record_ensure(appointment=appointment, now=now)
    record = InfusionRecord.objects.select_for_update().get(pk=record.pk)
    if created:
        clinical_audit(actor, ClinicalAccess.Action.CREATE, record, request_id=request_id, at=now)
    if record.discharged_at is not None:
        raise ClinicalConflictError("The patient was discharged; the record is closed.", code="record_discharged")
    if appointment.status not in WRITABLE_STATUSES:
        raise ClinicalConflictError("This appointment did not take place.", code="invalid_status")
    if appointment.status not in AT_THE_CLINIC:
        raise ClinicalConflictError("Record events once the patient is checked in.", code="visit_not_started")
    record.appointment = appointment
    return record


def _check_occurred_at(appointment: Appointment, moment: datetime, *, now: datetime) -> None:
    zone = appointment.appointment_type.clinic.zone
    day = appointment.starts_at.astimezone(zone).date()
    if not local_day_bounds(day, day, zone)[0] <= moment <= now:
        raise ClinicalError(
            "Not in the future, and not before the appointment's day.",
            code="occurred_at_out_of_range",
            fields={"occurred_at": ["Not in the future, nor before the appointment's day."]},
        )


@locking.retried_once_on_deadlock
def adverse_event_record(
    *,
    actor: User,
    appointment_id: UUID,
    event: AdverseEventInput,
    note: str = "",
    occurred_at: datetime | None = None,
    request_id: str = "",
    now: datetime | None = None,
) -> AdverseEvent:
    """Record an adverse event of the session at the chair (see the module's rules)."""
    now = now or timezone.now()
    if actor.role not in RECORD_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians keep the infusion record.")
    adverse_event_check(event)
    occurred_at = occurred_at or now
    with transaction.atomic():
        record = _locked_session(appointment_id, actor=actor, now=now, request_id=request_id)
        _check_occurred_at(record.appointment, occurred_at, now=now)
        written = adverse_event_add(
            actor=actor,
            record=record,
            appointment=record.appointment,
            event=event,
            occurred_at=occurred_at,
            note=note,
            now=now,
        )
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, record, request_id=request_id, at=now)
    return written
