"""The day's lifecycle of an appointment: check-in, start, complete and no-show by the staff who
run the day, and the patient's readiness confirmation before it. Each is a conditional update from
the allowed states, with the appointment's row locked (after its patient's, the order of
booking/locking.py); a transition asks clinical's visit gate (``booking.visit_gate``) first."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.errors import BookingConflictError, BookingError, BookingPermissionError
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.history import history_record
from booking.upcoming import changeable_filter
from booking.visit_gate import visit_gate
from core.roles import BOOKING_STAFF_ROLES, Role

_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    AppointmentEvent.Action.CHECKED_IN: ((AppointmentStatus.BOOKED,), AppointmentStatus.CHECKED_IN),
    AppointmentEvent.Action.STARTED: ((AppointmentStatus.CHECKED_IN,), AppointmentStatus.IN_PROGRESS),
    AppointmentEvent.Action.COMPLETED: ((AppointmentStatus.IN_PROGRESS,), AppointmentStatus.COMPLETED),
    AppointmentEvent.Action.NO_SHOW: (
        (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN),
        AppointmentStatus.NO_SHOW,
    ),
}


@locking.retried_once_on_deadlock
def appointment_transition(
    *, actor: User, appointment_id: UUID, action: str, reason: str = "", now: datetime | None = None
) -> Appointment:
    """check-in, start, complete or no-show, by a conditional update from the allowed states."""
    now = now or timezone.now()
    if actor.role not in BOOKING_STAFF_ROLES:
        raise BookingPermissionError("Your role does not run the day's appointments.")
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None:
        raise BookingError("No such appointment.", code="not_found", status_code=404)
    allowed_from, to_status = _TRANSITIONS[action]
    if action == AppointmentEvent.Action.NO_SHOW and now < appointment.starts_at:
        raise BookingConflictError("A no-show can be recorded only after the start time.", code="too_early")
    if action == AppointmentEvent.Action.CHECKED_IN:
        _check_on_its_clinic_day(appointment, now=now)
    with transaction.atomic():
        # The row lock (after the patient's, the order of booking/locking.py) orders this
        # transition after any write to the session record that the clinical gate reads (a
        # reading, a discharge), and the gate sees the committed state.
        locked = locking.lock_appointment(appointment_id=appointment.pk)
        if locked is None:
            raise BookingError("No such appointment.", code="not_found", status_code=404)
        appointment = locked
        if appointment.status in allowed_from:
            visit_gate().check_transition(appointment=appointment, action=action, now=now)
        for from_status in allowed_from:
            if (
                Appointment.objects.filter(pk=appointment.pk, status=from_status).update(
                    status=to_status, updated_at=now
                )
                == 1
            ):
                history_record(
                    appointment,
                    action=action,
                    actor=actor,
                    at=now,
                    from_status=from_status,
                    to_status=to_status,
                    reason=reason,
                )
                break
        else:
            state = appointment.get_status_display().lower()
            raise BookingConflictError(
                f"An appointment that is {state} cannot be {action.replace('_', ' ')}.", code="invalid_status"
            )
    appointment.refresh_from_db()
    return appointment


def _check_on_its_clinic_day(appointment: Appointment, *, now: datetime) -> None:
    zone = appointment.appointment_type.clinic.zone
    if appointment.starts_at.astimezone(zone).date() != now.astimezone(zone).date():
        raise BookingConflictError("An appointment is checked in only on its own day at the clinic.", code="not_today")


@locking.retried_once_on_deadlock
def appointment_confirm_readiness(
    *,
    actor: User,
    appointment_id: UUID,
    driver_arranged: bool,
    fasting_acknowledged: bool,
    now: datetime | None = None,
) -> Appointment:
    """The patient confirms day-of readiness (a driver, the fasting instructions read)."""
    now = now or timezone.now()
    if actor.role != Role.PATIENT:
        raise BookingPermissionError("Only the patient confirms their readiness.")
    appointment = Appointment.objects.filter(pk=appointment_id, patient=actor).first()
    if appointment is None:
        raise BookingError("No such appointment.", code="not_found", status_code=404)
    with transaction.atomic():
        locking.lock_appointment(appointment_id=appointment.pk)
        updated = Appointment.objects.filter(changeable_filter(now=now), pk=appointment.pk).update(
            driver_arranged=driver_arranged,
            fasting_acknowledged=fasting_acknowledged,
            readiness_confirmed_at=now,
            updated_at=now,
        )
    if updated != 1:
        raise BookingConflictError("Only an upcoming booked appointment takes a confirmation.", code="invalid_status")
    appointment.refresh_from_db()
    return appointment
