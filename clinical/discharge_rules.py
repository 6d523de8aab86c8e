"""The discharge's pure rules (SPEC.md section 10, "Discharge"): its missing items in a fixed
order with their words, and what "back near the patient's own baseline" means. No database:
``clinical/services/infusions.py`` reads the facts and asks here.

A recent reading (the latest of the last 15 minutes) is near the baseline when it is inside the
session's alert thresholds, its systolic and diastolic are no more than the clinic's percent
(default 20) above the baseline reading's, its heart rate is under the clinic's limit (default
110) and its SpO2 at least the clinic's (default 94). Integer arithmetic, so the edge is exact: a
baseline systolic of 130 lets 156 pass (130 x 1.2 = 156) and refuses 157.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from clinical.sedation_scales import MOAAS_ALERT

DISCHARGE_ITEMS = (
    "recovery_time",
    "recent_reading",
    "vitals_near_baseline",
    "sedation",
    "dissociation_scale",
    "open_alert",
    "dose_given",
    "checklist",
)
CHECKLIST = ("alert_and_oriented", "escort_present", "walking_steadily", "instructions_given")
DISCHARGE_WORDS = {
    "recovery_time": "The recovery time has not passed yet.",
    "recent_reading": "No reading in the last 15 minutes: record vitals first.",
    "vitals_near_baseline": "The latest reading is not back near the patient's own baseline (or is past a threshold).",
    "sedation": "No MOAA/S of 5 recorded since the infusion ended.",
    "dissociation_scale": "No CADSS-6 recorded since the infusion ended.",
    "open_alert": "An alert of this infusion is still open.",
    "dose_given": "The dose given is not recorded.",
    "checklist": "The discharge checklist is not complete.",
}
CHECKLIST_WORDS = {
    "alert_and_oriented": "Alert and oriented",
    "escort_present": "An adult escort is present",
    "walking_steadily": "Walking steadily",
    "instructions_given": "Written discharge instructions given",
}


class DischargeLimits(Protocol):
    discharge_rise_percent: int
    discharge_heart_rate_below: int
    discharge_spo2_at_least: int


@dataclass(frozen=True)
class Vitals:
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int


def within_rise(value: int, baseline: int, percent: int) -> bool:
    """``value`` at most ``percent`` above ``baseline`` (130 and 20%: 156 yes, 157 no)."""
    return value * 100 <= baseline * (100 + percent)


def near_baseline(latest: Vitals, *, baseline: Vitals | None, limits: DischargeLimits, past_thresholds: bool) -> bool:
    """The latest reading is inside the thresholds and back near the baseline (a started infusion
    always has a baseline, the start gate needs one; without it only the fixed limits apply)."""
    if past_thresholds:
        return False
    if latest.heart_rate >= limits.discharge_heart_rate_below or latest.spo2 < limits.discharge_spo2_at_least:
        return False
    if baseline is None:
        return True
    percent = limits.discharge_rise_percent
    return within_rise(latest.systolic, baseline.systolic, percent) and within_rise(
        latest.diastolic, baseline.diastolic, percent
    )


@dataclass(frozen=True)
class DischargeFacts:
    """What the discharge service read of the session at ``now``."""

    now: datetime
    recovery_ends_at: datetime | None
    latest: Vitals | None  # the latest reading of the last 15 minutes
    latest_past_thresholds: bool
    baseline: Vitals | None  # the latest reading at or before the start
    latest_moaas: int | None  # the latest MOAA/S since the infusion ended
    cadss6_recorded: bool  # a CADSS-6 since the infusion ended
    open_alert: bool
    dose_given: bool
    checklist: dict[str, bool]


def unticked(checklist: dict[str, bool]) -> list[str]:
    return [item for item in CHECKLIST if not checklist.get(item)]


def discharge_missing_items(facts: DischargeFacts, limits: DischargeLimits) -> list[str]:
    """Every missing item, in DISCHARGE_ITEMS' order (empty: the patient may go home)."""
    missing = []
    if facts.recovery_ends_at is None or facts.now < facts.recovery_ends_at:
        missing.append("recovery_time")
    if facts.latest is None:
        missing.append("recent_reading")
    elif not near_baseline(
        facts.latest, baseline=facts.baseline, limits=limits, past_thresholds=facts.latest_past_thresholds
    ):
        missing.append("vitals_near_baseline")
    if facts.latest_moaas is None or facts.latest_moaas < MOAAS_ALERT:
        missing.append("sedation")
    if not facts.cadss6_recorded:
        missing.append("dissociation_scale")
    if facts.open_alert:
        missing.append("open_alert")
    if not facts.dose_given:
        missing.append("dose_given")
    if unticked(facts.checklist):
        missing.append("checklist")
    return missing
