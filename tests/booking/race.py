"""Helpers to race real threads against the real database, and to switch the guards off.

The guards are production code that never asks whether it is under test: booking's transaction
(``booking.locking.check_then_write``) always locks and checks inside the writing transaction.
A control run replaces that one seam with ``unguarded_check_then_write`` below.
"""

from __future__ import annotations

import importlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial

from django.db import connection, connections, transaction

from booking import locking
from core.errors import DomainError

_guard_migration = importlib.import_module("booking.migrations.0002_postgres_guards")


def race(callables: list[Callable[[], object]]) -> Counter[str]:
    """Run the callables in as many threads, released at once; count their outcomes.

    An outcome is "ok", the code of a domain error, or the repr of anything else (a bug).
    """
    start = threading.Barrier(len(callables))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(task: Callable[[], object]) -> None:
        try:
            start.wait(timeout=30)
            task()
            outcome = "ok"
        except DomainError as error:
            outcome = error.code
        except Exception as error:
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(task,)) for task in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == len(callables), "a racing thread hung"
    return Counter(outcomes)


@contextmanager
def guards_off(monkeypatch, parties: int) -> Iterator[threading.Barrier]:
    """The control run: booking's transaction without locks, its check outside the writing
    transaction, no PostgreSQL exclusion constraints; every racer waits after its check until all
    have checked."""
    after_check = threading.Barrier(parties)
    monkeypatch.setattr(locking, "check_then_write", partial(unguarded_check_then_write, after_check=after_check))
    postgres = connection.vendor == "postgresql"
    if postgres:
        _execute([statement for statement in _guard_migration.BACKWARD if "CONSTRAINT" in statement])
    try:
        yield after_check
    finally:
        if postgres:
            # The control run leaves overlapping rows behind: clear them (TRUNCATE does not fire
            # the history's append-only row trigger), then put the constraints back.
            _execute(["TRUNCATE booking_appointmentevent, booking_appointment CASCADE"])
            _execute([statement for statement in _guard_migration.FORWARD if "ADD CONSTRAINT" in statement])


def unguarded_check_then_write(*, patient_id, appointment_type, check, write, after_check: threading.Barrier):
    """``booking.locking.check_then_write`` without its guards: no locks, and the check runs before
    the writing transaction (the check-then-insert race), then waits for the other racers."""
    checked = check()
    with suppress(threading.BrokenBarrierError):
        after_check.wait(timeout=10)
    with transaction.atomic():
        return write(checked)


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
