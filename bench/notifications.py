"""Notification dispatch benchmark (SPEC.md section 8): 10,000 due outbox rows, one Celery worker, Redis.

Run from the repository root::

    .venv/bin/python bench/notifications.py                      # 10,000 rows, --concurrency = CPUs
    .venv/bin/python bench/notifications.py --rows 1000          # smoke run
    .venv/bin/python bench/notifications.py --beat-interval 60   # sweep like beat does: once a minute
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_notify_bench \\
        REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/notifications.py --keep

It (re)creates the PostgreSQL database named by ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/clinic_notify_bench``; a name without "bench" gets "_bench"
appended, so a developer's database is never dropped), migrates it and loads the demo clinic (``seed_demo``),
both as ``manage.py`` subprocesses with ``config.settings.dev`` and ``DEBUG=False``. It then
writes, with ``bulk_create``: a few hundred patients, enough future booked infusions (placed so
that PostgreSQL's exclusion constraints on rooms and patients and the nurse capacity hold) and
``--rows`` due email rows in the outbox, every kind of message for each appointment,
``regarding_start`` equal to the appointment's start, ``due_at`` up to 15 minutes in the past.

An SMTP sink (aiosmtpd, in this process, on a free localhost port) receives the mail; the worker
gets ``EMAIL_URL=smtp://127.0.0.1:PORT``. The Redis database of ``REDIS_URL`` (default
``redis://127.0.0.1:6379/12``; a database number of its own, not 0) is flushed, then ONE worker
(``python -m celery -A config worker``, prefork, ``--concurrency``) is started.

The drain: ``notifications.tasks.sweep_due_messages`` (the beat task, executed in this process,
publishing ``send_messages`` tasks of up to ``SEND_BATCH`` ids to the same broker) pages through
every due row, ``SWEEP_BATCH`` ids at a time. By default it is called again whenever the broker
queue runs low and some pending rows are neither queued nor held by the worker; ``--beat-interval
S`` calls it every S seconds instead, as beat does in production (every 60 s). The clock runs from
the first sweep until no row is pending or in flight (``sending`` or ``delivering``). Then the same
worker runs ``--noop`` ``notifications.tasks.worker_heartbeat`` tasks (the cheapest task the app
has: one cache write), pre-queued while its consumer is paused, for a reference rate. Finally small
probes, run from this process with the worker stopped, price the parts of one send: a PostgreSQL
connection; ``outbox_send`` with mail to memory, on a new database connection per call (what the
worker does: Celery's Django fixup closes the connection before and after every task, whatever
``CONN_MAX_AGE``) and on one connection; an SMTP connection per message (what
``EmailMessage.send()`` does) against one shared connection; rendering.

``--concurrency`` defaults to the CPU count: Celery's own default, so what docker-compose.yml's
worker (no ``--concurrency``) runs with on the same machine.

The seed is what booking would have written: each infusion also gets its open questionnaires
(``questionnaires_open_for``, what clinical's listener does on booking), so the "questionnaire"
messages have a form behind them. A row the worker cancels or skips at send time for a reason the
final state states (moved, no longer booked, no form waiting, too late) is printed apart, and is
not a loss.

Checks (exit 1 when one fails): every row sent or withheld for a stated reason; no Message-ID seen
twice at the sink, none missing, no stranger; every published task run by this worker and no other
worker on the Redis database; no forbidden word (SPEC.md section 5) in any delivered message; no
error in the worker log; drain time <= 60 s; messages/s at least a quarter of the no-op tasks/s.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path: the repository root must come before it.
sys.path.insert(0, str(REPO_ROOT))
from bench.databases import bench_url, checked_name, conninfo, drop_database, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_notify_bench"
# Not 13 or 14: tests/integration uses those for its own workers.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
TARGET_SECONDS = 60.0
TARGET_RATIO = 0.25  # messages/s against no-op tasks/s on the same worker (issue 23)
SPEC_ROWS = 10_000
QUEUE = "celery"  # the default queue: the app routes nothing elsewhere
UNACKED = "unacked"  # kombu's Redis transport: delivered, not yet acknowledged messages
MESSAGE_ID = re.compile(r"<outbox-(\d+)@clinic-booking>")
# SPEC.md section 5: words a message to a patient never carries.
FORBIDDEN = re.compile(r"ketamine|infusion|evaluation|psychiatric|depression|addiction|screening|diagnos", re.I)
TIMELINE_STEP = 5.0
LOG_PROBLEMS = re.compile(r"ERROR|CRITICAL|Traceback|Exception|attempt \d+ failed|WorkerLostError")
# Celery's warning when it runs as root (as in a container without USER): noted, not a failure.
LOG_BENIGN = re.compile(r"SecurityWarning|superuser privileges|_warn_or_raise_security_error|uid=\d+ euid=\d+")


# -- throwaway database and broker ----------------------------------------------------------------


def redis_client(url: str) -> Any:
    import redis

    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise SystemExit(f"REDIS_URL must be a redis:// URL, not {parts.scheme!r}.")
    number = parts.path.lstrip("/")
    if not number.isdigit() or int(number) == 0:
        raise SystemExit(
            f"REDIS_URL {url!r} must name a database number of its own (not 0), e.g. {DEFAULT_REDIS_URL}: "
            "the benchmark flushes it."
        )
    return redis.Redis.from_url(url)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"manage.py {args[0]} failed (exit {done.returncode}).")
    return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup_django(env: dict[str, str]) -> None:
    # Run as a script, this file's folder comes first on sys.path, and this file is called
    # notifications.py: without this, "import notifications" would import the benchmark itself.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(here)]
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.update(env)
    import django

    django.setup()


# -- the SMTP sink ----------------------------------------------------------------------------------


@dataclass
class SinkHandler:
    """aiosmtpd handler: keeps every message as received; the parsing waits until the drain is over."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: int = 0
    received: list[tuple[float, bytes]] = field(default_factory=list)

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> Any:
        session.host_name = hostname
        with self.lock:
            self.connections += 1
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        session.host_name = hostname
        with self.lock:
            self.connections += 1
        return f"250 {server.hostname}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        with self.lock:
            self.received.append((time.monotonic(), content))
        return "250 Message accepted"

    def snapshot(self) -> tuple[int, int]:
        with self.lock:
            return self.connections, len(self.received)


