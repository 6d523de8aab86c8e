"""Writes of the infusion session record (SPEC.md section 10): weight and planned dose, dose
given, readiness, readings, the discharge (adverse events: ``clinical/services/adverse_events.py``).

The record: one ``InfusionRecord`` per infusion appointment (an appointment whose type counts
against the plan's infusions), for the appointment's treatment plan. It exists from the patient's
check-in (a listener on booking's ``AppointmentChanged``) or from the first time staff open or
write it, whichever comes first; ``started_at`` is copied from the appointment's "started"
transition (the same listener), the origin of the readings schedule.

Rules:

- Weight: measured that day (``weight_measured_on`` is the clinic-local date it was entered), or,
  when the record is made, the patient's latest weight of the 30 days before the appointment's
  day (``weight_measured_on`` then says when). The planned dose is the plan's mg/kg times the
  weight, rounded half up to 0.1 mg (``Decimal``), recomputed whenever the weight changes.
- Dose given: more than 0 (400 ``out_of_range`` otherwise; the database checks it too); more
  than planned is refused (400 ``dose_above_plan``, a value the rules refuse, as
  ``override_reason_required`` is for evaluations); less needs ``dose_reason`` (400
  ``dose_reason_required``); no dose before a planned dose (409 ``weight_missing``).
- Readiness: the patient's own confirmation (driver and fasting) or the nurse's record
  (``readiness_checked_at``), and the nurse's medication review (``medications_review``), until
  the start.
- Readings and events: only while the patient is at the clinic (checked in or under way: 409
  ``visit_not_started`` otherwise), the dose given only once started (409 ``visit_not_started``);
  ``taken_at`` (default now) neither in the future nor before the appointment's clinic day
  (400 ``taken_at_out_of_range``); values inside the physiological
  ranges of ``clinical.models.infusions`` (400 ``out_of_range``, per field) and diastolic below
  systolic (400 ``diastolic_not_below_systolic``). A reading past the clinic's thresholds raises
  an ``Alert(kind=vitals_threshold)`` naming the reasons, in the same transaction.
- A discharged record is read-only (409 ``record_discharged``); a cancelled or no-show
  appointment takes no writes (409 ``invalid_status``).
- Discharge: see ``infusion_discharge``.

Every write locks the patient's row, then the appointment's, then the record's, in that order
(booking's lock order, booking/locking.py: ``appointment_transition`` locks the appointment before
its visit gate reads the record, so a start or a discharge never interleaves with a reading, and a
move of the appointment never deadlocks with a write here). Every staff read and write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.events import AppointmentChanged
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.appointments import appointment_transition
from clinical.audit import clinical_audit
from clinical.dosing import planned_dose
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import (
    Alert,
    AlertKind,
    ClinicalAccess,
    ClinicThresholds,
    InfusionRecord,
    MedicationsReview,
    VitalsReading,
)
from clinical.models.infusions import (
    DIASTOLIC_RANGE,
    DOSE_GIVEN_MG_RANGE,
    HEART_RATE_RANGE,
    SPO2_RANGE,
    SYSTOLIC_RANGE,
    WEIGHT_KG_RANGE,
)
from clinical.services.alerts import alert_raise
from core.roles import Role
from scheduling.intervals import local_day_bounds

RECORD_ROLES = (Role.NURSE, Role.CLINICIAN)
WEIGHT_VALID_FOR = timedelta(days=30)
RECENT_READING = timedelta(minutes=15)  # the discharge's reading, and the start's baseline

VITALS_RANGES: dict[str, tuple[int, int]] = {
    "systolic": SYSTOLIC_RANGE,
    "diastolic": DIASTOLIC_RANGE,
    "heart_rate": HEART_RATE_RANGE,
    "spo2": SPO2_RANGE,
}
# Reasons an alert names (the outcome report counts "systolic"/"diastolic" as blood pressure).
REASON_SYSTOLIC = "systolic"
REASON_DIASTOLIC = "diastolic"
REASON_HEART_RATE_HIGH = "heart_rate_high"
REASON_HEART_RATE_LOW = "heart_rate_low"
REASON_SPO2_LOW = "spo2_low"
CHECKLIST = ("alert_and_oriented", "escort_present", "walking_steadily")
WRITABLE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS)
AT_THE_CLINIC = (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS)


# -- pure rules ---------------------------------------------------------------------------------------


def reading_reasons(
    thresholds: ClinicThresholds, *, systolic: int, diastolic: int, heart_rate: int, spo2: int
) -> list[str]:
    """What of a reading is past the clinic's thresholds (empty: inside them all)."""
    reasons = []
    if systolic >= thresholds.systolic_at_least:
        reasons.append(REASON_SYSTOLIC)
    if diastolic >= thresholds.diastolic_at_least:
        reasons.append(REASON_DIASTOLIC)
    if heart_rate >= thresholds.heart_rate_at_least:
        reasons.append(REASON_HEART_RATE_HIGH)
    if heart_rate <= thresholds.heart_rate_at_most:
        reasons.append(REASON_HEART_RATE_LOW)
    if spo2 < thresholds.spo2_below:
        reasons.append(REASON_SPO2_LOW)
    return reasons


