"""Booking under concurrent load on PostgreSQL (SPEC.md section 8): throughput, latency, no double bookings.

Run from the repository root::

    .venv/bin/python bench/booking_load.py                      # 30 s, 20 clients, 3 gunicorn workers
    .venv/bin/python bench/booking_load.py --seconds 5          # smoke run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_load .venv/bin/python bench/booking_load.py --keep

It (re)creates the PostgreSQL database named by ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/clinic_load``; the name must contain "load" or "bench", so a
developer's database is never dropped), migrates it, loads the demo clinic (``seed_demo``: 2
clinicians, 3 nurses, 2 consult and 6 infusion rooms, Monday to Friday 08-18 America/Los_Angeles)
and ~200 patients, each with a signed evaluation and an active treatment plan (6 infusions, 2
days apart, within 21 days: infusions need one), and serves it with gunicorn
(``config/gunicorn.conf.py``, sync workers) on a free localhost port, throttles raised out of the
way.

Then ``--clients`` threads, signed in as the front desk (admin@example.com, who may book inside
the online notice window), POST ``/api/v1/appointments/`` for ``--seconds``: each request a random
evaluation or infusion start of next Monday to Friday (08:00-16:15 local on the 15-minute grid)
for a random patient. Most collide: 409 ``slot_unavailable`` (taken, or outside the hours the
type's staff work), ``overlapping_appointment`` (the patient is busy then),
``future_appointment_limit`` (a second upcoming evaluation) or a plan rule
(``spacing_violation``, ``plan_exhausted``). After that, the same clients call a
no-op reference endpoint, ``GET /api/v1/appointment-types/`` (same authentication and throttles, one
small read), for the throughput ratio.

Finally it checks with SQL, straight against the database, that no two blocking appointments share
a room, an exclusive staff member or a patient at overlapping times, that no nurse monitors more
than 2 patients at once, and that every 201 left exactly one booked appointment (the seeded past
evaluations are completed). It exits 1 when a check
fails or any booking answer was neither 201 nor 409 (5xx, 429, transport errors ...).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path: the repository root must come before it.
sys.path.insert(0, str(REPO_ROOT))
from bench.databases import conninfo, database_name, drop_database, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_load"
LOAD_DATABASE_MARKERS = ("load", "bench")  # only such a database is created and dropped
ZONE = ZoneInfo("America/Los_Angeles")  # the demo clinic's time zone
GRID = 15
FIRST_START, LAST_START = clock(8, 0), clock(16, 15)
TYPES = ("evaluation", "infusion")
NURSE_CAPACITY = 2  # SPEC.md section 2: a nurse monitors at most 2 patients at once
BLOCKING = ("booked", "checked_in", "in_progress", "completed")
ADMIN_EMAIL = "admin@example.com"
ADMIN_OTP = (
    "from django_otp.oath import totp\n"
    "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
    f"device = TOTPDevice.objects.get(user__email={ADMIN_EMAIL!r}, confirmed=True)\n"
    "print(str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits))\n"
)
BOOKING_PATH = "/api/v1/appointments/"
NOOP_PATH = "/api/v1/appointment-types/"
REQUEST_TIMEOUT = 60.0
TIMELINE_STEP = 5.0

# Creates the benchmark patients and reports what the load needs, as JSON on the last line.
SEED_PATIENTS = """
import json
from datetime import UTC, date, datetime, timedelta
from django.contrib.auth.hashers import make_password
from accounts.models import PatientProfile, User
from core.roles import Role
from booking.models import Appointment, AppointmentStatus
from clinical.models import Decision, Evaluation, EvaluationStatus, PlanStatus, Route, TreatmentPlan
from scheduling.models import AppointmentType, Room, StaffMember

