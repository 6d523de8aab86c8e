"""One email over SMTP with the hand-over held back until the last moment.

Django's SMTP backend opens the connection (TLS, login, timeout from ``EMAIL_URL``); the message
transaction is ours because ``smtplib.sendmail`` writes the body and its end-of-data line in one go.
Here the body goes out first and the end-of-data line ``.`` only after ``handover()``: an SMTP
server discards a message whose connection closes before that line (RFC 5321, 4.1.1.4).

A connection that has just delivered a message is kept for the process's next one (RFC 5321
allows many mail transactions per session): connecting, the greeting, EHLO and QUIT cost more than
the message itself. Any other outcome closes it. A kept connection is used only while fresh, and
one the server dropped meanwhile is replaced once, before anything of the message was sent.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import smtplib
import socket
import threading
import time
from dataclasses import dataclass

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
# How long a kept connection may sit unused: well inside what servers wait for the next command
# (RFC 5321, 4.5.3.2.7: at least 5 minutes).
KEPT_IDLE_SECONDS = 30.0


def _data_without_end(message: bytes) -> bytes:
    """The DATA body: CRLF line ends, leading dots doubled (RFC 5321, 4.5.2), ending in CRLF."""
    body = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", message))
    return body if body.endswith(b"\r\n") else body + b"\r\n"


def _queue_id(reply: bytes) -> str:
    """The server's own id for the message, when its reply names one ("250 2.0.0 Ok: queued as X")."""
    found = _QUEUE_ID.search(reply.decode("ascii", "replace"))
    return found.group(1) if found else ""


def _settings_of(backend: SmtpEmailBackend) -> tuple[object, ...]:
    return (
        backend.host,
        backend.port,
        backend.username,
        backend.password,
        backend.use_tls,
        backend.use_ssl,
        backend.timeout,
        backend.ssl_keyfile,
        backend.ssl_certfile,
    )


@dataclass
class _Kept:
    backend: SmtpEmailBackend
    settings: tuple[object, ...]
    process: int
    idle_since: float


_kept = threading.local()  # one connection per thread (a prefork worker has one)


def _kept_or(backend: SmtpEmailBackend) -> SmtpEmailBackend:
    """The kept backend with the same settings, still fresh and of this process; else ``backend``."""
    kept: _Kept | None = getattr(_kept, "connection", None)
    _kept.connection = None
    if kept is None:
        return backend
    if kept.process != os.getpid():
        return backend  # inherited over a fork: the parent's socket, never written to from here
    fresh = time.monotonic() - kept.idle_since < KEPT_IDLE_SECONDS
    if fresh and kept.settings == _settings_of(backend) and kept.backend.connection is not None:
        return kept.backend
    _quit(kept.backend)
    return backend


def _keep(backend: SmtpEmailBackend) -> None:
    _kept.connection = _Kept(backend, _settings_of(backend), os.getpid(), time.monotonic())


def smtp_forget_kept() -> None:
    """Close this thread's kept connection, if any (at exit, or when the settings change)."""
    kept: _Kept | None = getattr(_kept, "connection", None)
    _kept.connection = None
    if kept is not None and kept.process == os.getpid():
        _quit(kept.backend)


atexit.register(smtp_forget_kept)


def _quit(backend: SmtpEmailBackend) -> None:
    # The outcome is settled by now; a failing QUIT must not turn it into an error.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        backend.close()


def _open(backend: SmtpEmailBackend) -> smtplib.SMTP:
    backend.open()
    connection = backend.connection
    assert connection is not None
    # The end-of-data line is a second, tiny write right after the body: with Nagle's algorithm on,
    # the kernel holds it until the server acknowledges the body, which its delayed ACK makes
    # ~40 ms per message.
    if connection.sock is not None:
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def _start_data(connection: smtplib.SMTP, sender: str, recipients: list[str], size: int) -> None:
    """MAIL, RCPT and DATA, up to the server's go-ahead for the body."""
    connection.ehlo_or_helo_if_needed()
    options = [f"SIZE={size}"] if connection.has_extn("size") else []
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


def smtp_send_with_handover(backend: SmtpEmailBackend, email: EmailMessage, handover: Handover) -> str | None:
    """Send ``email``; return the server's queue id ("" if it names none), or None if the
    hand-over was refused and the message abandoned unsent."""
    backend = _kept_or(backend)
    reused = backend.connection is not None
    connection = _open(backend)
    in_data = delivered = False
    try:
        encoding = email.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(email.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email.recipients()]
        # Django's MIME classes take a line separator; the stubs know only the standard library's.
        data = _data_without_end(email.message().as_bytes(linesep="\r\n"))  # type: ignore[call-arg]
        try:
            _start_data(connection, sender, recipients, len(data))
        except OSError:  # smtplib's errors are OSErrors
            if not reused:
                raise
            # The kept connection was dropped or refused meanwhile: nothing of this message is out yet.
            backend.connection = None
            with contextlib.suppress(OSError):
                connection.close()
            connection = _open(backend)
            _start_data(connection, sender, recipients, len(data))
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
        delivered = True
        return _queue_id(reply)
    finally:
        if in_data:
            # No QUIT mid-DATA: it would only become part of an unfinished message.
            connection.close()
            backend.connection = None
        elif delivered:
            _keep(backend)
        else:
            _quit(backend)
