"""The control run of the balance's race: ``controlled.balance.balance_change`` without its guard.

The guard is production code that never asks whether it is under test: the conditional UPDATE of
``balance_change``. The control replaces that one seam with a read-check-write (read the balance,
check it in Python, wait for every racer to have checked, then take the mg), and drops the two
check constraints that would otherwise stop a negative balance at the last moment, so the race
they prevent together shows. PostgreSQL only: SQLite's IMMEDIATE transactions take the database's
write lock at BEGIN, so its writers never overlap at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from decimal import Decimal
from functools import partial
from uuid import UUID

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from controlled import balance
from controlled.models import Container, LedgerEntry

FLOORS = (
    (Container, "controlled_balance_not_negative"),
    (LedgerEntry, "controlled_entry_balance_not_negative"),
)


def unguarded_balance_change(
    *, container_id: UUID, change_mg: Decimal, opened_at: datetime | None = None, after_check: threading.Barrier
) -> Decimal:
    current = Container.objects.values_list("balance_mg", flat=True).get(pk=container_id)
    if current + change_mg < 0:
        raise balance.InsufficientStockError()
    with suppress(threading.BrokenBarrierError):
        after_check.wait(timeout=10)
    values: dict[str, object] = {"balance_mg": F("balance_mg") + change_mg}
    if opened_at is not None:
        values["opened_at"] = Coalesce(F("opened_at"), Value(opened_at))
    Container.objects.filter(pk=container_id).update(**values)
    return Container.objects.values_list("balance_mg", flat=True).get(pk=container_id)


def _constraint(model, name):
    return next(constraint for constraint in model._meta.constraints if constraint.name == name)


@contextmanager
def guard_off(monkeypatch, parties: int) -> Iterator[None]:
    assert connection.vendor == "postgresql"
    after_check = threading.Barrier(parties)
    monkeypatch.setattr(balance, "balance_change", partial(unguarded_balance_change, after_check=after_check))
    with connection.schema_editor() as editor:
        for model, name in FLOORS:
            editor.remove_constraint(model, _constraint(model, name))
    try:
        yield
    finally:
        # The control leaves a negative balance behind: clear the log (TRUNCATE fires no row
        # trigger), then put the floors back.
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE controlled_countline, controlled_dailycount, controlled_ledgerentry, controlled_container"
            )
        with connection.schema_editor() as editor:
            for model, name in FLOORS:
                editor.add_constraint(model, _constraint(model, name))
