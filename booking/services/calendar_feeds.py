"""Writes of a staff member's calendar feed (the .ics subscription of their own appointments).

The URL's token is ``secrets.token_urlsafe(32)``; only its SHA-256 is stored, so a database copy
opens no feed. Making a new feed revokes the one before (a conditional update), and the partial
unique constraint "one active feed per person" settles two clicks at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from booking.errors import BookingConflictError, BookingPermissionError
from booking.models import StaffCalendarFeed
from core.roles import STAFF_ROLES


def calendar_feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_create(*, actor: User, now: datetime | None = None) -> str:
    """A new feed for ``actor`` (staff only), revoking any active one; returns the token (shown once)."""
    if actor.role not in STAFF_ROLES:
        raise BookingPermissionError("Only staff have a calendar feed.")
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            StaffCalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=now)
            StaffCalendarFeed.objects.create(user=actor, token_hash=calendar_feed_token_hash(token), created_at=now)
    except IntegrityError as error:  # another request made one at the same moment
        raise BookingConflictError(
            "A calendar feed was just made in another window; reload the page.", code="feed_conflict"
        ) from error
    return token


def calendar_feed_revoke(*, actor: User, now: datetime | None = None) -> bool:
    """Revoke ``actor``'s active feed; whether there was one."""
    now = now or timezone.now()
    return StaffCalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=now) > 0