@dataclass
class Delivered:
    """What the sink saw, parsed: outbox Message-IDs and their counts, other ids, forbidden words."""

    outbox: Counter[int]
    others: Counter[str]
    forbidden: list[tuple[str, str]]
    total_bytes: int


def parse_delivered(messages: list[bytes], *, skip_words: bool = False) -> Delivered:
    outbox: Counter[int] = Counter()
    others: Counter[str] = Counter()
    forbidden: list[tuple[str, str]] = []
    for raw in messages:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        message_id = str(parsed.get("Message-ID", "")).strip()
        match = MESSAGE_ID.fullmatch(message_id)
        if match:
            outbox[int(match.group(1))] += 1
        else:
            others[message_id or "(none)"] += 1
        if skip_words:
            continue
        texts = [str(parsed.get("Subject", ""))]
        for part in parsed.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
        for text in texts:
            hit = FORBIDDEN.search(text)
            if hit:
                forbidden.append((message_id, hit.group(0)))
    return Delivered(outbox, others, forbidden, sum(len(raw) for raw in messages))


# -- seeding ----------------------------------------------------------------------------------------


@dataclass
class Seeded:
    patients: int
    appointments: int
    rows: int
    kinds: Counter[str]
    first_start: datetime
    last_start: datetime
    slots_per_day: int
    per_slot: int


