from collections.abc import Iterator
from datetime import datetime

import pytest

from booking.models import Appointment
from booking.services.appointments import appointment_book
from clinical.models import Evaluation, EvaluationStatus
from core.roles import Role
from scheduling.models import AppointmentType
from tests.factories import AppointmentFactory, UserFactory
from tests.integration.support import SmtpSink, smtp_sink
from tests.notifications.support import BOOKED_AT, LA, START


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


@pytest.fixture
def infusion_with_history(demo_clinic, patient):
    """An infusion of a patient whose evaluation holds screening values the messages must not leak."""
    patient.first_name = "Dana"
    patient.save(update_fields=["first_name"])
    evaluation_appointment = AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime(2026, 11, 20, 10, tzinfo=LA),
    )
    clinician = UserFactory(role="clinician")
    Evaluation.objects.create(
        appointment=evaluation_appointment,
        patient=patient,
        clinician=clinician,
        status=EvaluationStatus.SIGNED,
        phq9_total=23,
        gad7_total=17,
        systolic_bp=141,
        diastolic_bp=93,
        heart_rate=88,
        substance_use="in_recovery",
        decision="candidate",
        rationale="Treatment-resistant depression; PHQ-9 23.",
        signed_at=datetime(2026, 11, 20, 12, tzinfo=LA),
        signed_by=clinician,
    )
    return AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        starts_at=datetime(2026, 12, 3, 9, 30, tzinfo=LA),
    )
