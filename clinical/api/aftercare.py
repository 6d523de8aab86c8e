"""The chair's scales and the next-day follow-up calls (SPEC.md section 10). Nurses and clinicians
only (403 for everyone else, patients included). Each view parses, calls one service or selector,
renders the result."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from clinical.api.aftercare_serializers import (
    FollowUpCallSerializer,
    FollowUpListSerializer,
    FollowUpOutcomeInputSerializer,
    FollowUpQuerySerializer,
    ScalesInputSerializer,
)
from clinical.api.infusion_serializers import ScaleAssessmentSerializer
from clinical.follow_up_selectors import follow_up_call_of, follow_up_calls_of
from clinical.infusion_rules import RECORD_ROLES
from clinical.services.follow_ups import follow_up_call_record
from clinical.services.scales import infusion_scales_record
from core.access_log import log_patient_reads
from core.permissions import role_permission
from core.request_id import request_id_of
from core.schema import errors, rules_beyond_schema
from scheduling.selectors import clinic_today


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # the role gate let only staff through
    return request.user


class InfusionScalesApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(
        request=ScalesInputSerializer,
        responses={201: ScaleAssessmentSerializer, **errors(409)},
        extensions=rules_beyond_schema("scale_required", "assessed_at_out_of_range"),
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        payload = ScalesInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assessment = infusion_scales_record(
            actor=_user(request),
            appointment_id=appointment_id,
            request_id=request_id_of(request),
            **payload.validated_data,
        )
        return Response(ScaleAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class FollowUpListApi(APIView):
    """The nurses' list of a clinic day: the calls due that day, and earlier ones not yet recorded."""

    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(parameters=[FollowUpQuerySerializer], responses=FollowUpListSerializer)
    def get(self, request: Request) -> Response:
        query = FollowUpQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or clinic_today()
        calls = follow_up_calls_of(day=day)
        log_patient_reads(request, "api:follow-ups", [call.patient_id for call in calls])
        return Response(FollowUpListSerializer({"date": day, "follow_ups": calls}).data)


class FollowUpRecordApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(
        request=FollowUpOutcomeInputSerializer,
        responses={200: FollowUpCallSerializer, **errors(404, 409)},
        extensions=rules_beyond_schema(
            "condition_required",
            "not_reached",
            "occurred_at_out_of_range",
            "description_required",
            "serious_required",
            "outcome_grade_mismatch",
        ),
    )
    def post(self, request: Request, follow_up_id: UUID) -> Response:
        payload = FollowUpOutcomeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        call = follow_up_call_record(
            actor=_user(request),
            follow_up_id=follow_up_id,
            reached=data["reached"],
            patient_condition=data.get("patient_condition", ""),
            adverse_event=dict(data["adverse_event"]) if data.get("adverse_event") else None,
            request_id=request_id_of(request),
        )
        return Response(FollowUpCallSerializer(follow_up_call_of(follow_up_id=call.pk)).data)