def _weekdays(first: date) -> Iterator[date]:
    day = first
    while True:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def seed(rows: int, patient_count: int) -> Seeded:
    """Patients, future booked infusions that respect every overlap rule, and the due outbox rows."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import PatientProfile, Role, User
    from booking.models import Appointment, AppointmentStatus
    from clinical.services.questionnaires import questionnaires_open_for
    from notifications.models import PATIENT_KINDS, Channel, OutboxMessage, Status
    from scheduling.models import AppointmentType, Room, RoomKind, StaffMember

    infusion = AppointmentType.objects.select_related("clinic").get(code="infusion")
    clinic = infusion.clinic
    zone = clinic.zone
    rooms = list(
        Room.objects.filter(clinic=clinic, kind=RoomKind.INFUSION, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    nurses = list(
        StaffMember.objects.filter(user__role=Role.NURSE, is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    clinicians = list(
        StaffMember.objects.filter(user__role=Role.CLINICIAN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not rooms or not nurses or not clinicians:
        raise SystemExit(
            f"seed_demo gave {len(rooms)} infusion rooms, {len(nurses)} nurses, {len(clinicians)} clinicians."
        )
    capacity = max(infusion.nurse_capacity, 1)
    per_slot = min(len(rooms), len(nurses) * capacity)  # room i is watched by nurse i // capacity
    step = infusion.room_minutes  # a room is free again after turnover; the patient left before
    opening, closing = 8 * 60, 18 * 60
    starts_of_day = [minute for minute in range(opening, closing - step + 1, step)]
    if patient_count < per_slot:
        raise SystemExit(f"--patients must be at least {per_slot} (appointments at the same time).")

    # The patients' kinds only: a provider's letter needs a letter and an alert's message an alert
    # (each held by a check constraint), and neither is about an appointment.
    kinds = [kind.value for kind in PATIENT_KINDS]
    appointment_count = math.ceil(rows / len(kinds))
    unusable = make_password(None)
    now = timezone.now()
    with transaction.atomic():
        patients = User.objects.bulk_create(
            User(
                email=f"notify-patient{number}@bench.example.com",
                first_name=f"Avery{number}",
                last_name="Bench",
                role=Role.PATIENT,
                password=unusable,
            )
            for number in range(1, patient_count + 1)
        )
        PatientProfile.objects.bulk_create(
            PatientProfile(user=patient, date_of_birth=date(1960 + n % 40, 1 + n % 12, 1), phone="+15105550100")
            for n, patient in enumerate(patients)
        )

        appointments: list[Any] = []
        first_day = now.astimezone(zone).date() + timedelta(days=3)  # every reminder still ahead
        days = _weekdays(first_day)
        while len(appointments) < appointment_count:
            day = next(days)
            for index, minute in enumerate(starts_of_day):
                starts_at = datetime.combine(day, clock(minute // 60, minute % 60), tzinfo=zone)
                for room_index in range(per_slot):
                    if len(appointments) >= appointment_count:
                        break
                    appointments.append(
                        Appointment(
                            patient=patients[len(appointments) % patient_count],
                            appointment_type=infusion,
                            starts_at=starts_at,
                            ends_at=starts_at + timedelta(minutes=infusion.patient_minutes),
                            staff_released_at=starts_at + timedelta(minutes=infusion.duration_minutes),
                            room_released_at=starts_at + timedelta(minutes=infusion.room_minutes),
                            room_id=rooms[room_index],
                            nurse_id=nurses[room_index // capacity],
                            supervising_clinician_id=clinicians[index % len(clinicians)],
                            status=AppointmentStatus.BOOKED,
                        )
                    )
        Appointment.objects.bulk_create(appointments, batch_size=2000)
        # What booking does for every infusion (clinical's listener on the booked event): a PHQ-9
        # and a GAD-7 opening 72 hours before. The questionnaire messages are about those forms.
        for appointment in appointments:
            questionnaires_open_for(appointment, now=now)

        messages = []
        for number in range(rows):
            appointment = appointments[number // len(kinds)]
            messages.append(
                OutboxMessage(
                    patient_id=appointment.patient_id,
                    appointment=appointment,
                    kind=kinds[number % len(kinds)],
                    channel=Channel.EMAIL,
                    regarding_start=appointment.starts_at,
                    # Due up to 15 minutes ago, in a scrambled order: the sweep mixes kinds and appointments.
                    due_at=now - timedelta(seconds=(number * 7919) % 900),
                    status=Status.PENDING,
                )
            )
        OutboxMessage.objects.bulk_create(messages, batch_size=2000)
    return Seeded(
        patients=patient_count,
        appointments=len(appointments),
        rows=len(messages),
        kinds=Counter(message.kind for message in messages),
        first_start=appointments[0].starts_at,
        last_start=appointments[-1].starts_at,
        slots_per_day=len(starts_of_day),
        per_slot=per_slot,
    )


# -- the worker -------------------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    name: str
    log: Path

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_worker(env: dict[str, str], concurrency: int, loglevel: str, log: Path) -> Worker:
    from config.celery import app

    name = f"notify-bench-{os.getpid()}@{socket.gethostname()}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--loglevel={loglevel}",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "-n",
                name,
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool children can be stopped with it
        )
    worker = Worker(process=process, name=name, log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the Celery worker exited with {process.returncode}:\n{worker.tail()}")
        if app.control.ping(destination=[name], timeout=1.0):
            others = [node for reply in app.control.ping(timeout=1.0) or [] for node in reply if node != name]
            if others:
                stop_worker(worker)
                raise SystemExit(f"other workers consume this Redis database too: {others}; use another REDIS_URL.")
            return worker
        time.sleep(0.2)
    stop_worker(worker)
    raise SystemExit(f"the Celery worker did not answer a ping within 60 s:\n{worker.tail()}")


def stop_worker(worker: Worker) -> None:
    if worker.process.poll() is not None:
        return
    worker.process.send_signal(signal.SIGTERM)  # warm shutdown: running tasks finish
    try:
        worker.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait()


def log_problems(log: Path) -> tuple[list[str], int]:
    """Suspicious lines of the worker log, and the number of known benign warning lines."""
    lines = log.read_text(errors="replace").splitlines()
    benign = [line for line in lines if LOG_BENIGN.search(line)]
    return [line for line in lines if LOG_PROBLEMS.search(line) and not LOG_BENIGN.search(line)], len(benign)


# -- CPU accounting (Linux /proc; "n/a" elsewhere) --------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from "state" on; comm may hold spaces


def tree_cpu(root: int | None, *, children: bool = True) -> float | None:
    """CPU seconds of a process, with ``children`` also of its reaped and live children (one level down)."""
    if root is None:
        return None
    fields = _proc_stat(root)
    if fields is None:
        return None
    if not children:
        return sum(int(value) for value in fields[11:13]) / CLOCK_TICKS  # utime stime
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            child = _proc_stat(int(entry.name))
            if child is not None and int(child[1]) == root:
                ticks += sum(int(value) for value in child[11:15])
    return ticks / CLOCK_TICKS


def machine_cpu() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine since boot."""
    try:
        values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def local_pid(pid: int | None, command: str) -> int | None:
    """``pid`` when it is a local process called ``command`` (a server on this machine)."""
    if pid is None:
        return None
    try:
        return pid if command in Path(f"/proc/{pid}/comm").read_text() else None
    except OSError:
        return None


