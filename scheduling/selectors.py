"""Reads of the calendar. A fixed number of queries whatever the date range:

1. every weekly block (clinic hours and the working hours of the roles needed) in one UNION;
2. every exception in the range (closures, time off, room outages) and the rooms of the kind
   needed in another.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import CharField, DateField, DateTimeField, F, Field, IntegerField, UUIDField, Value
from django.db.models.functions import Cast

from scheduling.availability import CalendarSnapshot, Demand
from scheduling.intervals import local_day_bounds
from scheduling.models import AppointmentType, ClinicClosure, ClinicHours, Room, RoomOutage, TimeOff, WorkingHours

# Extra margin around the searched days when loading exceptions: a time-off range that starts
# the day before still covers the first day.
_MARGIN = timedelta(days=1)


def _typed_null(field: Field) -> Cast:
    # PostgreSQL types a bare NULL as text when two UNION branches both have one; cast it.
    return Cast(Value(None), output_field=field)


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


def calendar_snapshot(*, appointment_type: AppointmentType, first_day: date, last_day: date) -> CalendarSnapshot:
    """The clinic's calendar for ``first_day``..``last_day`` (local dates) as one snapshot."""
    clinic = appointment_type.clinic
    zone = clinic.zone
    demand = demand_of(appointment_type)
    roles = roles_needed(demand)
    range_start, range_end = local_day_bounds(first_day, last_day, zone)

    snapshot = CalendarSnapshot(
        zone=zone,
        clinic_hours=defaultdict(list),
        closures=set(),
        staff_roles={},
        staff_hours=defaultdict(lambda: defaultdict(list)),
        staff_time_off=defaultdict(list),
        rooms=[],
        room_outages=defaultdict(list),
    )

    no_staff = _typed_null(UUIDField())
    weekly = (
        ClinicHours.objects.filter(clinic=clinic)
        .annotate(
            staff_ref=no_staff, role=Value("", output_field=CharField()), begins=F("opens_at"), finishes=F("closes_at")
        )
        .values_list("staff_ref", "role", "weekday", "begins", "finishes")
        .order_by()
        .union(
            WorkingHours.objects.filter(staff__clinic=clinic, staff__is_active=True, staff__user__role__in=roles)
            .annotate(
                staff_ref=F("staff_id"), role=F("staff__user__role"), begins=F("starts_at"), finishes=F("ends_at")
            )
            .values_list("staff_ref", "role", "weekday", "begins", "finishes")
            .order_by(),
            all=True,
        )
    )
    for staff_id, role, weekday, begins, finishes in weekly:
        if staff_id is None:
            snapshot.clinic_hours[weekday].append((begins, finishes))
        else:
            snapshot.staff_roles[staff_id] = role
            snapshot.staff_hours[staff_id][weekday].append((begins, finishes))

    no_room = _typed_null(IntegerField())
    no_instant = _typed_null(DateTimeField())
    no_date = _typed_null(DateField())
    exceptions = (
        TimeOff.objects.filter(
            staff__clinic=clinic,
            staff__user__role__in=roles,
            starts_at__lt=range_end + _MARGIN,
            ends_at__gt=range_start - _MARGIN,
        )
        .annotate(staff_ref=F("staff_id"), room_ref=no_room, begins=F("starts_at"), finishes=F("ends_at"), day=no_date)
        .values_list("staff_ref", "room_ref", "begins", "finishes", "day")
        .order_by()
        .union(
            RoomOutage.objects.filter(
                room__clinic=clinic,
                room__kind=demand.room_kind,
                starts_at__lt=range_end + _MARGIN,
                ends_at__gt=range_start - _MARGIN,
            )
            .annotate(
                staff_ref=no_staff, room_ref=F("room_id"), begins=F("starts_at"), finishes=F("ends_at"), day=no_date
            )
            .values_list("staff_ref", "room_ref", "begins", "finishes", "day")
            .order_by(),
            ClinicClosure.objects.filter(clinic=clinic, closed_on__range=(first_day, last_day))
            .annotate(staff_ref=no_staff, room_ref=no_room, begins=no_instant, finishes=no_instant, day=F("closed_on"))
            .values_list("staff_ref", "room_ref", "begins", "finishes", "day")
            .order_by(),
            # The rooms themselves ride along as rows without a time range.
            Room.objects.filter(clinic=clinic, kind=demand.room_kind or None, is_active=True)
            .annotate(staff_ref=no_staff, room_ref=F("id"), begins=no_instant, finishes=no_instant, day=no_date)
            .values_list("staff_ref", "room_ref", "begins", "finishes", "day")
            .order_by(),
            all=True,
        )
    )
    for staff_id, room_id, begins, finishes, day in exceptions:
        if day is not None:
            snapshot.closures.add(day)
        elif staff_id is not None:
            snapshot.staff_time_off[staff_id].append((begins, finishes))
        elif begins is None:
            snapshot.rooms.append(room_id)
        else:
            snapshot.room_outages[room_id].append((begins, finishes))
    return snapshot