def thresholds_of(clinic_id: int) -> ClinicThresholds:
    """The clinic's thresholds, made with SPEC.md's defaults the first time they are needed."""
    thresholds, _ = ClinicThresholds.objects.get_or_create(clinic_id=clinic_id)
    return thresholds


def infusion_ends_at(record: InfusionRecord, appointment: Appointment) -> datetime | None:
    """When the infusion ended (the nurse's record) or ends (the type's duration after the start)."""
    if record.started_at is None:
        return None
    if record.infusion_ended_at is not None:
        return record.infusion_ended_at
    return record.started_at + timedelta(minutes=appointment.appointment_type.duration_minutes)


def recovery_ends_at(record: InfusionRecord, appointment: Appointment) -> datetime | None:
    ended = infusion_ends_at(record, appointment)
    if ended is None:
        return None
    return ended + timedelta(minutes=appointment.appointment_type.recovery_minutes)


# -- finding and making the record --------------------------------------------------------------------


def _require_record_role(actor: User) -> None:
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


def _clinic_day_start(appointment: Appointment) -> datetime:
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
        values = {
            "weight_kg": weight,
            "weight_measured_on": measured_on,
            "dose_mg_per_kg": plan.dose_mg_per_kg,
            "planned_dose_mg": planned_dose(dose_mg_per_kg=plan.dose_mg_per_kg, weight_kg=weight),
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
class _Locked:
    appointment: Appointment
    record: InfusionRecord
    created: bool


def _locked_for_write(*, actor: User, appointment_id: UUID, now: datetime, request_id: str) -> _Locked:
    """Inside a transaction: the appointment's row, then the record's, locked; refusals first."""
    appointment = _infusion_appointment(appointment_id, lock=True)
    record, created = infusion_record_ensure(appointment=appointment, now=now)
    record = InfusionRecord.objects.select_for_update().get(pk=record.pk)
    if created:
        clinical_audit(actor, ClinicalAccess.Action.CREATE, record, request_id=request_id, at=now)
    return _Locked(appointment, record, created)


def _check_writable(locked: _Locked) -> None:
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
    _require_record_role(actor)
    appointment = _infusion_appointment(appointment_id)
    with transaction.atomic():
        record, created = infusion_record_ensure(appointment=appointment, now=now)
        if created:
            clinical_audit(actor, ClinicalAccess.Action.CREATE, record, request_id=request_id, at=now)
        clinical_audit(actor, ClinicalAccess.Action.READ, record, request_id=request_id, at=now)
    record.appointment = appointment
    return record


# -- weight, dose, readiness, the infusion's end ---------------------------------------------------------

UPDATE_FIELDS = (
    "weight_kg",
    "dose_given_mg",
    "dose_reason",
    "readiness_checked",
    "medications_review",
    "infusion_ended_at",
)


def _check_dose(record: InfusionRecord) -> None:
    given = record.dose_given_mg
    if given is None:
        return
    if record.planned_dose_mg is None:
        raise ClinicalConflictError("Record the weight first: the planned dose comes from it.", code="weight_missing")
    if given > record.planned_dose_mg:
        raise ClinicalError(
            f"More than the planned {record.planned_dose_mg} mg is never given.",
            code="dose_above_plan",
            fields={"dose_given_mg": [f"At most {record.planned_dose_mg} mg."]},
        )
    if given < record.planned_dose_mg and not record.dose_reason.strip():
        raise ClinicalError(
            "Less than planned was given: say why.",
            code="dose_reason_required",
            fields={"dose_reason": ["Required when less than planned is given."]},
        )


_UPDATE_RANGES = {"weight_kg": WEIGHT_KG_RANGE, "dose_given_mg": DOSE_GIVEN_MG_RANGE}


def _check_ranges(changes: dict[str, Any]) -> None:
    """A weight and a dose given inside their ranges (a dose of 0 or less is no dose), each named."""
    fields = {
        name: [f"Must be between {low} and {high}."]
        for name, (low, high) in _UPDATE_RANGES.items()
        if changes.get(name) is not None and not low <= changes[name] <= high
    }
    if fields:
        raise ClinicalError("Some values are out of range.", code="out_of_range", fields=fields)


@locking.retried_once_on_deadlock
def infusion_record_update(
    *,
    actor: User,
    appointment_id: UUID,
    changes: dict[str, Any],
    request_id: str = "",
    now: datetime | None = None,
) -> InfusionRecord:
    """Change any of UPDATE_FIELDS: ``weight_kg`` (measured today; the planned dose follows),
    ``dose_given_mg`` (once started) and ``dose_reason``, ``medications_review`` (``no_change``
    or ``updated``, before the start), ``readiness_checked`` (the nurse's own readiness
    record: true stamps now and the actor, false clears it; only before the start) and
    ``infusion_ended_at`` (after the start, not in the future). The dose rules are checked on the
    record as it would be after the change."""
    now = now or timezone.now()
    _require_record_role(actor)
    changes = {name: value for name, value in changes.items() if name in UPDATE_FIELDS}
    _check_ranges(changes)
    with transaction.atomic():
        locked = _locked_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        _check_writable(locked)
        record, appointment = locked.record, locked.appointment
        if "weight_kg" in changes:
            _set_weight(record, appointment, changes["weight_kg"], now=now)
        if "dose_given_mg" in changes:
            if changes["dose_given_mg"] is not None and appointment.status != AppointmentStatus.IN_PROGRESS:
                raise ClinicalConflictError(
                    "The dose is given once the infusion has started.", code="visit_not_started"
                )
            record.dose_given_mg = changes["dose_given_mg"]
        if "dose_reason" in changes:
            record.dose_reason = changes["dose_reason"] or ""
        if "readiness_checked" in changes:
            if record.started_at is not None:
                raise ClinicalConflictError("The infusion has started.", code="infusion_started")
            checked = bool(changes["readiness_checked"])
            record.readiness_checked_at = now if checked else None
            record.readiness_checked_by = actor if checked else None
        if "medications_review" in changes:
            _set_medications_review(record, changes["medications_review"], actor=actor, now=now)
        if "infusion_ended_at" in changes:
            _set_infusion_end(record, changes["infusion_ended_at"], now=now)
        _check_dose(record)
        record.updated_at = now
        record.save()
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, record, request_id=request_id, at=now)
    record.appointment = appointment
    return record


