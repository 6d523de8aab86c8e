import pytest

from accounts.models import Role
from booking.models import Appointment
from booking.services.appointments import appointment_book
from scheduling.models import AppointmentType
from tests.factories import UserFactory
from tests.notifications.support import BOOKED_AT, START


@pytest.fixture
def appointment(demo_clinic, patient) -> Appointment:
    """An evaluation booked at BOOKED_AT for START, with its outbox rows written."""
    return appointment_book(
        actor=UserFactory(role=Role.ADMIN),
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=START,
        now=BOOKED_AT,
    )
