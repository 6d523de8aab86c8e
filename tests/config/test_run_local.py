"""`make run`'s choice of broker (config/run_local.py): its private Redis when a redis-server
starts, the filesystem fallback (said out loud) when none is found or it does not start."""

from __future__ import annotations

import os
import stat

import pytest

from config import run_local
from config.local_redis import answers
from config.supervisor import Supervisor


@pytest.fixture
def watched(tmp_path):
    supervisor = Supervisor(tmp_path / "launcher.json", {"broker": "filesystem"})
    yield supervisor
    supervisor.stop_all(last="redis")


def test_a_private_redis_on_a_socket_only_this_user_may_use(tmp_path, watched, monkeypatch):
    monkeypatch.delenv("REDIS_SERVER", raising=False)
    environment: dict[str, str] = {}

    run_local._start_redis(watched, tmp_path, environment)

    socket = tmp_path / "redis.sock"
    assert environment == {"REDIS_URL": f"unix://{socket}"}
    assert (watched.facts["broker"], watched.facts["redis_socket"]) == ("redis", str(socket))
    assert stat.S_IMODE(os.stat(socket).st_mode) == 0o700
    assert answers(socket)
    redis = watched.child("redis")
    watched.stop_all(last="redis")
    assert redis.process is not None
    assert redis.process.returncode == 0
    assert not socket.exists()


@pytest.mark.parametrize(
    ("redis_server", "said"),
    [
        ("", "no redis-server found ('make install' installs it); using the filesystem broker"),
        ("/bin/false", "redis-server did not start (see "),
    ],
)
def test_without_a_redis_server_it_says_so_and_uses_the_filesystem_broker(
    tmp_path, watched, monkeypatch, capsys, redis_server, said
):
    monkeypatch.setenv("REDIS_SERVER", redis_server)
    environment: dict[str, str] = {}

    run_local._start_redis(watched, tmp_path, environment)

    assert environment == {}
    assert watched.facts["broker"] == "filesystem"
    assert watched.children == []
    assert said in capsys.readouterr().out
