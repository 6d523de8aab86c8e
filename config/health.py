"""``/healthz``: 200 when the database answers, 503 when it does not."""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from notifications.heartbeat import HEARTBEAT_CACHE_KEY

logger = logging.getLogger(__name__)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    try:
        worker_seen_at = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # the cache is informative here, never a reason to fail the check
        worker_seen_at = None
    return JsonResponse({"status": "ok", "database": "up", "worker_last_seen_at": worker_seen_at})
