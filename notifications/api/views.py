from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from booking.models import Appointment
from core.roles import STAFF_ROLES
from notifications.models import ContactPreference, OutboxMessage


class OutboxMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "kind",
            "channel",
            "regarding_start",
            "due_at",
            "status",
            "attempts",
            "sent_at",
            "last_error",
            "provider_message_id",
        ]
        read_only_fields = fields


class AppointmentNotificationsApi(APIView):
    """The outbox rows of one appointment, for staff answering "did they get the reminder?"."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OutboxMessageSerializer(many=True))
    def get(self, request: Request, appointment_id: UUID) -> Response:
        viewer = request.user
        if not isinstance(viewer, User) or viewer.role not in STAFF_ROLES:
            raise PermissionDenied("Staff only.")
        if not Appointment.objects.filter(pk=appointment_id).exists():
            raise NotFound("No such appointment.")
        rows = OutboxMessage.objects.filter(appointment_id=appointment_id).order_by("due_at", "id")
        return Response(OutboxMessageSerializer(rows, many=True).data)


class ContactPreferenceSerializer(serializers.Serializer):
    email_enabled = serializers.BooleanField(required=False)
    sms_enabled = serializers.BooleanField(required=False)


class MyContactPreferencesApi(APIView):
    """A patient's channels: email on, text messages off until they opt in."""

    permission_classes = [IsAuthenticated]

    def _patient(self, request: Request) -> User:
        user = request.user
        if not isinstance(user, User) or not user.is_patient:
            raise PermissionDenied("Patients only.")
        return user

    def _body(self, preference: ContactPreference) -> dict[str, bool]:
        return {"email_enabled": preference.email_enabled, "sms_enabled": preference.sms_enabled}

    @extend_schema(responses=ContactPreferenceSerializer)
    def get(self, request: Request) -> Response:
        preference = ContactPreference.objects.filter(user=self._patient(request)).first() or ContactPreference()
        return Response(self._body(preference))

    @extend_schema(request=ContactPreferenceSerializer, responses=ContactPreferenceSerializer)
    def patch(self, request: Request) -> Response:
        patient = self._patient(request)
        payload = ContactPreferenceSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        preference, _ = ContactPreference.objects.update_or_create(user=patient, defaults=payload.validated_data)
        return Response(self._body(preference))