count = {count}
unusable = make_password(None)
patients = User.objects.bulk_create(
    User(email=f"load-patient{{n}}@example.com", first_name="Load", last_name=f"Patient {{n}}",
         role=Role.PATIENT, password=unusable)
    for n in range(1, count + 1)
)
PatientProfile.objects.bulk_create(
    PatientProfile(user=p, date_of_birth=date(1960 + n % 40, 1 + n % 12, 1), phone="+15105550100")
    for n, p in enumerate(patients)
)
# A signed, positive evaluation and an active plan each: without one, every infusion is a 403.
# The evaluation visits lie in the past, two hours apart, so no room or clinician is held twice.
clinician = StaffMember.objects.filter(user__role=Role.CLINICIAN, is_active=True).select_related("user").first()
consult = Room.objects.filter(kind="consult", is_active=True).first()
evaluation_type = AppointmentType.objects.get(code="evaluation")
now = datetime.now(tz=UTC)
visits = Appointment.objects.bulk_create(
    Appointment(
        patient=p, appointment_type=evaluation_type, status=AppointmentStatus.COMPLETED,
        starts_at=now - timedelta(hours=2 * (n + 2)), ends_at=now - timedelta(hours=2 * (n + 2) - 1),
        staff_released_at=now - timedelta(hours=2 * (n + 2) - 1),
        room_released_at=now - timedelta(hours=2 * (n + 2) - 1), staff=clinician, room=consult,
    )
    for n, p in enumerate(patients)
)
evaluations = Evaluation.objects.bulk_create(
    Evaluation(
        appointment=visit, patient=visit.patient, clinician=clinician.user, status=EvaluationStatus.SIGNED,
        phq9_total=15, gad7_total=10, systolic_bp=120, diastolic_bp=80, heart_rate=70, substance_use="none",
        decision=Decision.CANDIDATE, rationale="Meets criteria.", signed_at=visit.ends_at, signed_by=clinician.user,
    )
    for visit in visits
)
TreatmentPlan.objects.bulk_create(
    TreatmentPlan(
        evaluation=e, patient=e.patient, status=PlanStatus.ACTIVE, activated_at=e.signed_at, infusions_planned=6,
        min_days_between=2, window_days=21, dose_mg_per_kg="0.50", route=Route.IV,
    )
    for e in evaluations
)
staff = {{}}
for role in StaffMember.objects.filter(is_active=True).values_list("user__role", flat=True):
    staff[role] = staff.get(role, 0) + 1
rooms = {{}}
for kind in Room.objects.filter(is_active=True).values_list("kind", flat=True):
    rooms[kind] = rooms.get(kind, 0) + 1
types = {{
    t.code: {{"patient_minutes": t.patient_minutes, "room_minutes": t.room_minutes, "grid": t.grid_minutes,
              "nurse_capacity": t.nurse_capacity}}
    for t in AppointmentType.objects.filter(is_active=True)
}}
ids = [str(p.pk) for p in patients]  # not the demo patient, who has no plan
print(json.dumps({{"patients": ids, "staff": staff, "rooms": rooms, "types": types}}))
"""

EXPECTED_STAFF = {"clinician": 2, "nurse": 3}
EXPECTED_ROOMS = {"consult": 2, "infusion": 6}


# -- throwaway database ---------------------------------------------------------------------------


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


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_gunicorn(env: dict[str, str], workers: int, log: Path) -> Server:
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "config.wsgi:application",
            ],
            cwd=REPO_ROOT,
            env={**env, "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(process=process, port=port, log=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n{server.tail()}")
        with contextlib.suppress(OSError):
            status, _ = call(port, "GET", "/healthz", timeout=2)
            if status == 200:
                return server
        time.sleep(0.2)
    stop_gunicorn(server)
    raise SystemExit(f"gunicorn did not answer /healthz within 30 s:\n{server.tail()}")


def stop_gunicorn(server: Server) -> None:
    if server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)  # graceful: in-flight requests finish
    try:
        server.process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# -- HTTP -----------------------------------------------------------------------------------------


def call(
    port: int,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    token: str | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> tuple[int, bytes]:
    """One request on a fresh connection (gunicorn's sync workers close it after each answer)."""
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def error_code(status: int, body: bytes) -> str:
    if status < 400:
        return ""
    try:
        return str(json.loads(body).get("code", "?"))
    except (ValueError, AttributeError):
        return "(not json)"


# -- load -----------------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float  # seconds since the phase began, when the answer arrived
    ms: float
    status: int  # 0: no HTTP answer (transport error)
    code: str  # error code of a 4xx/5xx answer, or the exception name
    kind: str


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)

    def statuses(self) -> Counter[int]:
        return Counter(sample.status for sample in self.samples)

    def rate(self, status: int | None = None) -> float:
        hits = [s for s in self.samples if status is None or s.status == status]
        return len(hits) / self.seconds if self.seconds else 0.0

    def latencies(self) -> list[float]:
        return [sample.ms for sample in self.samples if sample.status]


