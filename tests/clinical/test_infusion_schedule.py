"""The readings schedule of an infusion, a pure function of its real start (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clinical.readings_schedule import (
    DueStatus,
    overdue_readings,
    readings_schedule,
    readings_status,
)

LA = ZoneInfo("America/Los_Angeles")
STARTED = datetime(2026, 12, 7, 9, 3, tzinfo=LA)  # the real start, not the booked 9:00
ENDS = STARTED + timedelta(minutes=50)


def at(minutes: int) -> datetime:
    return STARTED + timedelta(minutes=minutes)


def schedule() -> list:
    return readings_schedule(started_at=STARTED, infusion_ends_at=ENDS, recovery_minutes=40)


def test_every_due_time_of_a_50_minute_infusion_with_40_minutes_recovery():
    due = [(row.kind, row.due_at.astimezone(LA).strftime("%H:%M")) for row in schedule()]
    assert due == [
        ("baseline", "09:03"),
        ("infusion", "09:13"),
        ("infusion", "09:23"),
        ("infusion", "09:33"),
        ("infusion", "09:43"),
        ("infusion", "09:53"),
        ("recovery", "10:08"),
        ("recovery", "10:23"),
        ("discharge", "10:33"),
    ]


def test_each_due_time_counts_readings_from_5_minutes_before_it_to_5_minutes_after_the_next():
    rows = schedule()
    assert (rows[0].opens_at, rows[0].closes_at) == (at(-15), at(0))
    assert (rows[1].opens_at, rows[1].closes_at) == (at(5), at(25))
    assert (rows[5].opens_at, rows[5].closes_at) == (at(45), at(70))
    assert (rows[6].opens_at, rows[6].closes_at) == (at(60), at(85))
    assert (rows[8].opens_at, rows[8].closes_at) == (at(85), None)


def test_a_nurses_stop_moves_the_recovery_readings():
    stopped = readings_schedule(started_at=STARTED, infusion_ends_at=at(25), recovery_minutes=40)
    assert [(row.kind, row.due_at - STARTED) for row in stopped] == [
        ("baseline", timedelta(0)),
        ("infusion", timedelta(minutes=10)),
        ("infusion", timedelta(minutes=20)),
        ("recovery", timedelta(minutes=40)),
        ("recovery", timedelta(minutes=55)),
        ("discharge", timedelta(minutes=65)),
    ]


def test_on_time_readings_satisfy_every_due_time_so_far():
    taken = [at(-4), at(10), at(21), at(29)]
    rows = readings_status(schedule=schedule(), taken=taken, now=at(32))
    assert [(row.status, row.satisfied_by) for row in rows[:5]] == [
        (DueStatus.DONE, at(-4)),
        (DueStatus.DONE, at(10)),
        (DueStatus.DONE, at(21)),
        (DueStatus.DONE, at(29)),  # 1 minute early for +30
        (DueStatus.DUE, None),
    ]


def test_a_due_time_is_overdue_only_more_than_5_minutes_late():
    taken = [at(-4), at(10)]
    assert [row.status for row in readings_status(schedule=schedule(), taken=taken, now=at(25))][2] == DueStatus.DUE
    late = readings_status(schedule=schedule(), taken=taken, now=at(25) + timedelta(seconds=1))
    assert late[2].status == DueStatus.OVERDUE
    assert overdue_readings(
        started_at=STARTED,
        infusion_ends_at=ENDS,
        recovery_minutes=40,
        taken=taken,
        now=at(25) + timedelta(seconds=1),
    ) == [at(20)]


def test_a_late_reading_clears_the_due_time_it_was_late_for():
    taken = [at(-4), at(10), at(27)]
    rows = readings_status(schedule=schedule(), taken=taken, now=at(28))
    assert (rows[2].status, rows[2].satisfied_by) == (DueStatus.DONE, at(27))
    assert rows[3].status == DueStatus.DUE  # +30 needs its own reading


def test_one_reading_satisfies_one_due_time_so_every_20_minutes_is_not_every_10():
    taken = [at(-4), at(15), at(35)]
    rows = readings_status(schedule=schedule(), taken=taken, now=at(46))
    assert [row.status for row in rows[1:5]] == [DueStatus.DONE, DueStatus.MISSED, DueStatus.DONE, DueStatus.OVERDUE]


def test_a_missed_due_time_hands_over_to_the_next_so_something_stays_overdue():
    taken = [at(-4)]
    for minute, overdue in ((16, [at(10)]), (30, [at(20)]), (36, [at(30)])):
        assert (
            overdue_readings(
                started_at=STARTED, infusion_ends_at=ENDS, recovery_minutes=40, taken=taken, now=at(minute)
            )
            == overdue
        )


def test_readings_after_now_are_ignored_and_nothing_is_overdue_after_the_discharge():
    rows = readings_status(schedule=schedule(), taken=[at(-4), at(12)], now=at(11))
    assert rows[1].status == DueStatus.DUE
    discharged = readings_status(schedule=schedule(), taken=[at(-4)], now=at(120), discharged_at=at(100))
    assert {row.status for row in discharged[1:]} == {DueStatus.MISSED}
    assert discharged[0].status == DueStatus.DONE


def test_a_baseline_after_the_start_is_no_baseline():
    rows = readings_status(schedule=schedule(), taken=[at(1)], now=at(2))
    assert rows[0].status == DueStatus.MISSED
    assert rows[1].status == DueStatus.DUE
