from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from notifications.heartbeat import HEARTBEAT_CACHE_KEY


@shared_task(ignore_result=True)
def worker_heartbeat() -> str:
    """Beat sends this every minute; the worker records when it last ran one (see /healthz)."""
    seen_at = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, seen_at, timeout=None)
    return seen_at
