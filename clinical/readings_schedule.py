"""The vital signs schedule of an infusion (SPEC.md section 10), as pure functions: no database.

The schedule is computed from the appointment's real start (``InfusionRecord.started_at``), the
infusion's end (the nurse's ``infusion_ended_at``, or the start plus the type's
``duration_minutes``) and the type's ``recovery_minutes``:

- ``baseline``: due at the start; only a reading taken in the 15 minutes before the start (start
  included) satisfies it (the start gate refuses to start without one);
- ``infusion``: every 10 minutes after the start, up to and including the infusion's end
  (a 50-minute infusion: +10, +20, +30, +40, +50);
- ``recovery``: every 15 minutes after the infusion's end, strictly before the recovery ends
  (40 minutes of recovery: end +15, end +30);
- ``discharge``: due when the recovery ends (the earliest discharge), "one within 15 minutes
  before discharge".

When a reading satisfies a due time: every due time after the baseline has a window that opens
5 minutes before it (``EARLY``) and closes 5 minutes after the next due time (``GRACE``; the
last one never closes). Due times are matched in order, each to the earliest reading in its
window not already matched to an earlier due time: one reading satisfies one due time, so
readings every 20 minutes never pass for a schedule of every 10, and a late reading still
counts for the due time it was late for (the reading itself clears "overdue").

A due time is ``overdue`` when it is unsatisfied more than 5 minutes after it and its window is
still open; ``missed`` once the window has closed unsatisfied (the next due time is then the
one overdue, so something is always flagged while the nurse falls behind); ``done`` when
satisfied; else ``due``. After the discharge nothing is overdue: what was not done is missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

BASELINE_WINDOW = timedelta(minutes=15)
INFUSION_EVERY = timedelta(minutes=10)
RECOVERY_EVERY = timedelta(minutes=15)
EARLY = timedelta(minutes=5)
GRACE = timedelta(minutes=5)  # "overdue by more than 5 minutes"


class DueKind:
    BASELINE = "baseline"
    INFUSION = "infusion"
    RECOVERY = "recovery"
    DISCHARGE = "discharge"


class DueStatus:
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    MISSED = "missed"


@dataclass(frozen=True)
class DueReading:
    kind: str
    due_at: datetime
    opens_at: datetime  # the earliest reading that counts for it
    closes_at: datetime | None  # readings from then on do not count for it (None: never closes)


@dataclass(frozen=True)
class ScheduledReading:
    due: DueReading
    status: str
    satisfied_by: datetime | None  # the taken_at of the matched reading

    @property
    def due_at(self) -> datetime:
        return self.due.due_at

    @property
    def kind(self) -> str:
        return self.due.kind


def readings_schedule(*, started_at: datetime, infusion_ends_at: datetime, recovery_minutes: int) -> list[DueReading]:
    """Every due time of the infusion that started at ``started_at``, in order."""
    recovery_ends_at = infusion_ends_at + timedelta(minutes=recovery_minutes)
    times: list[tuple[str, datetime]] = []
    moment = started_at + INFUSION_EVERY
    while moment <= infusion_ends_at:
        times.append((DueKind.INFUSION, moment))
        moment += INFUSION_EVERY
    moment = infusion_ends_at + RECOVERY_EVERY
    while moment < recovery_ends_at:
        times.append((DueKind.RECOVERY, moment))
        moment += RECOVERY_EVERY
    times.append((DueKind.DISCHARGE, recovery_ends_at))
    schedule = [DueReading(DueKind.BASELINE, started_at, started_at - BASELINE_WINDOW, started_at + timedelta(0))]
    for index, (kind, due_at) in enumerate(times):
        following = times[index + 1][1] if index + 1 < len(times) else None
        closes_at = following + GRACE if following is not None else None
        schedule.append(DueReading(kind, due_at, due_at - EARLY, closes_at))
    return schedule


def _in_window(due: DueReading, taken_at: datetime) -> bool:
    if due.kind == DueKind.BASELINE:  # the start itself included
        return due.opens_at <= taken_at <= due.due_at
    return taken_at >= due.opens_at and (due.closes_at is None or taken_at < due.closes_at)


def readings_status(
    *,
    schedule: Sequence[DueReading],
    taken: Iterable[datetime],
    now: datetime,
    discharged_at: datetime | None = None,
) -> list[ScheduledReading]:
    """Each due time with its status at ``now`` given the readings' ``taken`` times (those after
    ``now`` are ignored)."""
    readings = sorted(moment for moment in taken if moment <= now)
    used: set[int] = set()
    finished = discharged_at is not None and discharged_at <= now
    result = []
    for due in schedule:
        match = next(
            (index for index, moment in enumerate(readings) if index not in used and _in_window(due, moment)), None
        )
        if match is not None:
            used.add(match)
            result.append(ScheduledReading(due, DueStatus.DONE, readings[match]))
            continue
        closed = due.kind == DueKind.BASELINE and now > due.due_at
        closed = closed or (due.closes_at is not None and now >= due.closes_at) or finished
        if closed:
            status = DueStatus.MISSED
        elif now > due.due_at + GRACE:
            status = DueStatus.OVERDUE
        else:
            status = DueStatus.DUE
        result.append(ScheduledReading(due, status, None))
    return result


def overdue_readings(
    *,
    started_at: datetime,
    infusion_ends_at: datetime,
    recovery_minutes: int,
    taken: Iterable[datetime],
    now: datetime,
    discharged_at: datetime | None = None,
) -> list[datetime]:
    """The due times overdue at ``now`` (more than 5 minutes late, unsatisfied, still open)."""
    schedule = readings_schedule(
        started_at=started_at, infusion_ends_at=infusion_ends_at, recovery_minutes=recovery_minutes
    )
    statuses = readings_status(schedule=schedule, taken=taken, now=now, discharged_at=discharged_at)
    return [row.due_at for row in statuses if row.status == DueStatus.OVERDUE]
