"""Sending outbox rows: claim one row by a conditional update, re-check the appointment at send
time, deliver with a hand-over (notifications.delivery), record the result; retry with bounded
backoff; recover rows whose worker died."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from booking.models import AppointmentStatus
from clinical.questionnaire_selectors import questionnaires_waiting_for
from notifications.channels import channel_deliver
from notifications.delivery import DeliveryRefused
from notifications.messages import message_render
from notifications.models import ALERT_KINDS, REMINDER_KINDS, Kind, OutboxMessage, Status
from notifications.unawaited_commit import CommitFailed, PendingCommit, can_commit_unawaited, write_then_send_commit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LATE_CUTOFF = timedelta(hours=1)  # a reminder this far past its moment is skipped, not sent late
STUCK_AFTER = timedelta(minutes=10)  # a claim this old belongs to a worker that died
SWEEP_BATCH = 1000
SWEEP_MAX_BATCHES = 100  # one sweep enqueues up to 100,000 rows; the next minute takes the rest


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes, at most 30."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 30))


def outbox_due_ids(*, now: datetime, after_id: int = 0, limit: int = SWEEP_BATCH) -> list[int]:
    """Due pending rows by id, from ``after_id`` on: the sweep pages through all of them."""
    return list(
        OutboxMessage.objects.filter(status=Status.PENDING, due_at__lte=now, id__gt=after_id)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def outbox_recover_stuck(*, now: datetime) -> int:
    """Rows whose worker died: before the hand-over they go back to pending (the server threw the
    half-sent message away), or fail once out of attempts, so that a message that kills its worker
    every time does not loop forever; after it they become ``unconfirmed``, never resent.
    Returns how many rows went back to pending."""
    cutoff = now - STUCK_AFTER
    handed_over = OutboxMessage.objects.filter(status=Status.DELIVERING, claimed_at__lt=cutoff)
    for message_id in handed_over.values_list("id", flat=True):
        logger.warning("outbox message %s: worker lost after the hand-over; delivery unconfirmed", message_id)
    handed_over.update(status=Status.UNCONFIRMED, last_error="WorkerLost")
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(status=Status.FAILED, last_error="WorkerLost")
    return stuck.filter(attempts__lt=MAX_ATTEMPTS).update(status=Status.PENDING)


class _Handover:
    """Records a claimed row as delivering, in its own commit, if the claim is still ours.

    On PostgreSQL in a worker, COMMIT is sent but not awaited (notifications.unawaited_commit):
    ``settle()`` reads its answer once the channel has released the message.

    ``delivered`` holds the batch's rows whose provider took their message and that are not yet
    recorded sent (id: provider id): the same statement records them, so a batch spends one
    statement and one commit per row instead of two of each. Until then such a row says
    ``delivering``, and a worker killed meanwhile leaves it ``unconfirmed`` (never resent, as
    before): the window is one message longer than with its own update, and it never loses or
    duplicates a message.
    """

    def __init__(self, message_id: int, claimed_at: datetime, delivered: dict[int, str] | None = None) -> None:
        self.ours = OutboxMessage.objects.filter(pk=message_id, claimed_at=claimed_at)
        self.delivered = dict(delivered or {})
        self.passed = False
        self._pending_commit: PendingCommit | None = None

    def _record(self) -> bool:
        this = self.ours.filter(status=Status.SENDING)
        if not self.delivered:
            return this.update(status=Status.DELIVERING, sent_at=timezone.now()) == 1
        earlier = OutboxMessage.objects.filter(pk__in=list(self.delivered), status=Status.DELIVERING)
        is_this = Q(status=Status.SENDING)  # the earlier rows say delivering
        written = (this | earlier).update(
            status=Case(When(is_this, then=Value(Status.DELIVERING)), default=Value(Status.SENT)),
            sent_at=Case(When(is_this, then=Value(timezone.now())), default=F("sent_at")),
            provider_message_id=Case(
                *(When(pk=pk, then=Value(provider_id)) for pk, provider_id in self.delivered.items()),
                default=F("provider_message_id"),
            ),
            last_error=Case(When(is_this, then=F("last_error")), default=Value("")),
        )
        # Anything but every row means the claim may not be ours: on the unawaited path the whole
        # transaction is rolled back (nothing sent, the row recovered as today).
        return written == len(self.delivered) + 1

    def __call__(self) -> bool:
        assert not self.passed, "a message is handed over once"
        if can_commit_unawaited():
            self._pending_commit = write_then_send_commit(self._record)
            self.passed = self._pending_commit is not None
        else:
            # Written as it goes (no transaction of its own): ask the row itself if in doubt.
            self.passed = self._record() or (
                bool(self.delivered) and self.ours.filter(status=Status.DELIVERING).exists()
            )
        return self.passed

    def settle(self) -> None:
        """Read the answer to a COMMIT still on its way; raises CommitFailed."""
        pending, self._pending_commit = self._pending_commit, None
        if pending is not None:
            pending.settle()


def _record_sent(delivered: dict[int, str]) -> None:
    """Record rows whose provider took their message as sent (idempotent: only from delivering)."""
    if delivered:
        OutboxMessage.objects.filter(pk__in=list(delivered), status=Status.DELIVERING).update(
            status=Status.SENT,
            provider_message_id=Case(
                *(When(pk=pk, then=Value(pid)) for pk, pid in delivered.items()), default=F("provider_message_id")
            ),
            last_error="",
        )


def _still_wanted(message: OutboxMessage) -> bool:
    """The check-in form's message is pointless once every form is answered (or closed)."""
    if message.kind != Kind.QUESTIONNAIRE or message.appointment_id is None:
        return True
    return questionnaires_waiting_for(appointment_id=message.appointment_id)


