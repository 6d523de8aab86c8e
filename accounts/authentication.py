"""API authentication: simplejwt's, plus the account's session generation, so "end everything"
(accounts.services.access) also ends access tokens issued before it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts.models import User
from accounts.tokens import token_generation_current, token_pair_renew

REVOKED = "This token was ended by a sign-out, a password change or a deactivation."


class ClinicJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]  # our User, not AuthUser
        # DRF's own exception (a plain code, which the error handler passes on), not simplejwt's.
        user = User.objects.filter(pk=str(validated_token.get(api_settings.USER_ID_CLAIM, ""))).first()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("No active account for this token.", code="user_inactive")
        if not token_generation_current(token=validated_token, user=user):
            raise exceptions.AuthenticationFailed(REVOKED, code="token_revoked")
        return user


class ClinicTokenRefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh checks (signature, expiry, blacklist), plus the account (a 401, not a
    500, for one that no longer exists), its session generation and the sign-in's limits; the
    answer is a new pair, and the token given is refused from then on (accounts.tokens)."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = RefreshToken(attrs["refresh"])
        user = User.objects.filter(pk=str(refresh.payload.get(api_settings.USER_ID_CLAIM, ""))).first()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("No active account for this token.", code="no_active_account")
        if not token_generation_current(token=refresh, user=user):
            raise exceptions.AuthenticationFailed(REVOKED, code="token_revoked")
        return token_pair_renew(refresh=refresh, user=user)


class ClinicJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of the class above: simplejwt's bearer token, as before."""

    target_class = "accounts.authentication.ClinicJWTAuthentication"
