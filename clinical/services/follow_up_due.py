"""The follow-up call's making (SPEC.md section 10): ``infusion_discharge`` calls it in its
transaction. Due on the first day after the discharge's clinic day on which the clinic opens (its
extra openings, closures and weekly hours; the next calendar day when none opens within two weeks).
Recording the call's outcome: ``clinical/services/follow_ups.py``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from booking.models import Appointment
from clinical.models import FollowUpCall, InfusionRecord
from scheduling.models import Clinic
from scheduling.selectors import clinic_day

LOOK_AHEAD_DAYS = 14


def next_clinic_day(*, clinic: Clinic, after: date) -> date:
    """The first day after ``after`` on which the clinic opens (the next day when none does soon)."""
    for offset in range(1, LOOK_AHEAD_DAYS + 1):
        day = after + timedelta(days=offset)
        if clinic_day(clinic=clinic, day=day).blocks:
            return day
    return after + timedelta(days=1)


def follow_up_call_create(*, record: InfusionRecord, appointment: Appointment, now: datetime) -> FollowUpCall:
    clinic = appointment.appointment_type.clinic
    discharged_on = now.astimezone(clinic.zone).date()
    return FollowUpCall.objects.create(
        record=record,
        patient_id=appointment.patient_id,
        due_on=next_clinic_day(clinic=clinic, after=discharged_on),
        created_at=now,
    )
