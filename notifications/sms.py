"""Text-message backends, chosen by the SMS_BACKEND setting: a console backend for development
and tests, and Twilio's REST API for production."""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider refused or could not be reached; the outbox retries with backoff."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> str:
        """Send one message; return the provider's message id."""
        ...


class ConsoleSmsBackend:
    """Writes messages to standard output, like Django's console email backend."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, *, to: str, body: str) -> str:
        self.sent += 1
        sys.stdout.write(f"SMS to {to}:\n{body}\n{'-' * 40}\n")
        return f"console-{self.sent}"


class TwilioSmsBackend:
    """POST /2010-04-01/Accounts/{sid}/Messages.json with To, From and Body (form-encoded)."""

    api_base = "https://api.twilio.com"
    timeout_seconds = 10

    def __init__(self) -> None:
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.from_number = settings.TWILIO_FROM_NUMBER
        if not (self.account_sid and self.auth_token and self.from_number):
            raise SmsError("Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER.")

    def send(self, *, to: str, body: str) -> str:
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.from_number, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - a fixed https URL
            url, data=data, method="POST", headers={"Authorization": f"Basic {credentials}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                payload = json.loads(response.read())
        except urllib.error.HTTPError as error:
            error.close()
            # The status only: Twilio's error text may repeat the number or the body.
            raise SmsError(f"Twilio answered HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SmsError(f"Twilio unreachable: {type(error).__name__}") from None
        return str(payload.get("sid", ""))


def sms_backend() -> SmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    return backend_class()
