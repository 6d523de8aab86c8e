"""/book/ page benchmark (SPEC.md section 9): server time and SQL queries of the day and time lists.

Run from the repository root::

    .venv/bin/python bench/pages.py                  # temporary SQLite file
    .venv/bin/python bench/pages.py --postgres       # throwaway PostgreSQL database clinic_pages_bench
    .venv/bin/python bench/pages.py --quick          # smoke run, few requests
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench .venv/bin/python bench/pages.py

It never touches the developer's database (``bench/availability.py``'s ``prepare_database``:
a temporary SQLite file, or a PostgreSQL database whose name holds "bench", created and dropped
here). It seeds the section 8 clinic with ``bench/availability.py``'s builder twice, at two sizes
(2,000 past and 200 future appointments, then 20,000 and 2,000), freezes "now" on the same Monday
morning, and gives one patient with upcoming appointments a signed candidate evaluation and an
active treatment plan. Then, in-process with Django's test client, it requests four pages:

* ``/book/?type=evaluation``: the day list (the page's 28 days), as an anonymous visitor;
* ``/book/?type=evaluation&day=...``: the same with that day's times under it;
* ``/book/?type=infusion`` and ``...&day=...``: the same for the patient (``force_login``).

The day of the time list is the one with the most open times (the largest list to render).
For each page and size: the SQL queries of one request (``CaptureQueriesContext``) and the
p50/p95 of the server time over ``--requests`` requests after a warm-up. It exits 1 when a
page costs more queries with the larger clinic (and, with ``--strict``, when a p95 of the full
clinic misses SPEC.md's 150 ms). ``--profile`` prints where the time of each page goes (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path: the repository root must come before it.
sys.path.insert(0, str(REPO_ROOT))
from bench.availability import (  # noqa: E402
    NOW,
    ZONE,
    analyze,
    percentile,
    prepare_database,
    searching_patient,
    seed,
    setup_django,
)
from bench.databases import engine_name  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/clinic_pages_bench"
SIZES = (("smaller", 2_000, 200), ("section 8", 20_000, 2_000))  # name, past, future appointments
FUTURE_DAYS = 60  # the future appointments spread over the booking horizon, as in bench/availability.py
TARGET_P95_MS = 150.0


@dataclass(frozen=True)
class Page:
    code: str  # appointment type
    with_times: bool  # the time list of the busiest day, or the day list alone
    signed_in: bool

    @property
    def name(self) -> str:
        return f"{self.code} {'time list' if self.with_times else 'day list'}"

    @property
    def visitor(self) -> str:
        return "patient with plan" if self.signed_in else "anonymous"


PAGES = (
    Page("evaluation", with_times=False, signed_in=False),
    Page("evaluation", with_times=True, signed_in=False),
    Page("infusion", with_times=False, signed_in=True),
    Page("infusion", with_times=True, signed_in=True),
)


@dataclass
class Result:
    size: str
    past: int
    future: int
    page: Page
    path: str
    open_times: int  # over the page's 28 days
    day_times: int  # on the day of the time list
    queries: int
    sql: list[str]  # "[time] statement", of the measured request
    samples_ms: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.samples_ms, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 0.95)


# -- data -----------------------------------------------------------------------------------------


def reset_database() -> None:
    """Empties every table (the schema stays) before the next size is seeded."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def patient_with_plan() -> Any:
    """The patient ``bench/availability.py`` searches infusions with (upcoming appointments of
    their own, fewest infusions), given what infusions need, as ``bench/booking_load.py`` gives
    it: a completed evaluation visit, its signed candidate evaluation and an active plan."""
    from accounts.models import User
    from booking.models import Appointment, AppointmentStatus
    from clinical.models import Decision, Evaluation, EvaluationStatus, PlanStatus, Route, TreatmentPlan
    from core.roles import Role
    from scheduling.intervals import local_instant
    from scheduling.models import AppointmentType, Room, StaffMember

    patient = User.objects.get(pk=searching_patient("infusion"))
    clinician = StaffMember.objects.select_related("user").filter(user__role=Role.CLINICIAN).order_by("pk").first()
    consult = Room.objects.filter(kind="consult").order_by("pk").first()
    assert clinician is not None
    assert consult is not None
    evaluation_type = AppointmentType.objects.get(code="evaluation")
    # The Saturday before NOW: the clinic is closed, so no seeded visit holds that room or clinician.
    starts_at = local_instant(NOW.date() - timedelta(days=2), clock(10), ZONE)
    visit = Appointment.objects.create(
        patient=patient,
        appointment_type=evaluation_type,
        status=AppointmentStatus.COMPLETED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=evaluation_type.patient_minutes),
        staff_released_at=starts_at + timedelta(minutes=evaluation_type.duration_minutes),
        room_released_at=starts_at + timedelta(minutes=evaluation_type.room_minutes),
        staff=clinician,
        room=consult,
    )
    evaluation = Evaluation.objects.create(
        appointment=visit,
        patient=patient,
        clinician=clinician.user,
        status=EvaluationStatus.SIGNED,
        phq9_total=15,
        gad7_total=10,
        systolic_bp=120,
        diastolic_bp=80,
        heart_rate=70,
        substance_use="none",
        decision=Decision.CANDIDATE,
        rationale="Meets criteria.",
        signed_at=visit.ends_at,
        signed_by=clinician.user,
    )
    TreatmentPlan.objects.create(
        evaluation=evaluation,
        patient=patient,
        status=PlanStatus.ACTIVE,
        activated_at=evaluation.signed_at,
        infusions_planned=6,
        min_days_between=2,
        window_days=21,
        dose_mg_per_kg="0.50",
        route=Route.IV,
    )
    return patient


