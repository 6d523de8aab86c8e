"""Recording the chair's scales (SPEC.md section 10): MOAA/S and CADSS-6, at the end of the
infusion and before discharge. The rules and sources of the scales: ``clinical/sedation_scales.py``.

- A nurse or a clinician records them (403 otherwise), only while the patient is at the clinic
  (checked in or under way: 409 ``visit_not_started``), never after the discharge (409
  ``record_discharged``).
- One call records a MOAA/S, a CADSS-6, or both (400 ``scale_required`` with neither); a
  MOAA/S outside 0-5 or a CADSS-6 that is not six items of 0-4 is 400 ``out_of_range`` naming
  each field and item, and nothing is written.
- ``assessed_at`` (default now) is neither in the future nor before the appointment's clinic day
  (400 ``assessed_at_out_of_range``).

The locks and the audit are the session record's (``clinical/services/infusions.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError
from clinical.infusion_rules import AT_THE_CLINIC, on_visit_day
from clinical.models import ClinicalAccess, InfusionRecord, ScaleAssessment
from clinical.sedation_scales import cadss6_errors, cadss6_total, moaas_errors
from clinical.services.infusion_record import (
    check_writable,
    clinic_day_start,
    record_lock_for_write,
    require_record_role,
)


def _check_scales(moaas: int | None, cadss6_items: Sequence[int | None] | None) -> None:
    if moaas is None and cadss6_items is None:
        raise ClinicalError(
            "Record a MOAA/S, a CADSS-6, or both.",
            code="scale_required",
            fields={"moaas": ["Required without a CADSS-6."], "cadss6_items": ["Required without a MOAA/S."]},
        )
    wrong: dict[str, list[str]] = {}
    if moaas is not None and (errors := moaas_errors(moaas)):
        wrong["moaas"] = errors
    if cadss6_items is not None and (errors := cadss6_errors(cadss6_items)):
        wrong["cadss6_items"] = errors
    if wrong:
        raise ClinicalError("Some scores are out of range.", code="out_of_range", fields=wrong)


@locking.retried_once_on_deadlock
def infusion_scales_record(
    *,
    actor: User,
    appointment_id: UUID,
    moaas: int | None = None,
    cadss6_items: Sequence[int | None] | None = None,
    assessed_at: datetime | time | None = None,
    request_id: str = "",
    now: datetime | None = None,
) -> ScaleAssessment:
    """Record a MOAA/S score and/or a CADSS-6 of the session."""
    now = now or timezone.now()
    require_record_role(actor)
    _check_scales(moaas, cadss6_items)
    with transaction.atomic():
        locked = record_lock_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        check_writable(locked)
        if locked.appointment.status not in AT_THE_CLINIC:
            raise ClinicalConflictError("Scales are recorded once the patient is checked in.", code="visit_not_started")
        assessed = on_visit_day(assessed_at, locked.appointment) or now  # a page's time of day: the visit's day
        if not clinic_day_start(locked.appointment) <= assessed <= now:
            raise ClinicalError(
                "Not in the future, and not before the appointment's day.",
                code="assessed_at_out_of_range",
                fields={"assessed_at": ["Not in the future, nor before the appointment's day."]},
            )
        # Checked above: six whole numbers (a page's unscored item is None and refused there).
        items = [value for value in cadss6_items if value is not None] if cadss6_items is not None else None
        assessment = ScaleAssessment.objects.create(
            record=locked.record,
            assessed_at=assessed,
            moaas=moaas,
            cadss6_items=items,
            cadss6_total=cadss6_total(items) if items is not None else None,
            recorded_by=actor,
            recorded_at=now,
        )
        InfusionRecord.objects.filter(pk=locked.record.pk).update(updated_at=now)
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, locked.record, request_id=request_id, at=now)
    return assessment
