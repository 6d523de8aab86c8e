"""The infusion session record itself (SPEC.md section 10): finding it, making it, locking it
for a write, and the audited read.

One ``InfusionRecord`` per infusion appointment (an appointment whose type counts against the
plan's infusions), for the appointment's treatment plan. It exists from the patient's check-in (a
listener on booking's ``AppointmentChanged``) or from the first time staff open or write it,
whichever comes first; ``started_at`` is copied from the appointment's "started" transition (the
same listener), the origin of the readings schedule. When made, it takes the patient's latest
weight of the 30 days before the appointment's clinic day (``weight_measured_on`` says when) and
the planned dose from it.

Every write locks the patient's row, then the appointment's, then the record's, in that order
(booking's lock order, booking/locking.py: ``appointment_transition`` locks the appointment before
its visit gate reads the record, so a start or a discharge never interleaves with a reading, and a
move of the appointment never deadlocks with a write here). Every staff read and write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.events import AppointmentChanged
from booking.models import Appointment, AppointmentEvent
from clinical.audit import clinical_audit
from clinical.dose_order_selectors import session_dose_of
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.infusion_rules import RECORD_ROLES, WEIGHT_VALID_FOR, WRITABLE_STATUSES
from clinical.models import ClinicalAccess, ClinicThresholds, InfusionRecord
from scheduling.intervals import local_day_bounds


def thresholds_of(clinic_id: int) -> ClinicThresholds:
    """The clinic's thresholds, made with SPEC.md's defaults the first time they are needed."""
    thresholds, _ = ClinicThresholds.objects.get_or_create(clinic_id=clinic_id)
    return thresholds


# -- finding and making the record --------------------------------------------------------------------


def require_record_role(actor: User) -> None:
    if actor.role not in RECORD_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians keep the infusion record.")


def _not_found() -> ClinicalError:
    return ClinicalError("No such infusion appointment.", code="not_found", status_code=404)


def _infusion_appointment(appointment_id: UUID, *, lock: bool = False) -> Appointment:
    rows = Appointment.objects.select_related("appointment_type__clinic", "treatment_plan", "patient")
    if lock:
        appointment = locking.lock_appointment(appointment_id=appointment_id, rows=rows)
    else:
        appointment = rows.filter(pk=appointment_id).first()
    if appointment is None or not appointment.appointment_type.is_infusion:
        raise _not_found()
    return appointment


def clinic_day_start(appointment: Appointment) -> datetime:
    zone = appointment.appointment_type.clinic.zone
    day = appointment.starts_at.astimezone(zone).date()
    return local_day_bounds(day, day, zone)[0]


def _previous_weight(appointment: Appointment) -> tuple[Decimal, date] | None:
    """The patient's latest weight of the 30 days before the appointment's clinic day."""
    zone = appointment.appointment_type.clinic.zone
    day = appointment.starts_at.astimezone(zone).date()
    latest = (
        InfusionRecord.objects.filter(
            patient_id=appointment.patient_id,
            weight_kg__isnull=False,
            weight_measured_on__gte=day - WEIGHT_VALID_FOR,
            weight_measured_on__lte=day,
        )
        .exclude(appointment_id=appointment.pk)
        .order_by("-weight_measured_on", "-updated_at")
        .values_list("weight_kg", "weight_measured_on")
        .first()
    )
    if latest is None or latest[0] is None or latest[1] is None:
        return None
    return latest[0], latest[1]


def _record_create(appointment: Appointment, *, now: datetime) -> InfusionRecord:
    plan = appointment.treatment_plan
    if plan is None:
        raise ClinicalConflictError("This infusion has no treatment plan.", code="no_treatment_plan")
    values: dict[str, Any] = {}
    previous = _previous_weight(appointment)
    if previous is not None and plan.dose_mg_per_kg is not None:
        weight, measured_on = previous
        # The plan's dose, or the latest dose order covering this infusion (section 12).
        dose = session_dose_of(plan=plan, appointment_id=appointment.pk, weight_kg=weight, started_at=None)
        values = {
            "weight_kg": weight,
            "weight_measured_on": measured_on,
            "dose_mg_per_kg": dose.dose_mg_per_kg,
            "planned_dose_mg": dose.planned_dose_mg,
        }
    try:
        with transaction.atomic():
            return InfusionRecord.objects.create(
                appointment=appointment,
                patient_id=appointment.patient_id,
                plan=plan,
                created_at=now,
                updated_at=now,
                **values,
            )
    except IntegrityError:
        # Made meanwhile by another request (the one-to-one refuses a second): use that one.
        return InfusionRecord.objects.get(appointment=appointment)


def infusion_record_ensure(*, appointment: Appointment, now: datetime) -> tuple[InfusionRecord, bool]:
    """The record of an infusion appointment, made when absent; and whether it was made now."""
    record = InfusionRecord.objects.filter(appointment=appointment).first()
    if record is not None:
        return record, False
    return _record_create(appointment, now=now), True


def infusion_record_follow_appointment(event: object) -> None:
    """Listener (core.events): the record is made at check-in, and takes the real start time."""
    if not isinstance(event, AppointmentChanged):
        return
    if event.action not in (AppointmentEvent.Action.CHECKED_IN, AppointmentEvent.Action.STARTED):
        return
    appointment = (
        Appointment.objects.select_related("appointment_type__clinic", "treatment_plan")
        .filter(pk=event.appointment_id)
        .first()
    )
    if appointment is None or not appointment.appointment_type.is_infusion or appointment.treatment_plan_id is None:
        return
    record, _ = infusion_record_ensure(appointment=appointment, now=event.occurred_at)
    if event.action == AppointmentEvent.Action.STARTED:
        InfusionRecord.objects.filter(pk=record.pk, started_at__isnull=True).update(
            started_at=event.occurred_at, updated_at=event.occurred_at
        )


@dataclass
class LockedRecord:
    appointment: Appointment
    record: InfusionRecord
    created: bool


def record_lock_for_write(*, actor: User, appointment_id: UUID, now: datetime, request_id: str) -> LockedRecord:
    """Inside a transaction: the appointment's row, then the record's, locked; refusals first."""
    appointment = _infusion_appointment(appointment_id, lock=True)
    record, created = infusion_record_ensure(appointment=appointment, now=now)
    record = InfusionRecord.objects.select_for_update().get(pk=record.pk)
    if created:
        clinical_audit(actor, ClinicalAccess.Action.CREATE, record, request_id=request_id, at=now)
    return LockedRecord(appointment, record, created)


def check_writable(locked: LockedRecord) -> None:
    if locked.record.discharged_at is not None:
        raise ClinicalConflictError("The patient was discharged; the record is closed.", code="record_discharged")
    if locked.appointment.status not in WRITABLE_STATUSES:
        raise ClinicalConflictError("This appointment did not take place.", code="invalid_status")


# -- read -------------------------------------------------------------------------------------------------


def infusion_record_read(
    *, actor: User, appointment_id: UUID, request_id: str = "", now: datetime | None = None
) -> InfusionRecord:
    """The record of an infusion appointment for a nurse or clinician (made when absent), audited."""
    now = now or timezone.now()
    require_record_role(actor)
    appointment = _infusion_appointment(appointment_id)
    with transaction.atomic():
        record, created = infusion_record_ensure(appointment=appointment, now=now)
        if created:
            clinical_audit(actor, ClinicalAccess.Action.CREATE, record, request_id=request_id, at=now)
        clinical_audit(actor, ClinicalAccess.Action.READ, record, request_id=request_id, at=now)
    record.appointment = appointment
    return record
