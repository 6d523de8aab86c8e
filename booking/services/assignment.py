"""The re-check of a start and the choice of resources a booking holds, shared by booking, moving
and booking a plan's series: the same engine the availability search uses, run again after the
locks, and the least loaded free room, staff member and nurse of the day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from booking.availability import availability_engine
from booking.errors import BookingConflictError
from scheduling.availability import AvailabilityEngine, FreeResources
from scheduling.intervals import Interval
from scheduling.models import AppointmentType

ResourceId = TypeVar("ResourceId", int, UUID)


@dataclass(frozen=True)
class Assignment:
    room_id: int | None
    staff_id: UUID | None
    nurse_id: UUID | None
    supervising_clinician_id: UUID | None


def _daily_load(intervals: Sequence[Interval], day: Interval) -> int:
    return sum(1 for start, _ in intervals if day[0] <= start < day[1])


def _least_loaded(
    candidates: Sequence[ResourceId], busy: dict[ResourceId, list[Interval]], day: Interval
) -> ResourceId:
    # Spread the day's work: fewest bookings that day first, then a stable order.
    return min(candidates, key=lambda resource: (_daily_load(busy.get(resource, []), day), str(resource)))


def assign_resources(engine: AvailabilityEngine, free: FreeResources) -> Assignment:
    day = engine.bounds
    bookings = engine.bookings
    return Assignment(
        room_id=_least_loaded(free.rooms, bookings.room_busy, day) if free.rooms else None,
        staff_id=_least_loaded(free.staff, bookings.staff_busy, day) if free.staff else None,
        nurse_id=_least_loaded(free.nurses, bookings.nurse_monitoring, day) if free.nurses else None,
        supervising_clinician_id=free.supervising_clinicians[0] if free.supervising_clinicians else None,
    )


def recheck_and_assign(
    *,
    appointment_type: AppointmentType,
    patient_id: UUID,
    starts_at: datetime,
    online: bool,
    now: datetime,
    moving_appointment_id: UUID | None = None,
) -> Assignment:
    """The start checked again with the search's engine (after the locks), and the resources it
    takes; a conflict when it is no longer open."""
    local_day = starts_at.astimezone(appointment_type.clinic.zone).date()
    engine = availability_engine(
        appointment_type=appointment_type,
        first_day=local_day,
        last_day=local_day,
        patient_id=patient_id,
        online=online,
        now=now,
        ignore_appointment_id=moving_appointment_id,
    )
    free = engine.free_resources(starts_at)
    if free is None:
        if engine.patient_busy.overlaps(starts_at, starts_at + engine.demand.patient_span):
            raise BookingConflictError("You already have an appointment at this time.", code="overlapping_appointment")
        raise BookingConflictError()
    return assign_resources(engine, free)
