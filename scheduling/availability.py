"""Which starts can be booked: interval arithmetic over one snapshot of the calendar.

Nothing here touches the database. ``scheduling.selectors`` loads a ``CalendarSnapshot`` and the
caller supplies the busy times (``Bookings``), so the same engine answers both "list the open
slots of a month" and "is this one start still free, and with which resources" at booking time.

A start ``s`` is offered when, for its whole span:
- the clinic is open from ``s`` until the room is released (turnover included), on a day that is
  not a closure; on the date of an extra opening, the opening is the day's schedule: its blocks
  are the clinic's hours and the staff it lists work them, nobody else (it wins over a closure);
- some room of the right kind is in service and unbooked for that span;
- some staff member of the exclusive role works, is not on leave and is unbooked for ``duration``;
- some nurse works, is not on leave and monitors fewer than the type's capacity over the
  patient's span (infusion + recovery);
- some clinician is on duty (working, not on leave) over the patient's span, when supervision is needed;
- the patient, when known, has nothing else over the patient's span;
- ``s`` lies on the type's grid of local wall-clock minutes and inside the booking window.

Inside, instants are integer microseconds since the epoch (``core.epoch``), as the busy times come
from the database: a month's search compares thousands of them, and an int compares and hashes
far faster than an aware datetime. Datetimes remain at the edges: the calendar's local hours, the
grid (which follows the wall clock across daylight-saving changes), and what the engine answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from core.epoch import instant_of, microseconds_in, microseconds_of
from scheduling.intervals import (
    ONE_MINUTE,
    Interval,
    IntervalSet,
    Span,
    StartSet,
    covered_at_least,
    days_between,
    local_day_bounds,
    local_instant,
    normalize,
    subtract,
)

_Derived = TypeVar("_Derived")

WeeklyBlocks = dict[int, list[tuple[time, time]]]  # weekday (Monday = 0) -> local blocks
DatedBlocks = dict[date, list[tuple[time, time]]]  # local date of an extra opening -> local blocks


@dataclass(frozen=True)
class Demand:
    """What one appointment of a type needs and for how long."""

    duration: timedelta
    recovery: timedelta
    turnover: timedelta
    grid_minutes: int
    room_kind: str = ""
    staff_role: str = ""
    nurse_capacity: int = 0
    needs_supervising_clinician: bool = False

    @property
    def patient_span(self) -> timedelta:
        return self.duration + self.recovery

    @property
    def room_span(self) -> timedelta:
        return self.duration + self.recovery + self.turnover

    @property
    def clinic_span(self) -> timedelta:
        return self.room_span if self.room_kind else self.patient_span


@dataclass
class CalendarSnapshot:
    """The calendar data that matters for one search, loaded once."""

    zone: ZoneInfo
    clinic_hours: WeeklyBlocks
    closures: set[date]
    staff_roles: dict[UUID, str]
    staff_hours: dict[UUID, WeeklyBlocks]
    # Extra openings: their dates with the clinic's blocks, and the blocks of each staff member listed.
    opening_hours: DatedBlocks
    staff_opening_hours: dict[UUID, DatedBlocks]
    staff_time_off: dict[UUID, list[Interval]]
    rooms: list[int]
    room_outages: dict[int, list[Interval]]
    # What engines derive from the calendar alone (hours as instants...), kept with the snapshot:
    # a cached snapshot then serves each search without deriving it again.
    derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def derive(self, key: Hashable, build: Callable[[], _Derived]) -> _Derived:
        found = self.derived.get(key)
        if found is None:
            found = self.derived[key] = build()  # the same value whoever builds it first
        return found


@dataclass
class Bookings:
    """Busy times of the resources, from the appointments that hold them, in microseconds."""

    room_busy: dict[int, list[Span]] = field(default_factory=lambda: defaultdict(list))
    staff_busy: dict[UUID, list[Span]] = field(default_factory=lambda: defaultdict(list))
    nurse_monitoring: dict[UUID, list[Span]] = field(default_factory=lambda: defaultdict(list))
    patient_busy: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class BookingWindow:
    """The earliest and latest allowed start (notice and horizon for patients, now for staff)."""

    earliest: datetime
    latest: datetime | None = None


@dataclass(frozen=True)
class FreeResources:
    """The concrete resources free for one start, in a stable order."""

    rooms: tuple[int, ...]
    staff: tuple[UUID, ...]
    nurses: tuple[UUID, ...]
    supervising_clinicians: tuple[UUID, ...]


def _day_intervals(
    weekly: WeeklyBlocks, dated: DatedBlocks, opening_days: DatedBlocks, days: Sequence[date], zone: ZoneInfo
) -> list[Interval]:
    """The blocks of each day as instants: on an opening's date its ``dated`` blocks (none when
    not listed that day), on any other day the ``weekly`` blocks of its weekday."""
    return normalize(
        (local_instant(day, opens, zone), local_instant(day, closes, zone))
        for day in days
        for opens, closes in (dated.get(day, ()) if day in opening_days else weekly.get(day.weekday(), ()))
    )


def _spans(intervals: Iterable[Interval]) -> list[Span]:
    return [(microseconds_of(start), microseconds_of(end)) for start, end in intervals]


class AvailabilityEngine:
    """Free intervals of every resource over a range of local days, then slot checks against them."""

    def __init__(
        self,
        *,
        demand: Demand,
        calendar: CalendarSnapshot,
        bookings: Bookings,
        first_day: date,
        last_day: date,
        window: BookingWindow,
        staff_filter: UUID | None = None,
    ) -> None:
        self.demand = demand
        self.zone = calendar.zone
        self.window = window
        self.bounds = local_day_bounds(first_day, last_day, calendar.zone)
        self.span_bounds: Span = (microseconds_of(self.bounds[0]), microseconds_of(self.bounds[1]))
        self._calendar = calendar
        self._range = (first_day, last_day)
        self._days = [
            day
            for day in days_between(first_day, last_day)
            if day in calendar.opening_hours or day not in calendar.closures
        ]
        self._clinic_hours = calendar.derive(("clinic", *self._range), self._clinic_hours_of)
        self.clinic_open = IntervalSet(_spans(self._clinic_hours))
        self._patient_span = microseconds_in(demand.patient_span)
        self._room_span = microseconds_in(demand.room_span)
        self._staff_span = microseconds_in(demand.duration)
        self._clinic_span = microseconds_in(demand.clinic_span)
        self.rooms = self._free_rooms(bookings) if demand.room_kind else []
        self.staff = self._free_staff(bookings, staff_filter) if demand.staff_role else []
        self.nurses = self._free_nurses(bookings) if demand.nurse_capacity else []
        self.supervisors = (
            [(c, IntervalSet(self._on_duty(c))) for c in self._with_role("clinician")]
            if demand.needs_supervising_clinician
            else []
        )
        self.patient_busy = IntervalSet(bookings.patient_busy)
        self.bookings = bookings  # kept so that booking can spread load across free resources
        self._fits: list[StartSet] | None = None  # built on the first open_starts()

    # -- free intervals of each resource --------------------------------------------------------

    def _clinic_hours_of(self) -> list[Interval]:
        calendar = self._calendar
        return _day_intervals(
            calendar.clinic_hours, calendar.opening_hours, calendar.opening_hours, self._days, self.zone
        )

    def _on_duty(self, staff_id: UUID) -> list[Span]:
        return self._calendar.derive(("on duty", staff_id, *self._range), lambda: self._on_duty_of(staff_id))

    def _on_duty_of(self, staff_id: UUID) -> list[Span]:
        calendar = self._calendar
        working = _day_intervals(
            calendar.staff_hours.get(staff_id, {}),
            calendar.staff_opening_hours.get(staff_id, {}),
            calendar.opening_hours,
            self._days,
            self.zone,
        )
        return _spans(subtract(working, calendar.staff_time_off.get(staff_id, ())))

    def _room_outages(self, room_id: int) -> list[Span]:
        return self._calendar.derive(
            ("out of service", room_id), lambda: _spans(self._calendar.room_outages.get(room_id, ()))
        )

    def _with_role(self, role: str) -> list[UUID]:
        return sorted((s for s, r in self._calendar.staff_roles.items() if r == role), key=str)

    def _free_rooms(self, bookings: Bookings) -> list[tuple[int, IntervalSet]]:
        rooms = []
        for room_id in sorted(self._calendar.rooms):
            blocked = [*self._room_outages(room_id), *bookings.room_busy.get(room_id, ())]
            rooms.append((room_id, IntervalSet(subtract([self.span_bounds], blocked))))
        return rooms

    def _free_staff(self, bookings: Bookings, staff_filter: UUID | None) -> list[tuple[UUID, IntervalSet]]:
        assert self.demand.staff_role
        return [
            (staff_id, IntervalSet(subtract(self._on_duty(staff_id), bookings.staff_busy.get(staff_id, ()))))
            for staff_id in self._with_role(self.demand.staff_role)
            if staff_filter is None or staff_id == staff_filter
        ]

    def _free_nurses(self, bookings: Bookings) -> list[tuple[UUID, IntervalSet]]:
        # A nurse is free where fewer than the type's capacity of patients are monitored.
        return [
            (
                nurse_id,
                IntervalSet(
                    subtract(
                        self._on_duty(nurse_id),
                        covered_at_least(bookings.nurse_monitoring.get(nurse_id, ()), self.demand.nurse_capacity),
                    )
                ),
            )
            for nurse_id in self._with_role("nurse")
        ]

    # -- candidate starts ------------------------------------------------------------------

    def _on_grid(self, instant: datetime) -> bool:
        local = instant.astimezone(self.zone)
        return (
            local.second == 0
            and local.microsecond == 0
            and (local.hour * 60 + local.minute) % self.demand.grid_minutes == 0
        )

    def _first_on_grid(self, instant: datetime) -> datetime:
        instant = instant.replace(second=0, microsecond=0) + (
            ONE_MINUTE if instant.second or instant.microsecond else timedelta()
        )
        local = instant.astimezone(self.zone)
        instant += timedelta(minutes=-(local.hour * 60 + local.minute) % self.demand.grid_minutes)
        while not self._on_grid(instant):  # only when the offset changed in between
            instant += ONE_MINUTE
        return instant

    def candidate_starts(self) -> Iterator[datetime]:
        return (instant_of(start) for start in self._candidate_starts())

    def _candidate_starts(self) -> Iterator[int]:
        """The starts on the grid inside the clinic's hours and the window, in microseconds."""
        grid = microseconds_in(timedelta(minutes=self.demand.grid_minutes))
        low = max(self.bounds[0], self.window.earliest)
        high = self.span_bounds[1]
        latest = None if self.window.latest is None else microseconds_of(self.window.latest)
        for opens, closes in self._clinic_hours:  # starts only grow: the window's lower end holds
            start = microseconds_of(self._first_on_grid(max(opens, low)))
            last = microseconds_of(closes) - self._clinic_span
            if latest is not None:
                last = min(last, latest)
            steady = self._grid_steady(opens, closes)
            while start <= last and start < high:
                yield start
                start += grid
                if not steady and not self._on_grid(instant_of(start)):
                    start = microseconds_of(self._first_on_grid(instant_of(start)))

    def _grid_steady(self, opens: datetime, closes: datetime) -> bool:
        """Whether a step of the grid from a start on it stays on it all through ``opens``..``closes``:
        no change of UTC offset in between (at most a day: never two changes), and the grid
        divides the day (a step over midnight lands on it)."""
        return (
            1440 % self.demand.grid_minutes == 0
            and closes - opens <= timedelta(days=1)
            and opens.astimezone(self.zone).utcoffset() == closes.astimezone(self.zone).utcoffset()
        )

    # -- checks ----------------------------------------------------------------------------

    def free_resources(self, start: datetime) -> FreeResources | None:
        """The resources free for ``start``, or None when the start cannot be booked."""
        demand = self.demand
        if not self._on_grid(start) or not self._inside_window(start):
            return None
        at = microseconds_of(start)
        if not self.clinic_open.contains(at, at + self._clinic_span):
            return None
        patient_end = at + self._patient_span
        if self.patient_busy.overlaps(at, patient_end):
            return None
        rooms = self._free(self.rooms, at, at + self._room_span) if demand.room_kind else ()
        staff = self._free(self.staff, at, at + self._staff_span) if demand.staff_role else ()
        nurses = self._free(self.nurses, at, patient_end) if demand.nurse_capacity else ()
        supervisors = self._free(self.supervisors, at, patient_end) if demand.needs_supervising_clinician else ()
        if (
            (demand.room_kind and not rooms)
            or (demand.staff_role and not staff)
            or (demand.nurse_capacity and not nurses)
            or (demand.needs_supervising_clinician and not supervisors)
        ):
            return None
        return FreeResources(rooms=rooms, staff=staff, nurses=nurses, supervising_clinicians=supervisors)

    def open_starts(self) -> list[datetime]:
        return [instant_of(start) for start in self._candidate_starts() if self._has_resources(start)]

    def patient_busy_at(self, start: datetime) -> bool:
        """Whether the patient has something else during the visit that would start at ``start``."""
        at = microseconds_of(start)
        return self.patient_busy.overlaps(at, at + self._patient_span)

    def _starts_that_fit(self) -> list[StartSet]:
        """Per kind of resource needed, the starts some resource of that kind is free for."""
        if self._fits is None:
            demand = self.demand
            needs: list[tuple[object, list[IntervalSet], int]] = [
                (demand.room_kind, [free for _, free in self.rooms], self._room_span),
                (demand.staff_role, [free for _, free in self.staff], self._staff_span),
                (demand.nurse_capacity, [free for _, free in self.nurses], self._patient_span),
                (demand.needs_supervising_clinician, [free for _, free in self.supervisors], self._patient_span),
            ]
            self._fits = [StartSet(pool, span) for needed, pool, span in needs if needed]
        return self._fits

    def _has_resources(self, start: int) -> bool:
        # The hot path of a month's search: one look-up per kind of resource.
        if self.patient_busy and self.patient_busy.overlaps(start, start + self._patient_span):
            return False
        return all(fits.allows(start) for fits in self._starts_that_fit())

    def _inside_window(self, start: datetime) -> bool:
        if not (self.bounds[0] <= start < self.bounds[1]) or start < self.window.earliest:
            return False
        return self.window.latest is None or start <= self.window.latest

    @staticmethod
    def _free(resources: list[tuple[UUID, IntervalSet]] | list[tuple[int, IntervalSet]], start: int, end: int) -> tuple:
        return tuple(resource for resource, free in resources if free.contains(start, end))
