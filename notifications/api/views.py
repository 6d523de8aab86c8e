from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import STAFF_ROLES, User
from booking.models import Appointment
from notifications.models import OutboxMessage


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
