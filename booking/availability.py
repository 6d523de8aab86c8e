"""The availability search: which starts of a type are open, from the calendar (scheduling's
engine, ``scheduling.availability``) and the appointments that hold its resources.

The search costs a fixed number of queries whatever the range: one for the busy times and the
calendar's version, two more for the calendar snapshot (``scheduling.selectors.calendar_snapshot``)
only when this process has not cached that version's yet, and for a
signed-in patient one more per rule that applies to the type: how many future appointments of
the type they already hold, and their treatment plan's limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import BigIntegerField, CharField, ExpressionWrapper, F, QuerySet, UUIDField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import User
from booking.models import BLOCKING_STATUSES, Appointment
from booking.plan_gate import plan_gate
from booking.selectors import appointment_to_move, patient_at_future_limit
from core.epoch import EpochMicroseconds, instant_of
from core.roles import Role
from scheduling.availability import AvailabilityEngine, Bookings, BookingWindow
from scheduling.errors import AvailabilityError
from scheduling.intervals import local_day_bounds
from scheduling.models import AppointmentType, Clinic, StaffMember
from scheduling.online_booking import is_open_online
from scheduling.selectors import appointment_type_offered, calendar_snapshot, demand_of

MAX_SEARCH_DAYS = 62
# No appointment type spans more than a day (see AppointmentType's validators), so an
# appointment that starts more than a day before the range cannot reach into it.
_LONGEST_VISIT = timedelta(days=1)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def booking_window_for(appointment_type: AppointmentType, *, now: datetime, online: bool) -> BookingWindow:
    """Patients book with the type's notice and horizon; staff from now on, without horizon."""
    if not online:
        return BookingWindow(earliest=now)
    return BookingWindow(
        earliest=now + timedelta(minutes=appointment_type.min_notice_minutes),
        latest=now + timedelta(days=appointment_type.horizon_days),
    )


def _busy_rows(*, range_start: datetime, range_end: datetime, ignore_appointment_id: UUID | None) -> QuerySet[Any, Any]:
    """The blocking appointments around the range: resources, patient, and instants as integers
    (``core.epoch``: read by the driver's C code, no datetime parsed per row)."""
    rows = Appointment.objects.filter(
        status__in=BLOCKING_STATUSES,
        starts_at__gte=range_start - _LONGEST_VISIT,
        starts_at__lt=range_end + _LONGEST_VISIT,
    )
    if ignore_appointment_id is not None:
        rows = rows.exclude(pk=ignore_appointment_id)
    return (
        rows.annotate(
            room_ref=F("room_id"),
            staff_ref=_raw_id("staff_id"),
            nurse_ref=_raw_id("nurse_id"),
            patient_ref=_raw_id("patient_id"),
            starts=EpochMicroseconds("starts_at"),
            ends=EpochMicroseconds("ends_at"),
            staff_until=EpochMicroseconds("staff_released_at"),
            room_until=EpochMicroseconds("room_released_at"),
        )
        .values_list(*_BUSY_COLUMNS)
        .order_by()
    )


def _raw_id(column: str) -> ExpressionWrapper:
    # Without Django's per-value UUID converter (SQLite stores hex text): ``_add_busy`` turns each
    # distinct id into a UUID once. PostgreSQL's driver returns UUIDs itself.
    return ExpressionWrapper(F(column), output_field=CharField())


_BUSY_COLUMNS = ("room_ref", "staff_ref", "nurse_ref", "patient_ref", "starts", "ends", "staff_until", "room_until")


def _version_row(clinic_id: int) -> QuerySet[Any, Any]:
    # The clinic's calendar version in the busy query's shape: no start, the version as staff_ref.
    none_int, none_uuid = Cast(Value(None), BigIntegerField()), Cast(Value(None), UUIDField())
    return (
        Clinic.objects.filter(pk=clinic_id)
        .annotate(
            room_ref=none_int,
            staff_ref=_raw_id("calendar_version"),
            nurse_ref=none_uuid,
            patient_ref=none_uuid,
            starts=none_int,
            ends=none_int,
            staff_until=none_int,
            room_until=none_int,
        )
        .values_list(*_BUSY_COLUMNS)
        .order_by()
    )


