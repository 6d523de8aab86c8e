"""The demo mailbox of `make run`: every email and text message kept as one JSON file in
``DEV_MAILBOX_DIR`` and read back, newest first, by the page /dev/mail/.

Only the development settings turn it on (config/settings/dev.py, when the launcher sets
``DEV_MAILBOX_DIR``); elsewhere ``mailbox_folder()`` is None and the page answers 404. A file is
written under a temporary name and renamed, so a reader never sees half a message.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

EMAIL = "email"
SMS = "sms"


@dataclass(frozen=True)
class MailboxMessage:
    channel: str  # EMAIL or SMS
    to: tuple[str, ...]
    subject: str  # "" for a text message
    body: str
    sent_at: datetime
    message_id: str  # the email's Message-ID (``<outbox-12@clinic-booking>``) or the SMS's id; "" if none
    attachments: tuple[str, ...]  # file names


def mailbox_folder() -> Path | None:
    """The demo mailbox's folder, or None when it is off."""
    folder = getattr(settings, "DEV_MAILBOX_DIR", "")
    return Path(folder) if folder else None


def mailbox_keep(
    *,
    folder: Path,
    channel: str,
    to: Sequence[str],
    body: str,
    subject: str = "",
    message_id: str = "",
    attachments: Sequence[str] = (),
) -> Path:
    """Keep one message; file names sort by the moment they were written."""
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "channel": channel,
        "to": list(to),
        "subject": subject,
        "body": body,
        "sent_at": timezone.now().isoformat(),
        "message_id": message_id,
        "attachments": list(attachments),
    }
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
    temporary = folder / f".{name}.tmp"
    temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / name)
    return folder / name


def _read(path: Path) -> MailboxMessage | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return MailboxMessage(
            channel=str(record["channel"]),
            to=tuple(str(address) for address in record["to"]),
            subject=str(record["subject"]),
            body=str(record["body"]),
            sent_at=datetime.fromisoformat(record["sent_at"]),
            message_id=str(record.get("message_id", "")),
            attachments=tuple(str(name) for name in record.get("attachments", [])),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # removed meanwhile, or not one of ours


def mailbox_messages(*, folder: Path, limit: int | None = None) -> list[MailboxMessage]:
    """The kept messages, newest first (at most ``limit``)."""
    if not folder.is_dir():
        return []
    names = sorted((name for name in os.listdir(folder) if name.endswith(".json")), reverse=True)
    messages = []
    for name in names:
        message = _read(folder / name)
        if message is not None:
            messages.append(message)
        if limit is not None and len(messages) >= limit:
            break
    return messages
