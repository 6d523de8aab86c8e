"""Soak: `make run`'s launcher for a while under a steady, bounded load; nothing may exit and no
message may go out twice.

Run from the repository root::

    .venv/bin/python bench/soak.py                 # 20 minutes
    .venv/bin/python bench/soak.py --minutes 3     # a short run

It starts ``python -m config.run_local`` (what ``make run`` runs) on a free port of 127.0.0.1 with
a fresh SQLite database and run directory in a temporary folder (``--folder`` to choose it, kept
with ``--keep``): the private Redis, the demo clinic, its history, a worker, beat and the web
server. Then, for ``--minutes``:

- four patients, signed up through the API (their links read from the demo mailbox, confirmed
  through the API), each in a loop: the evaluation's free starts of a random day, a booking of one
  of them, a pause, its cancellation, a pause (201/200, or 409 when another took the time);
- a nurse signed in on the pages with her second factor (a TOTP code computed by django-otp from
  her device, as her app would) refreshes the day board every 2 seconds as the page's own
  background refresh does, and loads it whole every minute;
- every 30 seconds up to five pending outbox rows (reminders, forms' notices) are made due now;
- /healthz every 5 seconds, and the launcher's status file, which counts each process's restarts.

Then it waits until no outbox row is due and unsent, stops the launcher as Ctrl-C would, and
checks: the launcher never lost a process (no restart, no exit), every request was answered
(no 5xx, no refused connection), and every outbox row marked sent is in the demo mailbox exactly
once (emails by their Message-ID ``<outbox-N@...>``, text messages by the provider id the mailbox
gave them), with no message in the mailbox for a row not sent. It prints the requests, their
p50/p95 latency, the messages sent, the restarts and each process's memory at the start and the
end, and exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path: the repository root must come before it.
sys.path.insert(0, str(REPO_ROOT))

import requests  # noqa: E402

from bench.launcher import Launcher, wait_until  # noqa: E402

PASSWORD = "demo-clinic-2026"
PATIENTS = 4
BOARD_EVERY = 2.0
BOARD_WHOLE_EVERY = 60.0
DUE_EVERY = 30.0
DUE_BATCH = 5
HEALTH_EVERY = 5.0
PAUSE = (2.0, 4.0)  # seconds between a patient's steps
DRAIN_SECONDS = 200.0  # beat sweeps every minute; a row made due at the end waits for the next
OUTBOX_ID = re.compile(r"<outbox-(\d+)@")
CONFIRM_LINK = re.compile(r"/signup/confirm/([^/\s]+)/")


# -- what happened ---------------------------------------------------------------------------------


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    made_due: int = 0
    sign_ins: int = 0
    restarts_seen: dict[str, int] = field(default_factory=dict)

    def request(self, kind: str, call: Callable[[], requests.Response], ok: set[int]) -> requests.Response | None:
        started = time.perf_counter()
        try:
            answer = call()
        except requests.RequestException as error:
            self.problem(f"{kind}: {type(error).__name__}")
            with self.lock:
                self.answers[(kind, type(error).__name__)] += 1
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            self.answers[(kind, str(answer.status_code))] += 1
        if answer.status_code not in ok:
            self.problem(f"{kind}: HTTP {answer.status_code}")
        return answer

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(f"{datetime.now(UTC):%H:%M:%S} {text}")


# -- Django, for what only the database knows (the nurse's TOTP device, the outbox) ----------------


def django_setup(launcher: Launcher) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{launcher.database}",
        RUN_DIR=str(launcher.run_dir),
    )
    for name in ("REDIS_URL", "DEV_MAILBOX_DIR", "EMAIL_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()


def totp_now(email: str, *, not_before: int = 0) -> tuple[str, int]:
    """The code the person's authenticator app shows (django-otp's TOTP over their device), and
    its time step; waits for a step after ``not_before`` (a device takes each step's code once)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    while True:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        if totp.t() > max(not_before, device.last_t):
            return f"{totp.token():0{device.digits}d}", totp.t()
        time.sleep(1)


def make_some_due(record: Record) -> None:
    from django.utils import timezone

    from notifications.models import OutboxMessage, Status

    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(status=Status.PENDING, due_at__gt=now)
        .order_by("due_at")
        .values_list("id", flat=True)[:DUE_BATCH]
    )
    made = OutboxMessage.objects.filter(pk__in=ids, status=Status.PENDING).update(due_at=now)
    with record.lock:
        record.made_due += made