class _Decoded:
    """Many busy rows share their instants (the grid) and their staff: each distinct raw value is
    converted once per search."""

    def __init__(self) -> None:
        self._instants: dict[int, datetime] = {}
        self._ids: dict[Any, UUID] = {}

    def instant(self, microseconds: int) -> datetime:
        found = self._instants.get(microseconds)
        if found is None:
            found = self._instants[microseconds] = instant_of(microseconds)
        return found

    def uuid(self, raw: Any) -> Any:
        if raw is None:
            return None
        found = self._ids.get(raw)
        if found is None:
            found = self._ids[raw] = raw if isinstance(raw, UUID) else UUID(raw)
        return found


def _add_busy(bookings: Bookings, rows: Iterable[tuple[Any, ...]], patient_id: UUID | None) -> UUID | None:
    """Files the busy rows into ``bookings``; returns the calendar version row's value, if any."""
    version = None
    decoded = _Decoded()
    instant, uuid_of = decoded.instant, decoded.uuid
    for room_id, raw_staff, raw_nurse, raw_patient, starts, ends, staff_until, room_until in rows:
        if starts is None:
            version = uuid_of(raw_staff)
            continue
        starts_at = instant(starts)
        if room_id is not None:
            bookings.room_busy[room_id].append((starts_at, instant(room_until)))
        if raw_staff is not None:
            bookings.staff_busy[uuid_of(raw_staff)].append((starts_at, instant(staff_until)))
        if raw_nurse is not None:
            bookings.nurse_monitoring[uuid_of(raw_nurse)].append((starts_at, instant(ends)))
        if patient_id is not None and uuid_of(raw_patient) == patient_id:
            bookings.patient_busy.append((starts_at, instant(ends)))
    return version


def appointment_busy_times(
    *,
    range_start: datetime,
    range_end: datetime,
    patient_id: UUID | None = None,
    ignore_appointment_id: UUID | None = None,
) -> Bookings:
    """Who and what is held when, from the appointments that block resources (one query)."""
    bookings = Bookings()
    rows = _busy_rows(range_start=range_start, range_end=range_end, ignore_appointment_id=ignore_appointment_id)
    _add_busy(bookings, rows, patient_id)
    return bookings


def availability_engine(
    *,
    appointment_type: AppointmentType,
    first_day: date,
    last_day: date,
    patient_id: UUID | None = None,
    staff_id: UUID | None = None,
    online: bool = True,
    now: datetime | None = None,
    ignore_appointment_id: UUID | None = None,
) -> AvailabilityEngine:
    """The engine for local days ``first_day``..``last_day``; booking reuses it to re-check a start."""
    zone = appointment_type.clinic.zone
    range_start, range_end = local_day_bounds(first_day, last_day, zone)
    # One query brings the busy times and the calendar's version; the calendar itself comes from
    # this process's cache, or two more queries when that version is new here.
    busy = _busy_rows(range_start=range_start, range_end=range_end, ignore_appointment_id=ignore_appointment_id)
    bookings = Bookings()
    version = _add_busy(bookings, busy.union(_version_row(appointment_type.clinic_id), all=True), patient_id)
    return AvailabilityEngine(
        demand=demand_of(appointment_type),
        calendar=calendar_snapshot(
            appointment_type=appointment_type, first_day=first_day, last_day=last_day, version=version
        ),
        bookings=bookings,
        first_day=first_day,
        last_day=last_day,
        window=booking_window_for(appointment_type, now=now or timezone.now(), online=online),
        staff_filter=staff_id,
    )


def availability_for(
    *,
    appointment_type: AppointmentType,
    first_day: date,
    last_day: date,
    patient_id: UUID | None = None,
    staff_id: UUID | None = None,
    online: bool = True,
    now: datetime | None = None,
    moving_appointment_id: UUID | None = None,
) -> list[Slot]:
    """The open starts of a type over local days ``first_day``..``last_day``, earliest first.

    For a patient, what booking would refuse them is left out: everything when they already hold
    as many future appointments of the type as allowed (they reschedule the one they hold
    instead) or their active plan's sessions are all booked; the days their plan's spacing and
    window rule out. ``moving_appointment_id``, an appointment of this type being rescheduled, is
    treated as gone: its time is free and it counts for no limit, as in booking's re-check.
    """
    plan_limits = None
    if patient_id is not None:
        if moving_appointment_id is None and patient_at_future_limit(
            patient_id=patient_id, appointment_type=appointment_type, now=now or timezone.now()
        ):
            return []
        plan_limits = plan_gate().limits_for_search(
            patient_id=patient_id,
            appointment_type=appointment_type,
            zone=appointment_type.clinic.zone,
            moving_appointment_id=moving_appointment_id,
        )
        if plan_limits is not None and plan_limits.exhausted:
            return []
    engine = availability_engine(
        appointment_type=appointment_type,
        first_day=first_day,
        last_day=last_day,
        patient_id=patient_id,
        staff_id=staff_id,
        online=online,
        now=now,
        ignore_appointment_id=moving_appointment_id,
    )
    visit = engine.demand.patient_span
    starts = engine.open_starts()
    if plan_limits is not None:
        zone = appointment_type.clinic.zone
        starts = [start for start in starts if plan_limits.allows(start.astimezone(zone).date())]
    return [Slot(start=start, end=start + visit) for start in starts]


