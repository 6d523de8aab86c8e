"""What the pages read from an address's query or a form's hidden fields (a day, a start):
bounded, in one place (core/input_bounds.py). A start that is not a real instant with its offset
inside the bounds is a 400 page that says so (``BadQueryValue``, web/errors.py), never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from django.core.exceptions import BadRequest
from django.http import HttpRequest

from core.input_bounds import parse_day, parse_instant


class BadQueryValue(BadRequest):
    """A date or time in the address (or a form's hidden field) is not one the page can use."""


def query_date(request: HttpRequest, name: str) -> date | None:
    """A YYYY-MM-DD query parameter, or None when it is missing, not a date or out of bounds
    (a day the page only highlights or starts from: the page then shows its default)."""
    return parse_day(request.GET.get(name))


def start_from(data: Mapping[str, str]) -> datetime:
    """The ``start`` a review or confirmation is about, or a 400 page."""
    start = parse_instant(data.get("start"))
    if start is None:
        raise BadQueryValue("The start is not a real time with its UTC offset.")
    return start
