from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from booking.models import Appointment
from core.access_log import log_patient_reads
from core.api_fields import StrictBooleanField
from core.permissions import role_permission
from core.roles import STAFF_ROLES, Role
from notifications.models import OutboxMessage
from notifications.preferences import contact_preferences_of, contact_preferences_set


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

    permission_classes = [role_permission(*STAFF_ROLES)]

    @extend_schema(responses=OutboxMessageSerializer(many=True))
    def get(self, request: Request, appointment_id: UUID) -> Response:
        patient_id = Appointment.objects.filter(pk=appointment_id).values_list("patient_id", flat=True).first()
        if patient_id is None:
            raise NotFound("No such appointment.")
        log_patient_reads(request, "api:appointment-notifications", [patient_id])
        rows = OutboxMessage.objects.filter(appointment_id=appointment_id).order_by("due_at", "id")
        return Response(OutboxMessageSerializer(rows, many=True).data)


class ContactPreferenceSerializer(serializers.Serializer):
    email_enabled = serializers.BooleanField()
    sms_enabled = serializers.BooleanField()


class ContactPreferenceChangeSerializer(serializers.Serializer):
    email_enabled = StrictBooleanField(required=False)
    sms_enabled = StrictBooleanField(required=False)


def _patient(request: Request) -> User:
    assert isinstance(request.user, User)  # the role gate let only patients through
    return request.user


class MyContactPreferencesApi(APIView):
    """A patient's channels: email on, text messages off until they opt in."""

    permission_classes = [role_permission(Role.PATIENT)]

    @extend_schema(responses=ContactPreferenceSerializer)
    def get(self, request: Request) -> Response:
        return Response(ContactPreferenceSerializer(contact_preferences_of(user_id=_patient(request).pk)).data)

    @extend_schema(request=ContactPreferenceChangeSerializer, responses=ContactPreferenceSerializer)
    def patch(self, request: Request) -> Response:
        payload = ContactPreferenceChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        channels = contact_preferences_set(user_id=_patient(request).pk, **payload.validated_data)
        return Response(ContactPreferenceSerializer(channels).data)
