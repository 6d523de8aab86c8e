"""Writes of appointments: book, reschedule and cancel (the day's lifecycle is ``lifecycle.py``).

Concurrency (docs/booking-invariants.md): a booking or a move runs in ``locking.check_then_write``,
which takes its locks once, in the fixed order of booking/locking.py, before the re-check with the
same engine the search uses, then the write. On PostgreSQL, exclusion constraints refuse
overlapping bookings of one room, staff member or patient whatever the code does; on SQLite,
transactions begin IMMEDIATE, so writers queue. State changes (cancel included) lock the patient and
then the appointment (``locking.lock_appointment``, the same order) and are conditional updates
that must touch exactly one row. Every service here that writes is ``retried_once_on_deadlock``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.errors import BookingConflictError, BookingError, BookingPermissionError
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.plan_gate import plan_gate
from booking.selectors import patient_at_future_limit
from booking.services.assignment import Assignment, recheck_and_assign
from booking.services.history import history_record
from core.roles import BOOKING_STAFF_ROLES, Role
from scheduling.models import AppointmentType
from scheduling.online_booking import is_open_online

LATE_CANCELLATION_WINDOW = timedelta(hours=24)


def _is_booking_staff(user: User) -> bool:
    return user.role in BOOKING_STAFF_ROLES


# -- input checks that need no lock (400s) ---------------------------------------------------------


def _check_start_is_bookable(
    *, appointment_type: AppointmentType, starts_at: datetime, online: bool, now: datetime
) -> None:
    if starts_at.tzinfo is None:
        raise BookingError(
            "The start needs an explicit UTC offset.", code="naive_datetime", fields={"start": ["No offset."]}
        )
    local = starts_at.astimezone(appointment_type.clinic.zone)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % appointment_type.grid_minutes:
        raise BookingError(
            f"Starts lie on a {appointment_type.grid_minutes}-minute grid.",
            code="off_grid",
            fields={"start": ["Not on the booking grid."]},
        )
    if starts_at <= now:
        raise BookingError("This time has already passed.", code="start_in_past", fields={"start": ["In the past."]})
    if online and starts_at < now + timedelta(minutes=appointment_type.min_notice_minutes):
        hours = appointment_type.min_notice_minutes / 60
        raise BookingError(
            f"Online bookings need at least {hours:g} hours' notice; please call the clinic.",
            code="too_short_notice",
            fields={"start": ["Too soon to book online."]},
        )
    if online and starts_at > now + timedelta(days=appointment_type.horizon_days):
        raise BookingError(
            f"Online bookings reach at most {appointment_type.horizon_days} days ahead.",
            code="beyond_booking_horizon",
            fields={"start": ["Too far ahead."]},
        )


def _check_patient_may_book_online(*, patient: User, appointment_type: AppointmentType) -> None:
    if not is_open_online(appointment_type):
        raise BookingPermissionError("Only the clinic books this appointment type.", code="staff_only_type")


def _check_future_limit(*, patient_id: UUID, appointment_type: AppointmentType, now: datetime) -> None:
    if patient_at_future_limit(patient_id=patient_id, appointment_type=appointment_type, now=now):
        raise BookingConflictError(
            f"You already hold an upcoming {appointment_type.name}; reschedule it instead.",
            code="future_appointment_limit",
        )


def appointment_spans(appointment_type: AppointmentType, starts_at: datetime) -> dict[str, datetime]:
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=appointment_type.patient_minutes),
        "staff_released_at": starts_at + timedelta(minutes=appointment_type.duration_minutes),
        "room_released_at": starts_at + timedelta(minutes=appointment_type.room_minutes),
    }


# -- book -------------------------------------------------------------------------------------------


@locking.retried_once_on_deadlock
def appointment_book(
    *,
    actor: User,
    patient: User,
    appointment_type: AppointmentType,
    starts_at: datetime,
    now: datetime | None = None,
) -> Appointment:
    """Book ``appointment_type`` at ``starts_at`` for ``patient``, picking concrete resources.

    Patients book for themselves within the online rules; booking staff book for any patient,
    inside the notice window and beyond the online horizon. A lost race is a 409, never a 500.
    """
    now = now or timezone.now()
    online = actor.role == Role.PATIENT
    if online and actor.pk != patient.pk:
        raise BookingPermissionError("Patients book only for themselves.")
    if not online and not _is_booking_staff(actor):
        raise BookingPermissionError("Your role does not book appointments.")
    if patient.role != Role.PATIENT or not patient.is_active:
        raise BookingError(
            "Appointments are booked for patients.", code="not_a_patient", fields={"patient": ["Not a patient."]}
        )
    if not appointment_type.is_active:
        raise BookingError("This appointment type is not offered.", code="unknown_appointment_type")
    if online:
        _check_patient_may_book_online(patient=patient, appointment_type=appointment_type)
    _check_start_is_bookable(appointment_type=appointment_type, starts_at=starts_at, online=online, now=now)

    def check() -> tuple[Assignment, UUID | None]:
        _check_future_limit(patient_id=patient.pk, appointment_type=appointment_type, now=now)
        plan_id = plan_gate().check_booking(
            patient_id=patient.pk,
            appointment_type=appointment_type,
            starts_at=starts_at,
            zone=appointment_type.clinic.zone,
        )
        assignment = recheck_and_assign(
            appointment_type=appointment_type, patient_id=patient.pk, starts_at=starts_at, online=online, now=now
        )
        return assignment, plan_id

    def write(checked: tuple[Assignment, UUID | None]) -> Appointment:
        assignment, plan_id = checked
        return appointment_insert(
            patient_id=patient.pk,
            appointment_type=appointment_type,
            starts_at=starts_at,
            assignment=assignment,
            plan_id=plan_id,
            actor=actor,
            now=now,
        )

    return locking.check_then_write(patient_id=patient.pk, appointment_type=appointment_type, check=check, write=write)


def appointment_insert(
    *,
    patient_id: UUID,
    appointment_type: AppointmentType,
    starts_at: datetime,
    assignment: Assignment,
    plan_id: UUID | None,
    actor: User,
    now: datetime,
    reason: str = "",
) -> Appointment:
    """Write a checked booking and its first history row (inside the caller's transaction)."""
    appointment = Appointment.objects.create(
        patient_id=patient_id,
        appointment_type=appointment_type,
        treatment_plan_id=plan_id,
        room_id=assignment.room_id,
        staff_id=assignment.staff_id,
        nurse_id=assignment.nurse_id,
        supervising_clinician_id=assignment.supervising_clinician_id,
        booked_by=actor,
        **appointment_spans(appointment_type, starts_at),
    )
    history_record(
        appointment,
        action=AppointmentEvent.Action.BOOKED,
        actor=actor,
        at=now,
        to_status=appointment.status,
        to_starts_at=starts_at,
        reason=reason,
    )
    return appointment


# -- move and cancel -----------------------------------------------------------------------------


def _owned_or_managed(*, actor: User, appointment_id: UUID) -> Appointment:
    appointment = (
        Appointment.objects.select_related("appointment_type__clinic", "patient").filter(pk=appointment_id).first()
    )
    if appointment is None or (actor.role == Role.PATIENT and appointment.patient_id != actor.pk):
        raise BookingError("No such appointment.", code="not_found", status_code=404)
    if actor.role != Role.PATIENT and not _is_booking_staff(actor):
        raise BookingPermissionError("Your role does not change appointments.")
    return appointment


@locking.retried_once_on_deadlock
def appointment_reschedule(
    *, actor: User, appointment_id: UUID, starts_at: datetime, now: datetime | None = None
) -> Appointment:
    """Move a booked appointment to another open start of its type; all of it or nothing."""
    now = now or timezone.now()
    online = actor.role == Role.PATIENT
    appointment = _owned_or_managed(actor=actor, appointment_id=appointment_id)
    _check_movable(appointment=appointment, online=online, now=now)
    _check_start_is_bookable(appointment_type=appointment.appointment_type, starts_at=starts_at, online=online, now=now)
    locking.check_then_write(
        patient_id=appointment.patient_id,
        appointment_type=appointment.appointment_type,
        check=lambda: _recheck_move(appointment=appointment, starts_at=starts_at, online=online, now=now),
        write=lambda assignment: _write_move(
            appointment=appointment, assignment=assignment, starts_at=starts_at, actor=actor, now=now
        ),
    )
    appointment.refresh_from_db()
    return appointment


def _check_movable(*, appointment: Appointment, online: bool, now: datetime) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise BookingConflictError("Only a booked appointment can be moved.", code="invalid_status")
    if online and appointment.starts_at <= now:
        raise BookingConflictError("This appointment has already begun.", code="invalid_status")


def _recheck_move(*, appointment: Appointment, starts_at: datetime, online: bool, now: datetime) -> Assignment:
    """The plan and the calendar again, after the locks; the appointment's own time counts as free."""
    appointment_type = appointment.appointment_type
    plan_gate().check_booking(
        patient_id=appointment.patient_id,
        appointment_type=appointment_type,
        starts_at=starts_at,
        zone=appointment_type.clinic.zone,
        moving_appointment_id=appointment.pk,
    )
    return recheck_and_assign(
        appointment_type=appointment_type,
        patient_id=appointment.patient_id,
        starts_at=starts_at,
        online=online,
        now=now,
        moving_appointment_id=appointment.pk,
    )


def _write_move(
    *, appointment: Appointment, assignment: Assignment, starts_at: datetime, actor: User, now: datetime
) -> None:
    """Move the appointment as it was read (``appointment.starts_at`` is still the old start)."""
    _move_if_unchanged(appointment=appointment, assignment=assignment, starts_at=starts_at, now=now)
    history_record(
        appointment,
        action=AppointmentEvent.Action.RESCHEDULED,
        actor=actor,
        at=now,
        from_status=AppointmentStatus.BOOKED,
        to_status=AppointmentStatus.BOOKED,
        from_starts_at=appointment.starts_at,
        to_starts_at=starts_at,
    )


def _move_if_unchanged(*, appointment: Appointment, assignment: Assignment, starts_at: datetime, now: datetime) -> None:
    # Conditional: it moves only the appointment as it was checked, still booked, still there.
    moved = Appointment.objects.filter(
        pk=appointment.pk, status=AppointmentStatus.BOOKED, starts_at=appointment.starts_at
    ).update(
        room_id=assignment.room_id,
        staff_id=assignment.staff_id,
        nurse_id=assignment.nurse_id,
        supervising_clinician_id=assignment.supervising_clinician_id,
        updated_at=now,
        **appointment_spans(appointment.appointment_type, starts_at),
    )
    if moved != 1:
        raise BookingConflictError("The appointment changed meanwhile; try again.", code="invalid_status")


def cancellation_is_late(*, starts_at: datetime, now: datetime) -> bool:
    """A cancellation inside the 24 hours before the start is recorded as late (the pages warn first)."""
    return starts_at - now < LATE_CANCELLATION_WINDOW


@locking.retried_once_on_deadlock
def appointment_cancel(*, actor: User, appointment_id: UUID, reason: str, now: datetime | None = None) -> Appointment:
    """Cancel a booked appointment (a patient's only before it begins), late inside 24 hours."""
    now = now or timezone.now()
    appointment = _owned_or_managed(actor=actor, appointment_id=appointment_id)
    cancelled = appointment_cancel_booked(
        appointment=appointment,
        actor=actor,
        reason=reason,
        now=now,
        is_late=cancellation_is_late(starts_at=appointment.starts_at, now=now),
        not_begun_by=now if actor.role == Role.PATIENT else None,
    )
    if not cancelled:
        raise BookingConflictError(
            "Only a booked appointment that has not begun can be cancelled.", code="invalid_status"
        )
    appointment.refresh_from_db()
    return appointment


def appointment_cancel_booked(
    *,
    appointment: Appointment,
    actor: User,
    reason: str,
    now: datetime,
    is_late: bool = False,
    not_begun_by: datetime | None = None,
) -> bool:
    """The one way an appointment is cancelled: a conditional update from ``booked`` (and, with
    ``not_begun_by``, starting after it) and its history row, in one transaction. Freeing
    capacity needs no lock of the calendar, but the change to the appointment takes the order's
    (its patient, then its row): its history and messages reference the patient. False, with
    nothing written, when the appointment was not so."""
    with transaction.atomic():
        locking.lock_appointment(appointment_id=appointment.pk)
        rows = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED)
        if not_begun_by is not None:
            rows = rows.filter(starts_at__gt=not_begun_by)
        if rows.update(status=AppointmentStatus.CANCELLED, is_late_cancellation=is_late, updated_at=now) != 1:
            return False
        history_record(
            appointment,
            action=AppointmentEvent.Action.CANCELLED,
            actor=actor,
            at=now,
            from_status=AppointmentStatus.BOOKED,
            to_status=AppointmentStatus.CANCELLED,
            reason=reason,
        )
    return True
