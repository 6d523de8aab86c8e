"""A refused start says why the baseline is outside the pre-dose limits: each reason with the
reading's value and the clinic's limit, from the reading the gate reads (the latest of the last
15 minutes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clinical.models import ClinicThresholds, VitalsReading
from web.staff.infusion_words import missing_words, predose_words

NOW = datetime(2026, 12, 7, 8, 55, tzinfo=ZoneInfo("America/Los_Angeles"))
LIMITS = ClinicThresholds()  # SPEC.md's defaults: 160, 100, 110, below 50, below 94


def taken(minutes_ago: int, systolic: int, diastolic: int, heart_rate: int, spo2: int) -> VitalsReading:
    at = NOW - timedelta(minutes=minutes_ago)
    return VitalsReading(
        taken_at=at, recorded_at=at, systolic=systolic, diastolic=diastolic, heart_rate=heart_rate, spo2=spo2
    )


def test_each_reason_is_named_with_its_value_and_limit():
    assert predose_words([taken(2, 170, 105, 72, 98)], LIMITS, now=NOW) == (
        "systolic 170, at or above 160; diastolic 105, at or above 100"
    )
    assert predose_words([taken(2, 120, 80, 110, 93)], LIMITS, now=NOW) == (
        "heart rate 110, at or above 110; SpO2 93, below 94"
    )
    assert predose_words([taken(2, 159, 99, 49, 94)], LIMITS, now=NOW) == "heart rate 49, below 50"


def test_the_latest_reading_of_the_last_15_minutes_is_the_one_read():
    older_high, newer_fine = taken(10, 170, 105, 72, 98), taken(3, 124, 78, 72, 98)
    assert predose_words([older_high, newer_fine], LIMITS, now=NOW) == ""
    assert predose_words([newer_fine, taken(1, 160, 80, 72, 98)], LIMITS, now=NOW) == "systolic 160, at or above 160"
    assert predose_words([taken(16, 170, 105, 72, 98)], LIMITS, now=NOW) == ""


def test_the_refusal_sentence_carries_the_reasons():
    zone = ZoneInfo("America/Los_Angeles")
    assert missing_words(
        "baseline_in_range", recovered_at=None, zone=zone, predose="systolic 170, at or above 160"
    ) == (
        "The baseline reading is outside the pre-dose limits and no clinician has recorded a pre-dose override "
        "since: systolic 170, at or above 160."
    )
    assert missing_words("baseline_in_range", recovered_at=None, zone=zone) == (
        "The baseline reading is outside the pre-dose limits and no clinician has recorded a pre-dose override since."
    )
