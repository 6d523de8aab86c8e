"""Reads of the calendar. A fixed number of queries whatever the date range:

1. every block of hours in one UNION: the weekly ones (clinic hours and the working hours of the
   roles needed) and those of the extra openings in the range (the clinic's, and one row per
   block and staff member listed of the roles needed);
2. every exception in the range (closures, time off, room outages) and the rooms of the kind
   needed in another.

Both only when this process has no snapshot of the clinic's current calendar version for the
same needs and dates (``scheduling.calendar_version``); otherwise none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, DateField, DateTimeField, F, Field, IntegerField, QuerySet, UUIDField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from scheduling.availability import CalendarSnapshot, Demand
from scheduling.calendar_version import cached_snapshot, calendar_version
from scheduling.errors import AvailabilityError
from scheduling.intervals import local_day_bounds
from scheduling.models import (
    AppointmentType,
    Clinic,
    ClinicClosure,
    ClinicHours,
    ClinicOpening,
    ClinicOpeningHours,
    Room,
    RoomOutage,
    TimeOff,
    WorkingHours,
)
from scheduling.openings import Block

# Extra margin around the searched days when loading exceptions: a time-off range that starts
# the day before still covers the first day.
_MARGIN = timedelta(days=1)


def _typed_null(field: Field) -> Cast:
    # PostgreSQL types a bare NULL as text when two UNION branches both have one; cast it.
    return Cast(Value(None), output_field=field)


_NO_STAFF = _typed_null(UUIDField())
_NO_ROOM = _typed_null(IntegerField())
_NO_INSTANT = _typed_null(DateTimeField())
_NO_DATE = _typed_null(DateField())
_NO_WEEKDAY = _typed_null(IntegerField())
_NO_ROLE = Value("", output_field=CharField())


def demand_of(appointment_type: AppointmentType) -> Demand:
    return Demand(
        duration=timedelta(minutes=appointment_type.duration_minutes),
        recovery=timedelta(minutes=appointment_type.recovery_minutes),
        turnover=timedelta(minutes=appointment_type.turnover_minutes),
        grid_minutes=appointment_type.grid_minutes,
        room_kind=appointment_type.room_kind,
        staff_role=appointment_type.staff_role,
        nurse_capacity=appointment_type.nurse_capacity,
        needs_supervising_clinician=appointment_type.needs_supervising_clinician,
    )


def roles_needed(demand: Demand) -> list[str]:
    roles = {demand.staff_role} if demand.staff_role else set()
    if demand.nurse_capacity:
        roles.add("nurse")
    if demand.needs_supervising_clinician:
        roles.add("clinician")
    return sorted(roles)


def calendar_snapshot(
    *, appointment_type: AppointmentType, first_day: date, last_day: date, version: UUID | None = None
) -> CalendarSnapshot:
    """The clinic's calendar for ``first_day``..``last_day`` (local dates) as one snapshot, from
    this process's cache when it holds the snapshot of the clinic's calendar ``version`` (read now,
    one query, when not given), else two queries. The snapshot is shared: nobody may change it."""
    clinic = appointment_type.clinic
    demand = demand_of(appointment_type)
    roles = roles_needed(demand)
    if version is None:
        version = calendar_version(clinic.pk)
    if version is None:  # the clinic is gone: nothing to cache
        return _load_snapshot(clinic, demand, roles, first_day, last_day)
    key = (clinic.pk, version, clinic.time_zone, tuple(roles), demand.room_kind, first_day, last_day)
    return cached_snapshot(key, lambda: _load_snapshot(clinic, demand, roles, first_day, last_day))


def _load_snapshot(
    clinic: Clinic, demand: Demand, roles: list[str], first_day: date, last_day: date
) -> CalendarSnapshot:
    snapshot = _empty_snapshot(clinic.zone)
    _add_blocks(snapshot, _block_rows(clinic=clinic, roles=roles, first_day=first_day, last_day=last_day))
    exceptions = _exception_rows(clinic=clinic, demand=demand, roles=roles, first_day=first_day, last_day=last_day)
    _add_exceptions(snapshot, exceptions)
    return _frozen(snapshot)


def _frozen(snapshot: CalendarSnapshot) -> CalendarSnapshot:
    # Plain dicts: a look-up of a missing key must not add it to a snapshot other searches share.
    return replace(
        snapshot,
        clinic_hours=dict(snapshot.clinic_hours),
        staff_hours={staff: dict(weekly) for staff, weekly in snapshot.staff_hours.items()},
        opening_hours=dict(snapshot.opening_hours),
        staff_opening_hours={staff: dict(dated) for staff, dated in snapshot.staff_opening_hours.items()},
        staff_time_off=dict(snapshot.staff_time_off),
        room_outages=dict(snapshot.room_outages),
    )


def _empty_snapshot(zone: ZoneInfo) -> CalendarSnapshot:
    return CalendarSnapshot(
        zone=zone,
        clinic_hours=defaultdict(list),
        closures=set(),
        staff_roles={},
        staff_hours=defaultdict(lambda: defaultdict(list)),
        opening_hours=defaultdict(list),
        staff_opening_hours=defaultdict(lambda: defaultdict(list)),
        staff_time_off=defaultdict(list),
        rooms=[],
        room_outages=defaultdict(list),
    )


# -- query 1: blocks of hours, weekly and of the extra openings ----------------------------------------

_BLOCK_COLUMNS = ("staff_ref", "role", "weekday", "day", "begins", "finishes")


def _block_rows(*, clinic: Clinic, roles: list[str], first_day: date, last_day: date) -> QuerySet[Any, Any]:
    """The clinic's hours (rows without staff), the working hours of the roles needed, and the
    extra openings of ``first_day``..``last_day`` (rows with a ``day``): their blocks, and each
    block again for every active staff member of the roles needed that the opening lists."""
    clinic_hours = ClinicHours.objects.filter(clinic=clinic).annotate(
        staff_ref=_NO_STAFF, role=_NO_ROLE, day=_NO_DATE, begins=F("opens_at"), finishes=F("closes_at")
    )
    working_hours = WorkingHours.objects.filter(
        staff__clinic=clinic, staff__is_active=True, staff__user__role__in=roles
    ).annotate(
        staff_ref=F("staff_id"), role=F("staff__user__role"), day=_NO_DATE, begins=F("starts_at"), finishes=F("ends_at")
    )
    in_range = ClinicOpeningHours.objects.filter(opening__clinic=clinic, opening__opens_on__range=(first_day, last_day))
    opening_hours = in_range.annotate(
        staff_ref=_NO_STAFF,
        role=_NO_ROLE,
        weekday=_NO_WEEKDAY,
        day=F("opening__opens_on"),
        begins=F("opens_at"),
        finishes=F("closes_at"),
    )
    # One filter() call: the conditions and the columns below all name the same listed staff member.
    opening_staff = in_range.filter(
        opening__staff__clinic=clinic, opening__staff__is_active=True, opening__staff__user__role__in=roles
    ).annotate(
        staff_ref=F("opening__staff__id"),
        role=F("opening__staff__user__role"),
        weekday=_NO_WEEKDAY,
        day=F("opening__opens_on"),
        begins=F("opens_at"),
        finishes=F("closes_at"),
    )
    first, *others = (
        _columns(rows, _BLOCK_COLUMNS) for rows in (clinic_hours, working_hours, opening_hours, opening_staff)
    )
    return first.union(*others, all=True)


def _add_blocks(snapshot: CalendarSnapshot, rows: Iterable[tuple[Any, ...]]) -> None:
    for staff_id, role, weekday, day, begins, finishes in rows:
        if staff_id is not None:
            snapshot.staff_roles[staff_id] = role
        if day is None and staff_id is None:
            snapshot.clinic_hours[weekday].append((begins, finishes))
        elif day is None:
            snapshot.staff_hours[staff_id][weekday].append((begins, finishes))
        elif staff_id is None:
            snapshot.opening_hours[day].append((begins, finishes))
        else:
            snapshot.staff_opening_hours[staff_id][day].append((begins, finishes))


# -- query 2: exceptions and rooms --------------------------------------------------------------------

_EXCEPTION_COLUMNS = ("staff_ref", "room_ref", "begins", "finishes", "day")


def _exception_rows(
    *, clinic: Clinic, demand: Demand, roles: list[str], first_day: date, last_day: date
) -> QuerySet[Any, Any]:
    """Time off, room outages and closures in the range, and the rooms of the kind needed."""
    range_start, range_end = local_day_bounds(first_day, last_day, clinic.zone)
    overlapping = {"starts_at__lt": range_end + _MARGIN, "ends_at__gt": range_start - _MARGIN}
    branches = [
        _time_off(clinic=clinic, roles=roles, overlapping=overlapping),
        _room_outages(clinic=clinic, room_kind=demand.room_kind, overlapping=overlapping),
        _closures(clinic=clinic, first_day=first_day, last_day=last_day),
        _rooms(clinic=clinic, room_kind=demand.room_kind),
    ]
    first, *others = (_columns(branch, _EXCEPTION_COLUMNS) for branch in branches)
    return first.union(*others, all=True)


def _time_off(*, clinic: Clinic, roles: list[str], overlapping: dict[str, datetime]) -> QuerySet[Any, Any]:
    return TimeOff.objects.filter(staff__clinic=clinic, staff__user__role__in=roles, **overlapping).annotate(
        staff_ref=F("staff_id"), room_ref=_NO_ROOM, begins=F("starts_at"), finishes=F("ends_at"), day=_NO_DATE
    )


def _room_outages(*, clinic: Clinic, room_kind: str, overlapping: dict[str, datetime]) -> QuerySet[Any, Any]:
    return RoomOutage.objects.filter(room__clinic=clinic, room__kind=room_kind, **overlapping).annotate(
        staff_ref=_NO_STAFF, room_ref=F("room_id"), begins=F("starts_at"), finishes=F("ends_at"), day=_NO_DATE
    )


def _closures(*, clinic: Clinic, first_day: date, last_day: date) -> QuerySet[Any, Any]:
    return ClinicClosure.objects.filter(clinic=clinic, closed_on__range=(first_day, last_day)).annotate(
        staff_ref=_NO_STAFF, room_ref=_NO_ROOM, begins=_NO_INSTANT, finishes=_NO_INSTANT, day=F("closed_on")
    )


def _rooms(*, clinic: Clinic, room_kind: str) -> QuerySet[Any, Any]:
    # The rooms themselves ride along as rows without a time range.
    return Room.objects.filter(clinic=clinic, kind=room_kind or None, is_active=True).annotate(
        staff_ref=_NO_STAFF, room_ref=F("id"), begins=_NO_INSTANT, finishes=_NO_INSTANT, day=_NO_DATE
    )


def _add_exceptions(snapshot: CalendarSnapshot, rows: Iterable[tuple[Any, ...]]) -> None:
    for staff_id, room_id, begins, finishes, day in rows:
        if day is not None:
            snapshot.closures.add(day)
        elif staff_id is not None:
            snapshot.staff_time_off[staff_id].append((begins, finishes))
        elif begins is None:
            snapshot.rooms.append(room_id)
        else:
            snapshot.room_outages[room_id].append((begins, finishes))


def _columns(rows: QuerySet[Any, Any], columns: tuple[str, ...]) -> QuerySet[Any, Any]:
    # One column order for every branch of a UNION, and no ORDER BY inside it.
    return rows.values_list(*columns).order_by()


# -- one day's schedule ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicDay:
    """A date's schedule as the engine reads it: the clinic's blocks that date, and the opening
    that decides them when there is one (then only its staff work)."""

    day: date
    blocks: list[Block]
    opening: ClinicOpening | None


def clinic_day(*, clinic: Clinic, day: date) -> ClinicDay:
    """The clinic's hours of ``day``: its extra opening's, else none on a closure, else the weekly
    hours of its weekday."""
    opening = ClinicOpening.objects.filter(clinic=clinic, opens_on=day).prefetch_related("hours", "staff").first()
    if opening is not None:
        blocks = [(block.opens_at, block.closes_at) for block in opening.hours.all()]
    elif ClinicClosure.objects.filter(clinic=clinic, closed_on=day).exists():
        blocks = []
    else:
        hours = ClinicHours.objects.filter(clinic=clinic, weekday=day.weekday()).order_by("opens_at")
        blocks = [(opens, closes) for opens, closes in hours.values_list("opens_at", "closes_at")]
    return ClinicDay(day=day, blocks=blocks, opening=opening)


# -- appointment types -----------------------------------------------------------------------------


def appointment_types_offered() -> QuerySet[AppointmentType]:
    """The active appointment types, by code: what the clinic offers today."""
    return AppointmentType.objects.filter(is_active=True).order_by("code")


def appointment_type_offered(*, code: str, loaded: AppointmentType | None = None) -> AppointmentType:
    """The active appointment type with ``code``, with its clinic: one query, or none when ``loaded``
    (a type read already with its clinic, e.g. along with an appointment) is that type."""
    if loaded is not None and loaded.code == code:
        appointment_type: AppointmentType | None = loaded
    else:
        appointment_type = appointment_types_offered().select_related("clinic").filter(code=code).first()
    if appointment_type is None or not appointment_type.is_active:
        raise AvailabilityError(
            "There is no appointment type with this code.",
            code="unknown_appointment_type",
            fields={"type": ["Unknown."]},
        )
    return appointment_type


def clinic_zone() -> ZoneInfo:
    """The clinic's time zone (the configured default before a clinic exists)."""
    clinic = Clinic.objects.only("time_zone").order_by("pk").first()
    return clinic.zone if clinic else ZoneInfo(settings.CLINIC_TIME_ZONE)


def clinic_today() -> date:
    """Today's date on the clinic's wall clock (a late-evening request in California is not tomorrow)."""
    return timezone.localdate(timezone=clinic_zone())
