"""Resolving the day board's alerts (SPEC.md section 10): someone records what was done.

- A reading past a threshold (``vitals_threshold``): a nurse or a clinician records the action
  taken (``continued``, ``paused`` or ``stopped``: 400 ``action_required`` without one) and may
  add a note.
- A PHQ-9 item 9 answered above 0 (``self_harm``) or a worsening PHQ-9 (``phq9_worsening``), both
  raised by the questionnaire service, and a
  controlled-substance count that disagrees with the book (``count_discrepancy``, raised by
  ``controlled/`` through ``count_discrepancy_alert_raise``): only a clinician acknowledges them
  (a nurse: 403), with a note (400 ``note_required``); an infusion action means nothing here (400
  ``action_not_applicable``).

An alert is resolved once (409 ``alert_resolved``), by a conditional update; the acknowledgement
is audited. Patients never reach this (403 by role), nor see the note.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import Alert, AlertAction, AlertKind, ClinicalAccess
from core.roles import CARE_TEAM_ROLES, Role

SELF_HARM_ALERT_ROLES = (Role.CLINICIAN,)
# Alerts a clinician acknowledges with a note (no infusion action).
NOTE_ALERT_KINDS = (AlertKind.SELF_HARM, AlertKind.COUNT_DISCREPANCY, AlertKind.PHQ9_WORSENING)


def count_discrepancy_alert_raise(*, reasons: list[str], at: datetime) -> Alert:
    """A count of the controlled-substance stock disagrees with the book (SPEC.md section 12):
    an alert of no patient and no appointment, open until a clinician resolves it with a note.
    The caller's transaction holds it together with the count."""
    return Alert.objects.create(kind=AlertKind.COUNT_DISCREPANCY, reasons=reasons, raised_at=at)


def phq9_worsening_alert_raise(*, patient_id: UUID, appointment_id: UUID, reasons: list[str], at: datetime) -> Alert:
    """A worsening PHQ-9 (SPEC.md section 10): open until a clinician acknowledges it with a note;
    it does not block the start. The caller's transaction holds it together with the answer."""
    return Alert.objects.create(
        kind=AlertKind.PHQ9_WORSENING,
        patient_id=patient_id,
        appointment_id=appointment_id,
        reasons=reasons,
        raised_at=at,
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
    with transaction.atomic():
        resolved = Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=actor, action=action, note=note
        )
        if resolved != 1:
            raise ClinicalConflictError("This alert was already resolved.", code="alert_resolved")
        clinical_audit(actor, ClinicalAccess.Action.ACKNOWLEDGE, alert, request_id=request_id, at=now)
    alert.refresh_from_db()
    return alert