def _set_weight(record: InfusionRecord, appointment: Appointment, weight: Decimal | None, *, now: datetime) -> None:
    plan = appointment.treatment_plan
    assert plan is not None  # a record always has its plan
    if weight is None:
        record.weight_kg = record.weight_measured_on = record.dose_mg_per_kg = record.planned_dose_mg = None
        return
    record.weight_kg = weight
    record.weight_measured_on = now.astimezone(appointment.appointment_type.clinic.zone).date()
    record.dose_mg_per_kg = plan.dose_mg_per_kg
    record.planned_dose_mg = (
        planned_dose(dose_mg_per_kg=plan.dose_mg_per_kg, weight_kg=weight) if plan.dose_mg_per_kg is not None else None
    )


def _set_medications_review(record: InfusionRecord, review: str | None, *, actor: User, now: datetime) -> None:
    """The nurse's check-in record that the medication list was reviewed ("" or None clears it)."""
    if record.started_at is not None:
        raise ClinicalConflictError("The infusion has started.", code="infusion_started")
    review = review or ""
    if review and review not in MedicationsReview.values:
        raise ClinicalError(
            "Unknown review.", code="invalid", fields={"medications_review": ["Either no_change or updated."]}
        )
    record.medications_review = review
    record.medications_reviewed_at = now if review else None
    record.medications_reviewed_by = actor if review else None


def _set_infusion_end(record: InfusionRecord, ended_at: datetime | None, *, now: datetime) -> None:
    if ended_at is not None:
        if record.started_at is None:
            raise ClinicalConflictError("The infusion has not started.", code="not_started")
        if not record.started_at < ended_at <= now:
            raise ClinicalError(
                "The infusion ends after its start and not in the future.",
                code="infusion_end_out_of_range",
                fields={"infusion_ended_at": ["After the start, not in the future."]},
            )
    record.infusion_ended_at = ended_at


# -- readings -----------------------------------------------------------------------------------------------


