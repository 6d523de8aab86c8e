"""The discharge of an infusion (SPEC.md section 10): the patient goes home once the recovery
has passed, a reading of the last 15 minutes is inside the thresholds, no threshold alert waits
for its action, the dose given is recorded and the checklist is ticked; the appointment completes
with it. What is missing, in order and in words: ``clinical/infusion_rules.py``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError
from clinical.infusion_rules import (
    CHECKLIST,
    RECENT_READING,
    discharge_missing_items,
    infusion_ends_at,
    reading_reasons,
    recovery_ends_at,
)
from clinical.models import Alert, AlertKind, ClinicalAccess, InfusionRecord, VitalsReading
from clinical.services.infusion_record import (
    check_writable,
    record_lock_for_write,
    require_record_role,
    thresholds_of,
)


def discharge_missing(
    *, record: InfusionRecord, appointment: Appointment, checklist: dict[str, bool], now: datetime
) -> list[str]:
    """What keeps the patient from going home (``infusion_rules.discharge_missing_items``: the
    recovery time, a recent reading inside the thresholds, no open threshold alert, the dose given,
    then each checklist item not ticked), read from the record; empty: ready."""
    latest = (
        VitalsReading.objects.filter(record=record, taken_at__gte=now - RECENT_READING, taken_at__lte=now)
        .order_by("-taken_at", "-id")
        .first()
    )
    latest_reasons = None
    if latest is not None:
        latest_reasons = reading_reasons(
            thresholds_of(appointment.appointment_type.clinic_id),
            systolic=latest.systolic,
            diastolic=latest.diastolic,
            heart_rate=latest.heart_rate,
            spo2=latest.spo2,
        )
    open_alert = Alert.objects.filter(
        appointment=appointment, kind=AlertKind.VITALS_THRESHOLD, resolved_at__isnull=True
    ).exists()
    return discharge_missing_items(
        recovered_at=recovery_ends_at(record, appointment),
        latest_reasons=latest_reasons,
        open_alert=open_alert,
        dose_given=record.dose_given_mg is not None,
        checklist=checklist,
        now=now,
    )


@locking.retried_once_on_deadlock
def infusion_discharge(
    *,
    actor: User,
    appointment_id: UUID,
    checklist: dict[str, bool],
    request_id: str = "",
    now: datetime | None = None,
) -> InfusionRecord:
    """Discharge the patient: refused (409 ``discharge_not_ready``, ``fields.missing`` naming
    every missing thing, see ``discharge_missing``) unless the infusion is under way and all is
    ready; then the checklist and the discharge are written and the appointment is completed
    through booking's ``appointment_transition`` in the same transaction (an infusion is
    completed by its discharge and only so: the visit gate refuses a plain "complete")."""
    now = now or timezone.now()
    require_record_role(actor)
    with transaction.atomic():
        locked = record_lock_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        check_writable(locked)
        record, appointment = locked.record, locked.appointment
        if appointment.status != AppointmentStatus.IN_PROGRESS:
            raise ClinicalConflictError("The infusion has not started.", code="visit_not_started")
        missing = discharge_missing(record=record, appointment=appointment, checklist=checklist, now=now)
        if missing:
            raise ClinicalConflictError(
                "Not ready for discharge: " + ", ".join(item.replace("_", " ") for item in missing) + ".",
                code="discharge_not_ready",
                fields={"missing": missing},
            )
        for item in CHECKLIST:
            setattr(record, item, True)
        record.discharged_at = now
        record.discharged_by = actor
        if record.infusion_ended_at is None:
            record.infusion_ended_at = infusion_ends_at(record, appointment)
        record.updated_at = now
        record.save()
        appointment_transition(
            actor=actor, appointment_id=appointment.pk, action=AppointmentEvent.Action.COMPLETED, now=now
        )
        clinical_audit(actor, ClinicalAccess.Action.DISCHARGE, record, request_id=request_id, at=now)
    record.refresh_from_db()
    record.appointment = Appointment.objects.select_related("appointment_type__clinic", "treatment_plan").get(
        pk=appointment.pk
    )
    return record
