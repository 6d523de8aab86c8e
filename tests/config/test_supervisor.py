"""The launcher's watch over its processes (config/supervisor.py): a process that exits is
restarted after a back-off that doubles while it keeps failing and starts afresh once it ran a
while; Redis is stopped after the others; nothing outlives a launcher killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bench.launcher import is_alive, wait_until
from config import supervisor
from config.supervisor import Child, Supervisor

ROOT = Path(__file__).resolve().parents[2]


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def child(name: str, command: list[str], tmp_path: Path) -> Child:
    return Child(name=name, command=command, cwd=tmp_path, environment=dict(os.environ))


def waits_announced(output: str) -> list[str]:
    return [line.rpartition("restarting it in ")[2] for line in output.splitlines() if "restarting it in" in line]


def watch_for(watched: Supervisor, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        watched.watch()
        time.sleep(0.01)


@pytest.fixture
def short_backoff(monkeypatch):
    monkeypatch.setattr(supervisor, "BACKOFF_FIRST_SECONDS", 0.1)
    monkeypatch.setattr(supervisor, "BACKOFF_MAX_SECONDS", 0.4)


def test_a_process_that_keeps_failing_waits_longer_each_time_up_to_the_most(tmp_path, short_backoff, capsys):
    watched = Supervisor(tmp_path / "launcher.json", {})
    failing = watched.add(child("worker", python("raise SystemExit(3)"), tmp_path))

    watch_for(watched, 2.0)
    watched.stop_all(last="redis")

    assert waits_announced(capsys.readouterr().out)[:5] == ["0.1 s", "0.2 s", "0.4 s", "0.4 s", "0.4 s"]
    assert set(failing.exit_codes) == {3}
    assert watched.status_path.read_text().count('"restarts"') == 1


def test_a_process_that_ran_a_while_before_exiting_is_restarted_soon(tmp_path, short_backoff, monkeypatch, capsys):
    monkeypatch.setattr(supervisor, "STABLE_AFTER_SECONDS", 0.2)
    watched = Supervisor(tmp_path / "launcher.json", {})
    watched.add(child("beat", python("import time; time.sleep(0.3); raise SystemExit(1)"), tmp_path))

    watch_for(watched, 2.0)
    watched.stop_all(last="redis")

    waits = waits_announced(capsys.readouterr().out)
    assert len(waits) >= 2
    assert set(waits) == {"0.1 s"}


def test_redis_is_stopped_after_the_processes_that_use_it(tmp_path):
    stopped = tmp_path / "stopped.txt"

    def stops_when_told(name: str) -> list[str]:
        return python(f"""
            import signal, sys, time
            def stop(*_):
                with open({str(stopped)!r}, "a") as file:
                    file.write("{name}\\n")
                sys.exit(0)
            signal.signal(signal.SIGTERM, stop)
            open({str(tmp_path / name)!r}, "w").close()
            time.sleep(60)
        """)

    watched = Supervisor(tmp_path / "launcher.json", {})
    for name in ("redis", "worker", "web"):
        watched.add(child(name, stops_when_told(name), tmp_path))
    assert wait_until(lambda: all((tmp_path / name).exists() for name in ("redis", "worker", "web")), seconds=20)

    watched.stop_all(last="redis")

    assert sorted(stopped.read_text().split()[:2]) == ["web", "worker"]
    assert stopped.read_text().split()[2:] == ["redis"]


def test_no_process_outlives_a_launcher_killed_outright(tmp_path):
    launcher = subprocess.Popen(
        python(f"""
            import os, sys, time
            from pathlib import Path
            from config.supervisor import Child, Supervisor
            watched = Supervisor(Path({str(tmp_path / "launcher.json")!r}), {{}})
            sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
            watched.add(Child("worker", sleeper, Path("."), dict(os.environ)))
            time.sleep(120)
        """),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert launcher.stdout is not None
    line = launcher.stdout.readline()
    launcher.stdout.close()
    worker = int(line.split("(pid ")[1].rstrip(")\n"))
    assert is_alive(worker)

    launcher.send_signal(signal.SIGKILL)
    launcher.wait(10)

    assert wait_until(lambda: not is_alive(worker), seconds=10)
