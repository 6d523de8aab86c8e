"""CI: schemathesis over the whole OpenAPI schema, as a patient and as a clinician (SPEC.md 11).

A throwaway SQLite database gets the demo clinic (`seed_demo`), a dev server serves it, and
`st run --checks all` fuzzes every operation once per identity (stateless phases, then the
stateful phase over the links schemathesis finds). Staff sign in through the second factor: the
code is computed from the demo clinician's enrolled device by django-otp itself. Exits non-zero
on any failure (a 5xx, a response that breaks the schema, a check of tests/schemathesis_hooks.py)
and prints, per identity, the operations and cases it ran.

Run from the repository root: `.venv/bin/python .ci/schemathesis.py`.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "schemathesis-ci-password"  # noqa: S105 - a throwaway database's demo logins
IDENTITIES = {"patient": "patient@example.com", "clinician": "clinician@example.com"}
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def _otp_code(env: dict[str, str], email: str) -> str | None:
    """The current code of the user's confirmed TOTP device (django-otp's own TOTP), or None."""
    script = (
        "from django_otp.oath import totp\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        f"device = TOTPDevice.objects.filter(user__email={email!r}, confirmed=True).first()\n"
        "print(None if device is None else str(totp(device.bin_key, device.step, device.t0, device.digits,"
        " device.drift)).zfill(device.digits))\n"
    )
    code = _manage(env, "shell", "-c", script).strip().splitlines()[-1]
    return None if code == "None" else code


def _post_json(url: str, body: dict[str, str]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _access_token(env: dict[str, str], base: str, email: str) -> str:
    body = {"email": email, "password": PASSWORD}
    status, answer = _post_json(f"{base}/api/v1/auth/token/", body)
    if status == HTTPStatus.UNAUTHORIZED and answer.get("code") == "otp_required":
        code = _otp_code(env, email)
        if code is None:
            raise SystemExit(f"{email} needs a second factor but has no enrolled device")
        status, answer = _post_json(f"{base}/api/v1/auth/token/", {**body, "otp": code})
    if status != HTTPStatus.OK:
        raise SystemExit(f"sign-in of {email} failed: {status} {answer}")
    return str(answer["access"])


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("the dev server exited before it served")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit("the dev server did not come up")


def _fuzz(base: str, name: str, token: str) -> tuple[bool, str]:
    command = [
        str(Path(PYTHON).with_name("st")),
        "run",
        f"{base}/api/schema/?format=json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        MAX_EXAMPLES,
        # One worker: hypothesis' code generation is not thread-safe on Python 3.11 (a parallel
        # run died with "AST constructor recursion depth mismatch" inside schemathesis itself).
        "--workers",
        "1",
        "--no-color",
    ]
    done = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
    output = done.stdout + done.stderr
    summary = _summary(output)
    return done.returncode == 0, f"{name}: {summary}\n" + (output if done.returncode else "")


def _summary(output: str) -> str:
    operations = re.search(r"API Operations:\s*\n?\s*Selected:\s*(\d+)/(\d+)", output)
    cases = re.search(r"Test cases:\s*\n?\s*(\d+) generated", output)
    parts = []
    if operations:
        parts.append(f"{operations.group(1)}/{operations.group(2)} operations")
    if cases:
        parts.append(f"{cases.group(1)} cases")
    tail = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    if tail:
        parts.append(tail[-1].strip(" =\u2501"))
    return "; ".join(parts) or "(no summary found)"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="schemathesis-") as scratch:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3",
            "DEBUG": "false",
            # The fuzzer sends thousands of requests a minute; the throttle has its own tests.
            "THROTTLE_ANON": "100000/minute",
            "THROTTLE_USER": "100000/minute",
            "THROTTLE_AUTH": "100000/minute",
            # Both identities' tokens are drawn before the runs start; a slow machine must not see
            # them expire half-way (token expiry has its own tests).
            "JWT_ACCESS_MINUTES": "60",
        }
        env.pop("REDIS_URL", None)
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "seed_demo", "--password", PASSWORD)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(base, server)
            tokens = {name: _access_token(env, base, email) for name, email in IDENTITIES.items()}
            # One `st` process per identity, side by side: each is single-threaded (see _fuzz), so
            # two processes use both cores of a CI machine and halve the step's time.
            with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
                results = list(pool.map(lambda item: _fuzz(base, *item), tokens.items()))
        finally:
            server.terminate()
            server.wait(timeout=15)
    for _, text in results:
        print(text)
    return 0 if all(passed for passed, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
