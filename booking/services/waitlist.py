"""Patients waiting for a time; when one frees up, the notifications app offers it to the earliest
waiting patients whose dates cover it, and the first to book wins through the normal booking path."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.models import User
from booking.availability import MAX_SEARCH_DAYS
from booking.errors import BookingError, BookingPermissionError
from booking.models import WaitlistEntry, WaitlistStatus
from core.roles import Role
from scheduling.models import AppointmentType
from scheduling.online_booking import is_open_online

MAX_OPEN_ENTRIES = 5


def waitlist_join(
    *, actor: User, appointment_type: AppointmentType, date_from: date, date_to: date, now: datetime | None = None
) -> WaitlistEntry:
    now = now or timezone.now()
    if actor.role != Role.PATIENT:
        raise BookingPermissionError("Patients join the waitlist for themselves.")
    if not is_open_online(appointment_type):
        raise BookingPermissionError("Only the clinic books this appointment type.", code="staff_only_type")
    today = timezone.localdate(timezone=appointment_type.clinic.zone)
    if date_to < date_from:
        raise BookingError(
            "date_to is before date_from.", code="invalid_date_range", fields={"date_to": ["Too early."]}
        )
    if date_from < today or date_to > today + timedelta(days=appointment_type.horizon_days):
        raise BookingError(
            "The dates must lie between today and the booking horizon.",
            code="outside_booking_window",
            fields={"date_from": ["Out of range."]},
        )
    if (date_to - date_from).days + 1 > MAX_SEARCH_DAYS:
        raise BookingError("At most 62 days.", code="date_range_too_long", fields={"date_to": ["Too far."]})
    open_entries = WaitlistEntry.objects.filter(patient=actor, status=WaitlistStatus.WAITING).count()
    if open_entries >= MAX_OPEN_ENTRIES:
        raise BookingError("You are already waiting for several times.", code="too_many_waitlist_entries")
    return WaitlistEntry.objects.create(
        patient=actor, appointment_type=appointment_type, date_from=date_from, date_to=date_to, created_at=now
    )
