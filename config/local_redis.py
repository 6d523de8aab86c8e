"""The private Redis of `make run`: Debian's ``redis-server`` on a Unix socket in the run
directory (no TCP port, the socket readable by this user only), without persistence: what it holds
is a queue of ids and the heartbeat, which the outbox and beat rebuild after a restart."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import redis

from config.supervisor import Child

# A Unix socket's path must fit in sun_path (108 bytes on Linux, the terminating NUL included).
MAX_SOCKET_PATH = 100
START_SECONDS = 10.0


def redis_server_executable() -> str | None:
    """``REDIS_SERVER`` when set (a path; empty or missing means none), else the one on PATH."""
    given = os.environ.get("REDIS_SERVER")
    if given is not None:
        return given if given and os.access(given, os.X_OK) else None
    return shutil.which("redis-server") or None


def socket_path_in(run_dir: Path) -> Path:
    path = run_dir / "redis.sock"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    return Path(tempfile.mkdtemp(prefix="clinic-redis-")) / "redis.sock"


def redis_child(executable: str, run_dir: Path, socket: Path) -> Child:
    command = [
        executable,
        "--port", "0",  # no TCP at all
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(run_dir),
        "--logfile", str(run_dir / "redis.log"),
        "--daemonize", "no",
    ]  # fmt: skip
    return Child(name="redis", command=command, cwd=run_dir, environment=dict(os.environ))


def answers(socket: Path) -> bool:
    client = redis.Redis(unix_socket_path=str(socket), socket_connect_timeout=0.2, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def wait_until_it_answers(child: Child, socket: Path) -> bool:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if answers(socket):
            return True
        if not child.is_running():
            return False
        time.sleep(0.05)
    return False


def redis_url(socket: Path) -> str:
    """REDIS_URL for the children: redis-py reads it as is; settings spell it for kombu."""
    return f"unix://{socket}"
