"""Helpers to race real threads against the real database, and to switch the guards off."""

from __future__ import annotations

import importlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from django.db import connection, connections

from booking.services import appointments as services
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
def guards_off(settings, monkeypatch, parties: int) -> Iterator[threading.Barrier]:
    """The control run: no locks, check outside the writing transaction, no PostgreSQL
    exclusion constraints; every racer waits after its check until all have checked."""
    settings.BOOKING_RACE_GUARDS = False
    after_check = threading.Barrier(parties)
    original = services._recheck_and_assign

    def checked_then_wait(**kwargs):
        assignment = original(**kwargs)
        with suppress(threading.BrokenBarrierError):
            after_check.wait(timeout=10)
        return assignment

    monkeypatch.setattr(services, "_recheck_and_assign", checked_then_wait)
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


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