@dataclass
class CpuMeter:
    pids: dict[str, int | None]
    began: dict[str, float | None] = field(default_factory=dict)
    machine: tuple[float, float] | None = None

    def _cpu(self, label: str, pid: int | None) -> float | None:
        # This process alone: the worker is its child and is counted on its own.
        return tree_cpu(pid, children=pid != os.getpid())

    def start(self) -> None:
        self.began = {label: self._cpu(label, pid) for label, pid in self.pids.items()}
        self.machine = machine_cpu()

    def report(self, seconds: float) -> str:
        parts = []
        now = machine_cpu()
        if self.machine and now:
            busy, total = now[0] - self.machine[0], now[1] - self.machine[1]
            parts.append(f"machine {100 * busy / total:.0f}% busy of {os.cpu_count()} CPUs ({busy:.1f} CPU-s)")
        for label, pid in self.pids.items():
            before, after = self.began.get(label), self._cpu(label, pid)
            if before is None or after is None:
                parts.append(f"{label} n/a")
            else:
                parts.append(f"{label} {after - before:.1f} CPU-s ({100 * (after - before) / seconds:.0f}% of one CPU)")
        return "; ".join(parts)


# -- the measurements -------------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


@dataclass
class Sweep:
    at: float
    enqueued: int
    seconds: float


@dataclass
class Drain:
    seconds: float  # first sweep until nothing is pending or in flight
    settled: float  # ... until the broker queue is empty too (duplicate deliveries consumed)
    sweeps: list[Sweep]
    timed_out: bool


_published = [0]


def count_published_tasks() -> None:
    """Count the send tasks the sweeps publish (each carries up to ``SEND_BATCH`` ids)."""
    from notifications import tasks

    enqueue = tasks._enqueue_sends

    def counting(message_ids: Any) -> None:
        _published[0] += math.ceil(len(message_ids) / tasks.SEND_BATCH)
        enqueue(message_ids)

    tasks._enqueue_sends = counting


def published_tasks() -> int:
    return _published[0]


def drain(broker: Any, *, rows: int, low_water: int, beat_interval: float | None, timeout: float) -> Drain:
    from django.db.models import Count, Q
    from django.utils import timezone

    from notifications.models import OutboxMessage, Status
    from notifications.tasks import SEND_BATCH, sweep_due_messages

    def outstanding() -> tuple[int, int, int]:
        counts = OutboxMessage.objects.aggregate(
            due=Count("id", filter=Q(status=Status.PENDING, due_at__lte=timezone.now())),
            pending=Count("id", filter=Q(status=Status.PENDING)),
            sending=Count("id", filter=Q(status__in=(Status.SENDING, Status.DELIVERING))),  # in flight
        )
        return counts["due"], counts["pending"], counts["sending"]

    sweeps: list[Sweep] = []
    began = time.perf_counter()
    last_report = began
    counted_at = -math.inf
    due = pending = sending = rows
    done_at: float | None = None
    while True:
        now = time.perf_counter()
        elapsed = now - began
        queued, held = broker.llen(QUEUE), broker.hlen(UNACKED)
        if beat_interval is not None:
            sweep_time = not sweeps or elapsed - sweeps[-1].at >= beat_interval
        else:
            sweep_time = queued <= low_water
        # Redis is polled every 20 ms; the database only when a sweep may be due (at most every 0.1 s)
        # or twice a second, so that the polling costs PostgreSQL little.
        fresh = (sweep_time and now - counted_at >= 0.1) or now - counted_at >= 0.5
        if fresh:
            due, pending, sending = outstanding()
            counted_at = now
        if done_at is None and pending == 0 and sending == 0:
            done_at = elapsed
        if done_at is not None and queued == 0 and held == 0:
            return Drain(done_at, elapsed, sweeps, False)
        if elapsed > timeout:
            return Drain(done_at if done_at is not None else elapsed, elapsed, sweeps, True)
        # Beat-like: every interval while rows are due. Otherwise: when the queue runs low and some
        # due rows are neither waiting in the queue nor held by the worker.
        wanted = due > 0 if beat_interval is not None else due > (queued + held) * SEND_BATCH
        if fresh and sweep_time and wanted:
            sweep_began = time.perf_counter()
            enqueued = sweep_due_messages()
            sweeps.append(Sweep(sweep_began - began, enqueued, time.perf_counter() - sweep_began))
            counted_at = -math.inf
        if now - last_report >= 5.0:
            last_report = now
            print(
                f"  t={elapsed:5.1f} s  sent {rows - pending - sending:>6}/{rows}  pending {pending:>6}  "
                f"sending {sending:>3}  broker queue {queued:>5} (+{held} held)  sweeps {len(sweeps)}",
                flush=True,
            )
        time.sleep(0.02)


