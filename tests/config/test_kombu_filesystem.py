"""The filesystem broker of `make run`'s fallback: kombu's transport lets a reader see a message
(or an exchange table) between its creation and its writing, and a worker dies of the
JSONDecodeError; config.kombu_filesystem never shows a file half-written and skips one it cannot
read. Each race is forced, not hoped for: the writer is held right after it created its file."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection
from kombu.transport import filesystem

from config import kombu_filesystem

KOMBU = "kombu.transport.filesystem:Transport"
OURS = "config.kombu_filesystem:Transport"
WRITER = "writer"


def _channel(folder: Path, transport: str) -> Any:
    connection = Connection(
        "filesystem://",
        transport=transport,
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
        },
    )
    return connection.channel()


class _HeldWriter:
    """Holds the thread named WRITER at the first pause point it reaches, until released."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()

    def pause(self) -> None:
        if threading.current_thread().name == WRITER and not self.reached.is_set():
            self.reached.set()
            assert self.released.wait(10)

    @contextmanager
    def writing(self, write: Callable[[], None]) -> Iterator[None]:
        thread = threading.Thread(target=write, name=WRITER)
        thread.start()
        assert self.reached.wait(10), "the writer never reached its pause"
        try:
            yield
        finally:
            self.released.set()
            thread.join(10)


@pytest.fixture
def held_kombu_writer(monkeypatch) -> _HeldWriter:
    """kombu creates the file, then locks it, then writes: hold it just before the lock."""
    held = _HeldWriter()
    lock = filesystem.lock

    def lock_after_a_pause(file: Any, flags: int) -> None:
        held.pause()
        lock(file, flags)

    monkeypatch.setattr(filesystem, "lock", lock_after_a_pause)
    return held


@pytest.fixture
def held_writer(monkeypatch) -> _HeldWriter:
    """Ours creates a file, then writes it: hold it right after the file is created (the message or
    table file under its temporary name; not the exchange's lock file)."""
    held = _HeldWriter()

    def open_then_pause(path: Any, *args: Any, **kwargs: Any) -> Any:
        file = open(path, *args, **kwargs)  # noqa: SIM115  # handed to the caller's `with`
        if str(path).endswith(".tmp"):
            held.pause()
        return file

    monkeypatch.setattr(kombu_filesystem, "open", open_then_pause, raising=False)
    return held


def test_control_kombus_transport_hands_a_reader_a_message_not_yet_written(tmp_path, held_kombu_writer):
    writer, reader = _channel(tmp_path, KOMBU), _channel(tmp_path, KOMBU)

    with held_kombu_writer.writing(lambda: writer._put("celery", {"n": 1})), pytest.raises(json.JSONDecodeError):
        reader._get("celery")


def test_a_message_is_invisible_until_whole_then_read_once(tmp_path, held_writer):
    writer, reader = _channel(tmp_path, OURS), _channel(tmp_path, OURS)

    with held_writer.writing(lambda: writer._put("celery", {"n": 1})):
        with pytest.raises(Empty):
            reader._get("celery")
        assert [path.name.endswith(".tmp") for path in tmp_path.iterdir() if path.is_file()] == [True]

    assert reader._get("celery") == {"n": 1}
    with pytest.raises(Empty):
        reader._get("celery")


def _unreadable_file_then_a_message(folder: Path, channel: Any) -> None:
    (folder / "0_00000000-0000-0000-0000-000000000000.celery.msg").write_bytes(b'{"body": "torn')
    channel._put("celery", {"n": 2})  # its name (monotonic milliseconds first) sorts after "0_"


def test_control_kombus_transport_raises_on_an_unreadable_message_file(tmp_path):
    channel = _channel(tmp_path, KOMBU)
    _unreadable_file_then_a_message(tmp_path, channel)

    with pytest.raises(json.JSONDecodeError):
        channel._get("celery")


def test_an_unreadable_message_file_is_set_aside_and_the_next_message_read(tmp_path, caplog):
    channel = _channel(tmp_path, OURS)
    _unreadable_file_then_a_message(tmp_path, channel)

    assert channel._get("celery") == {"n": 2}
    assert [path.name for path in (tmp_path / ".unreadable").iterdir()] == [
        "0_00000000-0000-0000-0000-000000000000.celery.msg"
    ]
    assert [record.levelname for record in caplog.records] == ["WARNING"]


def test_control_kombus_transport_hands_a_reader_an_exchange_table_not_yet_written(tmp_path, held_kombu_writer):
    writer, reader = _channel(tmp_path, KOMBU), _channel(tmp_path, KOMBU)

    with (
        held_kombu_writer.writing(lambda: writer._queue_bind("fan", "", "", "q1")),
        pytest.raises(json.JSONDecodeError),
    ):
        reader.get_table("fan")


def test_an_exchange_table_is_replaced_whole(tmp_path, held_writer):
    writer, reader = _channel(tmp_path, OURS), _channel(tmp_path, OURS)
    writer._queue_bind("fan", "", "", "q1")

    with held_writer.writing(lambda: writer._queue_bind("fan", "", "", "q2")):
        assert [entry.queue for entry in reader.get_table("fan")] == ["q1"]

    assert [entry.queue for entry in reader.get_table("fan")] == ["q2", "q1"]
    writer._delete("q1", "fan", "", "")
    assert [entry.queue for entry in reader.get_table("fan")] == ["q2"]
