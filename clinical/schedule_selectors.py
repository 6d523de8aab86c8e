"""The day's schedule and the nurses' day board: the day's appointments in the row shape the care
team reads, with "infusion k of N" of their treatment plan (clinical's, so read here, not in
booking). ``clinical.board`` fills the board's section 10 columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Subquery
from django.utils import timezone

from accounts.models import User
from booking.models import BLOCKING_STATUSES, Appointment, AppointmentStatus
from booking.selectors import appointments_with_relations
from scheduling.intervals import local_day_bounds
from scheduling.models import Clinic, Room, RoomKind
from scheduling.selectors import clinic_zone


@dataclass(frozen=True)
class ScheduleRow:
    appointment: Appointment
    session_number: int | None  # infusion k of the plan's N, counting booked and done ones by start
    sessions_planned: int | None


def schedule_for_day(*, day: date, zone: ZoneInfo) -> list[ScheduleRow]:
    """The day's non-cancelled appointments by start, with "infusion k of N" for plan sessions.

    Two queries whatever the number of appointments: the day's rows, then the start times of
    every blocking session of the plans that appear that day (to number them).
    """
    day_start, day_end = local_day_bounds(day, day, zone)
    rows = Appointment.objects.filter(starts_at__gte=day_start, starts_at__lt=day_end).exclude(
        status=AppointmentStatus.CANCELLED
    )
    appointments = list(
        appointments_with_relations(rows).select_related("treatment_plan").order_by("starts_at", "room__name", "id")
    )
    plan_ids = {a.treatment_plan_id for a in appointments if a.treatment_plan_id is not None}
    numbers: dict[UUID, int] = {}
    if plan_ids:
        sessions = (
            Appointment.objects.filter(treatment_plan_id__in=plan_ids, status__in=BLOCKING_STATUSES)
            .order_by("treatment_plan_id", "appointment_type_id", "starts_at", "id")
            .values_list("pk", "treatment_plan_id", "appointment_type_id")
        )
        counters: dict[tuple[UUID, int], int] = {}
        for appointment_id, plan_id, type_id in sessions:
            counters[(plan_id, type_id)] = counters.get((plan_id, type_id), 0) + 1
            numbers[appointment_id] = counters[(plan_id, type_id)]
    result = []
    for appointment in appointments:
        plan = appointment.treatment_plan
        planned = plan.sessions_planned(appointment.appointment_type.counts_against_plan) if plan else None
        result.append(ScheduleRow(appointment, numbers.get(appointment.pk), planned))
    return result


@dataclass(frozen=True)
class DaySchedule:
    day: date
    zone: ZoneInfo
    rows: list[ScheduleRow]


def schedule_of(*, day: date | None = None) -> DaySchedule:
    """The schedule of ``day`` (clinic-local; today when None)."""
    zone = clinic_zone()
    day = day or timezone.localdate(timezone=zone)
    return DaySchedule(day=day, zone=zone, rows=schedule_for_day(day=day, zone=zone))


def schedule_of_staff(*, user: User, day: date | None = None) -> DaySchedule:
    """One staff member's part of the day's schedule (clinic-local; today when None): the
    appointments they run (``staff``), supervise or monitor as the nurse.

    The same fixed queries as ``schedule_of`` (the zone, the day's rows, the plan numbering),
    however many appointments the day holds.
    """
    day_schedule = schedule_of(day=day)
    mine = [
        row
        for row in day_schedule.rows
        if user.pk
        in (
            row.appointment.staff.user_id if row.appointment.staff else None,
            row.appointment.supervising_clinician.user_id if row.appointment.supervising_clinician else None,
            row.appointment.nurse.user_id if row.appointment.nurse else None,
        )
    ]
    return DaySchedule(day=day_schedule.day, zone=day_schedule.zone, rows=mine)


@dataclass(frozen=True)
class BoardRow:
    """One appointment on the day board: the schedule's row ("infusion k of N" included) and what
    section 10 of SPEC.md adds, filled by ``clinical.board.clinical_day_board``: the
    questionnaires' state, the open alerts, the session's planned dose."""

    schedule: ScheduleRow
    questionnaire: str | None = None  # "due", "answered" (the infusion's PHQ-9 and GAD-7); None: none
    alerts: tuple[str, ...] = ()  # "self_harm", "vitals_threshold", "vitals_overdue"
    planned_dose_mg: Decimal | None = None  # from the session record's weight, once recorded

    @property
    def appointment(self) -> Appointment:
        return self.schedule.appointment


@dataclass(frozen=True)
class BoardRoom:
    room: Room
    rows: list[BoardRow]


@dataclass(frozen=True)
class DayBoard:
    """The day's appointments room by room: every room of the clinic, infusion rooms first,
    including the empty ones; appointments without a room (none today) come in ``unassigned``."""

    clinic: Clinic | None
    day: date
    zone: ZoneInfo
    rooms: list[BoardRoom]
    unassigned: list[BoardRow]

    def signature(self) -> str:
        """A hash of everything the board shows, for a strong ETag: equal exactly when the board
        would show the same rows and rooms (status, readiness, names, numbering, dose...)."""
        parts: list[object] = [self.day.isoformat()]
        for section in self.rooms:
            parts.append(("room", section.room.pk, section.room.name, section.room.kind))
        for row in [row for section in self.rooms for row in section.rows] + self.unassigned:
            appointment = row.appointment
            plan = appointment.treatment_plan
            parts.append(
                (
                    str(appointment.pk),
                    appointment.room_id,
                    appointment.status,
                    appointment.updated_at.isoformat(),
                    appointment.starts_at.isoformat(),
                    appointment.driver_arranged,
                    appointment.fasting_acknowledged,
                    appointment.patient.full_name,
                    appointment.nurse.user.full_name if appointment.nurse else None,
                    appointment.appointment_type.name,
                    row.schedule.session_number,
                    row.schedule.sessions_planned,
                    (str(plan.dose_mg_per_kg), plan.route) if plan is not None else None,
                    row.questionnaire,
                    row.alerts,
                    str(row.planned_dose_mg),
                )
            )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def day_board(*, day: date | None = None) -> DayBoard:
    """The nurses' day board of ``day`` (clinic-local; today when None).

    Three queries whatever the number of appointments: the clinic's rooms with the clinic (the
    clinic alone when it has no room), and the two of ``schedule_for_day`` (the day's rows, the
    plan numbering; that one only when plans appear).
    """
    # One query for the clinic and its rooms: the board's budget (SPEC.md section 9, at most 8)
    # leaves room for the access log's INSERT (core/access_log.py).
    first_clinic = Clinic.objects.order_by("pk").values("pk")[:1]
    rooms = list(Room.objects.select_related("clinic").filter(clinic_id=Subquery(first_clinic)))
    clinic = rooms[0].clinic if rooms else Clinic.objects.order_by("pk").first()
    zone = clinic.zone if clinic else clinic_zone()
    day = day or timezone.localdate(timezone=zone)
    rows = [BoardRow(schedule=row) for row in schedule_for_day(day=day, zone=zone)]
    by_room: dict[int, list[BoardRow]] = {}
    unassigned: list[BoardRow] = []
    for row in rows:
        if row.appointment.room_id is None:
            unassigned.append(row)
        else:
            by_room.setdefault(row.appointment.room_id, []).append(row)
    rooms.sort(key=lambda room: (room.kind != RoomKind.INFUSION, room.name))
    sections = [
        BoardRoom(room=room, rows=by_room.pop(room.pk, [])) for room in rooms if room.is_active or room.pk in by_room
    ]
    for leftover in by_room.values():  # a room of another clinic: shown without its own section
        unassigned.extend(leftover)
    unassigned.sort(key=lambda row: (row.appointment.starts_at, str(row.appointment.pk)))
    return DayBoard(clinic=clinic, day=day, zone=zone, rooms=sections, unassigned=unassigned)