def run_phase(
    name: str, clients: int, seconds: float, request: Callable[[random.Random], tuple[str, int, str]], seed: int
) -> Phase:
    """``clients`` threads call ``request`` back to back for ``seconds``; each call returns (kind, status, code)."""
    phase = Phase(name)
    per_thread: list[list[Sample]] = [[] for _ in range(clients)]
    ready = threading.Barrier(clients + 1)
    began = 0.0

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        samples = per_thread[number]
        ready.wait()
        deadline = began + seconds
        while True:
            sent = time.perf_counter()
            if sent >= deadline:
                return
            try:
                kind, status, code = request(rng)
            except (OSError, http.client.HTTPException) as error:
                kind, status, code = "?", 0, type(error).__name__
            done = time.perf_counter()
            samples.append(Sample(at=done - began, ms=(done - sent) * 1000, status=status, code=code, kind=kind))

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    ready.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began  # includes the requests still in flight at the deadline
    phase.samples = sorted((s for samples in per_thread for s in samples), key=lambda s: s.at)
    return phase


def next_week_starts(today: date) -> list[str]:
    """ISO starts (with offset) of next Monday to Friday, FIRST_START..LAST_START local, on the grid."""
    monday = today + timedelta(days=7 - today.weekday())
    starts = []
    for offset in range(5):
        day = monday + timedelta(days=offset)
        moment = datetime.combine(day, FIRST_START, tzinfo=ZONE)
        last = datetime.combine(day, LAST_START, tzinfo=ZONE)
        while moment <= last:
            starts.append(moment.isoformat())
            moment += timedelta(minutes=GRID)
    return starts


# -- checks ---------------------------------------------------------------------------------------

_BLOCK = "status IN (" + ", ".join(f"'{status}'" for status in BLOCKING) + ")"
SQL_CHECKS = {
    "room double-booked (starts_at..room_released_at)": f"""
        SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
          ON a.room_id = b.room_id AND a.id < b.id
         AND a.starts_at < b.room_released_at AND b.starts_at < a.room_released_at
        WHERE a.{_BLOCK} AND b.{_BLOCK}""",
    "staff double-booked (starts_at..staff_released_at)": f"""
        SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
          ON a.staff_id = b.staff_id AND a.id < b.id
         AND a.starts_at < b.staff_released_at AND b.starts_at < a.staff_released_at
        WHERE a.{_BLOCK} AND b.{_BLOCK}""",
    "patient double-booked (starts_at..ends_at)": f"""
        SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
          ON a.patient_id = b.patient_id AND a.id < b.id
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
        WHERE a.{_BLOCK} AND b.{_BLOCK}""",
    f"nurse monitoring > {NURSE_CAPACITY} at an appointment start": f"""
        SELECT count(*) FROM (
            SELECT a.id FROM booking_appointment a JOIN booking_appointment b
              ON a.nurse_id = b.nurse_id AND b.starts_at <= a.starts_at AND a.starts_at < b.ends_at
            WHERE a.{_BLOCK} AND b.{_BLOCK}
            GROUP BY a.id HAVING count(*) > {NURSE_CAPACITY}
        ) crowded""",
    "resource of the wrong kind or role": """
        SELECT count(*) FROM booking_appointment a
        JOIN scheduling_appointmenttype t ON t.id = a.appointment_type_id
        LEFT JOIN scheduling_room r ON r.id = a.room_id
        LEFT JOIN scheduling_staffmember s ON s.id = a.staff_id
        LEFT JOIN accounts_user su ON su.id = s.user_id
        LEFT JOIN scheduling_staffmember n ON n.id = a.nurse_id
        LEFT JOIN accounts_user nu ON nu.id = n.user_id
        WHERE (t.room_kind <> '' AND r.kind IS DISTINCT FROM t.room_kind)
           OR (t.staff_role <> '' AND su.role IS DISTINCT FROM t.staff_role)
           OR (t.nurse_capacity > 0 AND nu.role IS DISTINCT FROM 'nurse')""",
    "appointment without its 'booked' history event": """
        SELECT count(*) FROM booking_appointment a
        WHERE a.status = 'booked' AND NOT EXISTS (SELECT 1 FROM booking_appointmentevent e
                          WHERE e.appointment_id = a.id AND e.action = 'booked')""",
}
CONSTRAINTS = ("appointment_room_no_overlap", "appointment_staff_no_overlap", "appointment_patient_no_overlap")