@dataclass(frozen=True)
class AvailabilitySearch:
    appointment_type: AppointmentType
    slots: list[Slot]


def availability_search(
    *,
    viewer: User | None,
    type_code: str,
    first_day: date,
    last_day: date,
    staff_id: UUID | None = None,
    reschedule_id: UUID | None = None,
) -> AvailabilitySearch:
    """The open starts of the type ``type_code`` that ``viewer`` (None: not signed in) may see.

    Types any patient may book online are public; the others need a signed-in user, and patients
    never see staff-only types. A signed-in patient sees only starts that do not clash with their
    own appointments; staff see starts inside the online notice window and beyond the online
    horizon, as they may book those. ``reschedule_id`` names a booked appointment of the type being
    moved (its type comes with it: no extra query); staff moving a patient's visit see what that
    patient can take.
    """
    moving = _appointment_to_move_or_refuse(viewer, reschedule_id, type_code) if reschedule_id else None
    appointment_type = _searchable_type(viewer, moving.appointment_type if moving else None, type_code)
    if staff_id is not None:
        _check_staff_serves(staff_id, appointment_type)
    is_patient = viewer is not None and viewer.role == Role.PATIENT
    patient_id = moving.patient_id if moving is not None else (viewer.pk if viewer and is_patient else None)
    slots = availability_for(
        appointment_type=appointment_type,
        first_day=first_day,
        last_day=last_day,
        patient_id=patient_id,
        staff_id=staff_id,
        online=viewer is None or is_patient,
        moving_appointment_id=moving.pk if moving is not None else None,
    )
    return AvailabilitySearch(appointment_type=appointment_type, slots=slots)


def _appointment_to_move_or_refuse(viewer: User | None, appointment_id: UUID, type_code: str) -> Appointment:
    if viewer is None:
        raise AvailabilityError("Sign in to move an appointment.", code="not_authenticated", status_code=401)
    moving = appointment_to_move(viewer=viewer, appointment_id=appointment_id)
    if moving is None:
        # The same answer for another patient's appointment as for none: nothing is revealed.
        raise AvailabilityError(
            "There is no booked appointment with this id that you can move.",
            code="unknown_appointment",
            fields={"reschedule": ["Unknown."]},
        )
    if moving.appointment_type.code != type_code:
        raise AvailabilityError(
            "The appointment to move is of another type.",
            code="appointment_type_mismatch",
            fields={"reschedule": ["Not of this type."]},
        )
    return moving


def _searchable_type(viewer: User | None, moving_type: AppointmentType | None, type_code: str) -> AppointmentType:
    """The type to search, if offered and open to ``viewer``."""
    appointment_type = appointment_type_offered(code=type_code, loaded=moving_type)
    if viewer is None and not is_open_online(appointment_type, signed_in=False):
        raise AvailabilityError(
            "Sign in to see the times of this appointment type.", code="not_authenticated", status_code=401
        )
    if viewer is not None and viewer.role == Role.PATIENT and not is_open_online(appointment_type):
        raise AvailabilityError(
            "Only the clinic books this appointment type.", code="permission_denied", status_code=403
        )
    return appointment_type


def _check_staff_serves(staff_id: UUID, appointment_type: AppointmentType) -> None:
    serves = StaffMember.objects.filter(pk=staff_id, is_active=True, user__role=appointment_type.staff_role or None)
    if not serves.exists():
        raise AvailabilityError(
            "No such staff member for this appointment type.",
            code="unknown_clinician",
            fields={"clinician": ["Unknown."]},
        )