def _why_not_send(message: OutboxMessage, *, now: datetime) -> str | None:
    """A reason to cancel or skip the row instead of sending it, from the state at send time."""
    if message.kind in ALERT_KINDS:
        return _why_not_send_alert(message)
    return _why_not_send_appointment(message, now=now)


def _why_not_send_alert(message: OutboxMessage) -> str | None:
    """Acknowledged meanwhile: the clinician has nothing left to review."""
    return Status.CANCELLED if message.alert is not None and message.alert.resolved_at is not None else None


def _why_not_send_appointment(message: OutboxMessage, *, now: datetime) -> str | None:
    appointment = message.appointment
    if appointment is None or message.kind == Kind.PROVIDER_LETTER:
        return None  # a letter is sent whatever became of the appointment
    if message.kind == Kind.CANCELLATION:
        return None  # the notice of a cancellation is sent whatever happened since
    if message.kind == Kind.WAITLIST_OFFER:
        # The offer is of a time freed by a cancellation: pointless once that time has come.
        start = message.regarding_start
        return Status.SKIPPED if start is None or now >= start else None
    if message.regarding_start != appointment.starts_at:
        return Status.CANCELLED  # moved: the new time has its own messages
    if message.kind in REMINDER_KINDS:
        if appointment.status != AppointmentStatus.BOOKED or not _still_wanted(message):
            return Status.CANCELLED
        if now - message.due_at > LATE_CUTOFF or now >= appointment.starts_at:
            return Status.SKIPPED
    elif appointment.status == AppointmentStatus.CANCELLED and message.kind != Kind.RESULT_READY:
        return Status.CANCELLED
    return None