def _check_vitals(values: dict[str, int]) -> None:
    wrong = {
        name: [f"Must be between {low} and {high}."]
        for name, (low, high) in VITALS_RANGES.items()
        if not low <= values[name] <= high
    }
    if wrong:
        raise ClinicalError("Some values are out of range.", code="out_of_range", fields=wrong)
    if values["diastolic"] >= values["systolic"]:
        raise ClinicalError(
            "The diastolic pressure is below the systolic.",
            code="diastolic_not_below_systolic",
            fields={"diastolic": ["Must be below the systolic pressure."]},
        )


def _check_taken_at(appointment: Appointment, moment: datetime, *, now: datetime, field: str) -> None:
    if not _clinic_day_start(appointment) <= moment <= now:
        raise ClinicalError(
            "Not in the future, and not before the appointment's day.",
            code="taken_at_out_of_range" if field == "taken_at" else "occurred_at_out_of_range",
            fields={field: ["Not in the future, nor before the appointment's day."]},
        )


@dataclass(frozen=True)
class RecordedReading:
    reading: VitalsReading
    alert: Alert | None


@locking.retried_once_on_deadlock
def infusion_vitals_record(
    *,
    actor: User,
    appointment_id: UUID,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
    note: str = "",
    taken_at: datetime | None = None,
    request_id: str = "",
    now: datetime | None = None,
) -> RecordedReading:
    """Record a reading; one past the clinic's thresholds raises an alert in the same transaction."""
    now = now or timezone.now()
    _require_record_role(actor)
    values = {"systolic": systolic, "diastolic": diastolic, "heart_rate": heart_rate, "spo2": spo2}
    _check_vitals(values)
    taken_at = taken_at or now
    with transaction.atomic():
        locked = _locked_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        _check_writable(locked)
        appointment = locked.appointment
        if appointment.status not in AT_THE_CLINIC:
            raise ClinicalConflictError("Readings are taken once the patient is checked in.", code="visit_not_started")
        _check_taken_at(appointment, taken_at, now=now, field="taken_at")
        reading = VitalsReading.objects.create(
            record=locked.record, taken_at=taken_at, note=note, recorded_by=actor, recorded_at=now, **values
        )
        reasons = reading_reasons(thresholds_of(appointment.appointment_type.clinic_id), **values)
        alert = None
        if reasons:
            alert = alert_raise(
                kind=AlertKind.VITALS_THRESHOLD, appointment=appointment, reading=reading, reasons=reasons, at=now
            )
        InfusionRecord.objects.filter(pk=locked.record.pk).update(updated_at=now)
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, locked.record, request_id=request_id, at=now)
    return RecordedReading(reading, alert)


# -- discharge -----------------------------------------------------------------------------------------------


def discharge_missing(
    *, record: InfusionRecord, appointment: Appointment, checklist: dict[str, bool], now: datetime
) -> list[str]:
    """What keeps the patient from going home, in a fixed order (empty: ready):

    ``recovery_time`` (the type's recovery has not passed since the infusion ended),
    ``recent_reading`` (no reading in the last 15 minutes), ``reading_past_threshold`` (the latest
    reading of the last 15 minutes is past a threshold: the latest decides, an earlier good one
    does not make a bad one fine), ``open_alert`` (a threshold alert without its recorded
    action), ``dose_given`` (not recorded), then each checklist item not ticked.
    """
    missing = []
    recovered_at = recovery_ends_at(record, appointment)
    if recovered_at is None or now < recovered_at:
        missing.append("recovery_time")
    latest = (
        VitalsReading.objects.filter(record=record, taken_at__gte=now - RECENT_READING, taken_at__lte=now)
        .order_by("-taken_at", "-id")
        .first()
    )
    if latest is None:
        missing.append("recent_reading")
    else:
        reasons = reading_reasons(
            thresholds_of(appointment.appointment_type.clinic_id),
            systolic=latest.systolic,
            diastolic=latest.diastolic,
            heart_rate=latest.heart_rate,
            spo2=latest.spo2,
        )
        if reasons:
            missing.append("reading_past_threshold")
    if Alert.objects.filter(
        appointment=appointment, kind=AlertKind.VITALS_THRESHOLD, resolved_at__isnull=True
    ).exists():
        missing.append("open_alert")
    if record.dose_given_mg is None:
        missing.append("dose_given")
    missing += [item for item in CHECKLIST if not checklist.get(item)]
    return missing


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
    _require_record_role(actor)
    with transaction.atomic():
        locked = _locked_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        _check_writable(locked)
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
