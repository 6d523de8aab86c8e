"""`make run`: a private Redis, migrate, the demo clinic and its treatment history when empty, then
the web server with a Celery worker and beat, kept running until Ctrl-C (or SIGTERM).

- Redis: without REDIS_URL, a private ``redis-server`` on a Unix socket in the run directory
  (config/local_redis.py), started first and stopped last. When none can be started, the race-free
  filesystem broker (config/kombu_filesystem.py) and a file cache, with a line saying so.
- Links: SITE_URL defaults to the address served here, so a message's link opens this server.
- Messages: the demo mailbox (DEV_MAILBOX_DIR, in the run directory), read at /dev/mail/.
- A worker, beat or Redis that exits is restarted after a back-off (config/supervisor.py), and so
  is the web server once it has served: nothing it needs from outside has changed, and a page that
  refuses connections is the worst outcome of a demo. A web server that exits before it ever
  answered (a port taken, a broken setting) stops everything: restarting cannot mend that.
- RUN_DIR (default ``.run``) holds the socket, the beat schedule, the mailbox, the status file
  ``launcher.json`` and, in the fallback, the broker and cache folders; one launcher per directory.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from config import local_redis
from config.supervisor import Child, Supervisor, say

ROOT = Path(__file__).resolve().parent.parent
CELERY = [sys.executable, "-m", "celery", "-A", "config"]


class Stop(Exception):
    """Ctrl-C, SIGTERM or SIGHUP: stop everything in order."""


def _request_stop(signum: int, frame: object) -> None:
    raise Stop


def _claim(run_dir: Path) -> IO[str] | None:
    """One launcher per run directory (its socket, schedule and mailbox are not for sharing)."""
    lock = open(run_dir / "launcher.lock", "w")  # noqa: SIM115  # held for the launcher's life
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    return lock


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _manage(environment: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, check=True)


def _environment(run_dir: Path, port: int) -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    environment["RUN_DIR"] = str(run_dir)
    environment.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    environment.setdefault("DEV_MAILBOX_DIR", str(run_dir / "mailbox"))
    return environment


def _start_redis(supervisor: Supervisor, run_dir: Path, environment: dict[str, str]) -> None:
    """The private Redis, or the filesystem fallback when it cannot be had."""
    executable = local_redis.redis_server_executable()
    if executable is None:
        say("no redis-server found ('make install' installs it); using the filesystem broker under the run directory")
        return
    socket_path = local_redis.socket_path_in(run_dir)
    redis = supervisor.add(local_redis.redis_child(executable, run_dir, socket_path))
    if not local_redis.wait_until_it_answers(redis, socket_path):
        supervisor.stop(redis)
        say(f"redis-server did not start (see {run_dir / 'redis.log'}); using the filesystem broker instead")
        return
    environment["REDIS_URL"] = local_redis.redis_url(socket_path)
    supervisor.facts.update(broker="redis", redis_socket=str(socket_path))


def _start_services(supervisor: Supervisor, run_dir: Path, port: int, environment: dict[str, str]) -> None:
    def child(name: str, command: list[str]) -> Child:
        return Child(name=name, command=command, cwd=ROOT, environment=environment)

    worker = [*CELERY, "worker", "--loglevel=INFO", "--concurrency=2", "--pool=prefork"]
    # One worker: nobody to gossip or mingle with.
    supervisor.add(child("worker", [*worker, "--without-gossip", "--without-mingle", "--without-heartbeat"]))
    schedule = str(run_dir / "celerybeat-schedule")
    supervisor.add(child("beat", [*CELERY, "beat", "--loglevel=INFO", "--schedule", schedule]))
    supervisor.add(child("web", [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]))


def _serve(supervisor: Supervisor, port: int, begun: float) -> int:
    """Watch until asked to stop; the exit code of the launcher."""
    web = supervisor.child("web")
    while True:
        exited = supervisor.watch()
        if web in exited and not supervisor.facts["web_ready"]:
            say(f"the web server exited before it served (see above; is port {port} free?); stopping")
            return 1
        if not supervisor.facts["web_ready"] and _port_answers(port):
            supervisor.facts["web_ready"] = True
            supervisor.write_status()
            mailbox = " the demo mailbox at /dev/mail/," if supervisor.facts.get("mailbox") else ""
            say(
                f"serving http://127.0.0.1:{port}/ after {time.monotonic() - begun:.0f} s "
                f"(API docs at /api/docs/,{mailbox} Ctrl-C stops everything)"
            )
        time.sleep(0.25)


def _run(supervisor: Supervisor, run_dir: Path, port: int, environment: dict[str, str]) -> int:
    begun = time.monotonic()
    if _port_answers(port):
        say(f"port {port} is already taken (another server?); set PORT to a free one")
        return 1
    if not environment.get("REDIS_URL"):
        _start_redis(supervisor, run_dir, environment)
    _manage(environment, "migrate", "--noinput")
    _manage(environment, "seed_demo", "--if-empty")
    _manage(environment, "seed_demo_history", "--if-empty")  # series under way and done, forms, readings
    # Today's work (an infusion to check in, one in the chair, one in recovery, an evaluation to
    # sign), once per date: a launcher started on a later day gets that day's work too.
    _manage(environment, "seed_demo_day")
    _start_services(supervisor, run_dir, port, environment)
    return _serve(supervisor, port, begun)


def main() -> int:
    run_dir = Path(os.environ.get("RUN_DIR") or ROOT / ".run").resolve()
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = _claim(run_dir)
    if lock is None:
        say(f"another 'make run' is using {run_dir}; stop it first (or set RUN_DIR)")
        return 1
    port = int(os.environ.get("PORT", "8000"))
    environment = _environment(run_dir, port)
    facts: dict[str, Any] = {
        "launcher_pid": os.getpid(),
        "port": port,
        "site_url": environment["SITE_URL"],
        "mailbox": environment["DEV_MAILBOX_DIR"],
        "broker": "redis" if environment.get("REDIS_URL") else "filesystem",
        "web_ready": False,
        "stopped": False,
    }
    supervisor = Supervisor(run_dir / "launcher.json", facts)
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _request_stop)
    try:
        return _run(supervisor, run_dir, port, environment)
    except Stop:
        say("stopping web, beat and worker, then Redis")
        return 0
    except subprocess.CalledProcessError as error:
        say(f"{' '.join(error.cmd[1:3])} failed with {error.returncode}; stopping")
        return 1
    finally:
        # No second Ctrl-C half-way through the stop.
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN)
        supervisor.stop_all(last="redis")
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
