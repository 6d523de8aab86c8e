"""The discharge of an infusion (SPEC.md section 10): the patient goes home once the recovery
has passed, a reading of the last 15 minutes is inside the thresholds and back near the patient's
own baseline, a MOAA/S of 5 and a CADSS-6 are recorded since the infusion ended, no alert of this
infusion is open, the dose given is recorded and the checklist is ticked; the appointment completes
with it and the next-day follow-up call is made. What is missing, in order and in words:
``clinical/discharge_rules.py``.
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
from clinical.discharge_rules import CHECKLIST, DischargeFacts, Vitals, discharge_missing_items, unticked
from clinical.errors import ClinicalConflictError
from clinical.infusion_rules import (
    RECENT_READING,
    infusion_ends_at,
    reading_reasons,
    recovery_ends_at,
)
from clinical.models import Alert, ClinicalAccess, InfusionRecord, VitalsReading
from clinical.scale_selectors import scales_since_end
from clinical.services.follow_up_due import follow_up_call_create
from clinical.services.infusion_record import (
    check_writable,
    record_lock_for_write,
    require_record_role,
    thresholds_of,
)


def _vitals(reading: VitalsReading | None) -> Vitals | None:
    return None if reading is None else Vitals(reading.systolic, reading.diastolic, reading.heart_rate, reading.spo2)


def discharge_missing(
    *, record: InfusionRecord, appointment: Appointment, checklist: dict[str, bool], now: datetime
) -> list[str]:
    """What keeps the patient from going home, in ``clinical.discharge_rules.DISCHARGE_ITEMS``'
    order (empty: ready). Read here, judged there: the latest reading of the last 15 minutes (and
    whether it is past a threshold), the patient's own baseline (the latest reading at or before
    the start), the latest MOAA/S and any CADSS-6 since the infusion ended, an open alert of this
    infusion (any kind), the dose given and the checklist."""
    thresholds = thresholds_of(appointment.appointment_type.clinic_id)
    readings = VitalsReading.objects.filter(record=record).order_by("-taken_at", "-id")
    latest = readings.filter(taken_at__gte=now - RECENT_READING, taken_at__lte=now).first()
    baseline = readings.filter(taken_at__lte=record.started_at).first() if record.started_at else None
    latest_vitals = _vitals(latest)
    past = latest_vitals is not None and bool(reading_reasons(thresholds, **vars(latest_vitals)))
    scales = scales_since_end(record=record, ended_at=infusion_ends_at(record, appointment), now=now)
    facts = DischargeFacts(
        now=now,
        recovery_ends_at=recovery_ends_at(record, appointment),
        latest=latest_vitals,
        latest_past_thresholds=past,
        baseline=_vitals(baseline),
        latest_moaas=scales.latest_moaas,
        cadss6_recorded=scales.cadss6_recorded,
        open_alert=Alert.objects.filter(appointment=appointment, resolved_at__isnull=True).exists(),
        dose_given=record.dose_given_mg is not None,
        checklist=checklist,
    )
    return discharge_missing_items(facts, thresholds)


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
            # ``fields.checklist``: which of the checklist's items are not ticked (for the page's boxes).
            fields: dict[str, list[str]] = {"missing": missing}
            if "checklist" in missing:
                fields["checklist"] = unticked(checklist)
            raise ClinicalConflictError(
                "Not ready for discharge: " + ", ".join(item.replace("_", " ") for item in missing) + ".",
                code="discharge_not_ready",
                fields=fields,
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
        follow_up_call_create(record=record, appointment=appointment, now=now)
        clinical_audit(actor, ClinicalAccess.Action.DISCHARGE, record, request_id=request_id, at=now)
    record.refresh_from_db()
    record.appointment = Appointment.objects.select_related("appointment_type__clinic", "treatment_plan").get(
        pk=appointment.pk
    )
    return record
