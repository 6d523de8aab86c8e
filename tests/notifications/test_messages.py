"""Every template of every kind, on every channel, carries the minimum and never names the
treatment, a diagnosis or a screening value."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from clinical.models import Evaluation, EvaluationStatus
from notifications.channels import channel_deliver
from notifications.messages import message_render
from notifications.models import Channel, Kind, OutboxMessage
from scheduling.models import AppointmentType
from tests.factories import AppointmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
FORBIDDEN = re.compile(r"ketamine|infusion|evaluation|psychiatr|depress|addict|phq|gad-?7|screening|diagnos", re.I)


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


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("channel", list(Channel))
def test_every_message_carries_the_minimum_and_nothing_clinical(infusion_with_history, kind, channel):
    message = OutboxMessage.objects.create(
        patient=infusion_with_history.patient,
        appointment=infusion_with_history,
        kind=kind,
        channel=channel,
        regarding_start=infusion_with_history.starts_at,
        due_at=infusion_with_history.starts_at - timedelta(days=1),
    )

    rendered = message_render(message)
    text = f"{rendered.subject}\n{rendered.body}"

    assert not FORBIDDEN.search(text), text
    for value in ("23", "17", "141", "93", "88", "recovery", "candidate"):
        assert not re.search(rf"\b{value}\b", text), (value, text)
    assert "Dana" in text
    assert "Harbor View Medical Suite" in text
    assert "{{" not in text and "}}" not in text
    if kind not in (Kind.RESULT_READY,):
        assert "9:30 AM" in text
    if channel == Channel.EMAIL:
        assert rendered.subject
    else:
        assert len(rendered.body) <= 320, "two SMS segments at most"


def test_the_preparation_notice_gives_the_four_instructions_and_the_readiness_link(infusion_with_history):
    message = OutboxMessage.objects.create(
        patient=infusion_with_history.patient,
        appointment=infusion_with_history,
        kind=Kind.PREPARATION,
        channel=Channel.EMAIL,
        regarding_start=infusion_with_history.starts_at,
        due_at=infusion_with_history.starts_at - timedelta(hours=48),
    )

    body = message_render(message).body

    assert "4 hours" in body and "drive you home" in body and "24 hours" in body and "15 minutes early" in body
    assert f"/appointments/{infusion_with_history.pk}/readiness" in body


def test_a_confirmation_email_carries_a_calendar_file_with_neutral_wording(infusion_with_history):
    message = OutboxMessage.objects.create(
        patient=infusion_with_history.patient,
        appointment=infusion_with_history,
        kind=Kind.CONFIRMATION,
        channel=Channel.EMAIL,
        regarding_start=infusion_with_history.starts_at,
        due_at=infusion_with_history.starts_at - timedelta(days=2),
    )

    channel_deliver(message, message_render(message), handover=lambda: True)

    (email,) = mail.outbox
    assert email.to == [infusion_with_history.patient.email]
    (name, content, mimetype) = email.attachments[0]
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    calendar = content.decode() if isinstance(content, bytes) else content
    assert "DTSTART:20261203T173000Z" in calendar
    assert "SUMMARY:Appointment at Harbor View Medical Suite" in calendar
    assert not FORBIDDEN.search(calendar)
