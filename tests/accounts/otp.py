"""The second factor in tests: codes computed with django-otp's own TOTP, as an authenticator
app would, never a shortcut around the check."""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services.second_factor import totp_enrol_confirmed
from core.roles import STAFF_ROLES


def totp_code(user: User) -> str:
    """The code the user's authenticator app shows now, or the next one when this time step's
    code was used already (a device accepts each step once, and one step ahead)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return device_code(device)


def device_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    unused = device.last_t + 1 - totp.t()
    if unused > device.tolerance:
        raise AssertionError("every code within the device's tolerance was used: wait for the next step")
    totp.drift += max(0, unused)
    return f"{totp.token():0{device.digits}d}"


def secret_code(secret_base32: str, *, at: float | None = None) -> str:
    """The code of a secret typed from the enrolment page (base32, without padding)."""
    key = b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    totp = TOTP(key)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def enrolled(user: User) -> User:
    """A staff member (or patient) with a confirmed authenticator, as after their first sign-in."""
    totp_enrol_confirmed(user=user)
    return user


_django_force_login = Client.force_login


def force_login_with_second_factor(client: Client, user: Any, backend: str | None = None) -> None:
    """Django's force_login skips the sign-in; for staff it skips the code too, as if the session
    had passed it (with a real confirmed device), so tests of other things can open staff pages."""
    _django_force_login(client, user, backend)
    # The session's start and last activity are left to its first request (accounts.middleware),
    # so a test may sign in first and then travel in time.
    if getattr(user, "role", None) in STAFF_ROLES:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_enrol_confirmed(user=user).persistent_id
        session.save()
