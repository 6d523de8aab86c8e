"""Email backends for development: the demo mailbox of `make run`, and the log at DEBUG.

Both take Django's backend interface, so ``send_mail`` and the outbox's channel use them unchanged
(notifications.channels treats them as it treats Django's console backend).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from email.mime.base import MIMEBase
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from core.dev_mailbox import EMAIL, mailbox_folder, mailbox_keep

logger = logging.getLogger(__name__)


def _attachment_name(attachment: Any) -> str:
    if isinstance(attachment, MIMEBase):
        return attachment.get_filename() or ""
    return str(attachment[0] or "")  # (filename, content, mimetype), Django's EmailAttachment


class MailboxEmailBackend(BaseEmailBackend):
    """Keeps each email in the demo mailbox (DEV_MAILBOX_DIR), read at /dev/mail/."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = mailbox_folder()
        if folder is None:
            raise RuntimeError("MailboxEmailBackend needs DEV_MAILBOX_DIR (config/settings/dev.py).")
        for message in email_messages:
            mailbox_keep(
                folder=folder,
                channel=EMAIL,
                to=message.recipients(),
                subject=str(message.subject),
                body=str(message.body),
                message_id=str(message.extra_headers.get("Message-ID", "")),
                attachments=[_attachment_name(attachment) for attachment in message.attachments],
            )
        return len(email_messages)


class DebugLogEmailBackend(BaseEmailBackend):
    """Logs each email at DEBUG (its body carries links and names: never at INFO or above)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            logger.debug("email to %s: %s\n%s", ", ".join(message.recipients()), message.subject, message.body)
        return len(email_messages)
