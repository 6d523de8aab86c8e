"""What "upcoming" means, once, for every page and read (issue 19: there were three).

An appointment is upcoming while it still holds its time and has not ended: booked and not yet
over, or the patient is in the clinic (checked in, or the visit under way, even past its planned
end). A cancelled or missed visit is never upcoming, whatever its time; a cancelled visit whose
time is still ahead is not "past" either (it is listed apart, as cancelled).

Pure rules: no database access (``upcoming_filter`` is a ``Q`` for the reads that need one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from booking.models import Appointment, AppointmentStatus

IN_CLINIC_STATUSES = (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS)


def appointment_is_upcoming(*, status: str, ends_at: datetime, now: datetime) -> bool:
    if status in IN_CLINIC_STATUSES:
        return True
    return status == AppointmentStatus.BOOKED and ends_at > now


def upcoming_filter(*, now: datetime) -> Q:
    """The same rule as ``appointment_is_upcoming``, for a query."""
    return Q(status__in=IN_CLINIC_STATUSES) | Q(status=AppointmentStatus.BOOKED, ends_at__gt=now)


def changeable_filter(*, now: datetime) -> Q:
    """The same rule as ``appointment_changeable``, for a query (a write's condition, or a read)."""
    return Q(status=AppointmentStatus.BOOKED, starts_at__gt=now)


def appointment_changeable(*, status: str, starts_at: datetime, now: datetime) -> bool:
    """An upcoming visit that has not begun: the patient may still move or cancel it and confirm
    their driver and fasting (``appointment_confirm_readiness`` writes on the same condition)."""
    return status == AppointmentStatus.BOOKED and starts_at > now


# The day-before reminder asks for the driver and the fasting: from two days ahead the question
# leads the patient's account page instead of waiting in the list below.
READINESS_ASKED_AHEAD = timedelta(hours=48)


def readiness_asked(*, appointment: Appointment, now: datetime) -> bool:
    """An infusion soon, not yet begun, whose driver or fasting the patient has not yet confirmed."""
    answered = appointment.driver_arranged and appointment.fasting_acknowledged
    soon = appointment.starts_at <= now + READINESS_ASKED_AHEAD
    changeable = appointment_changeable(status=appointment.status, starts_at=appointment.starts_at, now=now)
    return appointment.appointment_type.is_infusion and changeable and soon and not answered


@dataclass(frozen=True)
class AppointmentTimeline:
    upcoming: list[Appointment]  # soonest first
    cancelled_ahead: list[Appointment]  # cancelled visits whose time is still to come, soonest first
    past: list[Appointment]  # latest first


def appointment_timeline(appointments: Iterable[Appointment], *, now: datetime) -> AppointmentTimeline:
    """Split a patient's appointments (in time order) into upcoming, cancelled ahead, and past."""
    upcoming: list[Appointment] = []
    cancelled_ahead: list[Appointment] = []
    past: list[Appointment] = []
    for appointment in appointments:
        if appointment_is_upcoming(status=appointment.status, ends_at=appointment.ends_at, now=now):
            upcoming.append(appointment)
        elif appointment.starts_at > now:
            cancelled_ahead.append(appointment)
        else:
            past.append(appointment)
    return AppointmentTimeline(upcoming=upcoming, cancelled_ahead=cancelled_ahead, past=past[::-1])