def noop_reference(broker: Any, worker: Worker, count: int, timeout: float) -> tuple[float, float] | None:
    """Pre-queue ``count`` heartbeat tasks with the worker's consumer paused; time the worker through them."""
    from config.celery import app
    from notifications.tasks import worker_heartbeat

    paused = app.control.cancel_consumer(QUEUE, destination=[worker.name], reply=True, timeout=5.0)
    if not paused:
        print("  (the worker did not confirm cancel_consumer; the tasks are published while it consumes)")
    published_from = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            worker_heartbeat.apply_async(producer=producer)
    publish_seconds = time.perf_counter() - published_from
    began = time.perf_counter()
    if paused:
        app.control.add_consumer(QUEUE, destination=[worker.name], reply=True, timeout=5.0)
    while broker.llen(QUEUE) or broker.hlen(UNACKED):
        if time.perf_counter() - began > timeout:
            return None
        time.sleep(0.02)
    return time.perf_counter() - began, publish_seconds


def worker_totals(worker: Worker) -> dict[str, int]:
    from config.celery import app

    replies: dict[str, Any] = app.control.inspect(destination=[worker.name], timeout=5.0).stats() or {}
    return dict(replies.get(worker.name, {}).get("total", {}))


def probes(url: str, count: int, sink: SinkHandler, postgres_pid: int | None) -> list[str]:
    """The fixed costs of one send, measured from this process with the worker stopped."""
    import psycopg
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.db import connection
    from django.test import override_settings

    from notifications.messages import message_render
    from notifications.models import OutboxMessage, Status
    from notifications.services import outbox_send

    lines = []
    connection_string = conninfo(url)
    began = time.perf_counter()
    for _ in range(count):
        with psycopg.connect(connection_string) as raw:
            raw.execute("SELECT 1")
    lines.append(f"PostgreSQL connect + SELECT 1 + close: {1000 * (time.perf_counter() - began) / count:.2f} ms")

    # outbox_send itself, mail to memory: as the worker runs it (Celery's Django fixup closes the
    # database connection before and after every task, whatever CONN_MAX_AGE), and on one connection.
    ids = list(OutboxMessage.objects.order_by("id").values_list("id", flat=True)[: 2 * count])
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for label, batch, reconnect in (
            ("a new connection per call (as in the worker)", ids[:count], True),
            ("one connection for all", ids[count:], False),
        ):
            OutboxMessage.objects.filter(pk__in=batch).update(status=Status.PENDING, attempts=0, sent_at=None)
            cpu_before = tree_cpu(postgres_pid)
            began = time.perf_counter()
            for message_id in batch:
                if reconnect:
                    connection.close()
                outbox_send(message_id=message_id)
            seconds = time.perf_counter() - began
            cpu_after = tree_cpu(postgres_pid)
            cpu = (
                "n/a"
                if cpu_before is None or cpu_after is None
                else f"{1000 * (cpu_after - cpu_before) / len(batch):.2f} ms"
            )
            lines.append(
                f"outbox_send, mail to memory, {label}: {1000 * seconds / max(len(batch), 1):.2f} ms/call, "
                f"PostgreSQL CPU {cpu}/call"
            )

    def probe_message(number: int, run: str) -> EmailMessage:
        return EmailMessage(
            subject="Probe",
            body="Probe message.",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[f"probe{number}@bench.example.com"],
            headers={"Message-ID": f"<probe-{run}-{number}@bench>"},
        )

    connections_before, _ = sink.snapshot()
    began = time.perf_counter()
    for number in range(count):
        probe_message(number, "each").send(fail_silently=False)  # what channel_deliver does
    each = (time.perf_counter() - began) / count
    connections_each = sink.snapshot()[0] - connections_before
    began = time.perf_counter()
    with get_connection() as backend:
        backend.send_messages([probe_message(number, "shared") for number in range(count)])
    shared = (time.perf_counter() - began) / count
    lines.append(
        f"SMTP to the sink, EmailMessage.send() per message: {1000 * each:.2f} ms/message, "
        f"{connections_each} connections for {count} messages; one shared connection: {1000 * shared:.2f} ms/message"
    )

    rows = list(
        OutboxMessage.objects.select_related(
            "patient__patient_profile", "appointment__appointment_type__clinic", "appointment__patient"
        ).order_by("id")[:count]
    )
    began = time.perf_counter()
    for row in rows:
        message_render(row)
    lines.append(f"message_render (templates only): {1000 * (time.perf_counter() - began) / max(len(rows), 1):.2f} ms")
    return lines


# -- reporting --------------------------------------------------------------------------------------


def status_counts() -> dict[str, int]:
    from django.db.models import Count

    from notifications.models import OutboxMessage

    return {row["status"]: row["n"] for row in OutboxMessage.objects.values("status").annotate(n=Count("id"))}


