"""Input fields the API's serializers share, each with the schema that says exactly what it takes.

Dates and instants are bounded to the years 1900 to 2999 (core/input_bounds.py, the pages' bounds
too): every rule of the clinic lives well inside them, and arithmetic on the edges of Python's
calendar (a day after 9999-12-31, an offset before 0001-01-01) would otherwise fail with a server
error instead of a 400.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.input_bounds import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE

# The same bound written for the schema: a four-digit year from 1900 to 2999.
YEAR_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-"
_YEAR = r"(19[0-9]{2}|2[0-9]{3})"
_LEAP_YEAR = r"(19(0[48]|[2468][048]|[13579][26])|2[0-9](0[48]|[2468][048]|[13579][26])|2[048]00)"
_MONTH_DAY = r"((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
# Every real date from 1900-01-01 to 2999-12-31 and nothing else (tests/test_api_schema.py walks
# them all). A pattern, not `format: date` with a year pattern on top: generators draw from it
# directly instead of drawing dates of any year and throwing most away.
DATE_PATTERN = rf"^({_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)$"


@extend_schema_field({"type": "string", "pattern": DATE_PATTERN, "example": "2026-12-01"})
class CalendarDateField(serializers.DateField):
    """A date as YYYY-MM-DD, from 1900 to 2999."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> date:
        parsed: date = super().to_internal_value(value)
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail("out_of_range")
        return parsed


@extend_schema_field({"type": "string", "format": "date-time", "pattern": YEAR_PATTERN})
class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an explicit offset, from 1900 to 2999; a time without one is refused, not guessed."""

    default_error_messages = {
        "naive_datetime": "Give the time with its UTC offset, e.g. 2026-12-01T09:00:00-08:00.",
        "out_of_range": OUT_OF_RANGE,
    }

    def enforce_timezone(self, value: Any) -> Any:
        # DRF would attach the server's zone to a naive value; here a naive value is an error.
        if value.tzinfo is None:
            self.fail("naive_datetime")
        return value

    def to_internal_value(self, value: Any) -> datetime:
        parsed: datetime = super().to_internal_value(value)
        if not EARLIEST_DATE.year <= parsed.year <= LATEST_DATE.year:
            self.fail("out_of_range")
        return parsed


# A time of day as HH:MM or HH:MM:SS, without offset (JSON Schema's "time" format wants one).
TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": TIME_OF_DAY_PATTERN, "example": "10:00"})
class TimeOfDayField(serializers.TimeField):
    """A wall-clock time of day, HH:MM or HH:MM:SS."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)


class RuledIntegerField(serializers.IntegerField):
    """An integer whose range is a service's rule: the service refuses a value outside it (with its
    own error code); the schema states the same range, read from the same constant."""

    def __init__(self, *, rule: tuple[int, int], **kwargs: Any) -> None:
        self.rule = rule
        super().__init__(**kwargs)


class RuledIntegerFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RuledIntegerField

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        low, high = self.target.rule
        return {"type": "integer", "minimum": low, "maximum": high}


class RuledDecimalField(serializers.DecimalField):
    """A decimal sent as a string whose range is a service's rule, stated in the schema as a pattern;
    with ``rule`` (low, high) the serializer refuses a value outside it too, with the service's
    code (``out_of_range``) and words, before anything is read or locked."""

    default_error_messages = {"out_of_range": "Must be between {low} and {high}."}

    def __init__(self, *, pattern: str, rule: tuple[Decimal, Decimal] | None = None, **kwargs: Any) -> None:
        self.pattern = pattern
        self.rule = rule
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        value: Decimal = super().to_internal_value(data)
        if self.rule is not None and not self.rule[0] <= value <= self.rule[1]:
            self.fail("out_of_range", low=self.rule[0], high=self.rule[1])
        return value


class RuledDecimalFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RuledDecimalField

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "format": "decimal", "pattern": self.target.pattern}


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` and nothing else: no 0, 1, "yes" or "on" guessed into a boolean."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else: DRF's CharField turns a number into its digits, which the
    schema's ``type: string`` does not allow (schemathesis sent ``"reason": -6.2e+109``)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
