"""The one place a container's running balance changes (SPEC.md section 12: it never goes below
zero).

``balance_change`` is a conditional UPDATE: ``balance_mg = balance_mg + change`` only where the
result stays at or above zero; it touches one row or none (none: 409 ``insufficient_stock``, and
the caller's transaction writes nothing). On PostgreSQL the UPDATE takes the row's lock and, when
another transaction changed the row first, waits for it and checks the condition again against
the committed balance (READ COMMITTED's re-check of an updated row), so two nurses drawing from
the last 50 mg at the same moment cannot both succeed. The check constraint
``controlled_balance_not_negative`` is the last word whatever the code does.

Callers go through the module (``balance.balance_change``): it is the seam the race test's control
run replaces with a read-check-write version (tests/controlled/race.py) to show the race it prevents.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.db.transaction import TransactionManagementError

from controlled.errors import ControlledConflictError
from controlled.models import Container


class InsufficientStockError(ControlledConflictError):
    default_code = "insufficient_stock"
    default_detail = "The container holds less than that: nothing was written."


def balance_change(*, container_id: UUID, change_mg: Decimal, opened_at: datetime | None = None) -> Decimal:
    """Add ``change_mg`` (negative: take) to the container's balance unless that would take it
    below zero; the new balance. ``opened_at``: a draw, which opens a sealed container."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("A balance changes inside the transaction that records why.")
    values: dict[str, object] = {"balance_mg": F("balance_mg") + change_mg}
    if opened_at is not None:
        values["opened_at"] = Coalesce(F("opened_at"), Value(opened_at))
    changed = Container.objects.filter(pk=container_id, balance_mg__gte=-change_mg).update(**values)
    if changed != 1:
        raise InsufficientStockError(fields={"mg": ["More than the container holds."]})
    # This transaction holds the row now (PostgreSQL's row lock; SQLite's write lock): the value
    # read is the one just written.
    balance: Decimal = Container.objects.filter(pk=container_id).values_list("balance_mg", flat=True).get()
    return balance
