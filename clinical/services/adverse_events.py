"""Recording adverse events (SPEC.md section 10): at the chair, and later from the next-day
follow-up call, each against its infusion.

- ``adverse_event_record``: a nurse or a clinician records an event of a session while the patient
  is at the clinic (checked in or under way: 409 ``visit_not_started`` otherwise; a discharged
  record is closed, 409 ``record_discharged``), or, from the next-day follow-up call
  (``after_discharge``), against the discharged infusion (409 ``not_discharged`` before);
  ``occurred_at`` (default now; an instant or a time of day on the visit's day) neither in the
  future nor before the appointment's clinic day (400 ``occurred_at_out_of_range``).
- ``adverse_event_add``: the write itself, inside the caller's transaction and locks.

Locks: the session record's order (``infusion_record.record_lock_for_write``).

Bad input is a 400 naming every problem at once (``clinical.adverse_event_rules``), checked
before anything is locked or written. An event of grade 3 or more, or serious, raises an alert in
the same transaction (``clinical.services.alerts.alert_raise``), which reaches the clinician.
"""

from __future__ import annotations

from datetime import datetime, time
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.models import Appointment
from clinical.adverse_event_rules import AdverseEventInput, adverse_event_problems, adverse_event_raises_alert
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError
from clinical.infusion_rules import AT_THE_CLINIC, on_visit_day
from clinical.models import AdverseEvent, AlertKind, ClinicalAccess, InfusionRecord
from clinical.services.alerts import alert_raise
from clinical.services.infusion_record import (
    check_writable,
    clinic_day_start,
    record_lock_for_write,
    require_record_role,
)


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
    """Write a checked event against ``record`` (the caller's transaction holds the record's
    locks), and raise its alert when it is grade 3 or more or serious."""
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


def _check_occurred_at(appointment: Appointment, moment: datetime, *, now: datetime) -> None:
    if not clinic_day_start(appointment) <= moment <= now:
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
    occurred_at: datetime | time | None = None,
    after_discharge: bool = False,
    request_id: str = "",
    now: datetime | None = None,
) -> AdverseEvent:
    """Record an adverse event of the session (see the module's rules). ``occurred_at``: an
    instant, or a time of day on the clinic's clock on the visit's day (default now).
    ``after_discharge``: found by the next-day follow-up call (``clinical/services/follow_ups.py``),
    recorded against the discharged infusion."""
    now = now or timezone.now()
    require_record_role(actor)
    adverse_event_check(event)
    with transaction.atomic():
        locked = record_lock_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        if after_discharge:
            if locked.record.discharged_at is None:
                raise ClinicalConflictError("The follow-up call comes after the discharge.", code="not_discharged")
        else:
            check_writable(locked)
            if locked.appointment.status not in AT_THE_CLINIC:
                raise ClinicalConflictError("Record events once the patient is checked in.", code="visit_not_started")
        occurred = on_visit_day(occurred_at, locked.appointment) or now
        _check_occurred_at(locked.appointment, occurred, now=now)
        written = adverse_event_add(
            actor=actor,
            record=locked.record,
            appointment=locked.appointment,
            event=event,
            occurred_at=occurred,
            note=note,
            now=now,
        )
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, locked.record, request_id=request_id, at=now)
    return written
