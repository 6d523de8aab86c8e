"""Reads for a staff member's calendar feed: whether one is active, and the appointments a
token opens (none for an unknown or revoked token, nor for a deactivated owner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from booking.models import Appointment, AppointmentStatus, StaffCalendarFeed
from booking.services.calendar_feeds import calendar_feed_token_hash
from core.roles import STAFF_ROLES

# What a staff member still has ahead of them: not cancelled, not missed, not over.
FEED_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS)


def calendar_feed_active(*, user_id: UUID) -> StaffCalendarFeed | None:
    return StaffCalendarFeed.objects.filter(user_id=user_id, revoked_at__isnull=True).first()


@dataclass(frozen=True)
class CalendarFeedContents:
    owner: User  # the staff member whose feed it is (the access log records the read as theirs)
    appointments: list[Appointment]


def calendar_feed_for_token(*, token: str, now: datetime | None = None) -> CalendarFeedContents | None:
    """The feed's owner's upcoming appointments (as the exclusive staff member, the nurse or the
    supervising clinician), earliest first; None for an unknown or revoked token, or one whose
    owner is deactivated or no longer staff (two queries)."""
    feed = (
        StaffCalendarFeed.objects.filter(
            token_hash=calendar_feed_token_hash(token),
            revoked_at__isnull=True,
            # The token is a standing key to patients' initials and times: it opens nothing once its
            # owner is deactivated (however that was done: the admin's form, its action, the service).
            user__is_active=True,
            user__role__in=STAFF_ROLES,
        )
        .select_related("user")
        .first()
    )
    if feed is None:
        return None
    now = now or timezone.now()
    theirs = (
        Q(staff__user_id=feed.user_id) | Q(nurse__user_id=feed.user_id) | Q(supervising_clinician__user_id=feed.user_id)
    )
    rows = (
        Appointment.objects.filter(theirs, status__in=FEED_STATUSES, ends_at__gt=now)
        .select_related("appointment_type__clinic", "patient", "room")
        .order_by("starts_at", "id")
    )
    return CalendarFeedContents(owner=feed.user, appointments=list(rows))
