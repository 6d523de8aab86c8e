"""The start gate's pure rules (SPEC.md section 10, "Before the start"): its items in the table's
order with their codes and words, the pre-dose limits and the single-dose cap. No database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

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
    "baseline_reading": "No baseline reading in the last 15 minutes: record vitals first.",
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
