"""Ending access (SPEC.md section 11): one refresh token at the API's logout; every refresh token
of an account at a sign-out on the pages; everything of an account at once after a password
reset or change, a "sign out everywhere" and a deactivation.

"Everything" is three things, done in one transaction:
- the account's session generation goes up: every page session (its auth hash mixes the
  generation in, see ``User._get_session_auth_hash``) and every access token (its ``gen`` claim,
  checked by ``accounts.authentication``) issued before stops working on its next request;
- every outstanding refresh token is blacklisted (simplejwt's token_blacklist);
- deactivation also sets ``is_active=False``, which Django's session backend and simplejwt refuse.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.errors import AccountError
from accounts.models import User
from accounts.services.signin import AccountLocked, account_locked_until, sign_in_failed


def _refresh_tokens_end(*, user_id: UUID) -> None:
    outstanding = OutstandingToken.objects.filter(user_id=user_id).exclude(blacklistedtoken__isnull=False)
    ended = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(ended, ignore_conflicts=True)


def user_access_end(*, user_id: UUID) -> None:
    """End every page session, access token and refresh token of the account, at once."""
    with transaction.atomic():
        User.objects.filter(pk=user_id).update(session_generation=F("session_generation") + 1)
        _refresh_tokens_end(user_id=user_id)


def user_signed_out(*, user_id: UUID) -> None:
    """A sign-out on the pages (Django ends that session): every API refresh token of the account
    ends too (SPEC.md section 11), so no app keeps the account past it; access tokens live out
    their 10 minutes. "Sign out everywhere" (``user_access_end``) ends the other sessions as well."""
    _refresh_tokens_end(user_id=user_id)


def user_deactivate(*, user_id: UUID) -> None:
    """An admin closes an account: it can no longer sign in, and everything it holds ends now."""
    with transaction.atomic():
        User.objects.filter(pk=user_id).update(is_active=False)
        user_access_end(user_id=user_id)


def user_password_set(*, user: User, password: str) -> None:
    """A new password (after a reset or a change): checked by the validators; ends everything."""
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise AccountError(
            "The password is too weak.", code="weak_password", fields={"new_password": list(error.messages)}
        ) from error
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        user_access_end(user_id=user.pk)
    user.refresh_from_db(fields=["session_generation"])


def user_password_change(*, request: HttpRequest, user: User, current_password: str, new_password: str) -> None:
    """The person changes their own password: the current one first; then everything ends. A
    wrong current password counts as a failed sign-in of the account, so a session in the wrong
    hands cannot guess it: after five within 15 minutes, AccountLocked (429) until the lock ends."""
    retry_at = account_locked_until(email=user.email)
    if retry_at is not None:
        raise AccountLocked(retry_at=retry_at)
    if not user.check_password(current_password):
        sign_in_failed(request=request, email=user.email)
        raise AccountError(
            "The current password is not right.",
            code="wrong_password",
            fields={"current_password": ["Not right."]},
        )
    user_password_set(user=user, password=new_password)


def refresh_token_revoke(*, refresh: str) -> None:
    """Logout: the refresh token given can no longer be used (401 token_not_valid if it already can't)."""
    try:
        RefreshToken(refresh).blacklist()  # type: ignore[arg-type]
    except TokenError as error:
        raise AccountError(
            "The refresh token is invalid, expired or revoked.", code="token_not_valid", status_code=401
        ) from error
