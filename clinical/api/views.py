"""The evaluation and treatment-plan API. Who may write, read whole or in part, or book a plan's
series is the clinical services' rule, checked there once; a view parses, calls, renders."""

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from booking.api.serializers import APPOINTMENTS_FOR_VIEWER, appointment_representation
from booking.selectors import appointments_as_shown
from clinical.api.serializers import (
    EVALUATION_FOR_VIEWER,
    AddendumInputSerializer,
    BookSeriesInputSerializer,
    DiscontinueInputSerializer,
    EvaluationCreateSerializer,
    EvaluationSerializer,
    EvaluationUpdateSerializer,
    evaluation_full_view,
    evaluation_limited_view,
)
from clinical.services.evaluations import (
    evaluation_add_addendum,
    evaluation_create,
    evaluation_read,
    evaluation_sign,
    evaluation_update,
    treatment_plan_discontinue,
)
from clinical.services.series import treatment_plan_book_series
from core.access_log import log_patient_reads
from core.idempotency import idempotent
from core.request_id import request_id_of
from core.roles import Role
from core.schema import IDEMPOTENCY_KEY_PARAMETER, errors, rules_beyond_schema


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # IsAuthenticated let only real users through
    return request.user


class EvaluationCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=EvaluationCreateSerializer,
        responses={201: EvaluationSerializer, **errors(403, 409)},
        extensions=rules_beyond_schema("unknown_appointment"),
    )
    def post(self, request: Request) -> Response:
        actor = _user(request)
        payload = EvaluationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            evaluation = evaluation_create(
                actor=actor, appointment_id=payload.validated_data["appointment"], request_id=request_id_of(request)
            )
            return Response(evaluation_full_view(evaluation), status=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint="evaluations.create", create=create)


class EvaluationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EVALUATION_FOR_VIEWER)
    def get(self, request: Request, evaluation_id: UUID) -> Response:
        evaluation, whole = evaluation_read(
            actor=_user(request), evaluation_id=evaluation_id, request_id=request_id_of(request)
        )
        log_patient_reads(request, "api:evaluation", [evaluation.patient_id])
        return Response(evaluation_full_view(evaluation) if whole else evaluation_limited_view(evaluation))

    @extend_schema(
        request=EvaluationUpdateSerializer,
        responses={200: EvaluationSerializer, **errors(403, 409)},
        extensions=rules_beyond_schema(
            "dose_out_of_range", "infusion_minutes_not_applicable", "invalid_answers", "invalid_contact"
        ),
    )
    def patch(self, request: Request, evaluation_id: UUID) -> Response:
        payload = EvaluationUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        plan_changes = changes.pop("plan", None)
        evaluation = evaluation_update(
            actor=_user(request),
            evaluation_id=evaluation_id,
            changes=changes,
            plan_changes=plan_changes,
            request_id=request_id_of(request),
        )
        return Response(evaluation_full_view(evaluation))


class EvaluationSignApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: EvaluationSerializer, **errors(400, 403, 409)},
        extensions=rules_beyond_schema(
            "incomplete_evaluation",
            "hard_contraindication",
            "screening_inconsistent",
            "risk_assessment_required",
            "dose_out_of_range",
            "override_reason_required",
        ),
    )
    def post(self, request: Request, evaluation_id: UUID) -> Response:
        evaluation = evaluation_sign(
            actor=_user(request), evaluation_id=evaluation_id, request_id=request_id_of(request)
        )
        return Response(evaluation_full_view(evaluation))


class EvaluationAddendumApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AddendumInputSerializer, responses={201: EvaluationSerializer, **errors(403, 409)})
    def post(self, request: Request, evaluation_id: UUID) -> Response:
        payload = AddendumInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        addendum = evaluation_add_addendum(
            actor=_user(request),
            evaluation_id=evaluation_id,
            text=payload.validated_data["text"],
            request_id=request_id_of(request),
        )
        return Response(evaluation_full_view(addendum.evaluation), status=status.HTTP_201_CREATED)


class TreatmentPlanDiscontinueApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=DiscontinueInputSerializer, responses={200: EvaluationSerializer, **errors(403, 409)})
    def post(self, request: Request, plan_id: UUID) -> Response:
        payload = DiscontinueInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = treatment_plan_discontinue(
            actor=_user(request),
            plan_id=plan_id,
            reason=payload.validated_data["reason"],
            request_id=request_id_of(request),
        )
        return Response(evaluation_full_view(plan.evaluation))


class TreatmentPlanBookSeriesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=BookSeriesInputSerializer,
        responses={201: APPOINTMENTS_FOR_VIEWER, **errors(403, 409)},
        extensions=rules_beyond_schema("unknown_appointment_type"),
    )
    def post(self, request: Request, plan_id: UUID) -> Response:
        actor = _user(request)
        payload = BookSeriesInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            booked = treatment_plan_book_series(
                actor=actor,
                plan_id=plan_id,
                start_date=payload.validated_data["start_date"],
                preferred_time=payload.validated_data["preferred_time"],
            )
            for_staff = actor.role != Role.PATIENT
            body = [appointment_representation(shown, for_staff=for_staff) for shown in appointments_as_shown(booked)]
            return Response(body, status=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint=f"treatment-plans.book-series.{plan_id}", create=create)
