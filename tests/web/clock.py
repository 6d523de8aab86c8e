"""Clinic-local moments relative to the real clock (the browser tests' live server runs on it)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

LA = ZoneInfo("America/Los_Angeles")


def clinic_today() -> date:
    return timezone.localdate(timezone=LA)


def weekday_at(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    """``hour``:``minute`` Pacific Time on the first weekday (Monday to Friday) at least
    ``days_ahead`` days from today: the demo clinic is open then."""
    day = clinic_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


def in_hours(hours: float) -> datetime:
    """A start ``hours`` from now, on the 15-minute grid."""
    moment = timezone.now() + timedelta(hours=hours)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
