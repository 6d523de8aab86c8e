"""What the notification integration tests share: an SMTP sink, a real Celery worker process, a
producer that talks to the worker's broker, and a private Redis server.

The Redis variants run when REDIS_URL is set (CI's Redis run) but on a ``redis-server`` of their
own, on a free port: a shared server's database can be flushed or consumed by another run (a
benchmark, a second test session) in the middle of a test, and the chaos test kills its server.

The worker is a separate process with the development settings (real SMTP, a real broker), so it
must see the test's committed rows: tests using it are ``django_db(transaction=True)`` and the
worker gets a DATABASE_URL pointing at the test database itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from celery import Celery
from django.db import connection

from notifications.models import OutboxMessage, Status

ROOT = Path(__file__).resolve().parents[2]
CELERY = [sys.executable, "-m", "celery", "-A", "config"]
# The Redis variants run in CI's Redis run (REDIS_URL set), each on a private redis-server.
only_with_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="runs with REDIS_URL (CI's Redis run)")
# Words no message may carry (SPEC.md section 5).
FORBIDDEN_WORDS = ("ketamine", "infusion", "evaluation", "psychiatric", "depression", "addiction")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, seconds: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


# -- SMTP sink -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedEmail:
    message_id: str
    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[tuple[str, str, bytes], ...]  # file name, content type, content

    @property
    def outbox_id(self) -> int | None:
        """The outbox row this email was sent for, from its Message-ID ``<outbox-{id}@...>``."""
        local = self.message_id.strip("<>").partition("@")[0]
        prefix, _, number = local.partition("-")
        return int(number) if prefix == "outbox" and number.isdigit() else None


def _decoded(payload: object) -> bytes:
    return payload if isinstance(payload, bytes) else b""


class _Recorder:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.received: list[ReceivedEmail] = []
        self.refusals_left = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.refusals_left:
                self.refusals_left -= 1
                return "554 5.3.0 Transaction failed"
        raw = envelope.original_content or envelope.content or b""
        parsed = BytesParser(policy=policy.default).parsebytes(raw if isinstance(raw, bytes) else raw.encode())
        body_part = parsed.get_body(preferencelist=("plain",))
        attachments = tuple(
            (part.get_filename() or "", part.get_content_type(), _decoded(part.get_payload(decode=True)))
            for part in parsed.iter_attachments()
        )
        email = ReceivedEmail(
            message_id=str(parsed["Message-ID"] or ""),
            to=tuple(envelope.rcpt_tos),
            subject=str(parsed["Subject"] or ""),
            body=body_part.get_content() if body_part is not None else "",
            attachments=attachments,
        )
        # Recorded once the whole message is in, end-of-data line included: from here on it counts
        # as delivered, even if the sender dies before it reads the reply.
        with self.lock:
            self.received.append(email)
        if self.delay:
            await asyncio.sleep(self.delay)  # the latency of a real server's reply
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server on a free local port that keeps every message it accepts."""

    def __init__(self, *, reply_delay: float = 0.0) -> None:
        self._recorder = _Recorder(reply_delay)
        self.port = free_port()
        self._controller = Controller(self._recorder, hostname="127.0.0.1", port=self.port)
        self._log_level = logging.NOTSET

    def start(self) -> None:
        # aiosmtpd logs every SMTP command at INFO: quiet it, or a failure report drowns in it.
        self._log_level = logging.getLogger("mail.log").level
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
        logging.getLogger("mail.log").setLevel(self._log_level)

    @property
    def received(self) -> list[ReceivedEmail]:
        with self._recorder.lock:
            return list(self._recorder.received)

    def refuse_next(self, count: int) -> None:
        """Answer the next ``count`` messages with a permanent refusal after their data, unkept."""
        with self._recorder.lock:
            self._recorder.refusals_left = count

    def for_outbox(self, outbox_id: int) -> list[ReceivedEmail]:
        return [email for email in self.received if email.outbox_id == outbox_id]

    def count_by_outbox_id(self) -> Counter[int]:
        return Counter(email.outbox_id for email in self.received if email.outbox_id is not None)


@contextmanager
def smtp_sink(*, reply_delay: float = 0.0) -> Iterator[SmtpSink]:
    sink = SmtpSink(reply_delay=reply_delay)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


# -- broker and producer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Broker:
    """The worker's broker: a folder (kombu's filesystem transport) or a Redis URL."""

    folder: Path | None = None
    redis_url: str | None = None

    @classmethod
    def filesystem(cls, folder: Path) -> Broker:
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder=folder)

    def environment(self) -> dict[str, str]:
        if self.redis_url:
            return {"REDIS_URL": self.redis_url}
        assert self.folder is not None
        return {"CELERY_FILESYSTEM_BROKER_DIR": str(self.folder)}

    def _app(self) -> Celery:
        """A Celery app of its own, configured as config/settings/base.py configures the worker's."""
        if self.redis_url:
            return Celery("integration-producer", broker=self.redis_url, set_as_current=False)
        assert self.folder is not None
        app = Celery("integration-producer", broker="filesystem://localhost/", set_as_current=False)
        app.conf.update(
            broker_transport="config.kombu_filesystem:Transport",  # as the settings say
            broker_transport_options={
                "data_folder_in": str(self.folder),
                "data_folder_out": str(self.folder),
                "control_folder": str(self.folder / "control"),
                "store_processed": False,
            },
        )
        return app

    def send(self, task: str, *args: Any) -> None:
        """Publish one task as the application would (ids only), then drop the connection."""
        self.send_each(task, [args])

    def send_each(self, task: str, arguments: Iterable[tuple[Any, ...]]) -> None:
        """Publish ``task`` once per tuple of arguments, over one connection."""
        app = self._app()
        try:
            with app.producer_or_acquire() as producer:
                for args in arguments:
                    app.send_task(task, args=list(args), producer=producer)
        finally:
            app.close()

    def sweep(self) -> None:
        self.send("notifications.tasks.sweep_due_messages")


