"""A deliberately naive availability reference: every rule checked minute by minute.

It shares no code with the engine (no interval sets, no zoneinfo fold tricks): block boundaries
are found by scanning the minutes of a local day for the first one whose wall-clock time reaches
the boundary, and a start is checked by walking each minute of each span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTE = timedelta(minutes=1)


@dataclass
class NaiveAppointment:
    starts_at: datetime
    patient_minutes: int
    staff_minutes: int
    room_minutes: int
    room: int | None
    staff: str | None
    nurse: str | None
    patient: str
    blocking: bool


@dataclass
class NaiveCalendar:
    zone: ZoneInfo
    clinic_hours: dict[int, list[tuple[time, time]]]
    closures: set[date]
    staff_roles: dict[str, str]
    staff_hours: dict[str, dict[int, list[tuple[time, time]]]]
    time_off: dict[str, list[tuple[datetime, datetime]]]
    rooms: list[int]
    outages: dict[int, list[tuple[datetime, datetime]]]
    appointments: list[NaiveAppointment] = field(default_factory=list)
    # Extra openings: on these dates these blocks replace the weekly hours (a closure too), and only
    # the staff listed that date work, for those blocks.
    openings: dict[date, list[tuple[time, time]]] = field(default_factory=dict)
    opening_staff: dict[date, set[str]] = field(default_factory=dict)


@dataclass
class NaiveType:
    duration: int
    recovery: int
    turnover: int
    grid: int
    room_kind: bool
    staff_role: str
    nurse_capacity: int
    supervised: bool


def naive_open_starts(
    calendar: NaiveCalendar,
    kind: NaiveType,
    first_day: date,
    last_day: date,
    *,
    earliest: datetime,
    latest: datetime | None,
    patient: str | None,
    staff_filter: str | None = None,
) -> list[datetime]:
    zone = calendar.zone

    def wall(instant: datetime) -> datetime:
        return instant.astimezone(zone).replace(tzinfo=None)

    # Every minute from two days before the first day to two days after the last, in UTC.
    origin = datetime.combine(first_day - timedelta(days=2), time(0), tzinfo=UTC)
    count = ((last_day - first_day).days + 5) * 24 * 60
    minutes = [origin + MINUTE * i for i in range(count)]
    walls = [wall(m) for m in minutes]

    day_minutes: dict[date, list[int]] = {}
    for index, local in enumerate(walls):
        day_minutes.setdefault(local.date(), []).append(index)

    def first_reaching(day: date, boundary: time) -> int:
        """Index of the first minute of local ``day`` whose wall time is at least ``boundary``."""
        target = datetime.combine(day, boundary)
        for index in day_minutes.get(day, []):
            if walls[index] >= target:
                return index
        return day_minutes[day][-1] + 1 if day in day_minutes else count

    def blocks_of(day: date, weekly: dict[int, list[tuple[time, time]]], staff_id: str | None) -> list:
        if day in calendar.openings:
            listed = staff_id is None or staff_id in calendar.opening_staff.get(day, set())
            return calendar.openings[day] if listed else []
        if staff_id is None and day in calendar.closures:
            return []
        return weekly.get(day.weekday(), [])

    def hours(weekly: dict[int, list[tuple[time, time]]], staff_id: str | None = None) -> list[bool]:
        """Minute marks of the clinic's hours (``staff_id`` None) or of one staff member's."""
        marks = [False] * count
        for day in day_minutes:
            for opens, closes in blocks_of(day, weekly, staff_id):
                for index in range(first_reaching(day, opens), first_reaching(day, closes)):
                    marks[index] = True
        return marks

    def inside(ranges: list[tuple[datetime, datetime]], instant: datetime) -> bool:
        return any(start <= instant < end for start, end in ranges)

    clinic_open = hours(calendar.clinic_hours)
    blocking = [a for a in calendar.appointments if a.blocking]

    def on_duty(staff_id: str) -> list[bool]:
        working = hours(calendar.staff_hours.get(staff_id, {}), staff_id)
        off = calendar.time_off.get(staff_id, [])
        return [working[i] and not inside(off, minutes[i]) for i in range(count)]

    def held(appointment: NaiveAppointment, instant: datetime, length: int) -> bool:
        return appointment.starts_at <= instant < appointment.starts_at + MINUTE * length

    def by_role(role: str) -> list[str]:
        return sorted(s for s, r in calendar.staff_roles.items() if r == role)

    room_free = {}
    if kind.room_kind:
        for room in calendar.rooms:
            room_free[room] = [
                not inside(calendar.outages.get(room, []), m)
                and not any(a.room == room and held(a, m, a.room_minutes) for a in blocking)
                for m in minutes
            ]
    staff_free = {}
    if kind.staff_role:
        for staff_id in by_role(kind.staff_role):
            if staff_filter is not None and staff_id != staff_filter:
                continue
            duty = on_duty(staff_id)
            staff_free[staff_id] = [
                duty[i] and not any(a.staff == staff_id and held(a, m, a.staff_minutes) for a in blocking)
                for i, m in enumerate(minutes)
            ]
    nurse_free = {}
    if kind.nurse_capacity:
        for nurse in by_role("nurse"):
            duty = on_duty(nurse)
            nurse_free[nurse] = [
                duty[i]
                and sum(1 for a in blocking if a.nurse == nurse and held(a, m, a.patient_minutes)) < kind.nurse_capacity
                for i, m in enumerate(minutes)
            ]
    supervisor_free = {c: on_duty(c) for c in by_role("clinician")} if kind.supervised else {}
    patient_busy = [
        patient is not None and any(a.patient == patient and held(a, m, a.patient_minutes) for a in blocking)
        for m in minutes
    ]

    def all_minutes(marks: list[bool], start: int, length: int) -> bool:
        return start + length <= count and all(marks[start + k] for k in range(length))

    patient_span = kind.duration + kind.recovery
    room_span = patient_span + kind.turnover
    clinic_span = room_span if kind.room_kind else patient_span
    starts = []
    for index, instant in enumerate(minutes):
        local = walls[index]
        if not (first_day <= local.date() <= last_day):
            continue
        if instant < earliest or (latest is not None and instant > latest):
            continue
        if (local.hour * 60 + local.minute) % kind.grid:
            continue
        if not all_minutes(clinic_open, index, clinic_span):
            continue
        if any(patient_busy[index + k] for k in range(patient_span)):
            continue
        if kind.room_kind and not any(all_minutes(free, index, room_span) for free in room_free.values()):
            continue
        if kind.staff_role and not any(all_minutes(free, index, kind.duration) for free in staff_free.values()):
            continue
        if kind.nurse_capacity and not any(all_minutes(free, index, patient_span) for free in nurse_free.values()):
            continue
        if kind.supervised and not any(all_minutes(free, index, patient_span) for free in supervisor_free.values()):
            continue
        starts.append(instant)
    return starts
