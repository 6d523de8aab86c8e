"""One email over SMTP with the hand-over held back until the last moment.

Django's SMTP backend opens the connection (TLS, login, timeout from ``EMAIL_URL``); the message
transaction is ours because ``smtplib.sendmail`` writes the body and its end-of-data line in one go.
Here the body goes out first and the end-of-data line ``.`` only after ``handover()``: an SMTP
server discards a message whose connection closes before that line (RFC 5321, 4.1.1.4).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend
from django.core.mail.message import sanitize_address

from notifications.delivery import DeliveryRefused, Handover

# Reply codes of RFC 5321.
SMTP_OK = 250
SMTP_WILL_FORWARD = 251
SMTP_START_MAIL_INPUT = 354

_LINE_ENDS = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"(?m)^\.")
_QUEUE_ID = re.compile(r"queued as ([\w.-]+)", re.IGNORECASE)


def _data_without_end(message: bytes) -> bytes:
    """The DATA body: CRLF line ends, leading dots doubled (RFC 5321, 4.5.2), ending in CRLF."""
    body = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", message))
    return body if body.endswith(b"\r\n") else body + b"\r\n"


def _queue_id(reply: bytes) -> str:
    """The server's own id for the message, when its reply names one ("250 2.0.0 Ok: queued as X")."""
    found = _QUEUE_ID.search(reply.decode("ascii", "replace"))
    return found.group(1) if found else ""


def smtp_send_with_handover(backend: SmtpEmailBackend, email: EmailMessage, handover: Handover) -> str | None:
    """Send ``email``; return the server's queue id ("" if it names none), or None if the
    hand-over was refused and the message abandoned unsent."""
    backend.open()
    connection = backend.connection
    assert connection is not None
    # The end-of-data line is a second, tiny write right after the body: with Nagle's algorithm on,
    # the kernel holds it until the server acknowledges the body, which its delayed ACK makes
    # ~40 ms per message.
    if connection.sock is not None:
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    in_data = False
    try:
        encoding = email.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(email.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email.recipients()]
        # Django's MIME classes take a line separator; the stubs know only the standard library's.
        data = _data_without_end(email.message().as_bytes(linesep="\r\n"))  # type: ignore[call-arg]
        connection.ehlo_or_helo_if_needed()
        options = [f"SIZE={len(data)}"] if connection.has_extn("size") else []
        code, reply = connection.mail(sender, options)
        if code != SMTP_OK:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (SMTP_OK, SMTP_WILL_FORWARD):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)
        connection.putcmd("data")
        code, reply = connection.getreply()
        if code != SMTP_START_MAIL_INPUT:
            raise smtplib.SMTPDataError(code, reply)
        in_data = True
        connection.send(data)
        if not handover():
            return None  # closing mid-DATA (below) makes the server discard what it has
        connection.send(b".\r\n")
        in_data = False
        code, reply = connection.getreply()
        if code != SMTP_OK:
            # Only the status: a server's text may quote an address.
            raise DeliveryRefused(f"SMTP {code} after the message")
        return _queue_id(reply)
    finally:
        if in_data:
            # No QUIT mid-DATA: it would only become part of an unfinished message.
            connection.close()
            backend.connection = None
        else:
            # The outcome is settled by now; a failing QUIT must not turn it into an error.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                backend.close()
