"""Alerts that reach a clinician (SPEC.md section 10): the one place that raises, escalates and
resolves them. Everything that raises or resolves an alert calls this module.

Raising (``alert_raise``, inside the caller's transaction, which holds the alert with its source):
the alert is written and, unless it is raised already acknowledged, the clinician responsible is
messaged at once by email and text message through the outbox (``core.events``: notifications
listens and writes the rows in the same transaction). Responsible: the infusion's clinician on
duty (the appointment's supervising clinician), otherwise the clinician who signed the plan;
when there is none (a controlled-substance count), every clinician at once.

Escalating (``alerts_escalate_due``, Celery beat every minute): an alert unacknowledged 15
minutes after it was raised goes to every clinician, claimed once by a conditional update.

Resolving (``alert_acknowledge``):

- a reading past a threshold (``vitals_threshold``): a nurse or a clinician records the action
  taken (``continued``, ``paused`` or ``stopped``: 400 ``action_required`` without one) and may
  add a note;
- every other kind (self-harm answer, worsening PHQ-9, adverse event, positive pregnancy test,
  count discrepancy): only a clinician acknowledges it (a nurse: 403), with a note (400
  ``note_required``); an infusion action means nothing here (400 ``action_not_applicable``).

An alert is resolved once (409 ``alert_resolved``), by a conditional update; the acknowledgement
is audited, and its messages not yet sent are cancelled (``AlertResolved``). Patients never
reach this (403 by role), nor see the note.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking.models import Appointment
from clinical.alert_rules import ESCALATE_AFTER, NOTE_ALERT_KINDS, SELF_HARM_ALERT_ROLES
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.events import AlertEscalated, AlertRaised, AlertResolved
from clinical.models import (
    AdverseEvent,
    Alert,
    AlertAction,
    AlertKind,
    ClinicalAccess,
    Evaluation,
    Questionnaire,
    VitalsReading,
)
from core import events
from core.roles import CARE_TEAM_ROLES, Role

__all__ = [
    "SELF_HARM_ALERT_ROLES",
    "alert_acknowledge",
    "alert_raise",
    "alerts_escalate_due",
    "clinician_responsible_for",
    "clinicians_all",
    "count_discrepancy_alert_raise",
]


# -- raising ------------------------------------------------------------------------------------------


def clinicians_all() -> tuple[UUID, ...]:
    """Every active clinician, the escalation's recipients."""
    return tuple(User.objects.filter(role=Role.CLINICIAN, is_active=True).order_by("pk").values_list("pk", flat=True))


