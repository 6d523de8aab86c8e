"""Sending one outbox row: claimed once, re-checked at send time, retried with bounded backoff;
the beat sweep enqueues due ids and recovers rows stuck in sending. Tasks are called directly."""

import contextlib
import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from booking.models import AppointmentStatus
from notifications import services, tasks
from notifications.delivery import DeliveryRefused
from notifications.models import Kind, OutboxMessage, Status
from notifications.services import STUCK_AFTER, outbox_send
from notifications.sms import ConsoleSmsBackend, SmsError, TwilioSmsBackend
from tests.integration.support import free_port
from tests.notifications.support import BOOKED_AT, row

pytestmark = pytest.mark.django_db

# The ``appointment`` fixture (an evaluation booked at BOOKED_AT) is in conftest.py.


def test_a_due_message_is_sent_once_however_often_it_is_asked(appointment):
    confirmation = row(appointment, Kind.CONFIRMATION)

    first = outbox_send(message_id=confirmation.pk, now=BOOKED_AT)
    second = outbox_send(message_id=confirmation.pk, now=BOOKED_AT)

    assert (first, second) == ("sent", "not_claimed")
    assert len(mail.outbox) == 1
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (Status.SENT, 1)
    assert confirmation.provider_message_id == f"outbox-{confirmation.pk}"


def test_a_message_not_yet_due_is_not_claimed(appointment):
    reminder = row(appointment, Kind.REMINDER_24H)

    assert outbox_send(message_id=reminder.pk, now=BOOKED_AT) == "not_claimed"
    reminder.refresh_from_db()
    assert reminder.status == Status.PENDING
    assert reminder.attempts == 0


def test_a_reminder_of_an_appointment_cancelled_behind_its_back_is_cancelled_not_sent(appointment):
    reminder = row(appointment, Kind.REMINDER_24H)
    type(appointment).objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)

    assert outbox_send(message_id=reminder.pk, now=reminder.due_at) == Status.CANCELLED
    assert mail.outbox == []


def test_a_reminder_for_a_time_the_appointment_no_longer_has_is_cancelled(appointment):
    reminder = row(appointment, Kind.REMINDER_24H)
    hour = timedelta(hours=1)
    type(appointment).objects.filter(pk=appointment.pk).update(
        starts_at=F("starts_at") + hour,
        ends_at=F("ends_at") + hour,
        staff_released_at=F("staff_released_at") + hour,
        room_released_at=F("room_released_at") + hour,
    )

    assert outbox_send(message_id=reminder.pk, now=reminder.due_at) == Status.CANCELLED
    assert mail.outbox == []


def test_a_reminder_whose_moment_passed_long_ago_is_skipped_not_sent_late(appointment):
    reminder = row(appointment, Kind.REMINDER_24H)

    assert outbox_send(message_id=reminder.pk, now=reminder.due_at + timedelta(hours=2)) == Status.SKIPPED
    assert mail.outbox == []
    # The same message a little late (within the cutoff) would have gone out:
    other = row(appointment, Kind.REMINDER_2H)
    assert outbox_send(message_id=other.pk, now=other.due_at + timedelta(minutes=59)) == Status.SENT


def test_a_failed_delivery_is_retried_with_growing_backoff_then_given_up(appointment, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)

    def refuse(message, rendered, handover):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "channel_deliver", refuse)
    now = BOOKED_AT
    waits = []
    for _ in range(services.MAX_ATTEMPTS):
        outcome = outbox_send(message_id=confirmation.pk, now=now)
        confirmation.refresh_from_db()
        waits.append((outcome, round((confirmation.due_at - now).total_seconds() / 60)))
        now = confirmation.due_at

    assert waits == [("retry", 1), ("retry", 2), ("retry", 4), ("retry", 8), ("retry", 16), ("failed", 30)]
    assert confirmation.status == Status.FAILED
    assert confirmation.last_error == "ConnectionRefusedError"  # the class only, never content


def test_the_sweep_recovers_rows_stuck_in_sending_and_enqueues_what_is_due(appointment, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)
    stuck = row(appointment, Kind.REMINDER_24H)
    OutboxMessage.objects.filter(pk=stuck.pk).update(
        status=Status.SENDING, claimed_at=BOOKED_AT - STUCK_AFTER - timedelta(minutes=1), due_at=BOOKED_AT
    )
    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "_enqueue_sends", enqueued.extend)
    monkeypatch.setattr(tasks.timezone, "now", lambda: BOOKED_AT)

    count = tasks.sweep_due_messages()

    assert count == 2
    assert sorted(enqueued) == sorted([confirmation.pk, stuck.pk])
    stuck.refresh_from_db()
    assert stuck.status == Status.PENDING