def outbox_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one row if it is still due and nobody else holds it; safe to call twice."""
    return outbox_send_many(message_ids=[message_id], now=now)[0]


def outbox_send_many(*, message_ids: Sequence[int], now: datetime | None = None) -> list[str]:
    """Send each row that is still due and held by nobody else, in order; one outcome per id.

    The rows are claimed together, by ONE conditional update (pending and due: a row another
    worker holds, or already sent, is left alone), and read back together in one query, by the
    claim's own time: a claim is the row's status and ``claimed_at``, exactly as when each row was
    claimed alone, so recovery (``outbox_recover_stuck``) puts a row this worker claimed and never
    handed over back to pending, whether the worker died before, during or after its neighbours.
    Everything from the re-check on stays per row: each message is re-checked (against the rows
    and appointments read with the claim, the questionnaires read at that moment) just before it is
    sent, and handed over in its own commit (notifications.delivery). Two statements per batch
    instead of two per row; the price is that a batch's last row is re-checked against state read
    a few sends earlier (SEND_BATCH in notifications.tasks bounds it).
    """
    now = now or timezone.now()
    claimed = OutboxMessage.objects.filter(pk__in=message_ids, status=Status.PENDING, due_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return ["not_claimed"] * len(message_ids)
    ours = {
        message.pk: message
        for message in OutboxMessage.objects.select_related(
            "patient__patient_profile",
            "patient__staff_member",
            "appointment__appointment_type__clinic",
            "alert",
        ).filter(pk__in=message_ids, status=Status.SENDING, claimed_at=now)
    }
    if len(ours) != claimed:
        # Another process claimed rows of these ids in the very same microsecond: which are ours
        # cannot be told apart, so none is sent now; recovery hands them all out again later.
        logger.warning("outbox claim of %s rows read back %s; left to recovery", claimed, len(ours))
        return ["not_claimed"] * len(message_ids)
    delivered: dict[int, str] = {}  # taken by the provider, recorded sent by the next hand-over
    outcomes = [
        _send_claimed(ours[pk], now=now, delivered=delivered) if pk in ours else "not_claimed" for pk in message_ids
    ]
    _record_sent(delivered)
    return outcomes


def _send_claimed(message: OutboxMessage, *, now: datetime, delivered: dict[int, str]) -> str:
    """Re-check, deliver with a hand-over and record the outcome of a row this worker claimed at
    ``now``; a row sent joins ``delivered``, recorded by the next hand-over or at the batch's end."""
    message_id = message.pk
    verdict = _why_not_send(message, now=now)
    if verdict is not None:
        OutboxMessage.objects.filter(pk=message_id, status=Status.SENDING).update(status=verdict)
        return verdict
    handover = _Handover(message_id, claimed_at=now, delivered=delivered)
    try:
        try:
            provider_id = channel_deliver(message, message_render(message), handover)
        finally:
            handover.settle()
            if handover.passed:
                delivered.clear()  # committed with this row's hand-over
    except CommitFailed:
        # The message may be out, and the row still says sending: recovery will send it again.
        # Nothing more is written: the database just failed us.
        logger.error("outbox message %s: the hand-over was not committed", message_id)
        connection.close()
        return "handover_failed"
    except Exception as error:  # the row keeps the class name only, never the text
        if handover.passed and not isinstance(error, DeliveryRefused):
            # The provider may have the message: never send it again.
            handover.ours.filter(status=Status.DELIVERING).update(
                status=Status.UNCONFIRMED, last_error=type(error).__name__
            )
            logger.warning("outbox message %s: delivery unconfirmed (%s)", message_id, type(error).__name__)
            return Status.UNCONFIRMED
        failed_for_good = message.attempts >= MAX_ATTEMPTS
        handover.ours.filter(status__in=(Status.SENDING, Status.DELIVERING)).update(
            status=Status.FAILED if failed_for_good else Status.PENDING,
            due_at=now + backoff(message.attempts),
            sent_at=None,
            last_error=type(error).__name__,
        )
        logger.warning("outbox message %s attempt %s failed: %s", message_id, message.attempts, type(error).__name__)
        return Status.FAILED if failed_for_good else "retry"
    if provider_id is None:
        return "not_claimed"  # recovered and claimed by another worker meanwhile; nothing went out
    delivered[message_id] = provider_id[:200]
    return Status.SENT
