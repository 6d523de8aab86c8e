"""Celery tasks: ids in, fresh rows loaded, a service called; every task is safe to run twice."""

from collections.abc import Sequence

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from notifications.heartbeat import HEARTBEAT_CACHE_KEY
from notifications.services import (
    SWEEP_BATCH,
    SWEEP_MAX_BATCHES,
    outbox_due_ids,
    outbox_recover_stuck,
    outbox_send,
    outbox_send_many,
)

# Rows per send task: a task's own cost (the broker's delivery and acknowledgement, the pool's
# hand-off) is about a no-op task's, shared by the rows it carries. The rows are claimed and read
# together (``outbox_send_many``); each is still re-checked and handed over on its own. A task
# lost with its worker is delivered again (late acknowledgement), and rows it had claimed are then
# not claimed twice.
SEND_BATCH = 20


@shared_task(ignore_result=True)
def worker_heartbeat() -> str:
    """Beat sends this every minute; the worker records when it last ran one (see /healthz)."""
    seen_at = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, seen_at, timeout=None)
    return seen_at


@shared_task(ignore_result=True)
def sweep_due_messages() -> int:
    """Beat runs this every minute: put rows stuck in sending back, then enqueue what is due.

    Enqueuing a row twice is harmless: only one send claims it.
    """
    now = timezone.now()
    outbox_recover_stuck(now=now)
    enqueued = 0
    last_id = 0
    # Page through every due row by id: a backlog drains as fast as the workers go, not at one
    # batch per minute.
    for _ in range(SWEEP_MAX_BATCHES):
        due = outbox_due_ids(now=now, after_id=last_id, limit=SWEEP_BATCH)
        _enqueue_sends(due)
        enqueued += len(due)
        if len(due) < SWEEP_BATCH:
            break
        last_id = due[-1]
    return enqueued


def _enqueue_sends(message_ids: Sequence[int]) -> None:
    # One producer (one broker connection and channel) for the whole page: ``delay()`` takes one
    # from the pool and gives it back for every task, which cost the sweep about a millisecond a row.
    if not message_ids:
        return
    with send_messages.app.producer_or_acquire() as producer:
        for first in range(0, len(message_ids), SEND_BATCH):
            send_messages.apply_async((list(message_ids[first : first + SEND_BATCH]),), producer=producer)


@shared_task(ignore_result=True, acks_late=True)
def send_messages(message_ids: list[int]) -> list[str]:
    """Send the rows, claimed together, each on its own terms (``outbox_send_many``); safe to run twice."""
    return outbox_send_many(message_ids=message_ids)


@shared_task(ignore_result=True, acks_late=True)
def send_message(message_id: int) -> str:
    """One row (tasks queued before the sweep sent them in batches, or sent by hand)."""
    return outbox_send(message_id=message_id)
