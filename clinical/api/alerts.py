"""``GET /api/v1/alerts/?open=true`` (SPEC.md section 10): the alerts of the day board and the
clinicians' queue, for those who see them on the pages (nurses, clinicians and the clinic admin;
the same roles as the day board). Newest first, 50 a page. Acknowledging is
``POST /api/v1/alerts/{id}/acknowledge/`` (``clinical.api.infusions``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinical.alert_selectors import alerts_list
from clinical.api.infusion_serializers import AlertSerializer
from clinical.api.serializers import IsoDateTimeField
from core.access_log import log_patient_reads
from core.permissions import role_permission
from core.roles import BOOKING_STAFF_ROLES
from core.schema import errors

ALERT_READER_ROLES = BOOKING_STAFF_ROLES  # who sees the day board: nurses, clinicians, the clinic admin


class AlertListQuerySerializer(serializers.Serializer):
    open = serializers.ChoiceField(
        choices=["true", "false"], required=False, default="false", help_text="true: only the unacknowledged."
    )


class AlertListItemSerializer(AlertSerializer):
    patient = serializers.UUIDField(
        source="patient_id", allow_null=True, help_text="None for a controlled-substance count discrepancy."
    )
    notified_clinician = serializers.UUIDField(
        source="notified_clinician_id", allow_null=True, help_text="Messaged when raised; None: every clinician."
    )
    escalated_at = IsoDateTimeField(allow_null=True, help_text="When it went to every clinician.")


class AlertPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AlertListItemSerializer(many=True)


class AlertPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AlertListApi(APIView):
    permission_classes = [role_permission(*ALERT_READER_ROLES)]

    @extend_schema(
        operation_id="alerts_list",
        parameters=[AlertListQuerySerializer],
        responses={200: AlertPageSerializer, **errors(404, description="No such page.")},
    )
    def get(self, request: Request) -> Response:
        query = AlertListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = AlertPagination()
        page = paginator.paginate_queryset(alerts_list(open_only=query.validated_data["open"] == "true"), request, self)
        rows = page or []
        log_patient_reads(request, "api:alerts", [alert.patient_id for alert in rows])
        return paginator.get_paginated_response(AlertListItemSerializer(rows, many=True).data)
