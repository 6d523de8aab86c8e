"""A real `celery -A config worker` process runs a task sent by a real producer process.

Runs over the embedded filesystem broker (what `make run` uses) and, when REDIS_URL is set,
over Redis (what production uses). The task records its heartbeat in the shared cache, which
this test reads directly.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

from notifications.heartbeat import HEARTBEAT_CACHE_KEY

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CELERY = [sys.executable, "-m", "celery", "-A", "config"]


def _redis_test_url() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    # A database of its own, so the test never consumes another process's messages.
    return urlsplit(url)._replace(path="/14").geturl()


def _environment(tmp_path: Path, redis_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        CELERY_FILESYSTEM_BROKER_DIR=str(tmp_path / "broker"),
        FILE_CACHE_DIR=str(tmp_path / "cache"),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    (tmp_path / "broker").mkdir()
    return env


def _cache(tmp_path: Path, redis_url: str | None):
    if redis_url:
        return RedisCache(redis_url, {})
    return FileBasedCache(str(tmp_path / "cache"), {})


def _close(cache) -> None:
    # Django's RedisCache keeps its connection pools open for the life of the process.
    for pool in getattr(cache._cache, "_pools", {}).values() if isinstance(cache, RedisCache) else ():
        pool.disconnect()


def _wait_for_heartbeat(cache, worker: subprocess.Popen, seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen_at = cache.get(HEARTBEAT_CACHE_KEY)
        if seen_at:
            return seen_at
        assert worker.poll() is None, "the worker exited early"
        time.sleep(0.2)
    return None


def _run_worker_round_trip(tmp_path: Path, redis_url: str | None) -> str | None:
    env = _environment(tmp_path, redis_url)
    cache = _cache(tmp_path, redis_url)
    cache.delete(HEARTBEAT_CACHE_KEY)
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [*CELERY, "worker", "--pool=solo", "--loglevel=INFO", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        subprocess.run(
            [*CELERY, "call", "notifications.tasks.worker_heartbeat"], cwd=ROOT, env=env, check=True, timeout=60
        )
        return _wait_for_heartbeat(cache, worker, seconds=45)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        cache.delete(HEARTBEAT_CACHE_KEY)
        _close(cache)


def test_a_real_worker_runs_a_task_sent_through_the_embedded_filesystem_broker(tmp_path):
    seen_at = _run_worker_round_trip(tmp_path, redis_url=None)

    assert seen_at is not None, (tmp_path / "worker.log").read_text()
    assert seen_at.startswith("20")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the PostgreSQL/Redis CI run sets it)")
def test_a_real_worker_runs_a_task_sent_through_redis(tmp_path):
    seen_at = _run_worker_round_trip(tmp_path, redis_url=_redis_test_url())

    assert seen_at is not None, (tmp_path / "worker.log").read_text()
    assert seen_at.startswith("20")


def test_without_a_worker_the_task_is_not_run(tmp_path):
    """Control: the heartbeat appears only because a worker ran the task."""
    env = _environment(tmp_path, redis_url=None)
    cache = _cache(tmp_path, None)
    subprocess.run([*CELERY, "call", "notifications.tasks.worker_heartbeat"], cwd=ROOT, env=env, check=True, timeout=60)
    time.sleep(1)

    assert cache.get(HEARTBEAT_CACHE_KEY) is None
    assert list((tmp_path / "broker").iterdir()), "the message waits in the broker folder"
