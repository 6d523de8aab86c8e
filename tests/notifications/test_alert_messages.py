"""A clinician's alert messages (SPEC.md section 10): neutral words in the clinician's language,
no name, no clinical word, a link to the staff pages; sent to the clinician's own email and staff
phone; cancelled at send time once the alert was acknowledged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import User
from clinical.models import Alert
from clinical.services.alerts import alert_acknowledge, alerts_escalate_due
from core.roles import Role
from notifications.messages import message_render, sms_septets, sms_text
from notifications.models import ALERT_KINDS, Channel, Kind, OutboxMessage, Status
from notifications.services import outbox_send
from scheduling.models import StaffMember
from tests.clinical.infusion_fixtures import START, infusion_appointment, reading, start
from tests.factories import PatientFactory, UserFactory
from tests.notifications.test_messages import FORBIDDEN

pytestmark = pytest.mark.django_db

WORDS = {
    (Kind.CLINICIAN_ALERT, "en"): "A patient at the clinic needs your review",
    (Kind.CLINICIAN_ALERT, "es"): "Un paciente de la clínica necesita su revisión",
    (Kind.ALERT_ESCALATION, "en"): "A patient at the clinic still needs a clinician's review",
    (Kind.ALERT_ESCALATION, "es"): "Un paciente de la clínica aún necesita la revisión de un médico",
}


@pytest.fixture
def raised(demo_clinic, nurse_user) -> tuple[Alert, User, User]:
    """A reading's alert of Dana Whitlock's infusion, whose clinician on duty has a phone."""
    patient = PatientFactory(first_name="Dana", last_name="Whitlock")
    appointment = infusion_appointment(patient)
    clinician = UserFactory(role=Role.CLINICIAN, first_name="Noor", last_name="Haddad")
    appointment.supervising_clinician = StaffMember.objects.create(
        user=clinician, clinic=demo_clinic, phone="+15105550177"
    )
    appointment.save(update_fields=["supervising_clinician"])
    start(appointment, nurse_user)
    reading(appointment, nurse_user, at=START + timedelta(minutes=10), systolic=191, spo2=90)
    return Alert.objects.get(appointment=appointment), clinician, patient


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ALERT_KINDS)
@pytest.mark.parametrize("channel", list(Channel))
def test_an_alert_message_is_neutral_names_nobody_and_links_the_staff_pages(raised, settings, language, kind, channel):
    alert, clinician, patient = raised
    assert patient.first_name == "Dana"  # the names the message must not carry
    clinician.language = language
    clinician.save(update_fields=["language"])
    message, _ = OutboxMessage.objects.get_or_create(
        patient=clinician, alert=alert, kind=kind, channel=channel, defaults={"due_at": START}
    )
    rendered = message_render(message)
    text = f"{rendered.subject}\n{rendered.body}"

    assert not FORBIDDEN.search(text), text
    assert not re.search(r"ketamin|infusi|self-harm|autolesi|suicid|blood|presi[oó]n|vital|191|90", text, re.I), text
    for name in ("Dana", "Whitlock", "Noor", "Haddad"):
        assert name not in text
    assert f"{settings.SITE_URL.rstrip('/')}/staff/" in text
    words = WORDS[(kind, language)]
    assert (words if channel == Channel.EMAIL else sms_text(words)) in text
    if channel == Channel.SMS:
        septets = sms_septets(rendered.body)
        assert septets is not None, rendered.body
        assert septets <= 160, rendered.body  # one segment
    else:
        assert rendered.subject


def test_the_rows_go_to_the_clinicians_own_email_and_staff_phone(raised, settings):
    settings.SMS_BACKEND = "notifications.sms.ConsoleSmsBackend"
    alert, clinician, _ = raised
    rows = OutboxMessage.objects.filter(alert=alert).order_by("channel")
    assert [(row.patient_id, row.channel, row.appointment_id) for row in rows] == [
        (clinician.pk, "email", None),  # no appointment named either
        (clinician.pk, "sms", None),
    ]
    assert [outbox_send(message_id=row.pk, now=START + timedelta(minutes=10)) for row in rows] == ["sent", "sent"]
    [email] = mail.outbox
    assert email.to == [clinician.email]
    assert email.attachments == []


def test_a_message_of_an_alert_acknowledged_meanwhile_is_not_sent(raised, nurse_user):
    alert, _, _ = raised
    alert_acknowledge(actor=nurse_user, alert_id=alert.pk, action="paused", now=START + timedelta(minutes=11))
    rows = OutboxMessage.objects.filter(alert=alert)
    assert set(rows.values_list("status", flat=True)) == {Status.CANCELLED}  # at once, with the acknowledgement
    # One the cancellation missed (it was claimed meanwhile, then put back): the send re-checks the alert.
    email = rows.get(channel=Channel.EMAIL)
    OutboxMessage.objects.filter(pk=email.pk).update(status=Status.PENDING)
    assert outbox_send(message_id=email.pk, now=START + timedelta(minutes=11)) == Status.CANCELLED
    assert mail.outbox == []


def test_every_clinician_gets_the_escalation_in_their_own_language(raised):
    alert, clinician, _ = raised
    spanish = UserFactory(role=Role.CLINICIAN, language="es")
    with transaction.atomic():
        alerts_escalate_due(now=alert.raised_at + timedelta(minutes=15))
    rows = OutboxMessage.objects.filter(alert=alert, kind=Kind.ALERT_ESCALATION, channel=Channel.EMAIL)
    recipients = set(rows.values_list("patient_id", flat=True))
    assert recipients == set(User.objects.filter(role=Role.CLINICIAN).values_list("pk", flat=True))
    assert {clinician.pk, spanish.pk} <= recipients
    spanish_row = rows.get(patient=spanish)
    assert message_render(spanish_row).subject == "Un paciente de la clínica aún necesita una revisión"
