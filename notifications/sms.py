"""Text-message backends, chosen by the SMS_BACKEND setting: a console backend (the log, at DEBUG)
for development and tests, the demo mailbox of `make run`, and Twilio's REST API for production.
Each calls ``handover`` (notifications.delivery) just before the provider could act on the
message."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import urllib.parse
import uuid
from http import HTTPStatus
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from core.dev_mailbox import SMS, mailbox_folder, mailbox_keep
from notifications.delivery import DeliveryRefused, Handover

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider could not be reached or gave no usable answer."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, handover: Handover) -> str | None:
        """Send one message; return the provider's message id, or None if the hand-over was
        refused and nothing was sent."""
        ...


class ConsoleSmsBackend:
    """Logs messages at DEBUG (a number and a body are personal data: never at INFO or above)."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, *, to: str, body: str, handover: Handover) -> str | None:
        if not handover():
            return None
        self.sent += 1
        logger.debug("SMS to %s:\n%s", to, body)
        return f"console-{self.sent}"


class MailboxSmsBackend:
    """Keeps messages in the demo mailbox of `make run` (DEV_MAILBOX_DIR), read at /dev/mail/."""

    def send(self, *, to: str, body: str, handover: Handover) -> str | None:
        folder = mailbox_folder()
        if folder is None:
            raise SmsError("MailboxSmsBackend needs DEV_MAILBOX_DIR (config/settings/dev.py).")
        if not handover():
            return None
        message_id = f"mailbox-{uuid.uuid4().hex}"
        mailbox_keep(folder=folder, channel=SMS, to=[to], body=body, message_id=message_id)
        return message_id


class TwilioSmsBackend:
    """POST /2010-04-01/Accounts/{sid}/Messages.json with To, From and Body (form-encoded).

    The connection (TLS included) is made before the hand-over, so "unreachable" is retried; the
    request is written after it. Twilio offers no idempotency key, so a request whose answer never
    came is not repeated.
    """

    api_base = "https://api.twilio.com"
    timeout_seconds = 10

    def __init__(self) -> None:
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.from_number = settings.TWILIO_FROM_NUMBER
        if not (self.account_sid and self.auth_token and self.from_number):
            raise SmsError("Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER.")

    def _connection(self) -> http.client.HTTPConnection:
        base = urllib.parse.urlsplit(self.api_base)
        if base.scheme == "https":
            return http.client.HTTPSConnection(base.netloc, timeout=self.timeout_seconds)
        return http.client.HTTPConnection(base.netloc, timeout=self.timeout_seconds)

    def send(self, *, to: str, body: str, handover: Handover) -> str | None:
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.from_number, "Body": body})
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        headers = {"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"}
        connection = self._connection()
        try:
            try:
                connection.connect()
            except OSError as error:
                raise SmsError(f"Twilio unreachable: {type(error).__name__}") from None
            if not handover():
                return None
            try:
                connection.request("POST", path, body=data, headers=headers)
                response = connection.getresponse()
                status, raw = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                raise SmsError(f"No answer from Twilio: {type(error).__name__}") from None
        finally:
            connection.close()
        # The status only: Twilio's error text may repeat the number or the body.
        if HTTPStatus.BAD_REQUEST <= status < HTTPStatus.INTERNAL_SERVER_ERROR:
            raise DeliveryRefused(f"Twilio answered HTTP {status}")  # not created: safe to retry
        if status >= HTTPStatus.MULTIPLE_CHOICES:
            raise SmsError(f"Twilio answered HTTP {status}")  # a server error: it may have sent it
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not payload.get("sid"):
            raise SmsError("Twilio answered with no message id")
        return str(payload["sid"])


def sms_backend() -> SmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    return backend_class()
