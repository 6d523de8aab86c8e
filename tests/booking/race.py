"""Helpers to race real threads against the real database, and to switch the guards off.

The guards are production code that never asks whether it is under test: booking's transaction
(``booking.locking.check_then_write``) always locks and checks inside the writing transaction,
and a change to an appointment locks its patient before it (``booking.locking.lock_appointment``).
A control run replaces one of those seams: ``unguarded_check_then_write`` below, or
``OldLockOrder`` (the appointment's row first, as cancels and answers did before issue 18).
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
from booking.models import Appointment
from core.errors import DomainError

_guard_migration = importlib.import_module("booking.migrations.0002_postgres_guards")


def race(callables: list[Callable[[], object]]) -> Counter[str]:
    """Run the callables in as many threads, released at once; count their outcomes.

    An outcome is "ok" (or the status code of a returned HTTP response), the code of a domain
    error, or the repr of anything else (a bug).
    """
    start = threading.Barrier(len(callables))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(task: Callable[[], object]) -> None:
        try:
            start.wait(timeout=30)
            result = task()
            # An HTTP response counts as its status code; anything else that returns is "ok".
            status_code = getattr(result, "status_code", None)
            outcome = "ok" if status_code is None else str(status_code)
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


class OldLockOrder:
    """The control run of the lock order: a change to an appointment locks its row and not its
    patient first (as before issue 18), while a move still locks the patient first. Each racer
    waits after its first lock until the other has taken its own, once per round, so every round
    has both orders interleaved: PostgreSQL then finds a deadlock."""

    def __init__(self, monkeypatch) -> None:
        self._lock_patient = locking.lock_patient
        self._after_first_lock: threading.Barrier | None = None
        self._waited: set[int] = set()
        monkeypatch.setattr(locking, "lock_appointment", self._appointment_row_first)
        monkeypatch.setattr(locking, "lock_patient", self._patient_then_wait)

    @contextmanager
    def racing(self) -> Iterator[None]:
        """One round of two racers (the writes before and after it lock without waiting)."""
        self._after_first_lock = threading.Barrier(2)
        self._waited = set()
        try:
            yield
        finally:
            self._after_first_lock = None

    def _wait_once(self) -> None:
        if self._after_first_lock is None or threading.get_ident() in self._waited:
            return
        self._waited.add(threading.get_ident())
        with suppress(threading.BrokenBarrierError):
            # Both racers always reach their first lock: a long wait costs nothing but a slow machine.
            self._after_first_lock.wait(timeout=30)

    def _appointment_row_first(self, *, appointment_id, rows=None):
        locked = (rows if rows is not None else Appointment.objects.all()).select_for_update(of=("self",))
        appointment = locked.filter(pk=appointment_id).first()
        self._wait_once()
        return appointment

    def _patient_then_wait(self, *, patient_id) -> None:
        self._lock_patient(patient_id=patient_id)
        self._wait_once()


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
