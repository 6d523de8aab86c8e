"""The hand-over's COMMIT on PostgreSQL, sent without waiting (notifications.unawaited_commit):
a worker killed before COMMIT leaves the row ``sending`` (its transaction rolls back with the
connection), and a normal send leaves the row ``sent`` and the connection ready for the next
query. Autocommit (``transaction=True``), as in a worker."""

import pytest
from django.db import connection, transaction

from notifications import unawaited_commit
from notifications.models import Kind, OutboxMessage, Status
from notifications.services import outbox_send
from tests.notifications.support import BOOKED_AT, row

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the unawaited COMMIT is PostgreSQL's"),
]


class Killed(BaseException):
    pass


def test_a_send_commits_the_hand_over_and_leaves_the_connection_idle(appointment, sink, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)
    sent_commits: list[bool] = []
    pending_commit = unawaited_commit.PendingCommit

    def recording(*args):
        sent_commits.append(True)
        return pending_commit(*args)

    monkeypatch.setattr(unawaited_commit, "PendingCommit", recording)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == Status.SENT

    assert sent_commits == [True]  # the unawaited path was taken
    assert connection.connection.pgconn.transaction_status == 0  # idle: COMMIT's answer was read
    confirmation.refresh_from_db()
    assert confirmation.status == Status.SENT
    assert [email.outbox_id for email in sink.received] == [confirmation.pk]


def test_a_worker_killed_before_its_commit_went_out_leaves_the_row_sending(appointment, sink, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)

    def killed_before_commit(*args):
        connection.connection.pgconn.finish()  # the process dies: its connections close
        raise Killed

    monkeypatch.setattr(unawaited_commit, "PendingCommit", killed_before_commit)
    with pytest.raises(Killed):
        outbox_send(message_id=confirmation.pk, now=BOOKED_AT)
    connection.close()
    monkeypatch.undo()

    # Seen from a new connection: the update to "delivering" rolled back with the dead one.
    assert OutboxMessage.objects.get(pk=confirmation.pk).status == Status.SENDING
    assert sink.received == []


def test_a_commit_that_fails_is_reported_and_nothing_more_is_written(appointment, sink, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)

    def commit_lost(self):
        raise unawaited_commit.CommitFailed

    monkeypatch.setattr(unawaited_commit.PendingCommit, "settle", commit_lost)

    assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == "handover_failed"
    assert [email.outbox_id for email in sink.received] == [confirmation.pk]
    # (the real COMMIT went through here, so the row says delivering; recovery makes it unconfirmed)
    assert OutboxMessage.objects.get(pk=confirmation.pk).status == Status.DELIVERING


def test_inside_an_atomic_block_the_hand_over_is_an_ordinary_update(appointment, sink, monkeypatch):
    confirmation = row(appointment, Kind.CONFIRMATION)
    monkeypatch.setattr(unawaited_commit, "PendingCommit", None)  # would fail if used

    with transaction.atomic():
        assert outbox_send(message_id=confirmation.pk, now=BOOKED_AT) == Status.SENT
    assert [email.outbox_id for email in sink.received] == [confirmation.pk]
