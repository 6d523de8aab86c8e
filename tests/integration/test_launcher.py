"""`make run` itself (config/run_local.py), started as a process on a free port with a database and
a run directory of its own: its sign-up link points at the port it serves, and a worker killed
under it comes back while the web server keeps answering. One launcher serves both tests."""

from __future__ import annotations

import html
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from celery import Celery

from bench.launcher import Launcher, is_alive, wait_until
from config.settings.redis_url import celery_broker_url

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("make-run")]


@pytest.fixture(scope="module")
def launcher(tmp_path_factory) -> Iterator[Launcher]:
    running = Launcher(tmp_path_factory.mktemp("make-run")).start()
    try:
        yield running
    finally:
        assert running.stop() == 0, running.log()[-3000:]
        assert "[make run] stopping web, beat and worker, then Redis" in running.log()


def test_make_run_serves_on_a_private_redis_and_its_sign_up_link_points_at_its_port(launcher):
    answer = requests.post(
        f"{launcher.base_url}/api/v1/auth/register/",
        json={
            "email": "robin@example.com",
            "password": "violet-harbor-lantern-42",
            "first_name": "Robin",
            "last_name": "Hale",
            "date_of_birth": "1990-02-14",
            "phone": "(415) 555-0123",
        },
        timeout=30,
    )
    assert answer.status_code == 202, answer.text

    page = requests.get(f"{launcher.base_url}/dev/mail/", timeout=30).text
    links = re.findall(r'<a href="([^"]+/signup/confirm/[^"]+)"', page)
    assert len(links) == 1, page
    link = html.unescape(links[0])
    assert link.startswith(f"http://127.0.0.1:{launcher.port}/signup/confirm/")
    opened = requests.get(link, allow_redirects=False, timeout=30)
    assert opened.status_code == 200  # the link's page: it asks for the password and changes nothing
    token = link.rstrip("/").rsplit("/", 1)[1]
    confirm = {"token": token, "password": "violet-harbor-lantern-42"}  # the password chosen at the sign-up
    confirmed = requests.post(f"{launcher.base_url}/api/v1/auth/register/confirm/", json=confirm, timeout=30)
    assert (confirmed.status_code, sorted(confirmed.json())) == (200, ["access", "refresh"]), confirmed.text
    status = launcher.status()
    assert (status["broker"], status["site_url"]) == ("redis", launcher.base_url)
    assert oct(launcher.run_dir.joinpath("redis.sock").stat().st_mode & 0o777) == "0o700"


class HealthWatch:
    """Asks /healthz every 0.2 s in a thread; counts the answers that were not 200."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.answers = 0
        self.failures: list[str] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.is_set():
            try:
                status = requests.get(f"{self.base_url}/healthz", timeout=5).status_code
                self.answers += 1
                if status != 200:
                    self.failures.append(str(status))
            except requests.RequestException as error:
                self.failures.append(type(error).__name__)
            self._done.wait(0.2)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(10)

    def worker_last_seen_at(self) -> datetime | None:
        seen = requests.get(f"{self.base_url}/healthz", timeout=5).json()["worker_last_seen_at"]
        return datetime.fromisoformat(seen) if seen else None


def _send_heartbeat_task(launcher: Launcher) -> None:
    """What beat sends every minute, sent now, straight to the launcher's private Redis."""
    broker = celery_broker_url(f"unix://{launcher.status()['redis_socket']}")
    app = Celery("launcher-test-producer", broker=broker, set_as_current=False)
    try:
        app.send_task("notifications.tasks.worker_heartbeat")
    finally:
        app.close()


def test_a_killed_worker_is_restarted_and_works_while_the_web_server_keeps_answering(launcher):
    killed = launcher.pid("worker")
    assert killed is not None

    with HealthWatch(launcher.base_url) as health:
        killed_at = datetime.now(UTC)
        os.kill(killed, signal.SIGKILL)
        assert wait_until(lambda: not is_alive(killed), seconds=10)
        assert wait_until(lambda: launcher.restarts().get("worker") == 1, seconds=60), launcher.log()[-3000:]
        restarted = launcher.pid("worker")
        assert restarted not in {None, killed}
        _send_heartbeat_task(launcher)
        assert wait_until(lambda: (health.worker_last_seen_at() or killed_at) > killed_at, seconds=90, interval=0.5), (
            launcher.log()[-3000:]
        )
        time.sleep(1)  # a last few answers after the worker is back

    assert health.failures == []
    assert health.answers >= 10
    assert launcher.restarts() == {"redis": 0, "worker": 1, "beat": 0, "web": 0}
    assert f"[make run] worker (pid {killed}) exited with -9" in launcher.log()
