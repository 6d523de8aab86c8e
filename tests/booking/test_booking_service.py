from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from booking.models import AppointmentEvent
from booking.services.appointments import appointment_book
from core.roles import Role
from scheduling.models import RoomKind
from tests.factories import PatientFactory, UserFactory
from tests.scheduling.conftest import CalendarBuilder

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
DAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 1, 9, tzinfo=LA)


@pytest.fixture
def clinic():
    calendar: Any = CalendarBuilder()
    calendar.open()
    calendar.clinicians = [calendar.staff(Role.CLINICIAN), calendar.staff(Role.CLINICIAN)]
    calendar.consult_rooms = calendar.rooms(RoomKind.CONSULT, 2)
    calendar.type = calendar.evaluation_type()
    calendar.desk = UserFactory(role=Role.ADMIN)
    return calendar


def _book(clinic, hour):
    return appointment_book(
        actor=clinic.desk,
        patient=PatientFactory(),
        appointment_type=clinic.type,
        starts_at=datetime.combine(DAY, time(hour), tzinfo=LA),
        now=NOW,
    )


def test_resources_are_picked_deterministically_and_spread_over_the_day(clinic):
    first_clinician, second_clinician = sorted(clinic.clinicians, key=lambda member: str(member.pk))
    first_room, second_room = sorted(clinic.consult_rooms, key=lambda room: room.pk)

    first = _book(clinic, 9)
    second = _book(clinic, 11)  # both are free again at 11: the one with fewer bookings that day
    third = _book(clinic, 13)

    assert (first.staff, first.room) == (first_clinician, first_room)
    assert (second.staff, second.room) == (second_clinician, second_room)
    assert (third.staff, third.room) == (first_clinician, first_room)


def test_the_booking_records_who_booked_it_in_the_history(clinic):
    appointment = _book(clinic, 9)

    event = appointment.events.get()
    assert (event.action, event.actor, event.actor_role, event.to_status) == ("booked", clinic.desk, "admin", "booked")
    assert event.occurred_at == NOW
    assert appointment.booked_by == clinic.desk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement", ["UPDATE booking_appointmentevent SET reason = 'edited'", "DELETE FROM booking_appointmentevent"]
)
def test_the_database_refuses_to_rewrite_history(clinic, statement):
    _book(clinic, 9)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert list(AppointmentEvent.objects.values_list("reason", flat=True)) == [""]


def test_patients_cannot_set_status_or_resources_through_the_api(demo_clinic, patient, client_for):
    with time_machine.travel(NOW, tick=False):
        response = client_for(patient).post(
            "/api/v1/appointments/",
            {
                "type": "evaluation",
                "start": "2026-12-03T10:00:00-08:00",
                "status": "completed",
                "room": 999,
                "staff": "00000000-0000-0000-0000-000000000000",
                "is_late_cancellation": True,
            },
            format="json",
        )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "booked"
    assert body["is_late_cancellation"] is False
    assert body["room"] in {"Consult 1", "Consult 2"}
    assert body["staff"]["id"] != "00000000-0000-0000-0000-000000000000"