def test_the_send_task_takes_an_id_and_is_safe_to_run_twice(appointment, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)
    monkeypatch.setattr(services.timezone, "now", lambda: BOOKED_AT)

    assert tasks.send_message(confirmation.pk) == "sent"
    assert tasks.send_message(confirmation.pk) == "not_claimed"
    assert len(mail.outbox) == 1


def test_the_console_sms_backend_logs_the_message_at_debug_only_and_returns_an_id(caplog):
    caplog.set_level(logging.DEBUG, logger="notifications.sms")

    backend = ConsoleSmsBackend()
    message_id = backend.send(to="+14155550123", body="Hello", handover=lambda: True)
    abandoned = backend.send(to="+14155550123", body="Not this one", handover=lambda: False)

    assert (message_id, abandoned) == ("console-1", None)
    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (logging.DEBUG, "SMS to +14155550123:\nHello")
    ]


class _FakeTwilio(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _FakeTwilio.requests.append(
            {"path": self.path, "auth": self.headers["Authorization"], "body": self.rfile.read(length).decode()}
        )
        body = _FakeTwilio.requests[-1]["body"]
        status = 500 if "Body=fail" in body else 201 if "To=%2B1" in body else 400
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"sid": "SM123"}).encode())

    def log_message(self, *args):
        pass


