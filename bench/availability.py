"""Availability search benchmark (SPEC.md section 8, issue 23): queries, latency, and the ratio to the floor.

Run from the repository root::

    .venv/bin/python bench/availability.py              # SQLite (a temporary file)
    .venv/bin/python bench/availability.py --postgres   # SQLite, then PostgreSQL (clinic_bench)
    .venv/bin/python bench/availability.py --quick      # smoke run, few iterations
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_x .venv/bin/python bench/availability.py

Each database runs in a child process of its own (Django is set up once per process): SQLite
always, in a temporary file; PostgreSQL when ``--postgres`` is given or ``DATABASE_URL`` is a
PostgreSQL URL. The PostgreSQL database is the URL's name with "_bench" appended unless it already
contains "bench" (``clinic_x`` -> ``clinic_x_bench``); it is (re)created and finally dropped, so a
developer's database is never touched. It seeds the section 8 clinic (4 clinicians, 4 nurses, a
therapist, 8 infusion and 2 consult rooms, ~200 patients, 20,000 past and 2,000 future
appointments written with ``bulk_create``), freezes "now" on a Monday morning, and measures the
search over 1, 7, 30 and 60 days for evaluations and infusions.

Columns: "slots" found (anonymous search); "busy", the blocking appointments the busy-times query
loads; queries of "sel" (``availability_for`` alone), "api" (plus what the availability view does
around it for an anonymous request: the appointment-type look-up and the formatting of the slots)
and "pat" (the same for a signed-in patient: the JWT user look-up, and the search with
``patient_id``); the "floor": the busy-interval SQL the search sends, alone (execute and fetch,
no Django), plus a pure-Python sweep that sorts and merges each resource's busy intervals. The
floor, sel, api and pat run one after the other in each iteration, so the machine's load weighs on
all alike; "x floor" is a p50 over the floor's p50. The calendar snapshot is cached after the
warm-up, as between real searches. The 30-day verdicts: SPEC.md's (api and pat at most 6 queries
and p95 <= 100 ms) and issue 23's (sel and api within 3x of the floor). The load average is
printed before and after.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path: the repository root must come before it.
sys.path.insert(0, str(REPO_ROOT))
from bench.databases import bench_url, drop_database, engine_name, recreate_database  # noqa: E402

ZONE = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=ZONE)  # a Monday morning; the 30-day search crosses DST (March 8)
FIRST_DAY = NOW.date() + timedelta(days=1)  # online patients need 12 h notice: search from Tuesday
RANGES = (1, 7, 30, 60)
TARGET_RATIO = 3.0  # issue 23: the 30-day search within 3x of the same run's floor
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench"
TYPES = ("evaluation", "infusion")
TARGET_QUERIES = 6
TARGET_P95_MS = 100.0

PAST_APPOINTMENTS = 20_000
FUTURE_APPOINTMENTS = 2_000
PATIENTS = 200
PAST_PER_DAY = 40  # about two years of weekdays
GRID = 15

# Working hours as local minutes since midnight.
CLINIC_HOURS = (8 * 60, 18 * 60)
ROLE_HOURS = {"clinician": (9 * 60, 17 * 60), "nurse": (8 * 60, 18 * 60), "therapist": (10 * 60, 18 * 60)}
STAFF_COUNTS = {"clinician": 4, "nurse": 4, "therapist": 1}
ROOM_COUNTS = {"infusion": 8, "consult": 2}
TYPE_MIX = (("infusion", 0.6), ("evaluation", 0.25), ("integration", 0.15))


# -- throwaway database ---------------------------------------------------------------------------


@dataclass
class BenchDatabase:
    url: str
    label: str
    cleanup: Callable[[], None]


def prepare_database(keep: bool) -> BenchDatabase:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        folder = tempfile.mkdtemp(prefix="clinic-bench-")
        path = Path(folder) / "bench.sqlite3"

        def remove_folder() -> None:
            shutil.rmtree(folder, ignore_errors=True)

        return BenchDatabase(
            url=f"sqlite:///{path}",
            label=f"SQLite, temporary file {path}",
            cleanup=(lambda: None) if keep else remove_folder,
        )

    scheme = urlsplit(url).scheme
    if scheme.startswith("postgres"):
        name = recreate_database(url)
        return BenchDatabase(
            url=url,
            label=f"PostgreSQL, database {name}",
            cleanup=(lambda: None) if keep else (lambda: drop_database(url)),
        )

    if scheme == "sqlite":
        raw_path = unquote(urlsplit(url).path)
        path = Path(raw_path[1:] if raw_path.startswith("//") else raw_path)
        if not raw_path or ":memory:" in url:
            raise SystemExit("Give the SQLite database as a file path: sqlite:////tmp/clinic-bench.sqlite3")
        if path.exists():
            raise SystemExit(f"Refusing to seed the existing SQLite file {path}; give a path that does not exist.")

        def remove_file() -> None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return BenchDatabase(url=url, label=f"SQLite, {path}", cleanup=(lambda: None) if keep else remove_file)

    raise SystemExit(f"Unsupported DATABASE_URL scheme {scheme!r}: use sqlite:// or postgres://.")


def setup_django(url: str) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# -- seeding --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeSpec:
    pk: int
    duration: int
    patient: int
    room: int
    room_kind: str
    staff_role: str
    nurse_capacity: int
    supervised: bool


@dataclass
class DayPlan:
    """Busy local minutes of each resource during one day, for placing appointments without clashes
    (PostgreSQL's exclusion constraints refuse overlapping rooms, staff members and patients)."""

    rooms: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    staff: dict[Any, list[tuple[int, int]]] = field(default_factory=dict)
    nurses: dict[Any, list[tuple[int, int]]] = field(default_factory=dict)
    patients: dict[Any, list[tuple[int, int]]] = field(default_factory=dict)


def _clear(busy: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= taken_start or start >= taken_end for taken_start, taken_end in busy)


def _overlapping(busy: list[tuple[int, int]], start: int, end: int) -> int:
    return sum(1 for taken_start, taken_end in busy if start < taken_end and taken_start < end)


@dataclass
class Resources:
    rooms: dict[str, list[int]]
    staff: dict[str, list[Any]]
    patients: list[Any]
    types: dict[str, TypeSpec]
    # Full days off: local date -> ids of rooms or staff that are out that day.
    out: dict[date, set[Any]]
    closures: set[date]


def _place(
    spec: TypeSpec, plan: DayPlan, resources: Resources, day: date, rng: random.Random
) -> tuple[int, Any, int | None, Any, Any, Any] | None:
    """A random start (local minutes), a free patient, room, staff member, nurse and supervisor, or None."""
    low, high = CLINIC_HOURS[0], CLINIC_HOURS[1] - (spec.room if spec.room_kind else spec.patient)
    if spec.staff_role:
        hours = ROLE_HOURS[spec.staff_role]
        low, high = max(low, hours[0]), min(high, hours[1] - spec.duration)
    if spec.nurse_capacity:
        hours = ROLE_HOURS["nurse"]
        low, high = max(low, hours[0]), min(high, hours[1] - spec.patient)
    if spec.supervised:
        hours = ROLE_HOURS["clinician"]
        low, high = max(low, hours[0]), min(high, hours[1] - spec.patient)
    if high < low:
        return None
    start = low + GRID * rng.randrange((high - low) // GRID + 1)
    out = resources.out.get(day, set())

    def pick(candidates: list[Any], fits: Callable[[Any], bool]) -> Any:
        shuffled = [c for c in candidates if c not in out]
        rng.shuffle(shuffled)
        return next((c for c in shuffled if fits(c)), None)

    room = staff = nurse = supervisor = None
    patient = next(
        (p for p in rng.sample(resources.patients, 5) if _clear(plan.patients.get(p, []), start, start + spec.patient)),
        None,
    )
    if patient is None:
        return None
    if spec.room_kind:
        room = pick(resources.rooms[spec.room_kind], lambda r: _clear(plan.rooms.get(r, []), start, start + spec.room))
        if room is None:
            return None
    if spec.staff_role:
        staff = pick(
            resources.staff[spec.staff_role], lambda s: _clear(plan.staff.get(s, []), start, start + spec.duration)
        )
        if staff is None:
            return None
    if spec.nurse_capacity:
        nurse = pick(
            resources.staff["nurse"],
            lambda n: _overlapping(plan.nurses.get(n, []), start, start + spec.patient) < spec.nurse_capacity,
        )
        if nurse is None:
            return None
    if spec.supervised:
        supervisor = pick(resources.staff["clinician"], lambda _: True)
        if supervisor is None:
            return None
    return start, patient, room, staff, nurse, supervisor


def _open_days(first: date, step: int, closures: set[date]) -> Iterator[date]:
    """Weekdays that are not closures, from ``first`` on, walking ``step`` days at a time."""
    day = first
    while True:
        if day.weekday() < 5 and day not in closures:
            yield day
        day += timedelta(days=step)


def _status(rng: random.Random, past: bool) -> str:
    roll = rng.random()
    if past:
        return "completed" if roll < 0.90 else "cancelled" if roll < 0.96 else "no_show"
    return "booked" if roll < 0.95 else "cancelled"


def _appointments(
    resources: Resources, rng: random.Random, future_days: int, past: int, future: int
) -> Iterator[dict[str, Any]]:
    """Field values of ``past`` appointments before NOW's day and ``future`` ones from it on.

    The future ones get an even share per open day over ``future_days`` calendar days; where a
    day's share does not fit its free rooms, staff and nurses, the rest spills over to later days.
    """
    from scheduling.intervals import local_instant

    codes = [code for code, _ in TYPE_MIX]
    weights = [weight for _, weight in TYPE_MIX]

    def fill(days: Iterator[date], total: int, per_day: int, past: bool) -> Iterator[dict[str, Any]]:
        made = 0
        for day in days:
            if made >= total:
                return
            opening = local_instant(day, clock(CLINIC_HOURS[0] // 60), ZONE)  # no DST jump between 08:00 and 18:00
            plan = DayPlan()
            wanted = min(per_day, total - made)
            placed = 0
            for _ in range(wanted * 8):
                if placed >= wanted:
                    break
                spec = resources.types[rng.choices(codes, weights)[0]]
                found = _place(spec, plan, resources, day, rng)
                if found is None:
                    continue
                start, patient, room, staff, nurse, supervisor = found
                status = _status(rng, past)
                if status != "cancelled":  # a cancelled visit frees its resources for someone else
                    plan.patients.setdefault(patient, []).append((start, start + spec.patient))
                    if room is not None:
                        plan.rooms.setdefault(room, []).append((start, start + spec.room))
                    if staff is not None:
                        plan.staff.setdefault(staff, []).append((start, start + spec.duration))
                    if nurse is not None:
                        plan.nurses.setdefault(nurse, []).append((start, start + spec.patient))
                starts_at = opening + timedelta(minutes=start - CLINIC_HOURS[0])
                placed += 1
                yield {
                    "patient_id": patient,
                    "appointment_type_id": spec.pk,
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(minutes=spec.patient),
                    "staff_released_at": starts_at + timedelta(minutes=spec.duration),
                    "room_released_at": starts_at + timedelta(minutes=spec.room),
                    "room_id": room,
                    "staff_id": staff,
                    "nurse_id": nurse,
                    "supervising_clinician_id": supervisor,
                    "status": status,
                }
            made += placed

    closures = resources.closures
    yield from fill(_open_days(NOW.date() - timedelta(days=1), -1, closures), past, PAST_PER_DAY, True)
    horizon = NOW.date() + timedelta(days=future_days)
    open_days = sum(1 for _ in itertools.takewhile(lambda day: day < horizon, _open_days(NOW.date(), 1, closures)))
    yield from fill(_open_days(NOW.date(), 1, closures), future, -(-future // open_days), False)


def seed(future_days: int, past: int = PAST_APPOINTMENTS, future: int = FUTURE_APPOINTMENTS) -> dict[str, int]:
    """The section 8 clinic, with ``past`` appointments before NOW's day and ``future`` from it on."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import PatientProfile, Role, User
    from booking.management.commands.seed_demo import APPOINTMENT_TYPES
    from booking.models import Appointment
    from scheduling.intervals import local_instant
    from scheduling.models import (
        AppointmentType,
        Clinic,
        ClinicClosure,
        ClinicHours,
        Room,
        RoomOutage,
        StaffMember,
        TimeOff,
        WorkingHours,
    )

    rng = random.Random(20260302)
    unusable = make_password(None)
    with transaction.atomic():
        clinic = Clinic.objects.create(name="Bench Clinic", time_zone=str(ZONE))
        ClinicHours.objects.bulk_create(
            ClinicHours(clinic=clinic, weekday=weekday, opens_at=clock(8), closes_at=clock(18)) for weekday in range(5)
        )
        rooms: dict[str, list[int]] = {}
        for kind, count in ROOM_COUNTS.items():
            created = Room.objects.bulk_create(
                Room(clinic=clinic, name=f"{kind.title()} {number}", kind=kind) for number in range(1, count + 1)
            )
            rooms[kind] = [room.pk for room in created]
            if not all(rooms[kind]):  # backends that do not return ids from bulk_create
                rooms[kind] = list(Room.objects.filter(clinic=clinic, kind=kind).values_list("pk", flat=True))

        staff: dict[str, list[Any]] = {}
        for role, count in STAFF_COUNTS.items():
            users = User.objects.bulk_create(
                User(
                    email=f"{role}{number}@bench.example.com",
                    first_name=role.title(),
                    last_name=str(number),
                    role=role,
                    password=unusable,
                )
                for number in range(1, count + 1)
            )
            members = StaffMember.objects.bulk_create(StaffMember(user=user, clinic=clinic) for user in users)
            starts, ends = ROLE_HOURS[role]
            WorkingHours.objects.bulk_create(
                WorkingHours(
                    staff=member,
                    weekday=weekday,
                    starts_at=clock(starts // 60, starts % 60),
                    ends_at=clock(ends // 60, ends % 60),
                )
                for member in members
                for weekday in range(5)
            )
            staff[role] = [member.pk for member in members]

        patients = User.objects.bulk_create(
            User(
                email=f"patient{number}@bench.example.com",
                first_name="Patient",
                last_name=str(number),
                role=Role.PATIENT,
                password=unusable,
            )
            for number in range(1, PATIENTS + 1)
        )
        PatientProfile.objects.bulk_create(
            PatientProfile(
                user=patient, date_of_birth=date(1960 + number % 40, 1 + number % 12, 1), phone="+15105550100"
            )
            for number, patient in enumerate(patients)
        )

        types: dict[str, TypeSpec] = {}
        for fields in APPOINTMENT_TYPES:
            created_type = AppointmentType.objects.create(clinic=clinic, **fields)
            types[created_type.code] = TypeSpec(
                pk=created_type.pk,
                duration=created_type.duration_minutes,
                patient=created_type.patient_minutes,
                room=created_type.room_minutes,
                room_kind=created_type.room_kind,
                staff_role=created_type.staff_role,
                nurse_capacity=created_type.nurse_capacity,
                supervised=created_type.needs_supervising_clinician,
            )

        # A few exceptions, inside the searched month and in the past: closures, time off, an outage.
        closures = {NOW.date() + timedelta(days=16), NOW.date() - timedelta(days=70), NOW.date() - timedelta(days=300)}
        ClinicClosure.objects.bulk_create(ClinicClosure(clinic=clinic, closed_on=day) for day in sorted(closures))
        out: dict[date, set[Any]] = {}

        def away(resource: Any, first: date, days: int) -> tuple[datetime, datetime]:
            """Marks a room or staff member out for whole local days; the instants of that range."""
            for offset in range(days):
                out.setdefault(first + timedelta(days=offset), set()).add(resource)
            return local_instant(first, clock(0), ZONE), local_instant(first + timedelta(days=days), clock(0), ZONE)

        for member, first, days in [
            (staff["clinician"][0], NOW.date() + timedelta(days=8), 3),
            (staff["nurse"][1], NOW.date() + timedelta(days=3), 1),
            (staff["therapist"][0], NOW.date() + timedelta(days=22), 5),
            (staff["clinician"][2], NOW.date() - timedelta(days=40), 5),
        ]:
            starts_at, ends_at = away(member, first, days)
            TimeOff.objects.create(staff_id=member, starts_at=starts_at, ends_at=ends_at, reason="Leave")
        outage_room = rooms["infusion"][3]
        starts_at, ends_at = away(outage_room, NOW.date() + timedelta(days=10), 2)
        RoomOutage.objects.create(room_id=outage_room, starts_at=starts_at, ends_at=ends_at, reason="Pump service")

        resources = Resources(
            rooms=rooms, staff=staff, patients=[p.pk for p in patients], types=types, out=out, closures=closures
        )
        batch: list[Appointment] = []
        counts = {"past": 0, "future": 0}
        last_start = NOW
        for values in _appointments(resources, rng, future_days, past, future):
            counts["past" if values["starts_at"] < NOW else "future"] += 1
            last_start = max(last_start, values["starts_at"])
            batch.append(Appointment(**values))
            if len(batch) >= 2_000:
                Appointment.objects.bulk_create(batch)
                batch = []
        Appointment.objects.bulk_create(batch)
    counts["future_span_days"] = (last_start.astimezone(ZONE).date() - NOW.date()).days + 1
    return counts


def analyze() -> None:
    """Fresh planner statistics, as autovacuum (PostgreSQL) or a maintained database would have."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# -- measuring ------------------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass
class Row:
    code: str
    days: int
    slots: int
    busy_rows: int
    selector_queries: int
    api_queries: int
    patient_queries: int
    floor_ms: list[float]
    selector_ms: list[float]
    api_ms: list[float]
    patient_ms: list[float]

    @property
    def meets_targets(self) -> bool:
        worst = max(percentile(self.api_ms, 0.95), percentile(self.patient_ms, 0.95))
        return max(self.api_queries, self.patient_queries) <= TARGET_QUERIES and worst <= TARGET_P95_MS

    def ratio(self, samples: list[float]) -> float:
        return percentile(samples, 0.5) / max(percentile(self.floor_ms, 0.5), 1e-9)

    @property
    def meets_ratio(self) -> bool:
        return self.ratio(self.selector_ms) <= TARGET_RATIO and self.ratio(self.api_ms) <= TARGET_RATIO


def searching_patient(code: str) -> Any:
    """A patient with future appointments (so their own busy times count), fewest of this type first
    (one already holding ``max_future_per_patient`` of them would be offered nothing)."""
    from django.db.models import Count, Q

    from accounts.models import Role, User
    from booking.models import BLOCKING_STATUSES

    future = Q(appointments__starts_at__gt=NOW, appointments__status__in=BLOCKING_STATUSES)
    return (
        User.objects.filter(role=Role.PATIENT)
        .annotate(
            upcoming=Count("appointments", filter=future),
            of_type=Count("appointments", filter=future & Q(appointments__appointment_type__code=code)),
        )
        .order_by("of_type", "-upcoming")
        .values_list("pk", flat=True)
        .first()
    )


def sweep(rows: list[tuple[Any, ...]]) -> int:
    """The floor's Python part: each resource's busy intervals (integers) sorted and merged."""
    held: dict[Any, list[tuple[int, int]]] = {}
    for room_id, staff_id, nurse_id, _patient, starts, ends, staff_until, room_until in rows:
        if room_id is not None:
            held.setdefault(room_id, []).append((starts, room_until))
        if staff_id is not None:
            held.setdefault(staff_id, []).append((starts, staff_until))
        if nurse_id is not None:
            held.setdefault(nurse_id, []).append((starts, ends))
    merged = 0
    for intervals in held.values():
        intervals.sort()
        end = None
        for start, finish in intervals:
            if end is None or start > end:
                merged += 1
                end = finish
            elif finish > end:
                end = finish
    return merged


def floor_of(range_start: datetime, range_end: datetime) -> Callable[[], int]:
    """The floor: the busy-interval SQL the search sends (execute and fetch), and the sweep."""
    from django.db import connection

    from booking.availability import _busy_rows

    sql, params = _busy_rows(
        range_start=range_start, range_end=range_end, ignore_appointment_id=None
    ).query.sql_with_params()

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return sweep(rows)

    return floor


def measure(code: str, days: int, iterations: int, show_sql: bool) -> Row:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from booking.availability import availability_for
    from booking.models import BLOCKING_STATUSES, Appointment
    from scheduling.intervals import local_day_bounds
    from scheduling.models import AppointmentType

    last_day = FIRST_DAY + timedelta(days=days - 1)
    loaded = AppointmentType.objects.select_related("clinic").get(code=code)

    def selector() -> int:
        return len(availability_for(appointment_type=loaded, first_day=FIRST_DAY, last_day=last_day, now=NOW))

    patient_id = searching_patient(code)

    def api(signed_in: bool = False) -> int:
        # What AvailabilityApi.get does around the selector: anonymous, or a signed-in patient
        # (JWTAuthentication loads the user; the search then counts the patient's own bookings).
        if signed_in:
            User.objects.get(pk=patient_id)
        appointment_type = AppointmentType.objects.select_related("clinic").filter(code=code, is_active=True).first()
        assert appointment_type is not None
        slots = availability_for(
            appointment_type=appointment_type,
            first_day=FIRST_DAY,
            last_day=last_day,
            patient_id=patient_id if signed_in else None,
            now=NOW,
        )
        zone = appointment_type.clinic.zone
        body = [
            {"start": s.start.astimezone(zone).isoformat(), "end": s.end.astimezone(zone).isoformat()} for s in slots
        ]
        return len(body)

    def patient_api() -> int:
        return api(signed_in=True)

    range_start, range_end = local_day_bounds(FIRST_DAY, last_day, ZONE)
    floor = floor_of(range_start, range_end)
    slots = selector()  # warm-up; the calendar snapshot is then cached, as between real searches
    api()
    patient_api()
    floor()
    with CaptureQueriesContext(connection) as selector_queries:
        selector()
    with CaptureQueriesContext(connection) as api_queries:
        api()
    with CaptureQueriesContext(connection) as patient_queries:
        patient_api()
    if show_sql:
        print(f"\n-- {code}, {days} day(s): {len(patient_queries)} queries (api-equivalent, signed-in patient)")
        for query in patient_queries.captured_queries:
            print(f"   [{float(query['time']) * 1000:6.2f} ms] {query['sql'][:150]}")

    busy_rows = Appointment.objects.filter(
        status__in=BLOCKING_STATUSES,
        starts_at__gte=range_start - timedelta(days=1),
        starts_at__lt=range_end + timedelta(days=1),
    ).count()

    # Interleaved: the floor and each variant one after the other, so that the machine's load
    # weighs on all of them alike.
    calls = {"floor": floor, "sel": selector, "api": api, "pat": patient_api}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(iterations):
        for name, call in calls.items():
            began = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - began) * 1000)

    return Row(
        code=code,
        days=days,
        slots=slots,
        busy_rows=busy_rows,
        selector_queries=len(selector_queries),
        api_queries=len(api_queries),
        patient_queries=len(patient_queries),
        floor_ms=samples["floor"],
        selector_ms=samples["sel"],
        api_ms=samples["api"],
        patient_ms=samples["pat"],
    )


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'type':<11}{'days':>5}{'slots':>7}{'busy':>6}{'q sel/api/pat':>15}"
        f"{'floor p50':>10}{'sel p50':>9}{'x floor':>8}{'api p50':>9}{'x floor':>8}"
        f"{'api p95':>9}{'pat p95':>9}   30-day targets"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        verdict = ""
        if row.days == 30:
            verdict = (
                f"spec {'OK' if row.meets_targets else 'MISSED'}, "
                f"<= {TARGET_RATIO:g}x floor {'OK' if row.meets_ratio else 'MISSED'}"
            )
        print(
            f"{row.code:<11}{row.days:>5}{row.slots:>7}{row.busy_rows:>6}"
            f"{f'{row.selector_queries}/{row.api_queries}/{row.patient_queries}':>15}"
            f"{percentile(row.floor_ms, 0.5):>10.2f}"
            f"{percentile(row.selector_ms, 0.5):>9.2f}{row.ratio(row.selector_ms):>8.1f}"
            f"{percentile(row.api_ms, 0.5):>9.2f}{row.ratio(row.api_ms):>8.1f}"
            f"{percentile(row.api_ms, 0.95):>9.1f}{percentile(row.patient_ms, 0.95):>9.1f}   {verdict}"
        )


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def each_database(options: argparse.Namespace) -> int:
    """SQLite, then PostgreSQL: one child process each (Django is set up once per process)."""
    url = os.environ.get("DATABASE_URL", "")
    targets = [""]
    if urlsplit(url).scheme.startswith("postgres"):
        targets.append(bench_url(url))
    elif options.postgres:
        targets.append(DEFAULT_POSTGRES_URL)
    worst = 0
    for target in targets:
        env = {**os.environ, "DATABASE_URL": target}
        arguments = [arg for arg in sys.argv[1:] if arg != "--postgres"]
        done = subprocess.run([sys.executable, __file__, "--single", *arguments], env=env, check=False)
        worst = max(worst, done.returncode)
        print()
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smoke run: 5 timed iterations instead of 50")
    parser.add_argument("--iterations", type=int, help="timed runs per type and range (default 50, 5 with --quick)")
    parser.add_argument(
        "--future-days",
        type=int,
        default=60,
        help="calendar days from NOW over which the future appointments spread (default 60, the booking horizon)",
    )
    parser.add_argument("--sql", action="store_true", help="print the SQL of each measured search")
    parser.add_argument("--keep-db", action="store_true", help="leave the seeded database behind for inspection")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a 30-day target is missed")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"after SQLite, PostgreSQL too (DATABASE_URL's server, else {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)  # one database, this process
    options = parser.parse_args()
    if not options.single:
        return each_database(options)
    iterations = options.iterations or (5 if options.quick else 50)

    database = prepare_database(keep=options.keep_db)
    try:
        setup_django(database.url)
        from django.core.management import call_command

        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        counts = seed(options.future_days)
        analyze()
        seeded = time.perf_counter()

        print(f"Availability benchmark - {database.label} ({engine_name()})")
        print(
            f"migrated in {migrated - began:.1f} s; seeded in {seeded - migrated:.1f} s: {counts['past']:,} past and "
            f"{counts['future']:,} future appointments (aimed at {options.future_days} days, "
            f"spanning {counts['future_span_days']}), {PATIENTS} patients"
        )
        print(
            f"now = {NOW:%a %Y-%m-%d %H:%M} {ZONE.key}; online search (notice and horizon, "
            f"no patient) from {FIRST_DAY:%a %Y-%m-%d}; {iterations} timed runs each, interleaved; times in ms"
        )
        print(
            "floor: the busy-interval SQL alone (execute and fetch) and a pure-Python sweep over its rows; "
            "sel: availability_for; api: plus the type look-up and the formatting; pat: a signed-in patient"
        )
        print(f"load average before: {load_average()}")
        print()
        rows = [measure(code, days, iterations, options.sql) for code in TYPES for days in RANGES]
        if options.sql:
            print()
        print_table(rows)
        month = [row for row in rows if row.days == 30]
        met = all(row.meets_targets and row.meets_ratio for row in month)
        print()
        print(
            f"30-day targets (api and pat: <= {TARGET_QUERIES} queries, p95 <= {TARGET_P95_MS:.0f} ms): "
            + ", ".join(f"{row.code} {'met' if row.meets_targets else 'MISSED'}" for row in month)
        )
        print(
            f"30-day ratio to the floor (sel and api p50 <= {TARGET_RATIO:g}x): "
            + ", ".join(
                f"{row.code} sel {row.ratio(row.selector_ms):.1f}x api {row.ratio(row.api_ms):.1f}x "
                f"{'met' if row.meets_ratio else 'MISSED'}"
                for row in month
            )
        )
        print(f"load average after: {load_average()}")
        if options.keep_db:
            print(f"database kept: {database.url}")
        return 1 if options.strict and not met else 0
    finally:
        database.cleanup()


if __name__ == "__main__":
    sys.exit(main())