def withheld_reasons() -> tuple[Counter[str], set[int]]:
    """Rows the product cancelled or skipped at send time, by the reason the state at the end
    gives (``notifications.services._why_not_send``'s rules), and the ids of those it explains.
    A cancelled or skipped row no reason explains is a loss."""
    from booking.models import AppointmentStatus
    from clinical.questionnaire_selectors import questionnaires_waiting_for
    from notifications.models import REMINDER_KINDS, Kind, OutboxMessage, Status

    reasons: Counter[str] = Counter()
    explained: set[int] = set()
    withheld = OutboxMessage.objects.filter(status__in=(Status.CANCELLED, Status.SKIPPED)).select_related("appointment")
    for message in withheld:
        appointment = message.appointment
        reason = None
        if appointment is None:
            reason = None
        elif message.regarding_start != appointment.starts_at:
            reason = "appointment moved"
        elif message.status == Status.SKIPPED:
            reason = "too late (past the cut-off or the start)"
        elif message.kind in REMINDER_KINDS and appointment.status != AppointmentStatus.BOOKED:
            reason = f"appointment {appointment.status}"
        elif message.kind == Kind.QUESTIONNAIRE and not questionnaires_waiting_for(appointment_id=appointment.pk):
            reason = "questionnaire message: no form waiting"
        if reason is not None:
            reasons[f"{message.status}: {reason}"] += 1
            explained.add(message.pk)
    return reasons, explained


