"""Password reset timing (SPEC.md section 11, issue 18 item 6): does asking for a reset take as
long for an email with an account as for one without?

Run from the repository root::

    .venv/bin/python bench/reset_timing.py               # temporary SQLite file
    .venv/bin/python bench/reset_timing.py --rounds 20   # more requests per email
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench .venv/bin/python bench/reset_timing.py

It never touches the developer's database (``bench/availability.py``'s ``prepare_database``: a
temporary SQLite file, or a PostgreSQL database whose name holds "bench", created and dropped
here). It makes ``--emails`` patients (50), then posts ``POST /api/v1/auth/password-reset/``
in-process (DRF's test client, the whole request) for each of their emails and for as many
emails without an account, alternately, ``--rounds`` times each (10) after a warm-up. For each
email it keeps the least time (what the request costs when nothing else on the machine gets in
the way: someone timing the answer estimates it so, by asking again and again), and prints the
median and 95th percentile of each kind, by the wall clock and by this process's CPU time (which
a busy, shared machine leaves alone), and how far apart they are. Settings are the test suite's
(in-memory email: no mail server's time in the figures) with Django's own password hashers put
back, so a password hash costs what it costs in production. Printed, not asserted: the goal is
within 10%.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path: the repository root must come before it.
sys.path.insert(0, str(REPO_ROOT))
from bench.availability import percentile, prepare_database, setup_django  # noqa: E402
from bench.databases import engine_name  # noqa: E402

RESET = "/api/v1/auth/password-reset/"
WARM_UP = 20
TARGET_GAP = 0.10


def make_patients(count: int) -> list[str]:
    """``count`` active patients (one password hash, shared: the seeding is not what is timed)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from core.roles import Role

    password = make_password("bench-reset-passphrase-42")
    users = [
        User(email=f"known{n}@example.com", first_name="Bench", last_name=f"Patient{n}", role=Role.PATIENT)
        for n in range(count)
    ]
    for user in users:
        user.password = password
    User.objects.bulk_create(users)
    return [user.email for user in users]


@dataclass
class Samples:
    """Per email, the least of its requests' times (in milliseconds): what the request costs
    when nothing else on the machine gets in the way, as someone timing it would estimate it by
    asking again and again."""

    wall: list[float] = field(default_factory=list)  # as a client sees it
    cpu: list[float] = field(default_factory=list)  # this process's own CPU time


def timed_requests(known: list[str], unknown: list[str], rounds: int) -> tuple[Samples, Samples]:
    """``rounds`` requests for each email, known and unknown alternately (so a busy moment of
    the machine falls on both kinds alike), the garbage collector run between requests rather
    than during one (as timeit does)."""
    from django.core import mail
    from rest_framework.test import APIClient

    client = APIClient()

    def one(email: str) -> tuple[float, float]:
        gc.collect()
        began_wall, began_cpu = time.perf_counter(), time.process_time()
        response = client.post(RESET, {"email": email}, format="json")
        cpu, wall = (time.process_time() - began_cpu) * 1000, (time.perf_counter() - began_wall) * 1000
        if response.status_code != 202:
            raise SystemExit(f"{RESET} answered {response.status_code}: {response.content!r}")
        mail.outbox.clear()
        return wall, cpu

    for n in range(WARM_UP):
        one(known[n % len(known)])
        one(f"warm.up{n}@example.com")
    times: dict[str, list[tuple[float, float]]] = {email: [] for email in known + unknown}
    gc.disable()
    try:
        for _ in range(rounds):
            for known_email, unknown_email in zip(known, unknown, strict=True):
                times[known_email].append(one(known_email))
                times[unknown_email].append(one(unknown_email))
    finally:
        gc.enable()

    def least(emails: list[str]) -> Samples:
        return Samples(
            wall=[min(wall for wall, _ in times[email]) for email in emails],
            cpu=[min(cpu for _, cpu in times[email]) for email in emails],
        )

    return least(known), least(unknown)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--emails", type=int, default=50, help="emails of each kind (default 50)")
    parser.add_argument("--rounds", type=int, default=10, help="requests per email, the least counts (default 10)")
    options = parser.parse_args()

    database = prepare_database(keep=False)
    try:
        setup_django(database.url)
        warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: no collectstatic here
        from django.conf import global_settings
        from django.core.management import call_command
        from django.test.utils import override_settings, setup_test_environment

        setup_test_environment()  # the in-memory email outbox
        call_command("migrate", verbosity=0)
        with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
            known = make_patients(options.emails)
            unknown = [f"nobody{n}@example.com" for n in range(options.emails)]
            known_samples, unknown_samples = timed_requests(known, unknown, options.rounds)
        engine = engine_name()
    finally:
        database.cleanup()

    print(f"Password reset timing - {database.label} ({engine})")
    print(
        f"{options.emails} emails of each kind, {options.rounds} requests each, alternately, after {WARM_UP} "
        "of each; per email the least time; times in ms"
    )
    print("(wall: as a client sees it; cpu: this process's own time, what a busy shared machine leaves alone)")
    print()
    print(f"{'email':<10}{'wall median':>13}{'wall p95':>10}{'cpu median':>12}{'cpu p95':>10}")
    for kind, samples in (("known", known_samples), ("unknown", unknown_samples)):
        print(
            f"{kind:<10}{statistics.median(samples.wall):>13.2f}{percentile(samples.wall, 0.95):>10.2f}"
            f"{statistics.median(samples.cpu):>12.2f}{percentile(samples.cpu, 0.95):>10.2f}"
        )
    print()
    for clock_name in ("wall", "cpu"):
        first, second = getattr(known_samples, clock_name), getattr(unknown_samples, clock_name)
        gaps = {
            "median": gap(statistics.median(first), statistics.median(second)),
            "p95": gap(percentile(first, 0.95), percentile(second, 0.95)),
        }
        within = all(value <= TARGET_GAP for value in gaps.values())
        print(
            f"{clock_name} apart: "
            + ", ".join(f"{name} {value:.1%}" for name, value in gaps.items())
            + f" (goal: within {TARGET_GAP:.0%}: {'met' if within else 'MISSED'})"
        )
    return 0


def gap(first: float, second: float) -> float:
    """How far apart two times are, as a share of the smaller."""
    return abs(first - second) / min(first, second)


if __name__ == "__main__":
    sys.exit(main())
