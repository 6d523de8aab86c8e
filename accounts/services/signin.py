"""Signing in: the password (with django-axes counting failures and locking an account), then the
second factor where one is required, then tokens for the API (the pages keep a session)."""

from __future__ import annotations

from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from accounts.errors import AccountError
from accounts.models import User
from accounts.services.second_factor import SecondFactorError, second_factor_required, second_factor_verify
from accounts.tokens import token_pair_for


class InvalidCredentials(AccountError):
    status_code = 401
    default_code = "no_active_account"  # simplejwt's code, kept for existing clients
    default_detail = "No active account with this email and password."


class AccountLocked(AccountError):
    """Too many failed sign-ins: ``retry_at`` says when the lock ends."""

    status_code = 429
    default_code = "account_locked"

    def __init__(self, *, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(
            f"Too many failed sign-ins: this account is locked until {retry_at.isoformat(timespec='seconds')}."
        )


def email_normalize(*, email: str) -> str:
    return User.objects.normalize_email(email)


def account_locked_until(*, email: str, now: datetime | None = None) -> datetime | None:
    """When the lock of this email ends, or None when it is not locked (axes' records, read the way
    axes counts them: failures whose latest try lies within the cool-off)."""
    now = now or timezone.now()
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username=email_normalize(email=email), attempt_time__gte=now - cool_off)
    totals = recent.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if (totals["failures"] or 0) < settings.AXES_FAILURE_LIMIT:
        return None
    last: datetime = totals["last"]
    return last + cool_off


def password_check(*, request: HttpRequest, email: str, password: str) -> User:
    """The active account with this email and password, or InvalidCredentials (401) — the same
    answer, after the same password hashing, whether or not the email has an account — or
    AccountLocked (429) after too many failures."""
    email = email_normalize(email=email)
    retry_at = account_locked_until(email=email)
    if retry_at is not None:
        raise AccountLocked(retry_at=retry_at)
    # ModelBackend hashes the password for an unknown email too, so both take as long.
    user = authenticate(request, username=email, password=password)
    if user is None:
        # The fifth failure itself still answers as a wrong password; the next try meets the lock.
        raise InvalidCredentials()
    assert isinstance(user, User)
    return user


def sign_in_failed(*, request: HttpRequest, email: str) -> None:
    """A wrong code, or a wrong current password on a password change, counts as a failed sign-in
    of the account, as a wrong password does: guesses of any of them meet the one lockout."""
    user_login_failed.send(sender=__name__, credentials={"username": email_normalize(email=email)}, request=request)


def token_pair_issue(*, request: HttpRequest, email: str, password: str, otp: str | None = None) -> dict[str, str]:
    """``{access, refresh}`` for the API: the password, then the code where a second factor is
    required (401 otp_required without one, 401 otp_invalid for a wrong or reused one)."""
    user = password_check(request=request, email=email, password=password)
    if second_factor_required(user=user):
        if not otp:
            raise SecondFactorError(
                "This account needs the code of its authenticator app (or a recovery code) in `otp`.",
                code="otp_required",
                fields={"otp": ["Required for this account."]},
            )
        try:
            second_factor_verify(user=user, code=otp)
        except SecondFactorError:
            sign_in_failed(request=request, email=email)
            raise
    # A sign-in clears the account's earlier failures (as axes does for page sign-ins on login()).
    AxesProxyHandler.reset_attempts(username=user.email)
    return token_pair_for(user=user)