def test_the_twilio_backend_posts_the_rest_api_shape_and_reports_refusals_without_content(settings):
    server = HTTPServer(("127.0.0.1", 0), _FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = (
        "AC1",
        "secret",
        "+15105550100",
    )
    backend = TwilioSmsBackend()
    backend.api_base = f"http://127.0.0.1:{server.server_port}"
    try:
        sid = backend.send(to="+14155550123", body="See you at 9:30 AM", handover=lambda: True)
        with pytest.raises(DeliveryRefused, match="HTTP 400") as refused:
            backend.send(to="4155550123", body="private words", handover=lambda: True)
        requests_before_declined = len(_FakeTwilio.requests)
        declined = backend.send(to="+14155550123", body="Not this one", handover=lambda: False)
    finally:
        server.shutdown()
        server.server_close()

    assert sid == "SM123"
    assert declined is None
    assert len(_FakeTwilio.requests) == requests_before_declined
    first = _FakeTwilio.requests[0]
    assert first["path"] == "/2010-04-01/Accounts/AC1/Messages.json"
    assert first["auth"] == "Basic QUMxOnNlY3JldA=="
    assert "From=%2B15105550100" in first["body"]
    assert "Body=See+you+at+9%3A30+AM" in first["body"]
    assert "private" not in str(refused.value)


def test_the_twilio_backend_hands_over_after_connecting_and_before_the_request(settings):
    """Unreachable: no hand-over, so the outbox retries. A server error after the request: the
    message may exist at Twilio, so the error comes after the hand-over and the row stays unsent."""
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = "AC1", "x", "+15105550100"
    handovers: list[str] = []

    def handover_as(name: str):
        def handover() -> bool:
            handovers.append(name)
            return True

        return handover

    backend = TwilioSmsBackend()
    backend.api_base = f"http://127.0.0.1:{free_port()}"  # nothing listens
    with pytest.raises(SmsError, match="unreachable"):
        backend.send(to="+14155550123", body="Hello", handover=handover_as("closed port"))

    server = HTTPServer(("127.0.0.1", 0), _FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    backend.api_base = f"http://127.0.0.1:{server.server_port}"
    try:
        with pytest.raises(SmsError, match="HTTP 500"):
            backend.send(to="+14155550123", body="fail", handover=handover_as("server error"))
    finally:
        server.shutdown()
        server.server_close()

    assert handovers == ["server error"]


def test_a_send_task_carries_several_rows_each_claimed_once(appointment, monkeypatch):
    rows = list(OutboxMessage.objects.filter(appointment=appointment).order_by("id"))
    OutboxMessage.objects.filter(appointment=appointment).update(due_at=BOOKED_AT)
    monkeypatch.setattr(services.timezone, "now", lambda: BOOKED_AT)
    ids = [message.pk for message in rows]

    assert tasks.send_messages(ids) == ["sent"] * len(ids)
    assert tasks.send_messages(ids) == ["not_claimed"] * len(ids)  # delivered again: nothing twice
    assert sorted(mail.outbox[i].extra_headers["Message-ID"] for i in range(len(ids))) == sorted(
        f"<outbox-{pk}@clinic-booking>" for pk in ids
    )
    assert len(mail.outbox) == len(ids)


def test_a_send_task_spends_one_statement_a_row_and_three_for_the_batch(appointment, monkeypatch):
    # The claim and the read are one statement each for the batch; each row's hand-over also
    # records the row before it sent; the last row is recorded sent at the end. Every row once
    # took four (claim, read, hand-over, sent): a regression of the batching fails here.
    OutboxMessage.objects.filter(appointment=appointment).update(due_at=BOOKED_AT)
    monkeypatch.setattr(services.timezone, "now", lambda: BOOKED_AT)
    ids = sorted(OutboxMessage.objects.filter(appointment=appointment).values_list("id", flat=True))
    assert len(ids) == 3

    with CaptureQueriesContext(connection) as statements:
        assert tasks.send_messages(ids) == ["sent"] * len(ids)

    assert len(statements) == len(ids) + 3, [query["sql"] for query in statements]
    assert dict(OutboxMessage.objects.filter(pk__in=ids).values_list("pk", "status")) == dict.fromkeys(ids, Status.SENT)
    assert sorted(OutboxMessage.objects.filter(pk__in=ids).values_list("provider_message_id", flat=True)) == sorted(
        f"outbox-{pk}" for pk in ids
    )


def test_rows_claimed_by_another_process_in_the_same_instant_are_left_to_recovery(appointment):
    # Two tasks carrying the same ids, claiming in the same microsecond: the claim's time cannot
    # tell whose rows are whose, so neither sends anything now (recovery hands them out later).
    first, second, *_ = OutboxMessage.objects.filter(appointment=appointment).order_by("id")
    OutboxMessage.objects.filter(pk__in=[first.pk, second.pk]).update(due_at=BOOKED_AT)
    OutboxMessage.objects.filter(pk=first.pk).update(status=Status.SENDING, claimed_at=BOOKED_AT, attempts=1)

    assert services.outbox_send_many(message_ids=[first.pk, second.pk], now=BOOKED_AT) == ["not_claimed"] * 2
    assert mail.outbox == []
    assert OutboxMessage.objects.get(pk=second.pk).status == Status.SENDING


def test_the_sweep_publishes_the_due_rows_in_tasks_of_send_batch_ids(appointment, monkeypatch):
    OutboxMessage.objects.filter(appointment=appointment).update(due_at=BOOKED_AT)
    published: list[list[int]] = []
    monkeypatch.setattr(tasks, "SEND_BATCH", 2)
    monkeypatch.setattr(tasks.send_messages.app, "producer_or_acquire", contextlib.nullcontext)
    monkeypatch.setattr(tasks.send_messages, "apply_async", lambda args, producer: published.append(args[0]))
    monkeypatch.setattr(tasks.timezone, "now", lambda: BOOKED_AT)

    assert tasks.sweep_due_messages() == 3
    due = sorted(OutboxMessage.objects.filter(appointment=appointment).values_list("id", flat=True))
    assert published == [due[:2], due[2:]]


def test_the_sweep_pages_through_a_backlog_larger_than_one_batch(appointment, monkeypatch):
    OutboxMessage.objects.filter(appointment=appointment).update(due_at=BOOKED_AT)
    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "SWEEP_BATCH", 1)
    monkeypatch.setattr(tasks, "_enqueue_sends", enqueued.extend)
    monkeypatch.setattr(tasks.timezone, "now", lambda: BOOKED_AT)

    assert tasks.sweep_due_messages() == 3
    assert sorted(enqueued) == sorted(
        OutboxMessage.objects.filter(appointment=appointment).values_list("id", flat=True)
    )


def test_a_row_that_keeps_killing_its_worker_fails_instead_of_looping(appointment):
    stuck = row(appointment, Kind.CONFIRMATION)
    OutboxMessage.objects.filter(pk=stuck.pk).update(
        status=Status.SENDING, attempts=services.MAX_ATTEMPTS, claimed_at=BOOKED_AT - STUCK_AFTER * 2
    )

    assert services.outbox_recover_stuck(now=BOOKED_AT) == 0
    stuck.refresh_from_db()
    assert (stuck.status, stuck.last_error) == (Status.FAILED, "WorkerLost")
