"""The lock order of every write to appointments, in one place (docs/booking-invariants.md,
"How they hold").

Everything that books, moves or changes an appointment, or must not run beside a booking (a plan's
discontinuation), locks here, once per transaction, in one fixed order:

1. the patient's user row;
2. every room of the kind the appointment type needs, by id (bookings and moves only);
3. every staff member of the roles whose capacity the booking consumes, by id (the exclusive
   role, nurses; a supervising clinician is not consumed and not locked) (bookings and moves);
4. the appointment being changed (``lock_appointment``: a cancel, the day's transitions, the
   patient's readiness, a questionnaire answer, the chair's records; a move changes it by a
   conditional update after 1-3);
5. rows that belong to that appointment (its questionnaire, its session record).

One order for all, so two transactions can wait on each other but never in a cycle. The patient
comes first because the writes of a change reference the patient (history, messages, alerts,
records): their foreign keys take a share lock on the patient's row, which a writer that locked
the appointment first would wait for while holding what the patient's holder waits for.

Locks belong to a transaction: taken outside one they would be released at once, so every
function here refuses to run outside ``transaction.atomic()``. On PostgreSQL the transaction first
sets ``lock_timeout`` to ``settings.BOOKING_LOCK_TIMEOUT_SECONDS``: a lock held longer than that (a
stuck transaction, a long migration) becomes ``BookingBusyError``, 409 ``resource_busy`` with
nothing written, instead of a worker hanging until the proxy gives up or a 500. 409 rather than 503
because it is a lost race like ``slot_unavailable``, answered the same way (send it again), and
SPEC.md allows a booking under load no error but a 409. SQLite has no row locks: its IMMEDIATE
transactions take the database's write lock at BEGIN, so writers already queue (busy timeout).

A deadlock can still come from a writer outside this order (a script, a future change): the
services that write appointments are ``retried_once_on_deadlock``: the whole service runs again
once, and a second deadlock is the same 409 ``resource_busy``, never a 500.

``check_then_write`` is the one transaction of a booking: lock, check, write. Callers go through
the module (``locking.check_then_write``, ``locking.lock_appointment``): they are also the seams
the race tests' control runs replace (tests/booking/race.py) to show the races and deadlocks that
they prevent.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError

from accounts.models import User
from booking.errors import BookingBusyError, BookingConflictError
from booking.models import Appointment
from core.roles import Role
from scheduling.models import AppointmentType, Room, StaffMember

Checked = TypeVar("Checked")
Written = TypeVar("Written")
Params = ParamSpec("Params")
Result = TypeVar("Result")

logger = logging.getLogger(__name__)

_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires
_DEADLOCK_DETECTED = "40P01"
DEADLOCK_DETAIL = (
    "Another change to this appointment was made at the same moment; nothing was changed, please try again."
)


def check_then_write(
    *,
    patient_id: UUID,
    appointment_type: AppointmentType,
    check: Callable[[], Checked],
    write: Callable[[Checked], Written],
) -> Written:
    """One transaction: take the booking's locks, run ``check`` (the re-checks), then ``write``."""
    try:
        with _lock_timeout_is_busy(), transaction.atomic():
            lock_booking_resources(patient_id=patient_id, appointment_type=appointment_type)
            return write(check())
    except IntegrityError as error:
        # PostgreSQL's exclusion constraints refused an overlap the locks should have prevented.
        raise BookingConflictError() from error


def lock_booking_resources(*, patient_id: UUID, appointment_type: AppointmentType) -> None:
    """The patient, then the rooms of the type's kind, then the staff of the roles it consumes."""
    lock_patient(patient_id=patient_id)
    if connection.vendor != "postgresql":
        return
    with _lock_timeout_is_busy():
        if appointment_type.room_kind:
            _lock(Room.objects.filter(clinic_id=appointment_type.clinic_id, kind=appointment_type.room_kind))
        roles = roles_consumed(appointment_type)
        if roles:
            _lock(StaffMember.objects.filter(clinic_id=appointment_type.clinic_id, user__role__in=roles))


def lock_patient(*, patient_id: UUID) -> None:
    """The first lock of the order, alone: enough for a change that books nothing but must not
    interleave with the patient's bookings (a plan's discontinuation)."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("Booking locks are taken inside transaction.atomic().")
    if connection.vendor != "postgresql":
        return
    with _lock_timeout_is_busy():
        _set_lock_timeout()
        _lock(User.objects.filter(pk=patient_id))


def lock_appointment(*, appointment_id: UUID, rows: QuerySet[Appointment] | None = None) -> Appointment | None:
    """The locks of a change to one appointment, in the order: its patient's row, then its own.

    Returns the appointment as locked (read from ``rows``, e.g. with its ``select_related``), or
    None when there is none. An appointment's patient never changes, so reading it before the
    lock is safe."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("Booking locks are taken inside transaction.atomic().")
    patient_id = Appointment.objects.filter(pk=appointment_id).values_list("patient_id", flat=True).first()
    if patient_id is None:
        return None
    lock_patient(patient_id=patient_id)
    with _lock_timeout_is_busy():
        locked = rows if rows is not None else Appointment.objects.all()
        appointment: Appointment | None = locked.select_for_update(of=("self",)).filter(pk=appointment_id).first()
        return appointment


def retried_once_on_deadlock(service: Callable[Params, Result]) -> Callable[Params, Result]:
    """Run ``service`` (which opens its own transaction) again once if PostgreSQL ended it with a
    deadlock; a second deadlock is ``BookingBusyError`` (409 ``resource_busy``), never a 500.

    Inside a caller's transaction (an ``Idempotency-Key`` record, a plan's discontinuation) the
    service is not run again: the caller's whole transaction ends with the 409 instead."""

    @functools.wraps(service)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        if not connection.in_atomic_block:
            try:
                return service(*args, **kwargs)
            except OperationalError as error:
                if not _is_deadlock(error):
                    raise
                logger.warning("Deadlock in %s: running it again once.", service.__qualname__)
        with _deadlock_is_busy():
            return service(*args, **kwargs)

    return run


def roles_consumed(appointment_type: AppointmentType) -> list[str]:
    """Roles whose capacity a booking consumes (a supervising clinician is not consumed)."""
    roles = [appointment_type.staff_role] if appointment_type.staff_role else []
    if appointment_type.nurse_capacity:
        roles.append(Role.NURSE)
    return roles


def _set_lock_timeout() -> None:
    milliseconds = round(settings.BOOKING_LOCK_TIMEOUT_SECONDS * 1000)
    with connection.cursor() as cursor:
        # set_config(..., true) is SET LOCAL: it ends with the transaction (or its savepoint).
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"])


def _lock(rows: QuerySet[Any]) -> None:
    # of=("self",): lock the rows themselves, not the rows of a join (a staff member's user).
    list(rows.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))


def _is_deadlock(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == _DEADLOCK_DETECTED


@contextmanager
def _deadlock_is_busy() -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        if _is_deadlock(error):
            raise BookingBusyError(DEADLOCK_DETAIL) from error
        raise


@contextmanager
def _lock_timeout_is_busy() -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise BookingBusyError() from error
        raise
