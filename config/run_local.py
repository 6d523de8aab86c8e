"""`make run`: migrate, load the demo clinic and its treatment history when empty, then serve
with a Celery worker and beat.

The three processes share one process group of children; Ctrl-C (or SIGTERM) stops all of them,
and if any of them dies the others are stopped too, so nothing is left running half-way.
Without REDIS_URL, Celery uses kombu's filesystem transport under .run/broker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run"


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def _start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
    print(f"starting {name}: {' '.join(command)}", flush=True)
    return subprocess.Popen(command, cwd=ROOT)


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for name, process in processes.items():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in time; killing it", flush=True)
            process.kill()
            process.wait()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    port = os.environ.get("PORT", "8000")
    (RUN_DIR / "broker").mkdir(parents=True, exist_ok=True)

    _manage("migrate", "--noinput")
    _manage("seed_demo", "--if-empty")
    _manage("seed_demo_history", "--if-empty")  # series under way and done, forms, readings

    celery = [sys.executable, "-m", "celery", "-A", "config"]
    processes = {
        "worker": _start("worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=2", "--pool=prefork"]),
        "beat": _start(
            "beat", [*celery, "beat", "--loglevel=INFO", "--schedule", str(RUN_DIR / "celerybeat-schedule")]
        ),
        "web": _start("web", [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]),
    }
    print(f"\nServing http://127.0.0.1:{port}/ (API docs at /api/docs/). Ctrl-C stops everything.\n", flush=True)

    def request_stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    try:
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; stopping the others", flush=True)
                    return process.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping web, worker and beat", flush=True)
        return 0
    finally:
        _stop(processes)


if __name__ == "__main__":
    sys.exit(main())