# -- the worker process ----------------------------------------------------------------------------


def database_url() -> str:
    """A URL for the database this test is using (the test database), for another process."""
    settings = connection.settings_dict
    engine = settings["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(settings["NAME"])
        assert name, "the SQLite database has no file"
        assert ":memory:" not in name, "an in-memory SQLite is not shared"
        assert "mode=memory" not in name, "an in-memory SQLite is not shared"
        return f"sqlite:///{Path(name).resolve()}"
    assert engine == "django.db.backends.postgresql", f"no URL for {engine}"
    user = quote(str(settings.get("USER") or ""), safe="")
    password = quote(str(settings.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(str(settings['NAME']), safe='')}"


def worker_environment(tmp_path: Path, *, broker: Broker, smtp_port: int) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "EMAIL_URL", "CELERY_FILESYSTEM_BROKER_DIR", "FILE_CACHE_DIR"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="False",
        DATABASE_URL=database_url(),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        FILE_CACHE_DIR=str(tmp_path / "cache"),
        LOG_LEVEL="INFO",
        **broker.environment(),
    )
    return environment


class Worker:
    """``celery -A config worker`` in a process group of its own, so it can be killed whole."""

    def __init__(
        self,
        environment: dict[str, str],
        log_path: Path,
        *,
        concurrency: int | None = None,
        prefetch_multiplier: int | None = None,
    ) -> None:
        self.environment = environment
        self.log_path = log_path
        self.concurrency = concurrency
        self.prefetch_multiplier = prefetch_multiplier
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        pool = ["--pool=solo"] if self.concurrency is None else ["--pool=prefork", f"--concurrency={self.concurrency}"]
        if self.prefetch_multiplier is not None:
            pool.append(f"--prefetch-multiplier={self.prefetch_multiplier}")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *CELERY,
                    "worker",
                    *pool,
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    f"--hostname=integration-{os.getpid()}-{time.monotonic_ns()}@%h",
                ],
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def group_is_gone(self) -> bool:
        """No live process is left in the worker's group (a zombie awaiting its reaper is dead)."""
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return True
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # exited while we looked
            state, process_group = fields[0], int(fields[2])
            if process_group == self.pid and state not in {"Z", "X"}:
                return False
        return Path("/proc/self/stat").exists()

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: no shutdown, no acknowledgements."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        assert wait_until(self.group_is_gone, seconds=10), "a pool process survived SIGKILL"

    def stop(self) -> None:
        """A warm shutdown (SIGTERM to the main process), then SIGKILL for whatever is left."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        if not self.group_is_gone():
            self.kill()
        self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def running_worker(
    environment: dict[str, str],
    log_path: Path,
    *,
    concurrency: int | None = None,
    prefetch_multiplier: int | None = None,
) -> Iterator[Worker]:
    worker = Worker(environment, log_path, concurrency=concurrency, prefetch_multiplier=prefetch_multiplier).start()
    try:
        yield worker
    finally:
        worker.stop()


# -- the outbox seen from the test -----------------------------------------------------------------


def statuses(ids: Iterable[int]) -> Counter[str]:
    return Counter(OutboxMessage.objects.filter(pk__in=list(ids)).values_list("status", flat=True))


def drain(broker: Broker, ids: list[int], worker: Worker, *, seconds: float, idle: float = 2.5) -> bool:
    """Sweep until none of ``ids`` is pending, sending or delivering; sweep again whenever the worker has
    gone idle with rows still pending (as beat does every minute). The queue is only a trigger:
    the outbox rows are the truth. Sweeping only when idle keeps the queue from filling up with
    copies of ids still waiting in it."""
    deadline = time.monotonic() + seconds
    unfinished = {Status.PENDING, Status.SENDING, Status.DELIVERING}
    broker.sweep()
    last = statuses(ids)
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        assert worker.is_alive(), worker.log()[-3000:]
        time.sleep(0.1)
        now_seen = statuses(ids)
        if not unfinished & set(now_seen):
            return True
        if now_seen != last:
            last, last_change = now_seen, time.monotonic()
        elif time.monotonic() - last_change > idle:
            broker.sweep()
            last_change = time.monotonic()
    return False


# -- a private Redis server ------------------------------------------------------------------------


class RedisServer:
    """``redis-server`` on a port of its own, without persistence: a restart starts empty."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = shutil.which("redis-server")
        assert executable, "redis-server is not installed"
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    executable,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert wait_until(self.answers, seconds=10, interval=0.05), "the private redis-server did not start"

    def answers(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def private_redis(folder: Path) -> Iterator[RedisServer]:
    folder.mkdir(parents=True, exist_ok=True)
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()
