"""The API's JWTs: the account's session generation (see accounts.services.access) and the
sign-in's limits (SPEC.md section 11, accounts.session_limits).

A refresh token lasts the role's idle limit from when it was made (15 minutes for staff, 30 for
patients), never past 12 hours from the sign-in, whose time it carries (``auth_time``). Each
refresh makes a new one and refuses the one used from then on (simplejwt's blacklist), so a
token left unused past the idle limit, or any after the 12 hours, is refused (401
token_not_valid). An access token lives 10 minutes, never past the 12 hours either.

Kept apart from the services: DRF imports the authentication class (which reads the claims)
while it is itself being imported, before the services' modules can be."""

from __future__ import annotations

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from accounts.models import User
from accounts.session_limits import session_absolute_limit, session_idle_limit

GENERATION_CLAIM = "gen"
SESSION_START_CLAIM = "auth_time"  # epoch seconds of the sign-in (OpenID Connect's name for it)
ENDED = "This sign-in has ended: it went unused too long, or began more than 12 hours ago. Sign in again."


def _session_start(refresh: RefreshToken) -> int:
    # Tokens made before the claim existed began when they were made (they were never renewed).
    return int(refresh.get(SESSION_START_CLAIM, refresh["iat"]))


def _session_end(refresh: RefreshToken) -> int:
    return _session_start(refresh) + session_absolute_limit()


def _timed(refresh: RefreshToken, *, user: User) -> dict[str, str]:
    """Time ``refresh`` from now (the role's idle limit, capped at the session's end), record it
    as outstanding (what logout and "end everything" blacklist), and pair it with an access token."""
    now = int(refresh.current_time.timestamp())
    refresh.set_iat()
    refresh["exp"] = min(now + session_idle_limit(user.role), _session_end(refresh))
    refresh.outstand()
    access: AccessToken = refresh.access_token
    access["exp"] = min(int(access["exp"]), _session_end(refresh))
    return {"access": str(access), "refresh": str(refresh)}


def _used_up(refresh: RefreshToken) -> bool:
    """Blacklist ``refresh``; True for the one request that did (the blacklist's unique row
    decides between two at once)."""
    refresh.outstand()  # made when it was issued; a token of an earlier kind may lack it
    outstanding = OutstandingToken.objects.get(jti=refresh[api_settings.JTI_CLAIM])
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    return created


def token_pair_for(*, user: User) -> dict[str, str]:
    """A sign-in's first pair of tokens."""
    refresh = RefreshToken()
    refresh[api_settings.USER_ID_CLAIM] = str(user.pk)
    refresh[GENERATION_CLAIM] = user.session_generation  # copied into the access token
    refresh[SESSION_START_CLAIM] = int(refresh.current_time.timestamp())
    return _timed(refresh, user=user)


def token_pair_renew(*, refresh: RefreshToken, user: User) -> dict[str, str]:
    """A new pair for a good refresh token (signature, expiry and blacklist checked by simplejwt),
    which is refused from then on; TokenError when its sign-in has ended, or when another request
    renewed it first (two uses of one token make one new pair, not two)."""
    now = int(refresh.current_time.timestamp())
    if now >= int(refresh["iat"]) + session_idle_limit(user.role) or now >= _session_end(refresh):
        raise TokenError(ENDED)  # what exp says of tokens made here; those made before have a day's exp
    if not _used_up(refresh):
        raise TokenError("Token is blacklisted")
    refresh.set_jti()
    return _timed(refresh, user=user)


def token_generation_current(*, token: Token, user: User) -> bool:
    """Tokens minted without the claim (only tests' force-made ones) count as generation 0."""
    return int(token.get(GENERATION_CLAIM, 0)) == user.session_generation