def unfinished_rows() -> int:
    from django.db.models import Q
    from django.utils import timezone

    from notifications.models import OutboxMessage, Status

    waiting = Q(status=Status.PENDING, due_at__lte=timezone.now()) | Q(status__in=[Status.SENDING, Status.DELIVERING])
    return OutboxMessage.objects.filter(waiting).count()


def outbox_figures() -> tuple[Counter[str], dict[int, str], dict[str, int]]:
    """Rows by status; the sent rows' ids with their channel; SMS provider ids to row ids."""
    from notifications.models import Channel, OutboxMessage, Status

    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    sent = dict(OutboxMessage.objects.filter(status=Status.SENT).values_list("id", "channel"))
    sms_ids = dict(
        OutboxMessage.objects.filter(channel=Channel.SMS)
        .exclude(provider_message_id="")
        .values_list("provider_message_id", "id")
    )
    return statuses, sent, sms_ids


# -- the people ------------------------------------------------------------------------------------


def mailbox_link_for(launcher: Launcher, email: str) -> str:
    from core.dev_mailbox import mailbox_messages

    found: list[str] = []

    def arrived() -> bool:
        for message in mailbox_messages(folder=launcher.mailbox):
            if email in message.to and (match := CONFIRM_LINK.search(message.body)):
                found.append(match.group(1))
                return True
        return False

    if not wait_until(arrived, seconds=30, interval=0.2):
        raise RuntimeError(f"no sign-up link for {email} in the demo mailbox")
    return found[0]


class Patient:
    def __init__(self, launcher: Launcher, record: Record, number: int, run: str) -> None:
        self.base = launcher.base_url
        self.record = record
        self.email = f"soak-{run}-{number}@example.com"
        self.password = f"soak-{run}-violet-harbor-{number}"
        self.session = requests.Session()
        self.rng = random.Random(number)

    def sign_up(self, launcher: Launcher) -> None:
        body = {
            "email": self.email,
            "password": self.password,
            "first_name": "Soak",
            "last_name": "Patient",
            "date_of_birth": "1984-03-02",
            "phone": "(415) 555-0123",
        }
        post = self.session.post
        self.record.request("sign-up", lambda: post(f"{self.base}/api/v1/auth/register/", json=body, timeout=30), {202})
        token = mailbox_link_for(launcher, self.email)
        url = f"{self.base}/api/v1/auth/register/confirm/"
        confirm = {"token": token, "password": self.password}  # the link takes the password chosen at sign-up
        self.record.request("sign-up confirm", lambda: post(url, json=confirm, timeout=30), {200})
        self.sign_in()

    def sign_in(self) -> None:
        credentials = {"email": self.email, "password": self.password}
        url = f"{self.base}/api/v1/auth/token/"
        answer = self.record.request("token", lambda: self.session.post(url, json=credentials, timeout=30), {200})
        if answer is not None and answer.status_code == 200:
            self.session.headers["Authorization"] = f"Bearer {answer.json()['access']}"
            with self.record.lock:
                self.record.sign_ins += 1

    def call(self, kind: str, method: str, path: str, ok: set[int], **kwargs: Any) -> requests.Response | None:
        def send() -> requests.Response:
            return self.session.request(method, f"{self.base}{path}", timeout=30, **kwargs)

        answer = self.record.request(kind, send, ok | {401})
        if answer is not None and answer.status_code == 401:  # the 10-minute access token ran out
            self.sign_in()
            answer = self.record.request(kind, send, ok)
        return answer

    def one_round(self) -> None:
        day = (datetime.now(UTC) + timedelta(days=self.rng.randint(3, 40))).date().isoformat()
        query = {"type": "evaluation", "date_from": day, "date_to": day}
        free = self.call("availability", "GET", "/api/v1/availability/", {200}, params=query)
        slots = free.json()["slots"] if free is not None and free.status_code == 200 else []
        if not slots:
            return
        start = self.rng.choice(slots)["start"]
        booked = self.call(
            "book", "POST", "/api/v1/appointments/", {201, 409}, json={"type": "evaluation", "start": start}
        )
        if booked is None or booked.status_code != 201:
            return
        time.sleep(self.rng.uniform(*PAUSE))
        path = f"/api/v1/appointments/{booked.json()['id']}/cancel/"
        self.call("cancel", "POST", path, {200}, json={"reason": ""})


