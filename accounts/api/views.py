import math
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from accounts.api.serializers import (
    DetailSerializer,
    LogoutInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    ProfileSerializer,
    RegisterConfirmInputSerializer,
    RegisterInputSerializer,
    TokenObtainInputSerializer,
    TokenPairSerializer,
)
from accounts.authentication import ClinicTokenRefreshSerializer
from accounts.models import User
from accounts.services.access import refresh_token_revoke, user_access_end
from accounts.services.password_reset import password_reset_confirm, password_reset_request
from accounts.services.signin import AccountLocked, token_pair_issue
from accounts.services.signup import patient_signup, signup_confirm
from accounts.tokens import token_pair_for
from core.errors import error_body
from core.schema import errors, rules_beyond_schema

SIGNUP_ASKED = "Check your email: we have sent you a link to finish creating your account. It works once, for 24 hours."
RESET_ASKED = "If an account has this email, a link to choose a new password is on its way. It works once, for an hour."


class AuthThrottleMixin:
    """Sign-up, token and reset endpoints share a tighter rate per address: they are where
    passwords get guessed (the lockout per account is accounts.services.signin's)."""

    throttle_classes: Sequence[type[BaseThrottle]] = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=RegisterInputSerializer,
        responses={202: DetailSerializer},
        description="Emails a link valid for 24 hours that finishes the account (POST its token, with the "
        "password chosen here, to /auth/register/confirm/). The same answer whether or not the email has an "
        "account: its owner gets an email saying so instead, and nothing is created. The emails are in the "
        "language of the request (Accept-Language) for a new account, the account's own otherwise.",
        extensions=rules_beyond_schema("invalid_phone", "weak_password", "invalid_date_of_birth"),
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient_signup(**serializer.validated_data, language=get_language() or "en")
        return Response({"detail": SIGNUP_ASKED}, status=status.HTTP_202_ACCEPTED)


class RegisterConfirmApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=RegisterConfirmInputSerializer,
        responses={
            200: TokenPairSerializer,
            **errors(
                429,
                description="`account_locked`: a password that is not the sign-up's counts as a failed sign-in; "
                "5 within 15 minutes lock the email for 15 minutes (`fields.retry_at` and `Retry-After` say until "
                "when); `throttled`: too many tries from this address.",
            ),
        },
        description="Finishes the account through the emailed link's token (once, within 24 hours) and signs it "
        "in, with the password chosen at that sign-up: `invalid_link` for a used, expired or altered link; "
        "`signup_password_mismatch` when the password is not the one chosen with the link (the account stays "
        "waiting).",
        extensions=rules_beyond_schema("invalid_link", "signup_password_mismatch"),
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            confirmed = signup_confirm(request=request._request, token=data["token"], password=data["password"])
        except AccountLocked as locked:
            return locked_response(locked)
        return Response(token_pair_for(user=confirmed.user))


def locked_response(locked: AccountLocked) -> Response:
    """429 account_locked with Retry-After, the seconds until the lock ends."""
    seconds = max(1, math.ceil((locked.retry_at - timezone.now()).total_seconds()))
    return Response(
        error_body(locked.code, locked.detail, {"retry_at": [locked.retry_at.isoformat(timespec="seconds")]}),
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(seconds)},
    )


class TokenObtainApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=TokenObtainInputSerializer,
        responses={
            200: TokenPairSerializer,
            **errors(
                401,
                description="`no_active_account`: no active account with this email and password (the same "
                "answer for an unknown email); `otp_required`: this account needs `otp`; `otp_invalid`: the "
                "code is wrong or was used already.",
            ),
            **errors(
                429,
                description="`account_locked`: 5 failed sign-ins within 15 minutes lock the account for 15 "
                "minutes (`fields.retry_at` and `Retry-After` say until when); `throttled`: too many tries "
                "from this address.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            pair = token_pair_issue(request=request._request, **serializer.validated_data)
        except AccountLocked as locked:
            return locked_response(locked)
        return Response(pair)


@extend_schema_view(
    post=extend_schema(
        request=TokenRefreshSerializer,
        responses={
            200: TokenPairSerializer,
            **errors(
                401,
                description="`token_not_valid`: the refresh token is invalid, used already, revoked, or its sign-in "
                "has ended (unused for 15 minutes for staff or 30 for patients, or 12 hours after the sign-in); "
                "`no_active_account`, `token_revoked`: its account is closed or ended every sign-in.",
            ),
        },
        description="A new pair: the refresh token given is refused from then on. The new refresh token lasts "
        "15 minutes unused for staff, 30 for patients, and never past 12 hours from the sign-in.",
    )
)
class TokenRefreshApi(AuthThrottleMixin, TokenRefreshView):
    serializer_class = ClinicTokenRefreshSerializer


class LogoutApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=LogoutInputSerializer,
        responses={
            200: DetailSerializer,
            **errors(401, description="`token_not_valid`: the refresh token is invalid, expired or revoked."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh = serializer.validated_data["refresh"]
        refresh_token_revoke(refresh=refresh)
        if serializer.validated_data["everywhere"]:
            # The token was good a moment ago (revoking it checked it): its account ends everything.
            user_access_end(user_id=RefreshToken(refresh, verify=False)["user_id"])
            return Response({"detail": "Signed out everywhere: every session and token of this account ended."})
        return Response({"detail": "Signed out: this refresh token no longer works."})


class PasswordResetApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={202: DetailSerializer},
        description="Emails a one-time link valid for one hour, in the account's language. "
        "The same answer, after the same work, whether or not the email has an account: any other address "
        "gets a note that no account uses it instead, in the language of the request (Accept-Language).",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(email=serializer.validated_data["email"], language=get_language() or "en")
        return Response({"detail": RESET_ASKED}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={200: DetailSerializer},
        description="Sets the new password through the emailed link; every session and token of the account ends.",
        extensions=rules_beyond_schema("invalid_link", "weak_password"),
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        password_reset_confirm(uidb64=data["uid"], token=data["token"], new_password=data["new_password"])
        return Response({"detail": "The password is changed. Sign in with the new one."})


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated let only real users through
        return Response(ProfileSerializer(request.user).data)
