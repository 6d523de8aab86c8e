from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template

from web import timefmt

register = template.Library()


@register.filter
def when(instant: datetime, zone: ZoneInfo) -> str:
    """Day, date, time and "Pacific Time": ``{{ appointment.starts_at|when:clinic.zone }}``."""
    return timefmt.time_label(instant, zone)


@register.filter
def clock(instant: datetime, zone: ZoneInfo) -> str:
    return timefmt.clock_label(instant, zone)


@register.filter
def day(value: date) -> str:
    return timefmt.day_label(value)


@register.filter
def zone_name(zone: ZoneInfo) -> str:
    return timefmt.zone_name(zone)


@register.filter
def day_year(value: date) -> str:
    """ "Tuesday, December 1, 2026" for a calendar date. An instant has no day until a zone is
    named (18:30 in California is already tomorrow in UTC): use ``instant_day`` for it."""
    if isinstance(value, datetime):
        raise TypeError("day_year takes a date; an instant needs instant_day with the clinic's zone")
    return timefmt.day_label_with_year(value)


@register.filter
def instant_day(instant: datetime, zone: ZoneInfo) -> str:
    """The clinic's calendar day of an instant, with its year: ``{{ consent.signed_at|instant_day:zone }}``."""
    return timefmt.day_label_with_year(instant.astimezone(zone).date())
