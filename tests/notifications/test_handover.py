"""The hand-over (notifications.delivery) against a real SMTP server, with the worker "killed" at
each step of one send: before the hand-over, between it and the end-of-data line, and between that
line and the server's answer. A kill is an exception no handler catches (BaseException), raised from
inside the SMTP conversation; the process's sockets then close as the kernel would close them.

What each kill must leave: before the hand-over, nothing delivered and the row sent again later;
after it, the row never sent again (delivered once if the end-of-data line went out, not at all if
it did not: that narrow window is the price of never sending twice).
"""

import smtplib
import socket
import time
from datetime import timedelta

import pytest
from django.core import mail

from notifications import services, smtp
from notifications.models import Kind, OutboxMessage, Status
from notifications.services import STUCK_AFTER, outbox_recover_stuck, outbox_send
from tests.integration.support import SmtpSink, free_port, wait_until
from tests.notifications.support import BOOKED_AT, row

pytestmark = pytest.mark.django_db

END_OF_DATA = b".\r\n"


class Killed(BaseException):
    """The worker process dies here: no ``except Exception`` in the code under test sees it."""


def _settled(sink: SmtpSink, expected: int) -> int:
    """The sink's message count once it has had time to reach ``expected`` (or to not reach it)."""
    if not wait_until(lambda: len(sink.received) >= expected, seconds=0.5):
        time.sleep(0.2)
    return len(sink.received)


def _kill_when_sending(monkeypatch, payload: bytes) -> None:
    send = smtplib.SMTP.send

    def send_or_die(self, data):
        if data == payload:
            raise Killed
        return send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", send_or_die)


def _after_recovery(message: OutboxMessage) -> OutboxMessage:
    outbox_recover_stuck(now=BOOKED_AT + STUCK_AFTER + timedelta(minutes=1))
    message.refresh_from_db()
    return message


def test_a_message_goes_out_once_over_smtp_and_the_row_records_it(appointment, sink):
    confirmation = row(appointment, Kind.CONFIRMATION)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == Status.SENT
    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == "not_claimed"

    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.provider_message_id) == (Status.SENT, f"outbox-{confirmation.pk}")
    assert confirmation.sent_at is not None
    (received,) = sink.received
    assert received.outbox_id == confirmation.pk
    assert [name for name, _, _ in received.attachments] == ["appointment.ics"]


def test_the_end_of_data_line_is_not_held_back_by_nagles_algorithm(appointment, sink, monkeypatch):
    """It is a tiny second write: with Nagle on, it waits for the server's (delayed) ACK of the body."""
    no_delay: list[int] = []
    send = smtplib.SMTP.send

    def checking_send(self, data):
        if data == END_OF_DATA:
            no_delay.append(self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        return send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", checking_send)

    assert outbox_send(message_id=row(appointment, Kind.CONFIRMATION).pk, now=BOOKED_AT) == Status.SENT
    assert no_delay == [1]


def test_a_body_line_that_starts_with_a_dot_does_not_end_the_message(appointment, sink, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)
    render = services.message_render

    def with_dot_lines(message):
        rendered = render(message)
        return type(rendered)(subject=rendered.subject, body=".\n.. two dots\n" + rendered.body)

    monkeypatch.setattr(services, "message_render", with_dot_lines)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == Status.SENT
    (received,) = sink.received
    assert received.body.replace("\r\n", "\n").startswith(".\n.. two dots\n")


def test_killed_before_the_hand_over_nothing_is_delivered_and_the_row_is_sent_again(appointment, sink, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)
    with monkeypatch.context() as dying:

        def die(self):
            raise Killed

        dying.setattr(services._Handover, "__call__", die)
        with pytest.raises(Killed):
            outbox_send(message_id=confirmation.pk, now=BOOKED_AT)

    assert _settled(sink, expected=1) == 0  # the body arrived, the end-of-data line never did
    assert _after_recovery(confirmation).status == Status.PENDING

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT + STUCK_AFTER * 2) == Status.SENT
    assert [email.outbox_id for email in sink.received] == [confirmation.pk]
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (Status.SENT, 2)


def test_killed_after_the_end_of_data_line_the_message_arrived_once_and_is_never_resent(appointment, sink, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)
    getreply = smtplib.SMTP.getreply
    sent: list[bytes] = []
    send = smtplib.SMTP.send

    def recording_send(self, data):
        sent.append(data)
        return send(self, data)

    def die_on_the_answer_to_the_message(self):
        if sent and sent[-1] == END_OF_DATA:
            sent.append(b"")  # die once; the QUIT that follows is answered normally
            raise Killed
        return getreply(self)

    with monkeypatch.context() as dying:
        dying.setattr(smtplib.SMTP, "send", recording_send)
        dying.setattr(smtplib.SMTP, "getreply", die_on_the_answer_to_the_message)
        with pytest.raises(Killed):
            outbox_send(message_id=confirmation.pk, now=BOOKED_AT)

    assert _settled(sink, expected=1) == 1
    confirmation.refresh_from_db()
    assert confirmation.status == Status.DELIVERING
    assert _after_recovery(confirmation).status == Status.UNCONFIRMED
    assert confirmation.last_error == "WorkerLost"
    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT + STUCK_AFTER * 2) == "not_claimed"
    assert _settled(sink, expected=2) == 1


