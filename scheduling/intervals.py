"""Half-open intervals, and the few operations availability needs.

The operations work on instants of one kind throughout: aware UTC datetimes, or (the
availability engine's hot path) integer microseconds since the epoch (``core.epoch``). An
interval set is a sorted list of disjoint, non-touching ``(start, end)`` pairs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
Span = tuple[int, int]  # an interval in microseconds since the epoch
Instant = TypeVar("Instant", datetime, int)

ONE_MINUTE = timedelta(minutes=1)


def normalize(intervals: Iterable[tuple[Instant, Instant]]) -> list[tuple[Instant, Instant]]:
    """Sort, drop empty intervals and merge overlapping or touching ones."""
    merged: list[tuple[Instant, Instant]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(
    base: Iterable[tuple[Instant, Instant]], removed: Iterable[tuple[Instant, Instant]]
) -> list[tuple[Instant, Instant]]:
    """``base`` minus ``removed``; both may be unnormalized, the result is normalized."""
    holes = normalize(removed)
    if not holes:
        return normalize(base)
    result: list[tuple[Instant, Instant]] = []
    for start, end in normalize(base):
        cursor = start
        index = max(bisect_right(holes, (cursor,)) - 1, 0)
        while index < len(holes) and holes[index][0] < end:
            hole_start, hole_end = holes[index]
            if hole_end > cursor:
                if hole_start > cursor:
                    result.append((cursor, hole_start))
                cursor = max(cursor, hole_end)
            index += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def covered_at_least(intervals: Iterable[tuple[Instant, Instant]], count: int) -> list[tuple[Instant, Instant]]:
    """Where at least ``count`` of the (possibly overlapping) intervals are under way at once."""
    if count <= 0:
        raise ValueError("count must be positive")
    events: list[tuple[Instant, int]] = []
    for start, end in intervals:
        if end > start:
            events.append((start, 1))
            events.append((end, -1))
    # At equal instants ends come first (-1 < 1): half-open intervals that touch do not overlap.
    events.sort()
    result: list[tuple[Instant, Instant]] = []
    load = 0
    opened: Instant | None = None
    for instant, step in events:
        load += step
        if load >= count and opened is None:
            opened = instant
        elif load < count and opened is not None:
            if instant > opened:
                result.append((opened, instant))
            opened = None
    return normalize(result)


class IntervalSet:
    """A normalized interval set (of microseconds) with fast "does it contain this whole span" look-ups."""

    __slots__ = ("_starts", "intervals")

    def __init__(self, intervals: Iterable[Span]) -> None:
        self.intervals = normalize(intervals)
        self._starts = [start for start, _ in self.intervals]

    def contains(self, start: int, end: int) -> bool:
        index = bisect_right(self._starts, start) - 1
        return index >= 0 and self.intervals[index][1] >= end

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect_right(self._starts, start) - 1
        if index >= 0 and self.intervals[index][1] > start:
            return True
        return index + 1 < len(self.intervals) and self.intervals[index + 1][0] < end

    def __bool__(self) -> bool:
        return bool(self.intervals)


class StartSet:
    """The starts ``s`` at which at least one of several interval sets contains ``[s, s + span)``:
    the union of ``[a, b - span]`` over their intervals ``[a, b)``. One look-up answers "is any of
    these resources free for the whole span", instead of one per resource."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, sets: Iterable[IntervalSet], span: int) -> None:
        closed = sorted((start, end - span) for free in sets for start, end in free.intervals if end - start >= span)
        merged: list[Span] = []
        for low, high in closed:
            if merged and low <= merged[-1][1]:
                if high > merged[-1][1]:
                    merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        self._starts = [low for low, _ in merged]
        self._ends = [high for _, high in merged]

    def allows(self, start: int) -> bool:
        index = bisect_right(self._starts, start) - 1
        return index >= 0 and start <= self._ends[index]


def local_instant(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` whose wall-clock time in ``zone`` is at least ``wall_time``.

    An ambiguous time (clocks fall back) resolves to its first occurrence; a time that does not
    exist (clocks spring forward) resolves to the moment the clocks jump, the first instant after it.
    """
    naive = datetime.combine(day, wall_time)
    earliest = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if earliest.astimezone(zone).replace(tzinfo=None) == naive:
        return earliest
    # Inside a gap: fold=1 uses the offset after the jump, which lands before the jump.
    probe = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    probe = probe.replace(second=0, microsecond=0)
    while probe.astimezone(zone).replace(tzinfo=None) < naive:
        probe += ONE_MINUTE
    return probe


def local_day_bounds(first_day: date, last_day: date, zone: ZoneInfo) -> Interval:
    """The instants from the start of ``first_day`` to the start of the day after ``last_day``."""
    return (
        local_instant(first_day, time.min, zone),
        local_instant(last_day + timedelta(days=1), time.min, zone),
    )


def days_between(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]
