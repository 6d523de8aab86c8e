"""The day-then-time choice of the booking flow (booking and moving, for either audience): four
weeks of days, each named with its weekday, date and number of open times, and the chosen day's
times right under it. The pages differ only in where a day and a time lead (``page_url``, ``time_url``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils.translation import ngettext

from booking.availability import Slot
from web import timefmt
from web.query import query_date

DAYS_SHOWN = 28


@dataclass(frozen=True)
class DayChoice:
    day: date
    label: str  # "Tuesday, December 1: 12 times available" (the link's accessible name)
    count: int
    url: str
    is_chosen: bool
    times: list[TimeChoice]


@dataclass(frozen=True)
class TimeChoice:
    start: datetime
    clock: str
    label: str  # "Tuesday, December 1, 2026 at 9:00 AM Pacific Time"
    url: str


@dataclass(frozen=True)
class DayPicker:
    days: list[DayChoice]
    chosen: DayChoice | None
    earlier_url: str | None
    later_url: str
    has_any: bool


def first_day_asked(request: HttpRequest, today: date) -> date:
    """The first day of the four weeks shown (``?from=``), today unless a later day is asked."""
    asked = query_date(request, "from")
    return asked if asked is not None and today <= asked <= today + timedelta(days=365) else today


def last_day_shown(first_day: date) -> date:
    return first_day + timedelta(days=DAYS_SHOWN - 1)


def day_choices(
    *,
    zone: ZoneInfo,
    slots: list[Slot],
    first_day: date,
    chosen: date | None,
    page_url: Callable[[dict[str, str]], str],
    time_url: Callable[[datetime], str],
) -> list[DayChoice]:
    by_day: dict[date, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.start.astimezone(zone).date()].append(slot)
    days = []
    for offset in range(DAYS_SHOWN):
        day = first_day + timedelta(days=offset)
        count = len(by_day[day])
        label = ngettext("%(day)s: %(count)d time available", "%(day)s: %(count)d times available", count) % {
            "day": timefmt.day_label(day),
            "count": count,
        }
        times = [
            TimeChoice(
                start=slot.start,
                clock=timefmt.clock_label(slot.start, zone),
                label=timefmt.time_label(slot.start, zone),
                url=time_url(slot.start),
            )
            for slot in (by_day[day] if day == chosen else [])  # only the chosen day's times are shown
        ]
        url = page_url({"day": day.isoformat(), "from": first_day.isoformat()}) + "#times"
        days.append(DayChoice(day, label, count, url, day == chosen, times))
    return days


def day_picker(
    *,
    zone: ZoneInfo,
    slots: list[Slot],
    first_day: date,
    today: date,
    chosen: date | None,
    page_url: Callable[[dict[str, str]], str],
    time_url: Callable[[datetime], str],
) -> DayPicker:
    """Everything the day list (``web/includes/day_list.html``) shows."""
    days = day_choices(zone=zone, slots=slots, first_day=first_day, chosen=chosen, page_url=page_url, time_url=time_url)
    earlier = first_day - timedelta(days=DAYS_SHOWN)
    return DayPicker(
        days=days,
        chosen=next((d for d in days if d.is_chosen), None),
        earlier_url=page_url({"from": max(earlier, today).isoformat()}) if first_day > today else None,
        later_url=page_url({"from": (first_day + timedelta(days=DAYS_SHOWN)).isoformat()}),
        has_any=bool(slots),
    )
