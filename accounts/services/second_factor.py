"""The second factor (SPEC.md section 11): TOTP devices and one-time recovery codes (django-otp).

Staff must pass it at every sign-in; a patient may turn it on. A TOTP code is accepted once
(django-otp remembers the last time step used); a recovery code is deleted when used. Wrong
codes slow the device down (django-otp's throttling) and count as failed sign-ins (the lockout).
"""

from __future__ import annotations

import io
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.errors import AccountError
from accounts.models import User
from core.roles import STAFF_ROLES

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


class SecondFactorError(AccountError):
    status_code = 401
    default_code = "otp_invalid"
    default_detail = "The code is not right, or it was used already."


def second_factor_required(*, user: User) -> bool:
    """Staff always; a patient once they turned it on (a confirmed device)."""
    return user.role in STAFF_ROLES or second_factor_enabled(user=user)


def second_factor_enabled(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The device being set up (not yet confirmed): the same one on every visit of the enrolment
    page, so the QR code and the secret stay put until a code confirms them."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_base32(*, device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (base32, no padding)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(*, device: TOTPDevice) -> bytes:
    """The enrolment QR code of the device's otpauth:// address, drawn on the server as SVG."""
    # Served as its own image/svg+xml document (an <img>'s source): without the SVG namespace the
    # browser reads it as unknown XML and draws nothing, so the file declares it (svgns).
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        out, kind="svg", scale=5, xmldecl=False, svgns=True, title="QR code for your authenticator app"
    )
    return out.getvalue()


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]  # for the person to keep; the pages show them once


def totp_enrol_confirm(*, user: User, code: str) -> Enrolment:
    """Confirm the pending device with a code from the app; new recovery codes come with it."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None or not device.verify_token(_clean(code)):
            raise SecondFactorError(
                "The code is not right. Type the 6 digits your app shows now.",
                status_code=400,
                fields={"code": ["Not right."]},
            )
        # One authenticator per person: the new one replaces any earlier one.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return Enrolment(device=device, recovery_codes=recovery_codes_replace(user=user))


def totp_enrol_confirmed(*, user: User) -> TOTPDevice:
    """An already confirmed device (the demo seed prints its secret): the existing one or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        recovery_codes_replace(user=user)
    return device


def recovery_codes_replace(*, user: User) -> list[str]:
    """A new set of one-time recovery codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_verify(*, user: User, code: str) -> Device:
    """The device that accepts ``code`` (a TOTP code once, or a recovery code once), or a
    SecondFactorError (401 otp_invalid)."""
    token = _clean(code)
    with transaction.atomic():
        device: Device | None
        if token.isdigit():
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        else:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None or not device.verify_token(token):
            raise SecondFactorError(fields={"otp": ["Not right, or used already."]})
    return device


def second_factor_disable(*, user: User) -> None:
    """A patient turns the factor off again; staff may not (the clinic requires it)."""
    if user.role in STAFF_ROLES:
        raise AccountError(
            "Staff accounts must keep the second factor.", code="second_factor_required", status_code=409
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _clean(code: str) -> str:
    """People type codes with spaces or dashes, recovery codes in any case."""
    return "".join(code.split()).replace("-", "").lower()
