"""The processes of `make run`, kept running: each started in a session of its own, watched,
restarted with a back-off when it exits, and stopped in order.

A restart is one line on the launcher's output and a count in its status file (``launcher.json``
in the run directory: each process's pid, starts and exit codes), which the soak test reads.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A crash loop waits 1, 2, 4 ... up to 60 seconds between starts; a process that ran a minute
# starts from 1 second again.
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
STABLE_AFTER_SECONDS = 60.0
STOP_GRACE_SECONDS = 15.0
_PR_SET_PDEATHSIG = 1


def _die_with_the_launcher() -> None:
    """In the child before exec: SIGTERM when the launcher dies, even of SIGKILL (Linux), so no
    process outlives it. Its own session keeps a terminal's Ctrl-C for the launcher alone, which
    stops the processes in order (Redis last)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


def say(line: str) -> None:
    print(f"[make run] {line}", flush=True)


@dataclass
class Child:
    name: str
    command: list[str]
    cwd: Path
    environment: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    exit_codes: list[int] = field(default_factory=list)
    started_at: float = 0.0
    restart_at: float | None = None
    quick_exits: int = 0  # exits in a row, each before the process had run STABLE_AFTER_SECONDS

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.environment,
            start_new_session=True,
            preexec_fn=_die_with_the_launcher,  # noqa: PLW1509  # the launcher runs no threads
        )
        self.starts += 1
        self.started_at = time.monotonic()
        self.restart_at = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, number: int) -> None:
        if self.is_running():
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, number)

    def status(self) -> dict[str, Any]:
        return {
            "pid": self.pid if self.is_running() else None,
            "starts": self.starts,
            "restarts": max(self.starts - 1, 0),
            "exit_codes": self.exit_codes,
        }


class Supervisor:
    def __init__(self, status_path: Path, facts: dict[str, Any]) -> None:
        self.status_path = status_path
        self.facts = facts  # what the status file says besides the processes (broker, URLs)
        self.children: list[Child] = []

    def add(self, child: Child) -> Child:
        child.start()
        self.children.append(child)
        say(f"started {child.name} (pid {child.pid})")
        self.write_status()
        return child

    def child(self, name: str) -> Child:
        return next(child for child in self.children if child.name == name)

    def watch(self) -> list[Child]:
        """One look at every process: record the ones that exited and restart the ones whose
        back-off is over. Returns the processes that exited since the last look."""
        now = time.monotonic()
        exited = []
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start()
                    say(f"restarted {child.name} (pid {child.pid}, restart {child.starts - 1})")
                    self.write_status()
                continue
            assert child.process is not None
            code = child.process.poll()
            if code is None:
                continue
            exited.append(child)
            ran = now - child.started_at
            child.quick_exits = 0 if ran >= STABLE_AFTER_SECONDS else child.quick_exits
            wait = min(BACKOFF_FIRST_SECONDS * 2 ** min(child.quick_exits, 16), BACKOFF_MAX_SECONDS)
            child.quick_exits += 1
            child.exit_codes.append(code)
            child.restart_at = now + wait
            say(f"{child.name} (pid {child.pid}) exited with {code} after {ran:.0f} s; restarting it in {wait:g} s")
            self.write_status()
        return exited

    def stop(self, child: Child) -> None:
        self.stop_together([child])
        self.children.remove(child)

    def stop_together(self, children: list[Child]) -> None:
        """SIGTERM to each process's group, a grace period, then SIGKILL for what is left."""
        for child in children:
            child.restart_at = None
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                say(f"{child.name} did not stop in time; killing it")
                child.signal(signal.SIGKILL)
                child.process.wait()

    def stop_all(self, *, last: str) -> None:
        """Stop every process, the one named ``last`` (Redis, which the others use) after the rest."""
        first = [child for child in reversed(self.children) if child.name != last]
        self.stop_together(first)
        self.stop_together([child for child in self.children if child.name == last])
        self.facts["stopped"] = True
        self.write_status()

    def write_status(self) -> None:
        status = {**self.facts, "processes": {child.name: child.status() for child in self.children}}
        temporary = self.status_path.with_name(f".{self.status_path.name}.tmp")
        temporary.write_text(json.dumps(status, indent=2))
        os.replace(temporary, self.status_path)
