"""kombu's filesystem transport without its torn-read race: the broker of `make run` only when no
``redis-server`` can be had (settings: ``CELERY_BROKER_TRANSPORT``).

kombu writes a message by creating its file under its final name and then locking and writing it,
while a reader lists the folder, moves a file away and parses it without the lock. A reader that
comes between the two sees an empty or half-written file and raises ``JSONDecodeError``, which a
Celery worker treats as unrecoverable: it exits. The exchange tables (fanout bindings) have the
same gap: a new table is truncated before it is locked.

Here nothing is ever seen half-written. A message is written under a name no reader looks for
(a leading dot) and renamed to its final name, which is atomic within one filesystem. A reader
claims a message by renaming it into a folder beside it (one reader wins; kombu moves it to the
system's temporary folder, which may be another filesystem and then is a copy). A file that still
cannot be read (left by an older writer, or damaged) is moved aside with a warning instead of
killing the worker. Exchange tables are replaced whole the same way, under a lock file of their own.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

CLAIMED = ".claimed"  # messages being read, beside the queue (same filesystem: rename is atomic)
UNREADABLE = ".unreadable"  # files no reader could parse, kept for a look


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees part of it."""
    temporary = path.with_name(f".{uuid.uuid4().hex}.tmp")
    with open(temporary, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


class Channel(filesystem.Channel):
    def _queue_file_name(self, queue: str) -> str:
        return f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"

    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]  # as kombu's
        path = Path(self.data_folder_out) / self._queue_file_name(queue)
        try:
            _write_whole(path, str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {str(path)!r} to directory") from exc

    def _get(self, queue: str) -> dict[str, Any]:  # type: ignore[override]  # as kombu's
        folder = Path(self.data_folder_in)
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(folder)):
            if name.partition(".")[2] != wanted:
                continue  # another queue's message, or a message still being written
            claimed = folder / CLAIMED / name
            claimed.parent.mkdir(exist_ok=True)
            try:
                os.rename(folder / name, claimed)
            except OSError:
                continue  # another reader took it
            try:
                message: dict[str, Any] = loads(bytes_to_str(claimed.read_bytes()))
            except (OSError, ValueError):
                self._set_aside(claimed)
                continue
            self._done_with(claimed)
            return message
        raise Empty()

    def _set_aside(self, claimed: Path) -> None:
        aside = claimed.parent.parent / UNREADABLE / claimed.name
        aside.parent.mkdir(exist_ok=True)
        os.replace(claimed, aside)
        logger.warning("filesystem broker: skipped an unreadable message file, kept as %s", aside)

    def _done_with(self, claimed: Path) -> None:
        if self.store_processed:
            Path(self.processed_folder).mkdir(parents=True, exist_ok=True)
            shutil.move(claimed, Path(self.processed_folder) / claimed.name)
        else:
            claimed.unlink()

    # -- exchange tables (fanout bindings) ---------------------------------------------------------

    @contextmanager
    def _table_lock(self, exchange: str) -> Iterator[Path]:
        """The exchange's table file, with every other writer of it kept out."""
        table: Path = self._exchange_file(exchange)  # type: ignore[attr-defined]  # kombu 5.7, not in the stubs
        self.control_folder.mkdir(parents=True, exist_ok=True)
        with open(table.with_name(f"{table.name}.lock"), "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield table
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def get_table(self, exchange: str) -> list[Any]:
        try:
            return list(super().get_table(exchange))
        except ValueError:
            # A table torn by an older writer: treat it as empty; bindings are declared again.
            logger.warning("filesystem broker: unreadable table of exchange %r, treated as empty", exchange)
            return []

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str | None, queue: str) -> None:
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange) as table:
            queues = self.get_table(exchange)
            if entry not in queues:
                _write_whole(table, str_to_bytes(dumps([entry, *queues])))

    def _delete(self, queue: str, exchange: str, routing_key: str, pattern: str, *args: Any, **kwargs: Any) -> None:
        # The virtual channel's own bookkeeping, then our table (kombu's rewrites it in place).
        super(filesystem.Channel, self)._delete(queue, exchange, routing_key, pattern, *args, **kwargs)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange) as table:
            queues = self.get_table(exchange)
            if entry in queues:
                queues.remove(entry)
                _write_whole(table, str_to_bytes(dumps(queues)))


class Transport(filesystem.Transport):
    Channel = Channel