def busiest_day(code: str, patient: Any | None) -> tuple[date, int, int]:
    """The day of the page's 28 with the most open times for ``code``, its count and the total."""
    from booking.availability import availability_for
    from scheduling.models import AppointmentType
    from web.booking_flow.day_picker import DAYS_SHOWN

    appointment_type = AppointmentType.objects.select_related("clinic").get(code=code)
    first_day = NOW.date()
    slots = availability_for(
        appointment_type=appointment_type,
        first_day=first_day,
        last_day=first_day + timedelta(days=DAYS_SHOWN - 1),
        patient_id=patient.pk if patient is not None else None,
        online=True,
    )
    per_day = Counter(slot.start.astimezone(ZONE).date() for slot in slots)
    if not per_day:
        raise SystemExit(f"No open {code} times in the page's {DAYS_SHOWN} days: the benchmark would measure nothing.")
    day, count = max(per_day.items(), key=lambda item: (item[1], -item[0].toordinal()))
    return day, count, len(slots)


# -- measuring ------------------------------------------------------------------------------------


def measure_size(
    size: str, past: int, future: int, requests: int, warmup: int, profile: int
) -> tuple[list[Result], dict[str, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = seed(FUTURE_DAYS, past=past, future=future)
    patient = patient_with_plan()
    analyze()
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(patient)

    results = []
    for page in PAGES:
        client = signed_in if page.signed_in else anonymous
        day, day_times, open_times = busiest_day(page.code, patient if page.signed_in else None)
        path = f"/book/?type={page.code}" + (f"&day={day.isoformat()}" if page.with_times else "")

        def get(path: str = path, client: Any = client) -> Any:
            return client.get(path)

        response = get()
        body = response.content.decode()
        if response.status_code != 200 or 'class="day-link"' not in body:
            raise SystemExit(f"{path} answered {response.status_code} without a day to choose.")
        shown = body.count('class="time-link"')
        if shown != (day_times if page.with_times else 0):
            raise SystemExit(f"{path} shows {shown} times; expected {day_times if page.with_times else 0}.")
        for _ in range(warmup):
            get()
        with CaptureQueriesContext(connection) as queries:
            get()
        # Now: the next request's request_started signal empties the connection's query log.
        sql = [f"[{float(query['time']) * 1000:6.2f} ms] {query['sql']}" for query in queries.captured_queries]
        samples = []
        for _ in range(requests):
            began = time.perf_counter()
            get()
            samples.append((time.perf_counter() - began) * 1000)
        if profile:
            print(f"\n== cProfile: {page.name} ({page.visitor}), {size} clinic, {profile} requests")
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(profile):
                get()
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
        results.append(
            Result(
                size=size,
                past=counts["past"],
                future=counts["future"],
                page=page,
                path=path,
                open_times=open_times,
                day_times=day_times,
                queries=len(sql),
                sql=sql,
                samples_ms=samples,
            )
        )
    return results, counts


def print_table(results: list[Result]) -> None:
    header = (
        f"{'clinic':<10}{'past':>8}{'future':>8}  {'page':<22}{'visitor':<19}"
        f"{'open':>6}{'shown':>7}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}   p95 target"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        verdict = "OK" if row.p95 <= TARGET_P95_MS else "MISSED"
        shown = row.day_times if row.page.with_times else 0
        print(
            f"{row.size:<10}{row.past:>8,}{row.future:>8,}  {row.page.name:<22}{row.page.visitor:<19}"
            f"{row.open_times:>6}{shown:>7}{row.queries:>9}{row.p50:>9.1f}{row.p95:>9.1f}   {verdict}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"use PostgreSQL: DATABASE_URL when it names one, else {DEFAULT_POSTGRES_URL}",
    )
    parser.add_argument("--requests", type=int, help="timed requests per page and size (default 200, 10 with --quick)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests before timing each page (default 10)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 timed requests per page")
    parser.add_argument("--sql", action="store_true", help="print the SQL of each page")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N more requests of each page")
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a p95 misses 150 ms")
    options = parser.parse_args()
    requests = options.requests or (10 if options.quick else 200)

    if options.postgres and not urlsplit(os.environ.get("DATABASE_URL", "")).scheme.startswith("postgres"):
        os.environ["DATABASE_URL"] = DEFAULT_POSTGRES_URL
    database = prepare_database(keep=False)
    try:
        setup_django(database.url)
        import time_machine
        from django.conf import settings
        from django.core.management import call_command

        # The test client's host, without setup_test_environment(): that would also instrument
        # template rendering (a signal and a context copy per template), which production lacks.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: no collectstatic here
        call_command("migrate", verbosity=0)
        print(f"/book/ pages benchmark - {database.label} ({engine_name()})")
        print(
            f"now = {NOW:%a %Y-%m-%d %H:%M} {ZONE.key}; in-process test client; {options.warmup} warm-up and "
            f"{requests} timed requests per page; times in ms; 'open': times in the page's 28 days, "
            f"'shown': times listed under the chosen (busiest) day\n"
        )
        results: list[Result] = []
        with time_machine.travel(NOW, tick=True):
            for index, (size, past, future) in enumerate(SIZES):
                if index:
                    reset_database()
                began = time.perf_counter()
                rows, counts = measure_size(size, past, future, requests, options.warmup, options.profile)
                print(
                    f"{size} clinic: {counts['past']:,} past and {counts['future']:,} future appointments, "
                    f"seeded and measured in {time.perf_counter() - began:.1f} s"
                )
                results.extend(rows)
        print()
        print_table(results)

        small = {row.page: row for row in results if row.size == SIZES[0][0]}
        full = [row for row in results if row.size == SIZES[-1][0]]
        print()
        grew = []
        for row in full:
            before = small[row.page]
            same = "same" if row.queries == before.queries else "GREW" if row.queries > before.queries else "fewer"
            if row.queries > before.queries:
                grew.append(row.page.name)
            print(
                f"queries, {row.page.name:<22}: {before.queries} with {before.past:,}/{before.future:,} "
                f"past/future appointments, {row.queries} with {row.past:,}/{row.future:,}: {same}"
            )
            if options.sql or row.queries != before.queries:
                for number, sql in enumerate(row.sql, 1):
                    print(f"   {number:>2}. {sql[:170]}")
        missed = [row.page.name for row in full if row.p95 > TARGET_P95_MS]
        print()
        print(
            f"section 8 clinic, p95 <= {TARGET_P95_MS:.0f} ms: "
            + ", ".join(f"{row.page.name} {'met' if row.p95 <= TARGET_P95_MS else 'MISSED'}" for row in full)
        )
        if grew:
            print(f"FAILED: the query count grows with the appointments: {', '.join(grew)}")
            return 1
        return 1 if options.strict and missed else 0
    finally:
        database.cleanup()


if __name__ == "__main__":
    sys.exit(main())
