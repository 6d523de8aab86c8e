"""The clinical record an appointment leads to, read in the appointment's own query through
columns clinical/ registers (as ``plan_gate.py`` does for plans: booking never imports clinical/
and names none of its fields, so the import contract sees every way across).

An appointment's readers show a link to the visit's evaluation: staff as soon as a record exists,
a patient once it is signed. Booking asks for two columns by name; clinical says how to read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.expressions import Combinable

from booking.models import Appointment

# The names the columns carry on each appointment read with ``with_record_links``.
RECORD_ID = "record_id"  # the visit's evaluation, draft or signed (what staff see)
SIGNED_RECORD_ID = "signed_record_id"  # the same, once signed (what its patient sees)


@dataclass(frozen=True)
class RecordColumns:
    record_id: Combinable
    signed_record_id: Combinable


_registered: list[RecordColumns] = []  # at most one: the registration at app start-up


def register_record_columns(columns: RecordColumns) -> None:
    _registered[:] = [columns]


def with_record_links(rows: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """``rows`` with ``record_id`` and ``signed_record_id`` on each appointment, in the same query."""
    if not _registered:
        raise RuntimeError("No record columns are registered; is the clinical app installed?")
    columns = _registered[0]
    return rows.annotate(**{RECORD_ID: columns.record_id, SIGNED_RECORD_ID: columns.signed_record_id})