def clinician_responsible_for(appointment: Appointment | None) -> UUID | None:
    """The infusion's clinician on duty, otherwise the clinician who signed the plan (None: nobody)."""
    if appointment is None:
        return None
    on_duty = (
        User.objects.filter(staff_member__supervised_appointments=appointment.pk, role=Role.CLINICIAN, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if on_duty is not None:
        return on_duty
    if appointment.treatment_plan_id is None:
        return None
    return (
        Evaluation.objects.filter(
            plan__pk=appointment.treatment_plan_id, signed_by__role=Role.CLINICIAN, signed_by__is_active=True
        )
        .values_list("signed_by_id", flat=True)
        .first()
    )


def alert_raise(
    *,
    kind: AlertKind,
    reasons: list[str],
    at: datetime,
    appointment: Appointment | None = None,
    reading: VitalsReading | None = None,
    questionnaire: Questionnaire | None = None,
    evaluation: Evaluation | None = None,
    adverse_event: AdverseEvent | None = None,
    acknowledged_by: User | None = None,
    note: str = "",
) -> Alert:
    """Write an alert of ``kind`` from its source (the database checks the source fits the kind)
    and message the clinician responsible at once. ``acknowledged_by`` raises it already
    acknowledged, with ``note`` (the evaluation's self-harm answer, reviewed as it is signed):
    nobody is messaged."""
    alert = Alert(
        kind=kind,
        patient_id=appointment.patient_id if appointment is not None else None,
        appointment=appointment,
        reading=reading,
        questionnaire=questionnaire,
        evaluation=evaluation,
        adverse_event=adverse_event,
        reasons=reasons,
        raised_at=at,
    )
    if acknowledged_by is not None:
        alert.resolved_at, alert.resolved_by, alert.note = at, acknowledged_by, note
        alert.save()
        return alert
    alert.notified_clinician_id = clinician_responsible_for(appointment)
    recipients: tuple[UUID, ...] = (alert.notified_clinician_id,) if alert.notified_clinician_id else clinicians_all()
    if alert.notified_clinician_id is None:
        alert.escalated_at = at  # every clinician has it already: nothing left to escalate
    alert.save()
    events.publish(AlertRaised(alert_id=alert.pk, recipient_ids=recipients, occurred_at=at))
    return alert


def count_discrepancy_alert_raise(*, reasons: list[str], at: datetime) -> Alert:
    """A count of the controlled-substance stock disagrees with the book (SPEC.md section 12):
    an alert of no patient and no appointment, open until a clinician resolves it with a note.
    The caller's transaction holds it together with the count."""
    return alert_raise(kind=AlertKind.COUNT_DISCREPANCY, reasons=reasons, at=at)


# -- escalating ---------------------------------------------------------------------------------------


def alerts_escalate_due(*, now: datetime | None = None) -> list[UUID]:
    """Every alert open 15 minutes or more and not yet escalated goes to every clinician; each is
    claimed by a conditional update, so two sweeps at once escalate it once. Returns their ids."""
    now = now or timezone.now()
    due = list(
        Alert.objects.filter(
            resolved_at__isnull=True, escalated_at__isnull=True, raised_at__lte=now - ESCALATE_AFTER
        ).values_list("pk", flat=True)
    )
    escalated = []
    recipients = clinicians_all()
    for alert_id in due:
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=alert_id, resolved_at__isnull=True, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if claimed == 1:
                events.publish(AlertEscalated(alert_id=alert_id, recipient_ids=recipients, occurred_at=now))
                escalated.append(alert_id)
    return escalated


# -- resolving ----------------------------------------------------------------------------------------


def _check_acknowledgement(alert: Alert, *, actor: User, action: str, note: str) -> None:
    if alert.kind in NOTE_ALERT_KINDS:
        if actor.role not in SELF_HARM_ALERT_ROLES:
            raise ClinicalPermissionError("A clinician acknowledges this alert.")
        if action:
            raise ClinicalError(
                "This alert takes a note, not an infusion action.",
                code="action_not_applicable",
                fields={"action": ["Not for this alert."]},
            )
        if not note:
            raise ClinicalError("Say what was done.", code="note_required", fields={"note": ["Required."]})
    elif action not in AlertAction.values:
        raise ClinicalError(
            "Record the action taken: continued, paused or stopped.",
            code="action_required",
            fields={"action": ["Required."]},
        )


def alert_acknowledge(
    *,
    actor: User,
    alert_id: UUID,
    action: str = "",
    note: str = "",
    request_id: str = "",
    now: datetime | None = None,
) -> Alert:
    now = now or timezone.now()
    if actor.role not in CARE_TEAM_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians resolve alerts.")
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise ClinicalError("No such alert.", code="not_found", status_code=404)
    note = note.strip()
    _check_acknowledgement(alert, actor=actor, action=action, note=note)
    with transaction.atomic():
        resolved = Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=actor, action=action, note=note
        )
        if resolved != 1:
            raise ClinicalConflictError("This alert was already resolved.", code="alert_resolved")
        clinical_audit(actor, ClinicalAccess.Action.ACKNOWLEDGE, alert, request_id=request_id, at=now)
        events.publish(AlertResolved(alert_id=alert.pk, occurred_at=now))
    alert.refresh_from_db()
    return alert
