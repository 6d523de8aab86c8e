"""Instants as integer microseconds since the Unix epoch, computed by the database.

Reading many timestamps through Django costs a parse, a ``make_aware`` and a ``replace`` each (and
on PostgreSQL, Django's own pure-Python ``timestamptz`` loader); an integer column is loaded by
the driver's C code. ``instant_of`` turns the integer back into the same aware UTC datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BigIntegerField, Func
from django.db.models.sql.compiler import SQLCompiler

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


class EpochMicroseconds(Func):
    """A datetime column as integer microseconds since 1970-01-01 UTC."""

    output_field = BigIntegerField()
    # The driver returns an int already: no per-value int() on the way out.
    convert_value = staticmethod(Func._convert_value_noop)  # type: ignore[attr-defined]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        # EXTRACT gives an exact numeric: no rounding of the microseconds.
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        # Stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC: whole seconds, then the six digits after the dot.
        template = (
            "(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) * 1000000"
            " + CAST(COALESCE(NULLIF(substr(%(expressions)s, 21, 6), ''), '0') AS INTEGER))"
        )
        return self.as_sql(compiler, connection, template=template)


def instant_of(microseconds: int) -> datetime:
    return UNIX_EPOCH + timedelta(microseconds=microseconds)


def microseconds_of(instant: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (``instant_of``'s inverse)."""
    return (instant - UNIX_EPOCH) // ONE_MICROSECOND


def microseconds_in(duration: timedelta) -> int:
    return duration // ONE_MICROSECOND
