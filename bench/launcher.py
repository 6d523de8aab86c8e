"""`make run`'s launcher (config/run_local.py) as a process to drive from outside: on a free port,
with a database and a run directory of its own, read through its status file and demo mailbox.
Used by bench/soak.py and tests/integration/test_launcher.py."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# What the launcher decides for its children: nothing of the caller's own run may leak in.
INHERITED_NOT = {
    "CELERY_FILESYSTEM_BROKER_DIR",
    "DATABASE_URL",
    "DEV_MAILBOX_DIR",
    "DJANGO_SETTINGS_MODULE",
    "EMAIL_URL",
    "FILE_CACHE_DIR",
    "PORT",
    "REDIS_URL",
    "RUN_DIR",
    "SITE_URL",
    "SMS_BACKEND",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, seconds: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def rss_kib(pid: int) -> int | None:
    """Resident memory of one process (and not its children), from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children_of(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def is_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def _ends_within(pid: int, seconds: float) -> bool:
    return wait_until(lambda: not is_alive(pid), seconds=seconds)


class Launcher:
    def __init__(self, folder: Path, *, port: int | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.run_dir = folder / "run"
        self.database = folder / "db.sqlite3"
        self.log_path = folder / "launcher.log"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mailbox(self) -> Path:
        return self.run_dir / "mailbox"

    def environment(self) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items() if key not in INHERITED_NOT}
        environment.update(
            PORT=str(self.port),
            RUN_DIR=str(self.run_dir),
            DATABASE_URL=f"sqlite:///{self.database}",
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        return environment

    def start(self, *, ready_within: float = 300.0) -> Launcher:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "config.run_local"],
                cwd=ROOT,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not wait_until(self.ready, seconds=ready_within, interval=0.25):
            self.stop()
            raise RuntimeError(f"make run did not serve within {ready_within:.0f} s:\n{self.log()[-4000:]}")
        return self

    def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"make run exited with {self.process.returncode}:\n{self.log()[-4000:]}")
        return bool(self.status().get("web_ready"))

    def status(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.run_dir / "launcher.json").read_text()))
        except (OSError, ValueError):
            return {}

    def pid(self, name: str) -> int | None:
        process = self.status().get("processes", {}).get(name, {})
        return process.get("pid")

    def restarts(self) -> dict[str, int]:
        return {name: process["restarts"] for name, process in self.status().get("processes", {}).items()}

    def memory(self) -> dict[str, int | None]:
        """RSS (KiB) of each process, a worker's pool processes summed into it."""
        figures: dict[str, int | None] = {}
        if self.process is not None:
            figures["launcher"] = rss_kib(self.process.pid)
        for name, process in self.status().get("processes", {}).items():
            pid = process.get("pid")
            if pid is None:
                figures[name] = None
                continue
            parts = [rss_kib(pid), *(rss_kib(child) for child in children_of(pid))]
            figures[name] = sum(part for part in parts if part is not None)
        return figures

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, *, within: float = 60.0) -> int:
        """SIGTERM, as Ctrl-C would; the launcher's exit code. Every process it ran must be gone."""
        if self.process is None:
            return 0
        pids = [process.get("pid") for process in self.status().get("processes", {}).values()]
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        survivors = [pid for pid in pids if pid is not None and not _ends_within(pid, 10.0)]
        if survivors:
            raise RuntimeError(f"processes outlived make run: {survivors}")
        return code
