"""Appointments in the Django admin (issue 18): read-only; its two actions, cancel and move, go
through the booking services, so every rule holds, the history is written and the patient told."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.errors import BookingConflictError
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.appointments import appointment_book
from core.roles import Role
from notifications.models import Kind, OutboxMessage
from scheduling.models import AppointmentType, Room, StaffMember
from tests.accounts.otp import enrolled
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 30, 9, tzinfo=LA)  # a Monday morning
TEN = datetime(2026, 12, 3, 10, tzinfo=LA)
SPANS = ("starts_at", "ends_at", "staff_released_at", "room_released_at")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def superuser() -> Any:
    return enrolled(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    return client


@pytest.fixture
def booked(demo_clinic, superuser) -> Appointment:
    return appointment_book(
        actor=superuser,
        patient=PatientFactory(),
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=TEN,
    )


def change_url(appointment: Appointment) -> str:
    return reverse("admin:booking_appointment_change", args=[appointment.pk])


def snapshot(appointment: Appointment) -> tuple:
    appointment.refresh_from_db()
    events = AppointmentEvent.objects.filter(appointment=appointment).count()
    return appointment.starts_at, appointment.room_id, appointment.staff_id, appointment.status, events


def admin_form_of(appointment: Appointment, **changes: Any) -> dict[str, Any]:
    """Every field of the appointment as a complete admin change form would post it (dates split
    in two, in the admin's time zone), with ``changes``: what a direct edit would have saved."""
    values = {**model_to_dict(appointment), **changes}
    posted: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, datetime):
            local = timezone.localtime(value)
            posted |= {f"{name}_0": local.date().isoformat(), f"{name}_1": local.strftime("%H:%M:%S")}
        elif value is True:
            posted[name] = "on"
        elif value not in (None, False):
            posted[name] = str(value)
    return posted


def test_an_admin_post_changing_time_room_or_clinician_changes_nothing(admin_client, booked):
    other_room = Room.objects.filter(kind=booked.room.kind).exclude(pk=booked.room_id).earliest("pk")
    other_clinician = StaffMember.objects.filter(user__role=Role.CLINICIAN).exclude(pk=booked.staff_id).get()
    before = snapshot(booked)
    later = timedelta(hours=3)
    moved = {name: getattr(booked, name) + later for name in SPANS}

    response = admin_client.post(
        change_url(booked), admin_form_of(booked, **moved, room=other_room.pk, staff=other_clinician.pk)
    )

    assert response.status_code == 403
    assert snapshot(booked) == before
    assert admin_client.get(reverse("admin:booking_appointment_add")).status_code == 403
    assert admin_client.post(reverse("admin:booking_appointment_delete", args=[booked.pk])).status_code == 403
    assert Appointment.objects.filter(pk=booked.pk).exists()


def test_the_appointments_page_shows_it_read_only_with_its_history_and_the_two_actions(admin_client, booked):
    page = admin_client.get(change_url(booked)).content.decode()

    assert 'name="starts_at' not in page
    assert reverse("admin:booking_appointment_cancel", args=[booked.pk]) in page
    assert reverse("admin:booking_appointment_reschedule", args=[booked.pk]) in page
    assert "booked" in page  # the history's first row


def test_cancelling_in_the_admin_goes_through_the_service_history_and_notice_included(admin_client, booked, superuser):
    url = reverse("admin:booking_appointment_cancel", args=[booked.pk])
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, {"reason": "Called: unwell."})

    assert response.status_code == 302
    assert response["Location"] == change_url(booked)
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    cancelled = AppointmentEvent.objects.get(appointment=booked, action=AppointmentEvent.Action.CANCELLED)
    assert (cancelled.actor_id, cancelled.actor_role, cancelled.reason) == (superuser.pk, Role.ADMIN, "Called: unwell.")
    assert OutboxMessage.objects.filter(appointment=booked, kind=Kind.CANCELLATION).exists()


def test_moving_in_the_admin_goes_through_the_service_history_and_notice_included(admin_client, booked, superuser):
    response = admin_client.post(
        reverse("admin:booking_appointment_reschedule", args=[booked.pk]), {"starts_at": "2026-12-03T14:00"}
    )

    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.starts_at, booked.status) == (datetime(2026, 12, 3, 14, tzinfo=LA), AppointmentStatus.BOOKED)
    moved = AppointmentEvent.objects.get(appointment=booked, action=AppointmentEvent.Action.RESCHEDULED)
    assert (moved.actor_id, moved.from_starts_at, moved.to_starts_at) == (superuser.pk, TEN, booked.starts_at)
    assert OutboxMessage.objects.filter(appointment=booked, kind=Kind.RESCHEDULE).exists()


def take_every_clinician_at(starts_at: datetime, desk: Any) -> None:
    evaluation = AppointmentType.objects.get(code="evaluation")
    for _ in range(StaffMember.objects.filter(user__role=Role.CLINICIAN).count()):
        appointment_book(actor=desk, patient=PatientFactory(), appointment_type=evaluation, starts_at=starts_at)
    with pytest.raises(BookingConflictError):
        appointment_book(actor=desk, patient=PatientFactory(), appointment_type=evaluation, starts_at=starts_at)


def test_a_move_the_rules_refuse_is_shown_and_changes_nothing(admin_client, booked, superuser):
    take_every_clinician_at(TEN + timedelta(hours=4), superuser)
    before = snapshot(booked)
    url = reverse("admin:booking_appointment_reschedule", args=[booked.pk])

    for start in ("2026-12-03T14:00", "2026-12-03T10:07", "9999-12-31T10:00", "2026-13-03T10:00"):
        response = admin_client.post(url, {"starts_at": start})
        assert response.status_code == 200, start  # the form again, with the refusal
        assert snapshot(booked) == before
    assert "Nothing was changed" in admin_client.post(url, {"starts_at": "2026-12-03T14:00"}).content.decode()
