"""The lock order of booking, in one place (docs/booking-invariants.md, "How they hold").

Everything that books or moves appointments, or must not run beside a booking (a plan's
discontinuation), locks here, once per transaction, in one fixed order:

1. the patient's user row;
2. every room of the kind the appointment type needs, by id;
3. every staff member of the roles whose capacity the booking consumes, by id (the exclusive
   role, nurses; a supervising clinician is not consumed and not locked).

One order for all, so two transactions can wait on each other but never in a cycle.

Locks belong to a transaction: taken outside one they would be released at once, so every
function here refuses to run outside ``transaction.atomic()``. On PostgreSQL the transaction first
sets ``lock_timeout`` to ``settings.BOOKING_LOCK_TIMEOUT_SECONDS``: a lock held longer than that (a
stuck transaction, a long migration) becomes ``BookingBusyError``, 409 ``resource_busy`` with
nothing written, instead of a worker hanging until the proxy gives up or a 500. 409 rather than 503
because it is a lost race like ``slot_unavailable``, answered the same way (send it again), and
SPEC.md allows a booking under load no error but a 409. SQLite has no row locks: its IMMEDIATE
transactions take the database's write lock at BEGIN, so writers already queue (busy timeout).

``check_then_write`` is the one transaction of a booking: lock, check, write. Callers go through
the module (``locking.check_then_write``): it is also the seam the race tests' control runs replace
with an unguarded version (tests/booking/race.py) to show the race that it prevents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError

from accounts.models import User
from booking.errors import BookingBusyError, BookingConflictError
from core.roles import Role
from scheduling.models import AppointmentType, Room, StaffMember

Checked = TypeVar("Checked")
Written = TypeVar("Written")

_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires


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


@contextmanager
def _lock_timeout_is_busy() -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise BookingBusyError() from error
        raise
