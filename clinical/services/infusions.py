"""Writes of the infusion session record (SPEC.md section 10): weight and planned dose, dose
given, readiness, the infusion's end, readings. The record itself (made, locked, read) is
``infusion_record.py``'s; the discharge is ``infusion_discharge.py``'s; adverse events are
``adverse_events.py``'s; the pure rules (ranges, reasons, times, who and when) are
``clinical/infusion_rules.py``'s.

Rules:

- Weight: measured that day (``weight_measured_on`` is the clinic-local date it was entered), or,
  when the record is made, the patient's latest weight of the 30 days before the appointment's
  day. The planned dose is the plan's mg/kg times the weight, rounded half up to 0.1 mg
  (``clinical/dosing.py``), recomputed whenever the weight changes.
- Dose given: more than 0 (400 ``out_of_range`` otherwise; the database checks it too); more
  than planned is refused (400 ``dose_above_plan``, a value the rules refuse, as
  ``override_reason_required`` is for evaluations); less needs ``dose_reason`` (400
  ``dose_reason_required``); no dose before a planned dose (409 ``weight_missing``).
- Readiness: the patient's own confirmation (driver and fasting) or the nurse's record
  (``readiness_checked_at``), and the nurse's medication review (``medications_review``), until
  the start.
- Readings: only while the patient is at the clinic (checked in or under way: 409
  ``visit_not_started`` otherwise), the dose given only once started (409 ``visit_not_started``);
  ``taken_at`` (default now; an instant, or a time of day on the clinic's clock placed on the
  appointment's clinic day, as the page's forms send it) neither in the future nor before the
  appointment's clinic day (400 ``taken_at_out_of_range``); values inside the physiological
  ranges of ``clinical.models.infusions`` (400 ``out_of_range``, per field) and diastolic below
  systolic (400 ``diastolic_not_below_systolic``). A reading past the clinic's thresholds raises
  an ``Alert(kind=vitals_threshold)`` naming the reasons, in the same transaction
  (``clinical.services.alerts.alert_raise``: the clinician responsible is messaged).
- A discharged record is read-only (409 ``record_discharged``); a cancelled or no-show
  appointment takes no writes (409 ``invalid_status``).

Every write locks in booking's order (``infusion_record.record_lock_for_write``) and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.models import Appointment, AppointmentStatus
from clinical.audit import clinical_audit
from clinical.dose_order_selectors import session_dose_of
from clinical.errors import ClinicalConflictError, ClinicalError
from clinical.events import DoseGivenChanging
from clinical.infusion_rules import (
    AT_THE_CLINIC,
    RECORD_ROLES,
    VITALS_RANGES,
    on_visit_day,
    reading_reasons,
)
from clinical.models import (
    Alert,
    AlertKind,
    ClinicalAccess,
    InfusionRecord,
    MedicationListVersion,
    MedicationsReview,
    VitalsReading,
)
from clinical.models.infusions import DOSE_GIVEN_MG_RANGE, WEIGHT_KG_RANGE
from clinical.services.alerts import alert_raise
from clinical.services.infusion_discharge import infusion_discharge
from clinical.services.infusion_record import (
    check_writable,
    clinic_day_start,
    infusion_record_read,
    record_lock_for_write,
    require_record_role,
    thresholds_of,
)
from core import events

# The names callers import from here, kept when the record, its discharge and the rules moved out.
__all__ = [
    "RECORD_ROLES",
    "infusion_discharge",
    "infusion_record_read",
    "infusion_record_update",
    "infusion_vitals_record",
]


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
    ``infusion_ended_at`` (after the start, not in the future; an instant or a time of day on the
    clinic's clock, placed on the visit's day). The dose rules are checked on the
    record as it would be after the change."""
    now = now or timezone.now()
    require_record_role(actor)
    changes = {name: value for name, value in changes.items() if name in UPDATE_FIELDS}
    _check_ranges(changes)
    with transaction.atomic():
        locked = record_lock_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        check_writable(locked)
        record, appointment = locked.record, locked.appointment
        if "weight_kg" in changes:
            _set_weight(record, appointment, changes["weight_kg"], now=now)
        if "dose_given_mg" in changes:
            if changes["dose_given_mg"] is not None and appointment.status != AppointmentStatus.IN_PROGRESS:
                raise ClinicalConflictError(
                    "The dose is given once the infusion has started.", code="visit_not_started"
                )
            if changes["dose_given_mg"] != record.dose_given_mg:
                events.publish(DoseGivenChanging(appointment_id=appointment.pk, occurred_at=now))
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
            _set_infusion_end(record, on_visit_day(changes["infusion_ended_at"], appointment), now=now)
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
    # The plan's dose, or the latest dose order covering this infusion (section 12).
    dose = session_dose_of(plan=plan, appointment_id=appointment.pk, weight_kg=weight, started_at=record.started_at)
    record.dose_mg_per_kg, record.planned_dose_mg = dose.dose_mg_per_kg, dose.planned_dose_mg


def _set_medications_review(record: InfusionRecord, review: str | None, *, actor: User, now: datetime) -> None:
    """The nurse's check-in record that the medication list was reviewed ("" or None clears it)."""
    if record.started_at is not None:
        raise ClinicalConflictError("The infusion has started.", code="infusion_started")
    review = review or ""
    if review and review not in MedicationsReview.values:
        raise ClinicalError(
            "Unknown review.", code="invalid", fields={"medications_review": ["Either no_change or updated."]}
        )
    if review == MedicationsReview.UPDATED and not MedicationListVersion.objects.filter(record=record).exists():
        # A changed list is a new version of it (section 12), written by the medication review
        # (services/medications.py) with the review itself: "updated" alone would let the start
        # gate's medications_reviewed row pass with the old list.
        raise ClinicalError(
            "A changed medication list is recorded as a new version, with the review.",
            code="medication_list_required",
            fields={"medications_review": ["Record the new list on the medication review; it marks the review."]},
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


def _check_taken_at(appointment: Appointment, moment: datetime, *, now: datetime) -> None:
    if not clinic_day_start(appointment) <= moment <= now:
        raise ClinicalError(
            "Not in the future, and not before the appointment's day.",
            code="taken_at_out_of_range",
            fields={"taken_at": ["Not in the future, nor before the appointment's day."]},
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
    taken_at: datetime | time | None = None,
    request_id: str = "",
    now: datetime | None = None,
) -> RecordedReading:
    """Record a reading; one past the clinic's thresholds raises an alert in the same transaction.
    ``taken_at``: an instant, or a time of day on the clinic's clock on the visit's day (default now)."""
    now = now or timezone.now()
    require_record_role(actor)
    values = {"systolic": systolic, "diastolic": diastolic, "heart_rate": heart_rate, "spo2": spo2}
    _check_vitals(values)
    with transaction.atomic():
        locked = record_lock_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        check_writable(locked)
        appointment = locked.appointment
        if appointment.status not in AT_THE_CLINIC:
            raise ClinicalConflictError("Readings are taken once the patient is checked in.", code="visit_not_started")
        taken = on_visit_day(taken_at, appointment) or now
        _check_taken_at(appointment, taken, now=now)
        reading = VitalsReading.objects.create(
            record=locked.record, taken_at=taken, note=note, recorded_by=actor, recorded_at=now, **values
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