def sql_checks(url: str, created: int) -> tuple[list[tuple[str, int]], list[str]]:
    """Violations per check; and notes (rows per type, the guard constraints present)."""
    import psycopg

    with psycopg.connect(conninfo(url)) as connection:
        results = [(name, int((connection.execute(query).fetchone() or (0,))[0])) for name, query in SQL_CHECKS.items()]
        rows = connection.execute(
            "SELECT t.code, a.status, count(*) FROM booking_appointment a "
            "JOIN scheduling_appointmenttype t ON t.id = a.appointment_type_id GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        booked = sum(count for _, status, count in rows if status == "booked")
        results.append(("201 answers minus booked appointment rows", abs(created - booked)))
        present = {
            name
            for (name,) in connection.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'booking_appointment'::regclass AND contype = 'x'"
            )
        }
    notes = [
        "appointment rows: " + (", ".join(f"{code} {status} {count}" for code, status, count in rows) or "none"),
        "exclusion constraints present: "
        + ", ".join(f"{name} {'yes' if name in present else 'MISSING'}" for name in CONSTRAINTS),
    ]
    missing = [name for name in CONSTRAINTS if name not in present]
    if missing:
        results.append(("exclusion constraints missing", len(missing)))
    return results, notes


LOG_PATTERNS = re.compile(
    r"Traceback|\bERROR\b|\bCRITICAL\b|WORKER TIMEOUT|deadlock|IntegrityError|OperationalError|"
    r"Internal Server Error|\" 5\d\d ",
    re.IGNORECASE,
)


ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) .* (?P<micros>\d+)$')


def worker_times(log: Path) -> dict[tuple[str, str, int], list[float]]:
    """Milliseconds inside gunicorn (its access log's %D) per (method, path, status)."""
    times: dict[tuple[str, str, int], list[float]] = {}
    for line in log.read_text(errors="replace").splitlines():
        found = ACCESS_LINE.search(line)
        if found:
            key = (found["method"], found["path"], int(found["status"]))
            times.setdefault(key, []).append(int(found["micros"]) / 1000)
    return times


def log_problems(log: Path) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines() if LOG_PATTERNS.search(line)]


# -- report ---------------------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def by_type(samples: list[Sample]) -> Iterator[tuple[str, list[Sample]]]:
    for kind in TYPES:
        yield kind, [s for s in samples if s.kind == kind]


