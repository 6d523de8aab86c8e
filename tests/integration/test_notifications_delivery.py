"""Booking to inbox: a real Celery worker sends the outbox over real SMTP to a local sink.

The booking is made by the booking service in the test process and committed; the worker (the
development settings, SMTP to the sink, the test database) is woken by a sweep sent through its
broker: kombu's filesystem transport, and Redis as well when REDIS_URL is set.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import User
from booking.models import Appointment
from booking.services.appointments import appointment_book, appointment_cancel
from notifications.models import REMINDER_KINDS, Kind, OutboxMessage, Status
from scheduling.models import AppointmentType
from tests.integration.support import (
    FORBIDDEN_WORDS,
    ReceivedEmail,
    SmtpSink,
    running_worker,
    smtp_sink,
    statuses,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LA = ZoneInfo("America/Los_Angeles")
DELIVERY_SECONDS = 30


@pytest.fixture
def sink():
    with smtp_sink() as running:
        yield running


@pytest.fixture
def worker(tmp_path, broker, sink):
    environment = worker_environment(tmp_path, broker=broker, smtp_port=sink.port)
    with running_worker(environment, tmp_path / "worker.log") as running:
        yield running


def _next_monday() -> date:
    today = datetime.now(tz=LA).date()
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


def _book_evaluation(demo_clinic) -> Appointment:
    return appointment_book(
        actor=User.objects.get(email="admin@example.com"),
        patient=User.objects.get(email="patient@example.com"),
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime.combine(_next_monday(), time(10), tzinfo=LA),
    )


def _row(appointment: Appointment, kind: str) -> OutboxMessage:
    return OutboxMessage.objects.get(appointment=appointment, kind=kind, channel="email")


def _arrived(sink: SmtpSink, row: OutboxMessage, worker) -> ReceivedEmail:
    def done() -> bool:
        assert worker.is_alive(), worker.log()[-3000:]
        row.refresh_from_db()
        return row.status == Status.SENT and bool(sink.for_outbox(row.pk))

    assert wait_until(done, seconds=DELIVERY_SECONDS, interval=0.1), (row.status, worker.log()[-3000:])
    [email] = sink.for_outbox(row.pk)
    return email


def _assert_neutral(email: ReceivedEmail) -> None:
    texts = [email.subject, email.body, *(content.decode(errors="replace") for _, _, content in email.attachments)]
    for text in texts:
        assert not [word for word in FORBIDDEN_WORDS if word in text.lower()], text


def test_a_booking_confirmation_and_then_a_due_reminder_arrive_by_real_smtp(demo_clinic, broker, sink, worker):
    appointment = _book_evaluation(demo_clinic)
    confirmation = _row(appointment, Kind.CONFIRMATION)
    reminder_24h = _row(appointment, Kind.REMINDER_24H)
    reminder_2h = _row(appointment, Kind.REMINDER_2H)
    assert reminder_24h.due_at > timezone.now()
    assert reminder_2h.due_at > timezone.now()

    broker.sweep()
    email = _arrived(sink, confirmation, worker)

    assert email.to == ("patient@example.com",)
    assert email.message_id == f"<outbox-{confirmation.pk}@clinic-booking>"
    assert email.subject.startswith("Your appointment on ")
    assert email.subject.endswith(" is booked")
    assert "Alex" in email.body
    [(filename, content_type, calendar)] = email.attachments
    assert (filename, content_type) == ("appointment.ics", "text/calendar")
    assert calendar.startswith(b"BEGIN:VCALENDAR")
    assert b"SUMMARY:Appointment at Harbor View Medical Suite" in calendar
    _assert_neutral(email)
    confirmation.refresh_from_db()
    assert (confirmation.provider_message_id, confirmation.attempts) == (f"outbox-{confirmation.pk}", 1)
    assert confirmation.sent_at is not None
    # The reminders are not due yet: still waiting in the outbox, nothing sent for them.
    assert statuses([reminder_24h.pk, reminder_2h.pk]) == {Status.PENDING: 2}
    assert [e.outbox_id for e in sink.received] == [confirmation.pk]

    OutboxMessage.objects.filter(pk=reminder_24h.pk).update(due_at=timezone.now())
    broker.sweep()
    reminder_email = _arrived(sink, reminder_24h, worker)

    assert reminder_email.to == ("patient@example.com",)
    assert reminder_email.subject.startswith("Reminder: your appointment tomorrow, ")
    assert reminder_email.attachments == ()
    _assert_neutral(reminder_email)
    assert statuses([reminder_2h.pk]) == {Status.PENDING: 1}
    assert sorted(e.outbox_id for e in sink.received) == sorted([confirmation.pk, reminder_24h.pk])


def test_a_cancelled_appointment_gets_its_cancellation_notice_and_never_a_reminder(demo_clinic, broker, sink, worker):
    appointment = _book_evaluation(demo_clinic)
    appointment_cancel(actor=User.objects.get(email="admin@example.com"), appointment_id=appointment.pk, reason="ill")
    reminders = list(OutboxMessage.objects.filter(appointment=appointment, kind__in=REMINDER_KINDS))
    reminder_ids = [row.pk for row in reminders]
    confirmation = _row(appointment, Kind.CONFIRMATION)
    notice = _row(appointment, Kind.CANCELLATION)
    assert len(reminders) == 2
    assert statuses(reminder_ids) == {Status.CANCELLED: 2}
    assert statuses([confirmation.pk]) == {Status.CANCELLED: 1}  # never sent: cancelled first

    # Their moment comes anyway: the 24-hour reminder stays cancelled, and a task for it that
    # was already in the queue (enqueued before the cancellation) arrives at the worker.
    first, second = reminders
    OutboxMessage.objects.filter(pk__in=reminder_ids).update(due_at=timezone.now())
    broker.send("notifications.tasks.send_message", first.pk)
    # The other one is pending again, as if the cancellation had missed it: the worker's
    # re-check of the appointment at send time must still refuse to send it.
    OutboxMessage.objects.filter(pk=second.pk).update(status=Status.PENDING)

    broker.sweep()
    email = _arrived(sink, notice, worker)
    assert wait_until(lambda: statuses([second.pk]) == {Status.CANCELLED: 1}, seconds=DELIVERY_SECONDS), (
        statuses([second.pk]),
        worker.log()[-3000:],
    )
    # Give a stray reminder every chance to show up.
    broker.sweep()
    wait_until(lambda: False, seconds=3)

    assert email.to == ("patient@example.com",)
    assert email.subject.startswith("Your appointment on ")
    assert email.subject.endswith(" is cancelled")
    _assert_neutral(email)
    assert [e.outbox_id for e in sink.received] == [notice.pk]
    assert statuses(reminder_ids) == {Status.CANCELLED: 2}
    assert statuses([confirmation.pk]) == {Status.CANCELLED: 1}
    second.refresh_from_db()
    assert (second.attempts, second.provider_message_id) == (1, "")  # claimed, re-checked, not sent
