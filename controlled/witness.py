"""The witness's signature (SPEC.md section 12): a second staff member signs a waste or a count
on the same screen with their own password and the current code of their second factor.

Refused, each with its code and with nothing of the log written (400 unless said):

- ``witness_required``: the email, password or code is missing (``fields`` names each);
- ``witness_same_person``: the witness is the person recording;
- ``witness_password_invalid``: no active account with that email and password (the same answer
  for both, after the same hashing: Django's ``authenticate``);
- ``witness_not_staff``: the account is a patient's;
- ``witness_otp_invalid``: the code is wrong, or was used already (django-otp accepts each TOTP
  step once; ``accounts.services.second_factor.second_factor_verify``).

A wrong password or code counts as a failed sign-in of the witness's account (django-axes), so a
witness's password cannot be guessed here more often than at the sign-in page; a locked account
answers 429 ``account_locked`` as the sign-in does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

from accounts.models import User
from accounts.services.second_factor import SecondFactorError, second_factor_verify
from accounts.services.signin import AccountLocked, account_locked_until, email_normalize
from controlled.errors import ControlledError
from controlled.rules import WITNESS_ROLES


@dataclass(frozen=True)
class WitnessSignature:
    email: str
    password: str = field(repr=False)
    otp: str = field(repr=False)
    # The request the signature came with: django-axes counts a failure against the account.
    request: HttpRequest | None = field(default=None, repr=False, compare=False)


def _refused(code: str, detail: str, field_name: str) -> ControlledError:
    return ControlledError(detail, code=code, fields={field_name: [detail]})


def witness_verify(*, actor: User, signature: WitnessSignature) -> User:
    """The witness who signed, or a refusal (see the module)."""
    missing = {
        name: ["Required."]
        for name, value in (
            ("witness_email", signature.email),
            ("witness_password", signature.password),
            ("witness_otp", signature.otp),
        )
        if not value.strip()
    }
    if missing:
        raise ControlledError("A second staff member signs as witness.", code="witness_required", fields=missing)
    email = email_normalize(email=signature.email)
    if email == actor.email.lower():
        raise _refused("witness_same_person", "The witness must be someone else.", "witness_email")
    retry_at = account_locked_until(email=email)
    if retry_at is not None:
        raise AccountLocked(retry_at=retry_at)
    witness = authenticate(signature.request, username=email, password=signature.password)
    if not isinstance(witness, User):
        raise _refused("witness_password_invalid", "The witness's email or password is not right.", "witness_password")
    if witness.role not in WITNESS_ROLES:
        raise _refused("witness_not_staff", "The witness must be a member of staff.", "witness_email")
    try:
        second_factor_verify(user=witness, code=signature.otp)
    except SecondFactorError:
        if signature.request is not None:  # counted as a failed sign-in, as a wrong password is
            user_login_failed.send(sender=__name__, credentials={"username": email}, request=signature.request)
        raise _refused(
            "witness_otp_invalid", "The witness's code is not right, or it was used already.", "witness_otp"
        ) from None
    return witness