def report_booking(phase: Phase) -> None:
    samples = phase.samples
    latencies = phase.latencies()
    statuses = phase.statuses()
    created = [s for s in samples if s.status == 201]
    print(
        f"bookings (201): {len(created)} = {phase.rate(201):.1f}/s;  requests: {len(samples)} = "
        f"{phase.rate():.1f}/s over {phase.seconds:.1f} s"
    )
    print(
        f"latency (ms): p50 {percentile(latencies, 0.5):.1f}  p95 {percentile(latencies, 0.95):.1f}  "
        f"p99 {percentile(latencies, 0.99):.1f}  max {max(latencies, default=float('nan')):.1f}"
    )
    for label, subset in (
        ("  201 only", [s.ms for s in created]),
        ("  409 only", [s.ms for s in samples if s.status == 409]),
    ):
        print(
            f"{label}: p50 {percentile(subset, 0.5):.1f}  p95 {percentile(subset, 0.95):.1f}  "
            f"p99 {percentile(subset, 0.99):.1f}"
        )
    if created:
        windows = Counter(min(int(s.at // TIMELINE_STEP), int(phase.seconds // TIMELINE_STEP)) for s in created)
        timeline = ", ".join(str(windows.get(n, 0)) for n in range(int(phase.seconds // TIMELINE_STEP) + 1))
        print(
            f"201s per {TIMELINE_STEP:g} s: {timeline}  (first at {created[0].at:.2f} s, last at "
            f"{created[-1].at:.2f} s; the week fills up, so later requests are mostly 409)"
        )
    print(
        "status codes: " + ", ".join(f"{status or 'no answer'}: {count}" for status, count in sorted(statuses.items()))
    )
    conflicts = Counter(s.code for s in samples if s.status == 409)
    print("409 by code: " + (", ".join(f"{code}: {count}" for code, count in conflicts.most_common()) or "none"))
    others = Counter((s.status, s.code) for s in samples if s.status not in (201, 409))
    if others:
        print(
            "other answers: "
            + ", ".join(f"{status or 'no answer'} {code}: {n}" for (status, code), n in others.items())
        )
    for kind, of_kind in by_type(samples):
        kinds = Counter(s.code if s.status == 409 else str(s.status) for s in of_kind)
        print(f"  {kind}: {len(of_kind)} requests; " + ", ".join(f"{k}: {n}" for k, n in kinds.most_common()))
    print(f"5xx answers: {sum(count for status, count in statuses.items() if status >= 500)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the booking phase (default 30)")
    parser.add_argument("--noop-seconds", type=float, help="length of the no-op phase (default: --seconds)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent client threads (default 20)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3, at least 2)")
    parser.add_argument("--patients", type=int, default=200, help="patient accounts to create (default 200)")
    parser.add_argument(
        "--throttle-rate",
        default="1000000/second",
        help="THROTTLE_ANON/USER/AUTH for the run (default 1000000/second: DRF keeps one timestamp per request "
        "of the window in the cache, so a one-second window keeps that list short)",
    )
    parser.add_argument("--seed", type=int, default=20261130, help="random seed of the clients")
    parser.add_argument("--keep", action="store_true", help="keep the database and the gunicorn log")
    options = parser.parse_args()
    if options.workers < 2:
        parser.error("--workers must be at least 2")
    noop_seconds = options.noop_seconds or options.seconds

    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    work = Path(tempfile.mkdtemp(prefix="clinic-load-"))
    password = secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "ERROR"),  # 4xx warnings would flood the log
        "THROTTLE_ANON": options.throttle_rate,
        "THROTTLE_USER": options.throttle_rate,
        "THROTTLE_AUTH": options.throttle_rate,
        "JWT_ACCESS_MINUTES": "60",
        "FILE_CACHE_DIR": str(work / "cache"),  # throttle history; not the developer's .run/
        "CELERY_FILESYSTEM_BROKER_DIR": str(work / "broker"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)

    recreate_database(url, LOAD_DATABASE_MARKERS)
    server: Server | None = None
    failed = False
    try:
        began = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--password", password)
        facts = json.loads(manage(env, "shell", "-c", SEED_PATIENTS.format(count=options.patients)).splitlines()[-1])
        for what, expected, found in (
            ("staff", EXPECTED_STAFF, facts["staff"]),
            ("rooms", EXPECTED_ROOMS, facts["rooms"]),
        ):
            for key, count in expected.items():
                if found.get(key) != count:
                    raise SystemExit(f"seed_demo gave {found.get(key)} {key} {what}, expected {count}.")
        missing_types = [code for code in TYPES if code not in facts["types"]]
        if missing_types:
            raise SystemExit(f"appointment types missing after seed_demo: {missing_types}")
        patients: list[str] = facts["patients"]
        prepared = time.perf_counter()

        server = start_gunicorn(env, options.workers, work / "gunicorn.log")
        # Staff sign in with the second factor: the code of the seeded device (django-otp's own TOTP).
        otp = manage(env, "shell", "-c", ADMIN_OTP).strip().splitlines()[-1]
        credentials = {"email": ADMIN_EMAIL, "password": password, "otp": otp}
        status, body = call(server.port, "POST", "/api/v1/auth/token/", credentials)
        if status != 200:
            raise SystemExit(f"login as {ADMIN_EMAIL} failed: {status} {body[:200]!r}")
        token = json.loads(body)["access"]

        today = datetime.now(ZONE).date()
        starts = next_week_starts(today)
        port = server.port

        def book(rng: random.Random) -> tuple[str, int, str]:
            kind = rng.choice(TYPES)
            payload = {"type": kind, "start": rng.choice(starts), "patient": rng.choice(patients)}
            status, body = call(port, "POST", BOOKING_PATH, payload, token)
            return kind, status, error_code(status, body)

        def noop(rng: random.Random) -> tuple[str, int, str]:
            status, body = call(port, "GET", NOOP_PATH, token=token)
            return "noop", status, error_code(status, body)

        print(f"Booking load benchmark - PostgreSQL, database {database_name(url)}")
        print(
            f"prepared in {prepared - began:.1f} s: demo clinic ({facts['staff']}, rooms {facts['rooms']}), "
            f"{len(patients)} patients, each with an active plan"
        )
        print(
            f"gunicorn sync workers: {options.workers}, port {port}; clients: {options.clients} threads in this "
            f"process; CPUs: {os.cpu_count()}"
        )
        print(
            f"candidates: {len(starts)} starts x {len(TYPES)} types, {starts[0]} .. {starts[-1]} "
            f"(Mon-Fri {FIRST_START:%H:%M}-{LAST_START:%H:%M} local, {GRID}-minute grid), booked by {ADMIN_EMAIL}"
        )
        print()
        print(f"== booking: POST {BOOKING_PATH} for {options.seconds:g} s ==")
        booking = run_phase("booking", options.clients, options.seconds, book, options.seed)
        report_booking(booking)

        print()
        print(f"== no-op reference: GET {NOOP_PATH} (authenticated, one small read) for {noop_seconds:g} s ==")
        reference = run_phase("noop", options.clients, noop_seconds, noop, options.seed + 1)
        ref_latencies = reference.latencies()
        print(
            f"requests: {len(reference.samples)} = {reference.rate():.1f}/s; latency (ms): "
            f"p50 {percentile(ref_latencies, 0.5):.1f}  p95 {percentile(ref_latencies, 0.95):.1f}  "
            f"p99 {percentile(ref_latencies, 0.99):.1f}"
        )
        ref_statuses = reference.statuses()
        print("status codes: " + ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(ref_statuses.items())))

        print()
        print("== ratio ==")
        if reference.rate():
            print(
                f"booking requests/s / no-op requests/s = {booking.rate():.1f} / {reference.rate():.1f} = "
                f"{booking.rate() / reference.rate():.2f}  "
                f"(201s alone: {booking.rate(201) / reference.rate():.3f})"
            )
        print(
            f"p50 latency booking / no-op = {percentile(booking.latencies(), 0.5):.1f} / "
            f"{percentile(ref_latencies, 0.5):.1f} ms"
        )

        print()
        print("== SQL checks (violations, must be 0) ==")
        created = sum(1 for s in booking.samples if s.status == 201)
        results, notes = sql_checks(url, created)
        for name, violations in results:
            print(f"{violations:>6}  {name}{'' if violations == 0 else '   <-- FAILED'}")
        for note in notes:
            print(note)

        stop_gunicorn(server)
        problems = log_problems(server.log)
        restarts = server.log.read_text(errors="replace").count("Autorestarting worker")
        print()
        print(
            f"gunicorn log: {len(problems)} suspicious line(s) (errors, tracebacks, timeouts, deadlocks, 5xx); "
            f"{restarts} worker recycle(s) by max_requests"
        )
        for line in problems[:20]:
            print("  " + line)
        print("time inside gunicorn workers (access log %D; the rest of the client latency is queueing):")
        for (method, path, status), times in sorted(worker_times(server.log).items()):
            if path in (BOOKING_PATH, NOOP_PATH):
                print(
                    f"  {method} {path} {status}: {len(times)} requests, p50 {percentile(times, 0.5):.1f} ms, "
                    f"p95 {percentile(times, 0.95):.1f} ms"
                )

        bad_booking = sum(n for status, n in booking.statuses().items() if status not in (201, 409))
        bad_noop = sum(n for status, n in ref_statuses.items() if status != 200)
        reasons = []
        if bad_booking:
            reasons.append(f"{bad_booking} booking answer(s) neither 201 nor 409")
        if bad_noop:
            reasons.append(f"{bad_noop} no-op answer(s) not 200")
        if not created:
            reasons.append("no booking succeeded")
        if any(violations for _, violations in results):
            reasons.append("an SQL check failed")
        if problems:
            reasons.append("errors in the gunicorn log")
        failed = bool(reasons)
        print()
        print("RESULT: " + ("FAILED - " + "; ".join(reasons) if failed else "OK"))
        if options.keep:
            print(f"kept: database {url}, gunicorn log {server.log}")
        return 1 if failed else 0
    finally:
        if server is not None:
            stop_gunicorn(server)
        if not options.keep:
            drop_database(url, LOAD_DATABASE_MARKERS)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
