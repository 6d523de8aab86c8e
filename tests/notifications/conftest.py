from collections.abc import Iterator

import pytest

from booking.models import Appointment
from booking.services.appointments import appointment_book
from core.roles import Role
from scheduling.models import AppointmentType
from tests.factories import UserFactory
from tests.integration.support import SmtpSink, smtp_sink
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


@pytest.fixture
def sink(settings) -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) behind Django's SMTP email backend."""
    with smtp_sink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server