class Nurse:
    email = "nurse@example.com"

    def __init__(self, launcher: Launcher, record: Record) -> None:
        self.base = launcher.base_url
        self.record = record
        self.session = requests.Session()
        self.last_step = 0

    def sign_in(self) -> None:
        self.session.cookies.clear()
        self.record.request("sign-in page", lambda: self.session.get(f"{self.base}/signin/", timeout=30), {200})
        form = {"email": self.email, "password": PASSWORD, "csrfmiddlewaretoken": self.session.cookies["csrftoken"]}
        post = self.session.post
        self.record.request(
            "sign-in", lambda: post(f"{self.base}/signin/", data=form, allow_redirects=False, timeout=30), {302}
        )
        code, self.last_step = totp_now(self.email, not_before=self.last_step)
        form = {"code": code, "csrfmiddlewaretoken": self.session.cookies["csrftoken"]}
        done = self.record.request(
            "sign-in code",
            lambda: post(f"{self.base}/signin/code/", data=form, allow_redirects=False, timeout=30),
            {302},
        )
        if done is None or done.status_code != 302:
            raise RuntimeError("the nurse could not sign in")
        with self.record.lock:
            self.record.sign_ins += 1

    def board(self, *, whole: bool) -> None:
        headers = {} if whole else {"HX-Request": "true", "X-Background-Refresh": "1"}
        kind = "day board" if whole else "day board refresh"
        url = f"{self.base}/staff/day/"

        def get() -> requests.Response:
            return self.session.get(url, headers=headers, allow_redirects=False, timeout=30)

        answer = self.record.request(kind, get, {200, 302})
        if answer is not None and answer.status_code == 302:  # the session ended: sign in again
            self.sign_in()
            self.record.request(kind, get, {200})


# -- the run ---------------------------------------------------------------------------------------


def every(seconds: float, stop: threading.Event, action: Callable[[], None], record: Record, name: str) -> None:
    while not stop.wait(seconds):
        try:
            action()
        except Exception as error:  # a soak records what went wrong and keeps going
            record.problem(f"{name}: {type(error).__name__}: {error}")


