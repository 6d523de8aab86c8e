"""Resolving the day board's alerts (SPEC.md section 10): someone records what was done.

- A reading past a threshold (``vitals_threshold``): a nurse or a clinician records the action
  taken (``continued``, ``paused`` or ``stopped``: 400 ``action_required`` without one) and may
  add a note.
- A PHQ-9 item 9 answered above 0 (``self_harm``, raised by the questionnaire service): only a
  clinician acknowledges it (a nurse: 403), with a note (400 ``note_required``); an infusion
  action means nothing here (400 ``action_not_applicable``).

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
from core.roles import Role

VITALS_ALERT_ROLES = (Role.NURSE, Role.CLINICIAN)
SELF_HARM_ALERT_ROLES = (Role.CLINICIAN,)


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
    if actor.role not in VITALS_ALERT_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians resolve alerts.")
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise ClinicalError("No such alert.", code="not_found", status_code=404)
    note = note.strip()
    if alert.kind == AlertKind.SELF_HARM:
        if actor.role not in SELF_HARM_ALERT_ROLES:
            raise ClinicalPermissionError("A clinician acknowledges a self-harm answer.")
        if action:
            raise ClinicalError(
                "A self-harm alert takes a note, not an infusion action.",
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
