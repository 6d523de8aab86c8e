"""Reads over appointments: the ones a user may see, the one to move, the patient a booking is
for, and how many of a type a patient already holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from accounts.models import User
from booking.errors import BookingError, BookingPermissionError
from booking.models import Appointment, AppointmentStatus
from booking.record_links import with_record_links
from booking.upcoming import changeable_filter
from core.roles import Role
from scheduling.intervals import local_day_bounds
from scheduling.models import AppointmentType


def appointment_to_move(*, viewer: User, appointment_id: UUID) -> Appointment | None:
    """A booked appointment ``viewer`` may reschedule (a patient: only their own), with its type
    and clinic; None when there is none."""
    rows = Appointment.objects.select_related("appointment_type__clinic").filter(
        pk=appointment_id, status=AppointmentStatus.BOOKED
    )
    if viewer.role == Role.PATIENT:
        rows = rows.filter(patient=viewer)
    return rows.first()


def booking_patient_for(*, actor: User, patient_id: UUID | None) -> User:
    """The patient a booking is for: staff name an active patient; a patient's booking is their own.

    A patient naming anyone else is refused before any look-up, so the answer tells nothing about
    the id named (a real patient or none at all).
    """
    if actor.role == Role.PATIENT:
        if patient_id not in (None, actor.pk):
            raise BookingPermissionError("Patients book only for themselves.")
        return actor
    if patient_id is None:
        raise BookingError("Say which patient.", code="patient_required", fields={"patient": ["Required."]})
    patient = User.objects.filter(pk=patient_id, role=Role.PATIENT, is_active=True).first()
    if patient is None:
        raise BookingError("No such patient.", code="unknown_patient", fields={"patient": ["Unknown."]})
    return patient


def future_appointments_held(
    *, patient_id: UUID, appointment_type: AppointmentType, now: datetime
) -> QuerySet[Appointment]:
    """The patient's booked appointments of the type not yet begun (what the future limit counts), soonest first."""
    return Appointment.objects.filter(
        changeable_filter(now=now), patient_id=patient_id, appointment_type=appointment_type
    ).order_by("starts_at")


def patient_at_future_limit(*, patient_id: UUID, appointment_type: AppointmentType, now: datetime) -> bool:
    """Whether the patient already holds ``max_future_per_patient`` future appointments of the type."""
    limit = appointment_type.max_future_per_patient
    if limit is None:
        return False
    held = future_appointments_held(patient_id=patient_id, appointment_type=appointment_type, now=now)
    return held.count() >= limit


def appointments_with_relations(rows: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """With everything an appointment's representation shows, its clinic's time zone and the link
    to its clinical record included (``booking.record_links``), in the rows' one query."""
    related = rows.select_related(
        "appointment_type__clinic",
        "patient",
        "room",
        "staff__user",
        "nurse__user",
        "supervising_clinician__user",
    )
    return with_record_links(related)


def appointments_as_shown(appointments: Sequence[Appointment]) -> list[Appointment]:
    """Appointments a service returned, read again with everything their representation shows, in
    one query: a write hands back its row, without its relations or its record links."""
    rows = appointments_with_relations(Appointment.objects.filter(pk__in=[a.pk for a in appointments]))
    by_id = {row.pk: row for row in rows}
    return [by_id[appointment.pk] for appointment in appointments]


def appointment_list(
    *,
    viewer: User,
    zone: ZoneInfo,
    on_day: date | None = None,
    status: str | None = None,
    type_code: str | None = None,
    patient_id: UUID | None = None,
) -> QuerySet[Appointment]:
    """Appointments a user may see: a patient their own, staff everyone's; earliest first."""
    rows = Appointment.objects.all()
    if viewer.role == Role.PATIENT:
        rows = rows.filter(patient=viewer)
    elif patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    if on_day is not None:
        day_start, day_end = local_day_bounds(on_day, on_day, zone)
        rows = rows.filter(starts_at__gte=day_start, starts_at__lt=day_end)
    if status:
        rows = rows.filter(status=status)
    if type_code:
        rows = rows.filter(appointment_type__code=type_code)
    return appointments_with_relations(rows).order_by("starts_at", "id")


def appointment_visible_to(*, viewer: User, appointment_id: UUID) -> Appointment | None:
    """One appointment, or None when it does not exist or is another patient's."""
    rows = Appointment.objects.filter(pk=appointment_id)
    if viewer.role == Role.PATIENT:
        rows = rows.filter(patient=viewer)
    return appointments_with_relations(rows).first()
