"""Alerts to clinicians with a real Celery worker (SPEC.md section 10): the message is in the
outbox the moment the alert is raised, the worker sends it to the clinician responsible (email by
real SMTP to a local sink, text message to the demo mailbox) with no name and no clinical word in
English or Spanish, and the escalation task, run by the worker, sends an alert nobody
acknowledged to every clinician, and not one acknowledged at 14 minutes.

The test process raises and acknowledges under a frozen clock 16 minutes in the past, so that
the worker, whose clock is the real one, finds the first alert 15 minutes old and more. The exact
edges (14:59 no, 15:00 yes) are the service's tests (tests/clinical/test_alert_delivery.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from clinical.models import Alert
from clinical.services.alerts import alert_acknowledge
from core.dev_mailbox import mailbox_messages
from core.roles import Role
from notifications.models import Kind, OutboxMessage, Status
from scheduling.models import StaffMember
from tests.clinical.infusion_fixtures import LA, infusion_appointment, reading, start
from tests.factories import PatientFactory, UserFactory
from tests.integration.support import (
    FORBIDDEN_WORDS,
    SmtpSink,
    drain,
    running_worker,
    smtp_sink,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SECONDS = 60
# English and Spanish clinical words (accented or not), and the patients' names.
CLINICAL = re.compile(r"ketamin|infusi|evaluat|evaluaci|psiqui|depresi|adicci|self-harm|autolesi|suicid|presi", re.I)
NAMES = ("Dana", "Whitlock", "Lucía", "Ferrer")


@pytest.fixture
def sink():
    with smtp_sink() as running:
        yield running


@pytest.fixture
def worker(tmp_path, broker, sink):
    environment = worker_environment(tmp_path, broker=broker, smtp_port=sink.port)
    environment.update(DEV_MAILBOX_DIR=str(tmp_path / "mailbox"), SMS_BACKEND="notifications.sms.MailboxSmsBackend")
    with running_worker(environment, tmp_path / "worker.log") as running:
        running.mailbox = tmp_path / "mailbox"  # type: ignore[attr-defined]
        yield running


def _raise(raised_at, *, patient_name: tuple[str, str], language: str, phone: str) -> tuple[Alert, User]:
    """A reading past a threshold at ``raised_at`` in an infusion whose clinician on duty speaks
    ``language`` and has ``phone``; the alert and that clinician."""
    nurse = User.objects.get(email="nurse@example.com")
    appointment = infusion_appointment(
        PatientFactory(first_name=patient_name[0], last_name=patient_name[1]),
        starts_at=raised_at - timedelta(minutes=10),
    )
    clinician = UserFactory(role=Role.CLINICIAN, language=language)
    appointment.supervising_clinician = StaffMember.objects.create(
        user=clinician, clinic=appointment.appointment_type.clinic, phone=phone
    )
    appointment.save(update_fields=["supervising_clinician"])
    start(appointment, nurse, at=raised_at - timedelta(minutes=10))
    reading(appointment, nurse, at=raised_at, systolic=192)
    return Alert.objects.get(appointment=appointment), clinician


def _neutral(text: str) -> None:
    assert not [word for word in FORBIDDEN_WORDS if word in text.lower()], text
    assert not CLINICAL.search(text), text
    assert not [name for name in NAMES if name in text], text


def _raised_at():
    """16 minutes ago, moved earlier while check-in (25 minutes before) would fall on another
    clinic day than the infusion (the visit gate checks in on the clinic day only)."""
    raised_at = timezone.now().replace(microsecond=0) - timedelta(minutes=16)
    while (raised_at - timedelta(minutes=25)).astimezone(LA).date() != raised_at.astimezone(LA).date():
        raised_at -= timedelta(minutes=30)
    return raised_at


def test_an_alert_reaches_its_clinician_at_once_and_every_clinician_unless_acknowledged_at_14(
    demo_clinic, broker, sink: SmtpSink, worker
):
    raised_at = _raised_at()
    with time_machine.travel(raised_at, tick=False):
        unanswered, english = _raise(raised_at, patient_name=("Dana", "Whitlock"), language="en", phone="+15105550171")
        answered, spanish = _raise(raised_at, patient_name=("Lucía", "Ferrer"), language="es", phone="+15105550172")
        # At once: in the outbox, due now, to the clinician responsible only.
        first = OutboxMessage.objects.filter(kind=Kind.CLINICIAN_ALERT)
        assert sorted(first.values_list("alert_id", "patient_id", "channel", "due_at")) == sorted(
            [
                (unanswered.pk, english.pk, "email", raised_at),
                (unanswered.pk, english.pk, "sms", raised_at),
                (answered.pk, spanish.pk, "email", raised_at),
                (answered.pk, spanish.pk, "sms", raised_at),
            ]
        )
    first_ids = list(first.values_list("pk", flat=True))
    assert drain(broker, first_ids, worker, seconds=SECONDS), worker.log()[-3000:]
    assert set(OutboxMessage.objects.filter(pk__in=first_ids).values_list("status", flat=True)) == {Status.SENT}
    by_address = {email.to: email for email in sink.received}
    assert set(by_address) == {(english.email,), (spanish.email,)}
    assert by_address[(english.email,)].subject == "A patient at the clinic needs your review"
    assert by_address[(spanish.email,)].subject == "Un paciente de la clínica necesita su revisión"
    texts = {message.to: message.body for message in mailbox_messages(folder=worker.mailbox)}
    assert set(texts) == {("+15105550171",), ("+15105550172",)}
    assert texts[("+15105550172",)].startswith("Un paciente de la clinica necesita su revision")
    for text in [*(f"{e.subject}\n{e.body}" for e in sink.received), *texts.values()]:
        _neutral(text)
        assert "/staff/" in text

    with time_machine.travel(raised_at + timedelta(minutes=14), tick=False):
        alert_acknowledge(actor=spanish, alert_id=answered.pk, action="paused", note="Rechecked after five minutes.")

    broker.send("clinical.tasks.escalate_alerts")  # what beat sends every minute
    escalated = OutboxMessage.objects.filter(kind=Kind.ALERT_ESCALATION)
    clinicians = set(User.objects.filter(role=Role.CLINICIAN, is_active=True).values_list("pk", flat=True))
    assert wait_until(lambda: set(escalated.values_list("patient_id", flat=True)) == clinicians, seconds=SECONDS), (
        worker.log()[-3000:]
    )
    assert set(escalated.values_list("alert_id", flat=True)) == {unanswered.pk}  # not the one acknowledged at 14
    assert Alert.objects.get(pk=answered.pk).escalated_at is None
    escalated_ids = list(escalated.values_list("pk", flat=True))
    assert drain(broker, escalated_ids, worker, seconds=SECONDS), worker.log()[-3000:]
    emails = [email for email in sink.received if email.outbox_id in set(escalated_ids)]
    assert {email.to[0] for email in emails} == set(
        User.objects.filter(pk__in=clinicians).values_list("email", flat=True)
    )
    for email in emails:
        _neutral(f"{email.subject}\n{email.body}")
    assert {email.subject.strip() for email in emails} == {  # (a folded encoded header unfolds with a space)
        "A patient at the clinic still needs a review",
        "Un paciente de la clínica aún necesita una revisión",
    }

    broker.send("clinical.tasks.escalate_alerts")  # a second run escalates nothing again
    wait_until(lambda: False, seconds=3)
    assert OutboxMessage.objects.filter(kind=Kind.ALERT_ESCALATION).count() == len(escalated_ids)
