"""The infusion record's and the questionnaires' pure rules (clinical/infusion_rules.py,
clinical/questionnaire_rules.py), without a database: what the services refuse by and what the
page offers by are the same functions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from clinical.discharge_rules import DISCHARGE_WORDS
from clinical.infusion_rules import (
    START_WORDS,
    infusion_ends_at,
    on_visit_day,
    recovery_ends_at,
)
from clinical.questionnaire_rules import answer_refusal

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 7, 10, 35, tzinfo=LA)


def appointment_at(starts_at: datetime, *, duration: int = 50, recovery: int = 40) -> SimpleNamespace:
    kind = SimpleNamespace(duration_minutes=duration, recovery_minutes=recovery, clinic=SimpleNamespace(zone=LA))
    return SimpleNamespace(starts_at=starts_at, appointment_type=kind)


def test_a_time_of_day_is_placed_on_the_visits_clinic_day_and_an_instant_is_kept():
    # 5:30 PM Pacific is 01:30 UTC the next day: the clinic's day decides, not UTC's.
    appointment = appointment_at(datetime(2026, 12, 8, 1, 30, tzinfo=ZoneInfo("UTC")))
    assert on_visit_day(time(9, 11), appointment) == datetime(2026, 12, 7, 9, 11, tzinfo=LA)  # type: ignore[arg-type]
    assert on_visit_day(NOW, appointment) is NOW  # type: ignore[arg-type]
    assert on_visit_day(None, appointment) is None  # type: ignore[arg-type]


def test_a_time_of_day_on_the_day_the_clocks_go_back_keeps_the_clinics_offset():
    appointment = appointment_at(datetime(2026, 11, 1, 9, tzinfo=LA))  # PDT ends at 2:00 that morning
    placed = on_visit_day(time(9, 0), appointment)  # type: ignore[arg-type]
    assert placed == datetime(2026, 11, 1, 17, tzinfo=ZoneInfo("UTC"))  # 9:00 PST, not PDT


def test_the_infusion_ends_after_its_duration_unless_recorded_and_recovery_follows():
    appointment = appointment_at(datetime(2026, 12, 7, 9, tzinfo=LA))
    started = datetime(2026, 12, 7, 9, 2, tzinfo=LA)
    record = SimpleNamespace(started_at=started, infusion_ended_at=None)
    assert infusion_ends_at(record, appointment) == started + timedelta(minutes=50)  # type: ignore[arg-type]
    assert recovery_ends_at(record, appointment) == started + timedelta(minutes=90)  # type: ignore[arg-type]
    record.infusion_ended_at = started + timedelta(minutes=20)
    assert recovery_ends_at(record, appointment) == started + timedelta(minutes=60)  # type: ignore[arg-type]
    assert recovery_ends_at(SimpleNamespace(started_at=None, infusion_ended_at=None), appointment) is None  # type: ignore[arg-type]


# The discharge's order and edges: tests/clinical/test_discharge_rules.py.


def test_every_missing_item_has_its_words_and_the_windows_minutes_come_from_the_rule():
    assert DISCHARGE_WORDS["recent_reading"] == "No reading in the last 15 minutes: record vitals first."
    assert START_WORDS["baseline_reading"] == "No baseline reading in the last 15 minutes: record vitals first."


DAY = date(2026, 12, 7)
OPENS = NOW - timedelta(hours=72)


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({}, None),
        ({"answered": True}, "already_answered"),
        ({"closed": True}, "questionnaire_closed"),
        ({"appointment_status": "in_progress"}, "questionnaire_closed"),
        ({"started": True}, "questionnaire_closed"),
        ({"opens_at": NOW + timedelta(minutes=1)}, "questionnaire_not_open"),
        ({"today": DAY - timedelta(days=1)}, "not_today"),
        ({"today": DAY - timedelta(days=1), "on_behalf": False}, None),  # the patient answers any day
    ],
)
def test_when_a_questionnaire_may_be_answered(changes, refusal):
    facts = {
        "answered": False,
        "closed": False,
        "appointment_status": "checked_in",
        "started": False,
        "opens_at": OPENS,
        "now": NOW,
        "on_behalf": True,
        "visit_day": DAY,
        "today": DAY,
    }
    assert answer_refusal(**{**facts, **changes}) == refusal
