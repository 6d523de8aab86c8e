"""The next-day follow-up call (SPEC.md section 10): the discharge creates it, due the next clinic
day; it stays on the nurses' list and the day board until a nurse or clinician records its outcome.

- made by ``infusion_discharge`` in its transaction (``clinical/services/follow_up_due.py``);
- ``follow_up_call_record``: reached or not (``reached``); when reached, how the patient is
  (``patient_condition``, 400 ``condition_required`` without it) and any new adverse event, which
  is recorded against that infusion through ``clinical/services/adverse_events.py`` (its own
  rules and codes apply, named together with the condition's; a grade 3 or more, or serious,
  raises its alert); not reached, neither may be given (400 ``not_reached``). Recorded once (409
  ``follow_up_recorded``, a conditional update). A refusal writes nothing.

Locks: the patient's row, the appointment's, the session record's (the session record's order),
then the call's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from clinical.adverse_event_rules import adverse_event_input, adverse_event_problems
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError
from clinical.models import ClinicalAccess, FollowUpCall, InfusionRecord
from clinical.services.adverse_events import adverse_event_record
from clinical.services.infusion_record import require_record_role


def _check_outcome(*, reached: bool, patient_condition: str, adverse_event: dict[str, Any] | None) -> None:
    """Every problem of the outcome at once: the condition, and the event's own (its service's rules)."""
    if not reached and (patient_condition or adverse_event):
        wrong = {}
        if patient_condition:
            wrong["patient_condition"] = ["Only when the patient was reached."]
        if adverse_event:
            wrong["adverse_event"] = ["Only when the patient was reached."]
        raise ClinicalError("The patient was not reached.", code="not_reached", fields=wrong)
    fields: dict[str, list[str]] = {}
    codes = []
    if reached and not patient_condition:
        fields["patient_condition"] = ["Required."]
        codes.append("condition_required")
    for problem in adverse_event_problems(adverse_event_input(adverse_event)) if adverse_event else []:
        fields.setdefault(problem.field, []).append(problem.words)
        codes.append(problem.code)
    if fields:
        raise ClinicalError("Some fields are missing or invalid.", code=codes[0], fields=fields)


def _not_found() -> ClinicalError:
    return ClinicalError("No such follow-up call.", code="not_found", status_code=404)


@locking.retried_once_on_deadlock
def follow_up_call_record(
    *,
    actor: User,
    follow_up_id: UUID,
    reached: bool,
    patient_condition: str = "",
    adverse_event: dict[str, Any] | None = None,
    request_id: str = "",
    now: datetime | None = None,
) -> FollowUpCall:
    """Record the call's outcome; a new adverse event (the adverse-event service's fields) is
    recorded against the call's infusion in the same transaction."""
    now = now or timezone.now()
    require_record_role(actor)
    patient_condition = patient_condition.strip()
    _check_outcome(reached=reached, patient_condition=patient_condition, adverse_event=adverse_event)
    found = FollowUpCall.objects.filter(pk=follow_up_id).values_list("record__appointment_id", flat=True).first()
    if found is None:
        raise _not_found()
    with transaction.atomic():
        locking.lock_appointment(appointment_id=found)
        InfusionRecord.objects.select_for_update().filter(appointment_id=found).get()
        call = FollowUpCall.objects.select_for_update().get(pk=follow_up_id)
        if call.recorded_at is not None:
            raise ClinicalConflictError("This call's outcome is already recorded.", code="follow_up_recorded")
        event = None
        if adverse_event:
            event = adverse_event_record(
                actor=actor,
                appointment_id=found,
                event=adverse_event_input(adverse_event),
                note=str(adverse_event.get("note") or ""),
                occurred_at=adverse_event.get("occurred_at"),
                after_discharge=True,
                request_id=request_id,
                now=now,
            )
        updated = FollowUpCall.objects.filter(pk=call.pk, recorded_at__isnull=True).update(
            reached=reached,
            patient_condition=patient_condition,
            adverse_event=event,
            recorded_by=actor,
            recorded_at=now,
        )
        if updated != 1:  # cannot happen under the lock; the update is the last word anyway
            raise ClinicalConflictError("This call's outcome is already recorded.", code="follow_up_recorded")
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, call, request_id=request_id, at=now)
    call.refresh_from_db()
    return call
