"""Dates and times as a patient reads them: in their language, in the clinic's zone, and with
the zone named ("Pacific Time"); never a bare UTC instant, never a time-zone picker."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

ZONE_NAMES = {"America/Los_Angeles": "Pacific Time"}


def zone_name(zone: ZoneInfo) -> str:
    english = ZONE_NAMES.get(str(zone), str(zone))
    return _("Pacific Time") if english == "Pacific Time" else english


def day_label(day: date) -> str:
    """ "Tuesday, December 1" / "martes, 1 de diciembre"."""
    return dateformat.format(day, pgettext("date format: weekday, month and day", "l, F j"))


def day_label_with_year(day: date) -> str:
    return dateformat.format(day, pgettext("date format: weekday, month, day and year", "l, F j, Y"))


def clock_label(instant: datetime, zone: ZoneInfo) -> str:
    """ "9:00 AM" / "9:00" in the clinic's zone."""
    return dateformat.format(instant.astimezone(zone), pgettext("time format: hour and minute", "g:i A"))


def time_label(instant: datetime, zone: ZoneInfo) -> str:
    """ "Tuesday, December 1 at 9:00 AM Pacific Time" (what every time on a page says)."""
    local = instant.astimezone(zone)
    return _("%(day)s at %(time)s %(zone)s") % {
        "day": day_label_with_year(local.date()),
        "time": clock_label(local, zone),
        "zone": zone_name(zone),
    }


def wall_clock_label(value: time, zone: ZoneInfo) -> str:
    """A time of day on the clinic's clock, zone named: "10:00 AM Pacific Time"."""
    clock = dateformat.time_format(value, pgettext("time format: hour and minute", "g:i A"))
    return _("%(time)s %(zone)s") % {"time": clock, "zone": zone_name(zone)}
