"""The calendar's version: a value on the clinic that changes in the same transaction as any edit
of its calendar, and the per-process cache of calendar snapshots kept under it.

Every edit goes through ``calendar_changed``: model signals (``connect_calendar_signals``,
registered once in ``SchedulingConfig.ready``) call it on each save and delete of the calendar's
models, the admin's included, and on changes of an opening's staff list or a staff member's role.
Writes that send no signal (``bulk_create``, ``QuerySet.update``) call it themselves.

A search reads the version (one small query), then reuses the snapshot built for that version,
or builds it. A snapshot built while another transaction commits an edit is filed under the old
version, which nobody reads again.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from scheduling.availability import CalendarSnapshot
from scheduling.models import (
    AppointmentType,
    Clinic,
    ClinicClosure,
    ClinicHours,
    ClinicOpening,
    ClinicOpeningHours,
    Room,
    RoomOutage,
    StaffMember,
    TimeOff,
    WorkingHours,
)

CACHE_SIZE = 256  # snapshots kept per process: (version, type's needs, date range) combinations

_cache: OrderedDict[Hashable, CalendarSnapshot] = OrderedDict()
_lock = Lock()


def calendar_changed(clinics: Q) -> None:
    """Give the clinics matched by ``clinics`` a new calendar version (in the caller's transaction)."""
    Clinic.objects.filter(clinics).update(calendar_version=uuid.uuid4())


def calendar_version(clinic_id: int) -> uuid.UUID | None:
    return Clinic.objects.filter(pk=clinic_id).values_list("calendar_version", flat=True).first()


def cached_snapshot(key: tuple[Hashable, ...], build: Callable[[], CalendarSnapshot]) -> CalendarSnapshot:
    """The snapshot filed under ``key`` (which names the version), built once per process."""
    full_key = (connection.alias, connection.settings_dict["NAME"], *key)
    with _lock:
        found = _cache.get(full_key)
        if found is not None:
            _cache.move_to_end(full_key)
            return found
    snapshot = build()
    with _lock:
        _cache[full_key] = snapshot
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return snapshot


def forget_snapshots() -> None:
    """Empty this process's cache (tests that price a search's worst case, with a cold cache)."""
    with _lock:
        _cache.clear()


# -- what each edited model belongs to ------------------------------------------------------------

_CLINIC_OF: dict[type[Model], Callable[[Any], Q]] = {
    Clinic: lambda row: Q(pk=row.pk),
    ClinicHours: lambda row: Q(pk=row.clinic_id),
    ClinicClosure: lambda row: Q(pk=row.clinic_id),
    ClinicOpening: lambda row: Q(pk=row.clinic_id),
    Room: lambda row: Q(pk=row.clinic_id),
    StaffMember: lambda row: Q(pk=row.clinic_id),
    AppointmentType: lambda row: Q(pk=row.clinic_id),
    ClinicOpeningHours: lambda row: Q(openings__id=row.opening_id),
    RoomOutage: lambda row: Q(rooms__id=row.room_id),
    WorkingHours: lambda row: Q(staff__id=row.staff_id),
    TimeOff: lambda row: Q(staff__id=row.staff_id),
}


def _on_save_or_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    calendar_changed(_CLINIC_OF[sender](instance))


def _on_opening_staff(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        calendar_changed(Q(pk=getattr(instance, "clinic_id", None)))


def _on_user_saved(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    # The search reads a staff member's role from their user; other user writes (logins) do not matter.
    fields = kwargs.get("update_fields")
    if fields is None or "role" in fields:
        calendar_changed(Q(staff__user_id=instance.pk))


def connect_calendar_signals() -> None:
    for model in _CLINIC_OF:
        post_save.connect(_on_save_or_delete, sender=model, dispatch_uid=f"calendar-save-{model.__name__}")
        post_delete.connect(_on_save_or_delete, sender=model, dispatch_uid=f"calendar-delete-{model.__name__}")
    m2m_changed.connect(_on_opening_staff, sender=ClinicOpening.staff.through, dispatch_uid="calendar-opening-staff")
    post_save.connect(_on_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="calendar-user-role")
