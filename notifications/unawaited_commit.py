"""A PostgreSQL commit sent without waiting for its answer: the outbox hand-over's last step.

The hand-over must be in the database before the channel releases a message (the end-of-data
line). Waiting for COMMIT's answer first leaves a gap: the database has committed "delivering",
the worker is still waiting to be told so, and a worker killed then leaves a row that says
delivering and a message never released (lost). On a busy machine that gap is a round trip plus
the worker's wake-up, a fraction of a millisecond each time. Sending COMMIT and releasing the
message straight after, then reading COMMIT's answer, narrows it to the moment between two
writes: a worker killed before COMMIT is sent leaves an open transaction, which PostgreSQL rolls
back, so the row is still ``sending`` and the message is sent again.

The price: should COMMIT then fail (the database lost in that very instant), the message is out
while the row still says ``sending``, and recovery would send it a second time.

Only where the connection is in autocommit, as in a Celery worker; inside an atomic block (tests,
or a caller's transaction) the hand-over is an ordinary update.
"""

from __future__ import annotations

import contextlib
import select
from collections.abc import Callable

from django.db import connection


class CommitFailed(Exception):
    """PostgreSQL did not confirm the commit of the hand-over."""


def can_commit_unawaited() -> bool:
    return connection.vendor == "postgresql" and connection.get_autocommit() and not connection.in_atomic_block


class PendingCommit:
    """A COMMIT on its way: ``settle()`` reads its answer, and must run before the next query."""

    def __init__(self) -> None:
        self._pgconn = connection.connection.pgconn
        self._pgconn.send_query(b"COMMIT")
        while self._pgconn.flush():  # psycopg keeps libpq non-blocking: push the whole command out
            select.select([], [self._pgconn.socket], [])

    def settle(self) -> None:
        pgconn = self._pgconn
        failed = False
        while True:
            while pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                break
            failed = failed or result.error_message != b""
        if failed:
            raise CommitFailed


def write_then_send_commit(write: Callable[[], bool]) -> PendingCommit | None:
    """Run ``write`` in a transaction of its own and send COMMIT without waiting; roll back and
    return None when ``write`` returns False (nothing to commit)."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            wrote = write()
        except BaseException:
            with contextlib.suppress(Exception):  # a broken connection rolls back by itself
                cursor.execute("ROLLBACK")
            raise
        if not wrote:
            cursor.execute("ROLLBACK")
            return None
    return PendingCommit()
