"""One REDIS_URL, spelt for each of its two readers.

``redis://host:port/db`` (or ``rediss://``) reads the same for both. A Unix socket, which
``make run``'s private Redis listens on, is ``unix:///path/redis.sock?db=N`` for redis-py (Django's
RedisCache) and ``redis+socket:///path/redis.sock?virtual_host=N`` for kombu (the Celery broker).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def celery_broker_url(redis_url: str) -> str:
    """The Celery broker URL for ``redis_url``."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    database = parse_qs(parts.query).get("db", [""])[0]
    query = f"?virtual_host={database}" if database else ""
    return f"redis+socket://{parts.path}{query}"
