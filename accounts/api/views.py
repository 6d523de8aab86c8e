from collections.abc import Sequence

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.api.serializers import ProfileSerializer, RegisterInputSerializer
from accounts.models import User
from accounts.services import patient_register
from core.schema import errors, rules_beyond_schema


class AuthThrottleMixin:
    """Sign-up and token endpoints share a tighter rate: they are where passwords get guessed."""

    throttle_classes: Sequence[type[BaseThrottle]] = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=RegisterInputSerializer,
        responses={201: ProfileSerializer, **errors(409, description="An account with this email exists.")},
        extensions=rules_beyond_schema("invalid_phone", "weak_password", "invalid_date_of_birth"),
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = patient_register(**serializer.validated_data)
        return Response(ProfileSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=extend_schema(
        responses={200: TokenObtainPairSerializer, **errors(401, description="No active account with these details.")}
    )
)
class TokenObtainApi(AuthThrottleMixin, TokenObtainPairView):
    pass


@extend_schema_view(
    post=extend_schema(
        responses={200: TokenRefreshSerializer, **errors(401, description="The refresh token is invalid or expired.")}
    )
)
class TokenRefreshApi(AuthThrottleMixin, TokenRefreshView):
    pass


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated let only real users through
        return Response(ProfileSerializer(request.user).data)
