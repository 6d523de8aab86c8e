"""The infusion session record and alerts API (SPEC.md section 10). Nurses and clinicians only:
others are refused by role (403; patients never reach a session record, their own included).
Each view parses, calls one service, renders the session (``clinical.infusion_selectors``)."""

from __future__ import annotations

from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from clinical.adverse_event_rules import adverse_event_input
from clinical.api.adverse_event_serializers import AdverseEventInputSerializer
from clinical.api.infusion_serializers import (
    AlertAcknowledgeSerializer,
    AlertSerializer,
    DischargeInputSerializer,
    InfusionRecordSerializer,
    InfusionRecordUpdateSerializer,
    PredoseOverrideInputSerializer,
    VitalsInputSerializer,
    infusion_session_view,
)
from clinical.infusion_rules import PREDOSE_OVERRIDE_ROLES, RECORD_ROLES
from clinical.infusion_selectors import infusion_session
from clinical.models import InfusionRecord
from clinical.services.adverse_events import adverse_event_record
from clinical.services.alerts import alert_acknowledge
from clinical.services.infusion_discharge import infusion_discharge
from clinical.services.infusion_record import infusion_record_read
from clinical.services.infusions import infusion_record_update, infusion_vitals_record
from clinical.services.start_gate import predose_override_record
from core.access_log import log_patient_reads
from core.idempotency import idempotent
from core.permissions import role_permission
from core.request_id import request_id_of
from core.schema import IDEMPOTENCY_KEY_PARAMETER, errors, rules_beyond_schema


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # the role gate let only staff through
    return request.user


def _render(record: InfusionRecord, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(infusion_session_view(infusion_session(record=record, now=timezone.now())), status=status_code)


class InfusionRecordApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(responses={200: InfusionRecordSerializer, **errors(409)})
    def get(self, request: Request, appointment_id: UUID) -> Response:
        record = infusion_record_read(
            actor=_user(request), appointment_id=appointment_id, request_id=request_id_of(request)
        )
        log_patient_reads(request, "api:infusion-record", [record.patient_id])
        return _render(record)

    @extend_schema(
        request=InfusionRecordUpdateSerializer,
        responses={200: InfusionRecordSerializer, **errors(409)},
        extensions=rules_beyond_schema("dose_above_plan", "dose_reason_required", "infusion_end_out_of_range"),
    )
    def patch(self, request: Request, appointment_id: UUID) -> Response:
        payload = InfusionRecordUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        record = infusion_record_update(
            actor=_user(request),
            appointment_id=appointment_id,
            changes=dict(payload.validated_data),
            request_id=request_id_of(request),
        )
        return _render(record)


class InfusionVitalsApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=VitalsInputSerializer,
        responses={201: InfusionRecordSerializer, **errors(409)},
        extensions=rules_beyond_schema("diastolic_not_below_systolic", "taken_at_out_of_range"),
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _user(request)
        payload = VitalsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            recorded = infusion_vitals_record(
                actor=actor, appointment_id=appointment_id, request_id=request_id_of(request), **payload.validated_data
            )
            return _render(recorded.reading.record, status_code=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint=f"infusions.vitals.{appointment_id}", create=create)


class InfusionAdverseEventApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=AdverseEventInputSerializer,
        responses={201: InfusionRecordSerializer, **errors(409)},
        extensions=rules_beyond_schema(
            "occurred_at_out_of_range", "description_required", "serious_required", "outcome_grade_mismatch"
        ),
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _user(request)
        payload = AdverseEventInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            values = dict(payload.validated_data)
            event = adverse_event_record(
                actor=actor,
                appointment_id=appointment_id,
                event=adverse_event_input(values),
                note=values["note"],
                occurred_at=values.get("occurred_at"),
                request_id=request_id_of(request),
            )
            return _render(event.record, status_code=status.HTTP_201_CREATED)

        return idempotent(
            request, user_id=actor.pk, endpoint=f"infusions.adverse-events.{appointment_id}", create=create
        )


class InfusionDischargeApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(
        request=DischargeInputSerializer,
        responses={
            200: InfusionRecordSerializer,
            **errors(
                409,
                description="`discharge_not_ready` names every missing thing in `fields.missing` (recovery_time, "
                "recent_reading, vitals_near_baseline, sedation, dissociation_scale, open_alert, dose_given, "
                "checklist; `fields.checklist` names the items not ticked); `visit_not_started`, "
                "`record_discharged`.",
            ),
        },
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        payload = DischargeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record = infusion_discharge(
            actor=_user(request),
            appointment_id=appointment_id,
            checklist=dict(payload.validated_data),
            request_id=request_id_of(request),
        )
        return _render(record)


class InfusionPredoseOverrideApi(APIView):
    """A clinician's pre-dose override (SPEC.md section 10); nurses are refused (403)."""

    permission_classes = [role_permission(*PREDOSE_OVERRIDE_ROLES)]

    @extend_schema(
        request=PredoseOverrideInputSerializer,
        responses={
            201: InfusionRecordSerializer,
            **errors(409, description="`visit_not_started` before the check-in; `record_discharged`."),
        },
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        payload = PredoseOverrideInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        override = predose_override_record(
            actor=_user(request),
            appointment_id=appointment_id,
            note=payload.validated_data["note"],
            request_id=request_id_of(request),
        )
        return _render(override.record, status_code=status.HTTP_201_CREATED)


class AlertAcknowledgeApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(
        request=AlertAcknowledgeSerializer,
        responses={200: AlertSerializer, **errors(409)},
        extensions=rules_beyond_schema("action_required", "note_required", "action_not_applicable"),
    )
    def post(self, request: Request, alert_id: UUID) -> Response:
        payload = AlertAcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        alert = alert_acknowledge(
            actor=_user(request),
            alert_id=alert_id,
            action=payload.validated_data.get("action", ""),
            note=payload.validated_data.get("note", ""),
            request_id=request_id_of(request),
        )
        return Response(AlertSerializer(alert).data)
