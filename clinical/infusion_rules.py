"""The infusion session record's pure rules (SPEC.md section 10). No database: the services,
the selectors, the API and the pages import them from here.

- Who keeps the record, and in which appointment states it takes writes and readings.
- Readings: the physiological ranges, the reasons a reading is past the clinic's thresholds.
- Times: when the infusion ends and when its recovery does; "recent" is the last 15 minutes.
- The start gate ("Before the start"): its items in the table's order with their codes and
  words, the pre-dose limits and the single-dose cap.
- The discharge: its checklist, and what keeps a patient from going home, in order and in words.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from booking.models import AppointmentStatus
from clinical.models.infusions import DIASTOLIC_RANGE, HEART_RATE_RANGE, SPO2_RANGE, SYSTOLIC_RANGE
from core.roles import CARE_TEAM_ROLES, Role

if TYPE_CHECKING:
    from booking.models import Appointment
    from clinical.models import InfusionRecord

# -- the record -------------------------------------------------------------------------------------------

RECORD_ROLES = CARE_TEAM_ROLES  # the care team keeps the record (everyone else: 403)
PREDOSE_OVERRIDE_ROLES = (Role.CLINICIAN,)  # who overrides the pre-dose limits
WRITABLE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS)
AT_THE_CLINIC = (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS)  # readings and events
WEIGHT_VALID_FOR = timedelta(days=30)  # a weight of the 30 days before the visit plans its dose
RECENT_READING = timedelta(minutes=15)  # the discharge's reading, and the start's baseline
RECENT_MINUTES = int(RECENT_READING.total_seconds() // 60)


def on_visit_day(value: datetime | time | None, appointment: Appointment) -> datetime | None:
    """An instant as given, or a time of day typed on the clinic's clock (the page's forms) placed
    on the appointment's clinic day."""
    if value is None or isinstance(value, datetime):
        return value
    zone = appointment.appointment_type.clinic.zone
    day = appointment.starts_at.astimezone(zone).date()
    return datetime.combine(day, value.replace(tzinfo=None)).replace(tzinfo=zone)


# -- readings ----------------------------------------------------------------------------------------------

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


class AlertThresholds(Protocol):
    systolic_at_least: int
    diastolic_at_least: int
    heart_rate_at_least: int
    heart_rate_at_most: int
    spo2_below: int


def reading_reasons(
    thresholds: AlertThresholds, *, systolic: int, diastolic: int, heart_rate: int, spo2: int
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


# -- times ----------------------------------------------------------------------------------------------


def infusion_ends_at(record: InfusionRecord, appointment: Appointment) -> datetime | None:
    """When the infusion ended (the nurse's record) or ends (the type's duration after the start)."""
    if record.started_at is None:
        return None
    if record.infusion_ended_at is not None:
        return record.infusion_ended_at
    return record.started_at + timedelta(minutes=appointment.appointment_type.duration_minutes)


def recovery_ends_at(record: InfusionRecord, appointment: Appointment) -> datetime | None:
    """The earliest discharge: the type's recovery after the infusion's end."""
    ended = infusion_ends_at(record, appointment)
    if ended is None:
        return None
    return ended + timedelta(minutes=appointment.appointment_type.recovery_minutes)


# -- the start gate ------------------------------------------------------------------------------------------

# The table's order: ``fields.missing`` lists the missing items so, ``code`` is the first one's.
START_ITEMS = (
    "self_harm_acknowledgement",
    "plan_active",
    "consent",
    "pregnancy_test",
    "weight",
    "dose_within_cap",
    "medications_reviewed",
    "questionnaires",
    "readiness",
    "baseline_reading",
    "baseline_in_range",
)
START_CODES = {
    "self_harm_acknowledgement": "self_harm_unacknowledged",
    "plan_active": "plan_not_active",
    "consent": "consent_missing",
    "pregnancy_test": "pregnancy_test_missing",
    "weight": "weight_missing",
    "dose_within_cap": "dose_over_cap",
    "medications_reviewed": "medications_not_reviewed",
    "questionnaires": "questionnaires_unanswered",
    "readiness": "readiness_missing",
    "baseline_reading": "baseline_missing",
    "baseline_in_range": "predose_out_of_range",
}
PREGNANCY_TEST_POSITIVE = "pregnancy_test_positive"
# One place for the words of each item (the pages and the 409's detail say them).
START_WORDS = {
    "self_harm_acknowledgement": "A clinician has not yet acknowledged the patient's self-harm answer.",
    "plan_active": "The treatment plan is no longer active.",
    "consent": "There is no current treatment consent.",
    "pregnancy_test": "The pregnancy test is missing or positive.",
    "weight": "No weight of today or the last 30 days, so no planned dose.",
    "dose_within_cap": "The planned dose is above the clinic's single-dose cap and no dose order covers it.",
    "medications_reviewed": "The medication list has not been reviewed at check-in.",
    "questionnaires": "This infusion's PHQ-9 and GAD-7 are not both answered.",
    "readiness": "Readiness is not confirmed: neither the patient's confirmation (driver and fasting) "
    "nor a nurse's record.",
    "baseline_reading": f"No baseline reading in the last {RECENT_MINUTES} minutes: record vitals first.",
    "baseline_in_range": "The baseline reading is outside the pre-dose limits and no clinician has recorded "
    "a pre-dose override since.",
}


def start_code(missing: list[str], *, pregnancy_positive: bool = False) -> str:
    """The refusal's code: the first missing item's (a positive test has its own)."""
    first = missing[0]
    if first == "pregnancy_test" and pregnancy_positive:
        return PREGNANCY_TEST_POSITIVE
    return START_CODES[first]


class PredoseLimits(Protocol):
    predose_systolic_at_least: int
    predose_diastolic_at_least: int
    predose_heart_rate_at_least: int
    predose_heart_rate_below: int
    predose_spo2_below: int


def predose_reasons(limits: PredoseLimits, *, systolic: int, diastolic: int, heart_rate: int, spo2: int) -> list[str]:
    """What of a baseline reading is outside the pre-dose limits (empty: inside them all)."""
    reasons = []
    if systolic >= limits.predose_systolic_at_least:
        reasons.append("systolic")
    if diastolic >= limits.predose_diastolic_at_least:
        reasons.append("diastolic")
    if heart_rate >= limits.predose_heart_rate_at_least:
        reasons.append("heart_rate_high")
    if heart_rate < limits.predose_heart_rate_below:
        reasons.append("heart_rate_low")
    if spo2 < limits.predose_spo2_below:
        reasons.append("spo2_low")
    return reasons


def dose_over_cap(*, planned_dose_mg: Decimal, cap_mg: Decimal) -> bool:
    """A planned dose above the cap (the cap itself is allowed: 100.0 passes, 100.1 does not)."""
    return Decimal(planned_dose_mg) > Decimal(cap_mg)


# The discharge's rules: clinical/discharge_rules.py.
