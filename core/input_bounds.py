"""The bounds of every date and instant anyone can send, to the API or to a page: the years 1900
to 2999. Every rule of the clinic lives well inside them, and arithmetic on the edges of Python's
calendar (a day after 9999-12-31, an offset before 0001-01-01) would otherwise fail with a server
error instead of a 400.

The API's fields (core/api_fields.py), the pages' query parsing (web/query.py) and their form
fields (``BoundedDateField``, ``BoundedDateTimeField``, also the admin's) all read them here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
OUT_OF_RANGE = f"Give a date from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}."


def date_in_bounds(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD date inside the bounds, or None (missing, malformed, impossible or too far)."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if date_in_bounds(day) else None


def parse_instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant with an explicit UTC offset inside the bounds, or None (missing,
    malformed, impossible such as month 13, without an offset, or too far)."""
    try:
        instant = parse_datetime(text or "")
    except ValueError:  # well formed but impossible: 2026-13-09T10:00
        return None
    if instant is None or instant.tzinfo is None or not date_in_bounds(instant.date()):
        return None
    return instant


class BoundedDateField(forms.DateField):
    """A form's date, refused (beside its field, in the person's language) outside the bounds."""

    default_error_messages = {"out_of_range": _("Enter a date from %(earliest)s to %(latest)s.")}

    def to_python(self, value: Any) -> date | None:
        day: date | None = super().to_python(value)
        if day is not None and not date_in_bounds(day):
            raise _out_of_range(self.error_messages)
        return day


class BoundedDateTimeField(forms.DateTimeField):
    """A form's date and time, refused outside the bounds."""

    default_error_messages = BoundedDateField.default_error_messages

    def to_python(self, value: Any) -> datetime | None:
        moment: datetime | None = super().to_python(value)
        if moment is not None and not date_in_bounds(moment.date()):
            raise _out_of_range(self.error_messages)
        return moment


def _out_of_range(messages: dict[str, Any]) -> forms.ValidationError:
    bounds = {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()}
    return forms.ValidationError(messages["out_of_range"], code="out_of_range", params=bounds)