def test_killed_between_the_hand_over_and_the_end_of_data_line_the_message_is_lost_not_doubled(
    appointment, sink, monkeypatch
):
    """The window this design leaves: the row says "delivering", the server discarded the message.
    Recovery marks it unconfirmed for staff; sending it again could double it in the other case."""
    confirmation = row(appointment, Kind.CONFIRMATION)
    with monkeypatch.context() as dying:
        _kill_when_sending(dying, END_OF_DATA)
        with pytest.raises(Killed):
            outbox_send(message_id=confirmation.pk, now=BOOKED_AT)

    assert _settled(sink, expected=1) == 0
    assert _after_recovery(confirmation).status == Status.UNCONFIRMED
    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT + STUCK_AFTER * 2) == "not_claimed"


def test_a_worker_that_lost_its_claim_abandons_the_message_unsent(appointment, sink, monkeypatch):
    """A worker so slow that recovery gave its row to another: at the hand-over it finds the claim
    gone, and closes the connection before the end-of-data line."""
    confirmation = row(appointment, Kind.CONFIRMATION)
    handover = services._Handover.__call__

    def reclaimed_meanwhile(self):
        OutboxMessage.objects.filter(pk=confirmation.pk).update(claimed_at=BOOKED_AT + STUCK_AFTER * 2)
        return handover(self)

    monkeypatch.setattr(services._Handover, "__call__", reclaimed_meanwhile)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == "not_claimed"
    assert _settled(sink, expected=1) == 0
    confirmation.refresh_from_db()
    assert confirmation.status == Status.SENDING  # the other worker's claim, untouched


def test_a_refusal_after_the_message_is_retried_with_backoff(appointment, sink):
    confirmation = row(appointment, Kind.CONFIRMATION)
    sink.refuse_next(1)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == "retry"
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.last_error) == (Status.PENDING, "DeliveryRefused")
    assert confirmation.sent_at is None
    assert sink.received == []

    assert outbox_send(message_id=confirmation.pk, now=confirmation.due_at) == Status.SENT
    assert [email.outbox_id for email in sink.received] == [confirmation.pk]


def test_an_unreachable_server_is_retried(appointment, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    confirmation = row(appointment, Kind.CONFIRMATION)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == "retry"
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.last_error) == (Status.PENDING, "ConnectionRefusedError")


def test_a_failure_after_the_hand_over_leaves_the_row_unconfirmed_not_retried(appointment, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)

    def no_answer(message, rendered, handover):
        assert handover()
        raise TimeoutError

    monkeypatch.setattr(services, "channel_deliver", no_answer)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == Status.UNCONFIRMED
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.last_error) == (Status.UNCONFIRMED, "TimeoutError")
    assert mail.outbox == []


def _counting_connects(monkeypatch) -> list[int]:
    opened: list[int] = []
    connect = smtplib.SMTP.connect

    def counting_connect(self, *args, **kwargs):
        opened.append(1)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting_connect)
    return opened


def test_a_connection_that_delivered_is_kept_for_the_next_message(appointment, sink, monkeypatch):
    smtp.smtp_forget_kept()
    opened = _counting_connects(monkeypatch)
    confirmation, reminder = row(appointment, Kind.CONFIRMATION), row(appointment, Kind.REMINDER_24H)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == Status.SENT
    assert outbox_send(message_id=reminder.pk, now=reminder.due_at) == Status.SENT

    assert len(opened) == 1
    assert sorted(email.outbox_id for email in sink.received) == sorted([confirmation.pk, reminder.pk])


def test_a_kept_connection_the_server_dropped_is_replaced_and_the_message_goes_out_once(appointment, sink, monkeypatch):
    smtp.smtp_forget_kept()
    opened = _counting_connects(monkeypatch)
    confirmation, reminder = row(appointment, Kind.CONFIRMATION), row(appointment, Kind.REMINDER_24H)
    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == Status.SENT
    smtp._kept.connection.backend.connection.sock.shutdown(socket.SHUT_RDWR)  # the connection broke meanwhile

    assert outbox_send(message_id=reminder.pk, now=reminder.due_at) == Status.SENT

    assert len(opened) == 2
    assert [email.outbox_id for email in sink.for_outbox(reminder.pk)] == [reminder.pk]
    reminder.refresh_from_db()
    assert reminder.attempts == 1


def test_a_kept_connection_idle_too_long_is_not_used(appointment, sink, monkeypatch):
    smtp.smtp_forget_kept()
    opened = _counting_connects(monkeypatch)
    monkeypatch.setattr(smtp, "KEPT_IDLE_SECONDS", 0.0)
    confirmation, reminder = row(appointment, Kind.CONFIRMATION), row(appointment, Kind.REMINDER_24H)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == Status.SENT
    assert outbox_send(message_id=reminder.pk, now=reminder.due_at) == Status.SENT

    assert len(opened) == 2
    assert len(sink.received) == 2


def test_a_connection_whose_message_was_refused_is_not_kept(appointment, sink, monkeypatch):
    smtp.smtp_forget_kept()
    sink.refuse_next(1)
    confirmation = row(appointment, Kind.CONFIRMATION)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == "retry"

    assert getattr(smtp._kept, "connection", None) is None
