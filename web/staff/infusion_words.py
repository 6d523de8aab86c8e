"""The infusion session record page's words (SPEC.md section 10): the readings schedule, the
thresholds a reading is past, what an alert is about, and what a refused start or discharge is
missing. The rules and their keys are clinical's (``clinical/infusion_rules.py``,
``clinical/scoring.py``); only the words are the page's.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from clinical import scoring
from clinical.board import SELF_HARM, threshold_alert_names
from clinical.discharge_rules import DISCHARGE_WORDS
from clinical.infusion_rules import (
    REASON_DIASTOLIC,
    REASON_HEART_RATE_HIGH,
    REASON_HEART_RATE_LOW,
    REASON_SPO2_LOW,
    REASON_SYSTOLIC,
    RECENT_READING,
    START_WORDS,
    AlertThresholds,
    PredoseLimits,
    predose_reasons,
)
from clinical.models import Alert, AlertKind, VitalsReading
from clinical.readings_schedule import DueKind, DueStatus
from web import timefmt
from web.templatetags.board_words import alert_words

# What a refused start or discharge is missing (``fields.missing`` of the 409), in words.
MISSING_WORDS = {**START_WORDS, **DISCHARGE_WORDS, "discharge": "An infusion is completed by its discharge."}

DUE_KIND_WORDS = {
    DueKind.BASELINE: "Baseline, before the start",
    DueKind.INFUSION: "During the infusion",
    DueKind.RECOVERY: "Recovery",
    DueKind.DISCHARGE: "Before discharge",
}
DUE_STATUS_WORDS = {
    DueStatus.DONE: "Done",
    DueStatus.DUE: "Due",
    DueStatus.OVERDUE: "Overdue",
    DueStatus.MISSED: "Missed",
}
BAND_WORDS = {"moderately_severe": "moderately severe"}

# Each reason an alert names: its words and the clinic's threshold it is past.
_REASON_WORDS = {
    REASON_SYSTOLIC: ("Systolic at or above", "systolic_at_least"),
    REASON_DIASTOLIC: ("Diastolic at or above", "diastolic_at_least"),
    REASON_HEART_RATE_HIGH: ("Heart rate at or above", "heart_rate_at_least"),
    REASON_HEART_RATE_LOW: ("Heart rate at or below", "heart_rate_at_most"),
    REASON_SPO2_LOW: ("SpO2 below", "spo2_below"),
}

# Each reason a baseline is outside the pre-dose limits (``predose_reasons``): its words, the
# reading's value and the clinic's limit.
_PREDOSE_WORDS = {
    "systolic": ("systolic", "systolic", "at or above", "predose_systolic_at_least"),
    "diastolic": ("diastolic", "diastolic", "at or above", "predose_diastolic_at_least"),
    "heart_rate_high": ("heart rate", "heart_rate", "at or above", "predose_heart_rate_at_least"),
    "heart_rate_low": ("heart rate", "heart_rate", "below", "predose_heart_rate_below"),
    "spo2_low": ("SpO2", "spo2", "below", "predose_spo2_below"),
}


# A worsening PHQ-9's reasons (``clinical.scoring.phq9_worsening``), in words.
WORSENING_WORDS = {
    "phq9_rise": f"PHQ-9 {scoring.WORSENING_RISE} or more above the previous total",
    "phq9_severe": f"PHQ-9 of {scoring.WORSENING_TOTAL} or more",
}


def clock(instant: datetime | None, zone: ZoneInfo) -> str:
    return timefmt.clock_label(instant, zone) if instant is not None else ""


def reason_words(reason: str, thresholds: AlertThresholds) -> str:
    """One reason an alert names, with the clinic's threshold ("Systolic at or above 180")."""
    if reason in WORSENING_WORDS:
        return WORSENING_WORDS[reason]
    known = _REASON_WORDS.get(reason)
    if known is None:
        return reason.replace("_", " ").capitalize()
    words, threshold = known
    return f"{words} {getattr(thresholds, threshold)}"


def alert_title(alert: Alert) -> str:
    """What an alert is about, in the board's words."""
    if alert.kind == AlertKind.SELF_HARM:
        return alert_words(SELF_HARM)
    if alert.kind == AlertKind.PREGNANCY_POSITIVE:
        return "Positive pregnancy test — clinician review; the plan is suspended"
    if alert.kind in (AlertKind.ADVERSE_EVENT, AlertKind.WORSENING):
        return alert_words(alert.kind)
    return (
        "; ".join(alert_words(name) for name in threshold_alert_names(alert.reasons or []))
        or "Vital signs past threshold"
    )


def self_harm_details(alert: Alert) -> list[str]:
    """What the care team reads of a self-harm alert: the answer to PHQ-9's self-harm item (0-3)."""
    items = alert.questionnaire.items if alert.questionnaire is not None else None
    item = scoring.SELF_HARM_ITEM
    if not items or len(items) < item:
        return []
    return [f"PHQ-9 item {item} (thoughts of being better off dead or of self-harm) answered {items[item - 1]} of 3"]


def predose_words(readings: list[VitalsReading], limits: PredoseLimits, *, now: datetime) -> str:
    """Why the baseline the start reads (the latest of the last 15 minutes, the gate's) is outside
    the pre-dose limits, each reason with its value and limit ("systolic 170, at or above 160");
    empty when it is not."""
    recent = [reading for reading in readings if now - RECENT_READING <= reading.taken_at <= now]
    if not recent:
        return ""
    latest = max(recent, key=lambda reading: (reading.taken_at, reading.recorded_at))
    values = {name: getattr(latest, name) for name in ("systolic", "diastolic", "heart_rate", "spo2")}
    words = []
    for reason in predose_reasons(limits, **values):
        name, value, relation, limit = _PREDOSE_WORDS[reason]
        words.append(f"{name} {values[value]}, {relation} {getattr(limits, limit)}")
    return "; ".join(words)


def missing_words(item: str, *, recovered_at: datetime | None, zone: ZoneInfo, predose: str = "") -> str:
    """One thing a refused start or discharge is missing, in words (when the recovery ends, if
    known; why the baseline is outside the pre-dose limits, if known)."""
    if item == "recovery_time" and recovered_at is not None:
        return f"The recovery time has not passed yet: discharge from {clock(recovered_at, zone)}."
    if item == "baseline_in_range" and predose:
        return f"{START_WORDS[item][:-1]}: {predose}."
    return MISSING_WORDS.get(item, item.replace("_", " "))
