"""The discharge's pure rules and the scales' ranges (SPEC.md section 10), exact values at each edge."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from clinical.discharge_rules import DischargeFacts, Vitals, discharge_missing_items, near_baseline, within_rise
from clinical.sedation_scales import cadss6_errors, cadss6_total, moaas_errors


@dataclass
class Limits:
    discharge_rise_percent: int = 20
    discharge_heart_rate_below: int = 110
    discharge_spo2_at_least: int = 94


BASELINE = Vitals(systolic=130, diastolic=80, heart_rate=70, spo2=98)
NOW = datetime(2026, 12, 7, 18, tzinfo=UTC)
READY = DischargeFacts(
    now=NOW,
    recovery_ends_at=NOW,
    latest=BASELINE,
    latest_past_thresholds=False,
    baseline=BASELINE,
    latest_moaas=5,
    cadss6_recorded=True,
    open_alert=False,
    dose_given=True,
    checklist={
        "alert_and_oriented": True,
        "escort_present": True,
        "walking_steadily": True,
        "instructions_given": True,
    },
)


@pytest.mark.parametrize(("systolic", "passes"), [(156, True), (157, False)])
def test_systolic_twenty_percent_above_a_baseline_of_130(systolic, passes):
    assert within_rise(systolic, 130, 20) is passes
    latest = replace(BASELINE, systolic=systolic)
    assert near_baseline(latest, baseline=BASELINE, limits=Limits(), past_thresholds=False) is passes
    expected = [] if passes else ["vitals_near_baseline"]
    assert discharge_missing_items(replace(READY, latest=latest), Limits()) == expected


@pytest.mark.parametrize(("diastolic", "passes"), [(96, True), (97, False)])
def test_diastolic_twenty_percent_above_a_baseline_of_80(diastolic, passes):
    latest = replace(BASELINE, diastolic=diastolic)
    assert near_baseline(latest, baseline=BASELINE, limits=Limits(), past_thresholds=False) is passes


@pytest.mark.parametrize(("heart_rate", "spo2", "passes"), [(109, 94, True), (110, 94, False), (109, 93, False)])
def test_heart_rate_under_110_and_spo2_at_least_94(heart_rate, spo2, passes):
    latest = replace(BASELINE, heart_rate=heart_rate, spo2=spo2)
    assert near_baseline(latest, baseline=BASELINE, limits=Limits(), past_thresholds=False) is passes


def test_a_clinics_own_percent_moves_the_edge():
    latest = replace(BASELINE, systolic=143)  # 130 x 1.10 = 143
    assert near_baseline(latest, baseline=BASELINE, limits=Limits(discharge_rise_percent=10), past_thresholds=False)
    latest = replace(BASELINE, systolic=144)
    assert not near_baseline(latest, baseline=BASELINE, limits=Limits(discharge_rise_percent=10), past_thresholds=False)


def test_a_reading_past_a_threshold_is_never_near_the_baseline():
    assert not near_baseline(BASELINE, baseline=BASELINE, limits=Limits(), past_thresholds=True)


@pytest.mark.parametrize(("moaas", "missing"), [(5, []), (4, ["sedation"]), (None, ["sedation"])])
def test_the_discharge_needs_a_moaas_of_5(moaas, missing):
    assert discharge_missing_items(replace(READY, latest_moaas=moaas), Limits()) == missing


def test_every_missing_item_at_once_in_the_specs_order():
    facts = DischargeFacts(
        now=NOW,
        recovery_ends_at=NOW + timedelta(minutes=1),
        latest=None,
        latest_past_thresholds=False,
        baseline=BASELINE,
        latest_moaas=None,
        cadss6_recorded=False,
        open_alert=True,
        dose_given=False,
        checklist={"alert_and_oriented": True},
    )
    assert discharge_missing_items(facts, Limits()) == [
        "recovery_time",
        "recent_reading",
        "sedation",
        "dissociation_scale",
        "open_alert",
        "dose_given",
        "checklist",
    ]


def test_the_recovery_ends_exactly_at_its_time():
    assert discharge_missing_items(replace(READY, recovery_ends_at=NOW), Limits()) == []
    assert discharge_missing_items(replace(READY, recovery_ends_at=NOW + timedelta(seconds=1)), Limits()) == [
        "recovery_time"
    ]


@pytest.mark.parametrize(
    ("score", "errors"),
    [
        (0, []),
        (5, []),
        (6, ["A whole number from 0 to 5."]),
        (7, ["A whole number from 0 to 5."]),
        (-1, ["A whole number from 0 to 5."]),
        (True, ["A whole number from 0 to 5."]),
    ],
)
def test_moaas_is_a_whole_number_from_0_to_5(score, errors):
    assert moaas_errors(score) == errors


def test_cadss6_is_six_items_of_0_to_4_each_named():
    assert cadss6_errors([0, 1, 2, 3, 4, 4]) == []
    assert cadss6_total([0, 1, 2, 3, 4, 4]) == 14
    assert cadss6_errors([0, 0, 0, 0, 5, -1]) == [
        "Item 5: a whole number from 0 to 4.",
        "Item 6: a whole number from 0 to 4.",
    ]
    assert cadss6_errors([0] * 5) == ["Exactly 6 answers, items 1 to 6 in order."]
    assert cadss6_errors("000000") == ["Exactly 6 answers, items 1 to 6 in order."]