def send_times(began_at: datetime) -> tuple[list[float], list[float], Counter[int], Counter[str], Counter[int]]:
    """Per row: seconds from the first sweep to sent_at (the hand-over), claim-to-hand-over
    seconds; attempts; last errors."""
    from notifications.models import OutboxMessage

    offsets: list[float] = []
    service: list[float] = []
    attempts: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    buckets: Counter[int] = Counter()
    for sent_at, claimed_at, tries, error in OutboxMessage.objects.values_list(
        "sent_at", "claimed_at", "attempts", "last_error"
    ):
        attempts[tries] += 1
        if error:
            errors[error] += 1
        if sent_at is not None:
            offset = (sent_at - began_at).total_seconds()
            offsets.append(offset)
            buckets[int(offset // TIMELINE_STEP)] += 1
            if claimed_at is not None:
                service.append((sent_at - claimed_at).total_seconds())
    return offsets, service, attempts, errors, buckets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=SPEC_ROWS, help=f"due outbox rows (default {SPEC_ROWS})")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count() or 1,
        help="prefork pool processes of the one worker (default: the CPU count, Celery's own default and what "
        "docker-compose.yml's worker gets)",
    )
    parser.add_argument("--patients", type=int, default=300, help="patients the appointments belong to (default 300)")
    parser.add_argument(
        "--low-water",
        type=int,
        default=50,
        help="sweep again when the broker queue holds at most this many tasks (default 50)",
    )
    parser.add_argument(
        "--beat-interval",
        type=float,
        help="sweep every this many seconds instead, as beat does (production: 60); "
        "default: sweep whenever the queue runs low",
    )
    parser.add_argument("--noop", type=int, help="heartbeat tasks of the no-op reference (default: --rows; 0 skips)")
    parser.add_argument("--probes", type=int, default=200, help="iterations of each cost probe (default 200; 0 skips)")
    parser.add_argument("--worker-loglevel", default="WARNING", help="the worker's --loglevel (default WARNING)")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up the drain after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the database and the worker log")
    options = parser.parse_args()
    if options.rows < 1 or options.concurrency < 1:
        parser.error("--rows and --concurrency must be positive")
    noop_count = options.rows if options.noop is None else options.noop

    from aiosmtpd.controller import Controller

    url = bench_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    broker = redis_client(redis_url)
    checked_name(url)  # refuse a wrong name before anything else happens
    work = Path(tempfile.mkdtemp(prefix="clinic-notify-bench-"))

    sink = SinkHandler()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port, server_hostname="bench-sink")
    controller.start()

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        "PYTHONUNBUFFERED": "1",
    }
    database_name = recreate_database(url)
    worker: Worker | None = None
    owns_redis = False  # set once this run has flushed the database, which is then its own
    try:
        began = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", f"--password={secrets.token_urlsafe(12)}")  # a token may begin with "-"
        setup_django(env)

        from django.conf import settings
        from django.db import connection
        from django.utils import timezone

        from config.celery import app
        from notifications.services import SWEEP_BATCH

        seeded = seed(options.rows, options.patients)
        count_published_tasks()
        strangers_before = [node for reply in app.control.ping(timeout=1.0) or [] for node in reply]
        if strangers_before:
            raise SystemExit(
                f"workers already consume {redis_url}: {strangers_before}; the benchmark needs a Redis database "
                "of its own (set REDIS_URL to another database number)."
            )
        flushed = broker.dbsize()
        broker.flushdb()
        owns_redis = True
        prepared = time.perf_counter()

        print(f"Notification dispatch benchmark - PostgreSQL, database {database_name}; Redis {redis_url}")
        print(
            f"prepared in {prepared - began:.1f} s: {seeded.rows} due email rows "
            f"({', '.join(f'{kind} {n}' for kind, n in sorted(seeded.kinds.items()))}) for {seeded.appointments} "
            f"booked infusions of {seeded.patients} patients, {seeded.first_start:%Y-%m-%d} .. "
            f"{seeded.last_start:%Y-%m-%d} ({seeded.slots_per_day} starts a day x {seeded.per_slot} rooms)"
        )
        print(
            f"Redis database flushed ({flushed} keys); SMTP sink (aiosmtpd, this process) on 127.0.0.1:{smtp_port}; "
            f"EMAIL_BACKEND {settings.EMAIL_BACKEND}"
        )

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = int(cursor.fetchone()[0])
        postmaster = _proc_stat(backend)
        redis_pid = int(broker.info("server").get("process_id", 0)) or None

        worker = start_worker(env, options.concurrency, options.worker_loglevel, work / "worker.log")
        print(
            f"worker: 1 process tree ({worker.name}), prefork --concurrency {options.concurrency}, "
            f"--loglevel {options.worker_loglevel}, prefetch multiplier {settings.CELERY_WORKER_PREFETCH_MULTIPLIER}, "
            f"acks late {settings.CELERY_TASK_ACKS_LATE}, "
            f"CONN_MAX_AGE {settings.DATABASES['default']['CONN_MAX_AGE']}; CPUs: {os.cpu_count()}"
        )
        mode = (
            f"every {options.beat_interval:g} s (beat-like)"
            if options.beat_interval is not None
            else f"whenever the broker queue holds <= {options.low_water} tasks and due rows are not all queued"
        )
        print(f"sweep: sweep_due_messages() in this process, up to SWEEP_BATCH = {SWEEP_BATCH} ids per call, {mode}")
        print()

        load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
        print(f"== drain: {seeded.rows} due rows (load average before: {load}) ==")
        meter = CpuMeter(
            {
                "worker": worker.process.pid,
                "bench+sink": os.getpid(),
                "PostgreSQL": local_pid(int(postmaster[1]) if postmaster else None, "postgres"),
                "Redis": local_pid(redis_pid, "redis"),
            }
        )
        connection.close()  # not counted among the worker's connections; reopened by the next query
        meter.start()
        began_at = timezone.now()
        result = drain(
            broker,
            rows=seeded.rows,
            low_water=options.low_water,
            beat_interval=options.beat_interval,
            timeout=options.timeout,
        )
        cpu_line = meter.report(result.settled)
        connections, _ = sink.snapshot()
        enqueued = sum(sweep.enqueued for sweep in result.sweeps)
        rate = seeded.rows / result.seconds if result.seconds else math.nan
        print(
            f"drained in {result.seconds:.2f} s = {rate:.0f} messages/s"
            + ("   <-- TIMED OUT" if result.timed_out else "")
            + f"; broker queue empty at {result.settled:.2f} s"
        )
        sweep_ms = 1000 * sum(s.seconds for s in result.sweeps) / max(len(result.sweeps), 1)
        print(
            f"sweeps: {len(result.sweeps)}, {enqueued} ids enqueued ({enqueued - seeded.rows} more than rows: "
            f"enqueued twice, not claimed twice), {sweep_ms:.0f} ms per sweep; "
            f"sweep moments (s): {', '.join(f'{s.at:.1f}' for s in result.sweeps[:15])}"
            + (" ..." if len(result.sweeps) > 15 else "")
        )
        print(f"CPU during the drain: {cpu_line}")

        offsets, service, attempts, errors, buckets = send_times(began_at)
        if offsets:
            timeline = ", ".join(str(buckets.get(n, 0)) for n in range(int(max(offsets) // TIMELINE_STEP) + 1))
            print(f"sent per {TIMELINE_STEP:g} s: {timeline}")
        median = percentile(service, 0.5)
        # A send task claims its rows together (notifications.services.outbox_send_many): a row's
        # claim -> hand-over time includes the sends of the rows before it in its task.
        print(
            f"claim -> hand-over per message (ms; a task's rows share one claim): p50 {1000 * median:.1f}  "
            f"p95 {1000 * percentile(service, 0.95):.1f}  "
            f"max {1000 * max(service, default=math.nan):.1f}"
        )
        print(f"SMTP connections opened by the worker: {connections} for {len(sink.received)} messages")

        sent_messages = [raw for _, raw in sink.received]
        delivered = parse_delivered(sent_messages)
        counts = status_counts()

        from notifications.models import OutboxMessage

        every_row = set(OutboxMessage.objects.values_list("id", flat=True))
        # A row the product withheld for a stated reason is not a loss; it is reported apart.
        withheld, explained = withheld_reasons()
        expected = every_row - explained
        duplicates = {pk: n for pk, n in delivered.outbox.items() if n > 1}
        missing = expected - set(delivered.outbox)
        strangers = set(delivered.outbox) - every_row
        not_sent = seeded.rows - len(explained) - counts.get("sent", 0)

        noop_line = "skipped"
        noop_rate = math.nan
        if noop_count:
            print()
            print(f"== no-op reference: {noop_count} notifications.tasks.worker_heartbeat tasks, same worker ==")
            timed = noop_reference(broker, worker, noop_count, options.timeout)
            if timed is None:
                noop_line = "TIMED OUT"
            else:
                noop_seconds, publish_seconds = timed
                noop_rate = noop_count / noop_seconds
                noop_line = f"{noop_seconds:.2f} s = {noop_rate:.0f} tasks/s"
                print(
                    f"worked off in {noop_line} (pre-queued with the consumer paused; publishing took "
                    f"{publish_seconds:.2f} s); the app has no true no-op task, so this one writes one cache key"
                )
        totals = worker_totals(worker)
        intruders = [node for reply in app.control.ping(timeout=1.0) or [] for node in reply if node != worker.name]
        # Every task published went to this worker, or another consumer of the database took some.
        missed_sends = published_tasks() - totals.get("notifications.tasks.send_messages", 0)
        missed_noops = noop_count - totals.get("notifications.tasks.worker_heartbeat", 0) if noop_count else 0
        stop_worker(worker)
        problems, benign = log_problems(worker.log)

        print()
        print("== results ==")
        print(
            f"time to drain {seeded.rows} rows: {result.seconds:.2f} s (target <= {TARGET_SECONDS:g} s for {SPEC_ROWS})"
        )
        if math.isnan(noop_rate) or not noop_rate:
            print(f"messages/s: {rate:.0f}; no-op tasks/s on the same worker: {noop_line}")
        else:
            print(
                f"messages/s: {rate:.0f}; no-op tasks/s on the same worker: {noop_rate:.0f} "
                f"(send / no-op = {rate / noop_rate:.2f}, target >= {TARGET_RATIO:g})"
            )
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
        print(f"load average now: {load}")
        print(
            "tasks run by the worker (inspect stats): "
            + (", ".join(f"{name.rsplit('.', 1)[-1]} {n}" for name, n in sorted(totals.items())) or "n/a")
        )
        print("final status counts: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
        print(
            "attempts: "
            + ", ".join(f"{tries}: {n}" for tries, n in sorted(attempts.items()))
            + ("; last errors: " + ", ".join(f"{e} {n}" for e, n in errors.most_common()) if errors else "")
        )
        print(
            f"withheld by the product for a stated reason (not losses): {len(explained)}"
            + "".join(f"; {reason} {n}" for reason, n in sorted(withheld.items()))
        )
        print(
            f"SMTP sink: {len(sent_messages)} messages ({delivered.total_bytes / 1e6:.1f} MB), "
            f"{len(delivered.outbox)} distinct outbox Message-IDs"
        )
        print()
        print("== checks (must be 0) ==")
        checks = [
            ("duplicates: Message-IDs seen more than once at the sink", len(duplicates)),
            ("losses: rows neither sent nor withheld for a stated reason", not_sent),
            ("losses: Message-IDs of rows missing at the sink", len(missing)),
            ("strangers: outbox Message-IDs of no row", len(strangers)),
            ("other messages at the sink", sum(delivered.others.values())),
            ("tasks published but not run by this worker (another consumer?)", abs(missed_sends) + abs(missed_noops)),
            ("other workers seen on the Redis database at the end", len(intruders)),
            ("messages carrying a forbidden word (SPEC.md section 5)", len(delivered.forbidden)),
            ("suspicious worker log lines (errors, tracebacks, failed attempts)", len(problems)),
        ]
        for name, violations in checks:
            print(f"{violations:>6}  {name}{'' if violations == 0 else '   <-- FAILED'}")
        for pk, n in list(duplicates.items())[:10]:
            print(f"  duplicate: outbox-{pk} x {n}")
        for pk in sorted(missing)[:10]:
            print(f"  missing: outbox-{pk}")
        for message_id, word in delivered.forbidden[:10]:
            print(f"  forbidden word {word!r} in {message_id}")
        if intruders:
            print(f"  other workers: {intruders}")
        for line in problems[:20]:
            print("  log: " + line)
        if benign:
            print(f"  (not counted: {benign} worker log lines of Celery's warning about running as root)")

        if options.probes:
            print()
            print(f"== cost probes ({options.probes} each, from this process, worker stopped) ==")
            for line in probes(url, options.probes, sink, meter.pids["PostgreSQL"]):
                print(line)

        reasons = [name for name, violations in checks if violations]
        if result.timed_out:
            reasons.append(f"the drain did not finish within {options.timeout:g} s")
        elif result.seconds > TARGET_SECONDS:
            reasons.append(f"drain took {result.seconds:.1f} s > {TARGET_SECONDS:g} s")
        if noop_rate and not math.isnan(noop_rate) and rate / noop_rate < TARGET_RATIO:
            reasons.append(f"send / no-op = {rate / noop_rate:.2f} < {TARGET_RATIO:g}")
        if noop_count and noop_line == "TIMED OUT":
            reasons.append("the no-op reference timed out")
        print()
        print("RESULT: " + ("FAILED - " + "; ".join(reasons) if reasons else "OK"))
        if options.keep:
            print(f"kept: database {url}, worker log {worker.log}")
        return 1 if reasons else 0
    finally:
        if worker is not None:
            stop_worker(worker)
        controller.stop()
        if owns_redis:
            with contextlib.suppress(Exception):
                broker.flushdb()
        if not options.keep:
            drop_database(url)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