def patient_loop(patient: Patient, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            patient.one_round()
        except Exception as error:
            patient.record.problem(f"patient: {type(error).__name__}: {error}")
        stop.wait(patient.rng.uniform(*PAUSE))


def watch_launcher(launcher: Launcher, record: Record) -> None:
    assert launcher.process is not None
    if launcher.process.poll() is not None:
        record.problem(f"the launcher exited with {launcher.process.returncode}")
    restarted = {name: count for name, count in launcher.restarts().items() if count}
    if restarted != record.restarts_seen:
        record.restarts_seen = restarted
        record.problem(f"a process exited and was restarted: {restarted}")


def mailbox_counts(launcher: Launcher, sms_ids: dict[str, int]) -> tuple[Counter[int], int]:
    """How many times each outbox row is in the mailbox; and the messages not from the outbox."""
    from core.dev_mailbox import mailbox_messages

    counts: Counter[int] = Counter()
    other = 0
    for message in mailbox_messages(folder=launcher.mailbox):
        match = OUTBOX_ID.match(message.message_id)
        if match:
            counts[int(match.group(1))] += 1
        elif message.message_id in sms_ids:
            counts[sms_ids[message.message_id]] += 1
        else:
            other += 1
    return counts, other


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_figures(record: Record, memory: tuple[dict[str, Any], dict[str, Any]], minutes: float) -> None:
    every_latency = [value for values in record.latencies.values() for value in values]
    print(f"\nrequests: {sum(record.answers.values())} in {minutes:g} min", end="")
    if every_latency:
        p50, p95 = percentile(every_latency, 0.5), percentile(every_latency, 0.95)
        print(f"; all: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"{'kind':<20}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}  answers")
    for kind, values in sorted(record.latencies.items()):
        answers = ", ".join(f"{status}: {n}" for (k, status), n in sorted(record.answers.items()) if k == kind)
        p50, p95 = percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000
        print(f"{kind:<20}{len(values):>7}{p50:>9.0f}{p95:>9.0f}  {answers}")
    start, end = memory
    print(f"\n{'process':<10}{'RSS start MiB':>15}{'RSS end MiB':>13}")
    for name in start:
        before, after = start.get(name), end.get(name)
        print(f"{name:<10}{(before or 0) / 1024:>15.1f}{(after or 0) / 1024:>13.1f}")


def check_messages(launcher: Launcher, record: Record) -> None:
    statuses, sent, sms_ids = outbox_figures()
    counts, other = mailbox_counts(launcher, sms_ids)
    twice = {row: n for row, n in counts.items() if n > 1}
    missing = sorted(set(sent) - set(counts))
    unsent = sorted(set(counts) - set(sent))
    print(f"\noutbox rows by status: {dict(sorted(statuses.items()))}")
    channels = Counter(sent.values())
    print(f"messages sent: {len(sent)} ({dict(channels)}); in the mailbox: {sum(counts.values())} from the outbox")
    print(f"  and {other} others (sign-up links); made due by the soak: {record.made_due}")
    if twice:
        record.problem(f"sent more than once: {twice}")
    if missing:
        record.problem(f"marked sent, not in the mailbox: {missing[:20]}")
    if unsent:
        record.problem(f"in the mailbox, not marked sent: {unsent[:20]}")
    for status in ("sending", "delivering", "unconfirmed", "failed"):
        if statuses.get(status):
            record.problem(f"{statuses[status]} outbox rows {status}")


def run(launcher: Launcher, minutes: float) -> int:
    record = Record()
    django_setup(launcher)
    memory_start = launcher.memory()
    run_id = f"{int(time.time()) % 100000}"
    patients = [Patient(launcher, record, number, run_id) for number in range(PATIENTS)]
    for patient in patients:
        patient.sign_up(launcher)
    nurse = Nurse(launcher, record)
    nurse.sign_in()
    print(f"load for {minutes:g} min against {launcher.base_url} ...", flush=True)

    stop = threading.Event()
    ticks = [0]

    def board() -> None:
        ticks[0] += 1
        nurse.board(whole=ticks[0] % round(BOARD_WHOLE_EVERY / BOARD_EVERY) == 0)

    def health() -> None:
        record.request("healthz", lambda: requests.get(f"{launcher.base_url}/healthz", timeout=30), {200})
        watch_launcher(launcher, record)

    threads = [threading.Thread(target=patient_loop, args=(p, stop), daemon=True) for p in patients]
    threads += [
        threading.Thread(target=every, args=(BOARD_EVERY, stop, board, record, "board"), daemon=True),
        threading.Thread(
            target=every, args=(DUE_EVERY, stop, lambda: make_some_due(record), record, "due"), daemon=True
        ),
        threading.Thread(target=every, args=(HEALTH_EVERY, stop, health, record, "health"), daemon=True),
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + minutes * 60
    while time.monotonic() < deadline:
        time.sleep(min(30.0, max(deadline - time.monotonic(), 0)))
        print(
            f"  {datetime.now(UTC):%H:%M:%S} requests {sum(record.answers.values())}, problems {len(record.problems)}",
            flush=True,
        )
    stop.set()
    for thread in threads:
        thread.join(60)

    print("load stopped; waiting for the outbox to drain ...", flush=True)
    if not wait_until(lambda: unfinished_rows() == 0, seconds=DRAIN_SECONDS, interval=2.0):
        record.problem(f"{unfinished_rows()} outbox rows still due after {DRAIN_SECONDS:.0f} s")
    watch_launcher(launcher, record)
    memory_end = launcher.memory()
    restarts = launcher.restarts()
    code = launcher.stop()
    if code != 0:
        record.problem(f"the launcher stopped with {code}")

    print_figures(record, (memory_start, memory_end), minutes)
    print(f"sign-ins: {record.sign_ins}; restarts: {restarts}")
    check_messages(launcher, record)
    if record.problems:
        print(f"\nFAILED: {len(record.problems)} problems")
        for problem in record.problems[:40]:
            print(f"  {problem}")
        return 1
    print("\nOK: no process exited, every request answered, every message sent once")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument(
        "--folder", type=Path, help="where the database and run directory go (default: a new temporary one)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder (database, run directory, launcher.log)")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="clinic-soak-"))
    launcher = Launcher(folder)
    print(f"starting make run's launcher in {folder} on {launcher.base_url} ...", flush=True)
    started = time.monotonic()
    launcher.start()
    print(f"serving after {time.monotonic() - started:.0f} s", flush=True)
    try:
        return run(launcher, args.minutes)
    finally:
        if launcher.process is not None and launcher.process.poll() is None:
            launcher.stop()
        if args.keep or args.folder:
            print(f"kept {folder} (launcher.log, run/, db.sqlite3)")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
