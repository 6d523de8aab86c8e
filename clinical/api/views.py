from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from booking.api.serializers import appointment_representation
from clinical.api.serializers import (
    AddendumInputSerializer,
    BookSeriesInputSerializer,
    DiscontinueInputSerializer,
    EvaluationCreateSerializer,
    EvaluationUpdateSerializer,
    evaluation_full_view,
    evaluation_limited_view,
)
from clinical.models import Evaluation, TreatmentPlan
from clinical.services.evaluations import (
    evaluation_add_addendum,
    evaluation_create,
    evaluation_read,
    evaluation_sign,
    evaluation_update,
    treatment_plan_discontinue,
)
from clinical.services.series import treatment_plan_book_series
from core.idempotency import idempotent
from core.request_id import request_id_of
from core.roles import BOOKING_STAFF_ROLES, Role
from scheduling.models import Clinic

EVALUATION_BODY = OpenApiResponse(description="The evaluation: the whole record or the limited view, by role.")


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # IsAuthenticated let only real users through
    return request.user


def _full(evaluation_id: UUID) -> dict[str, Any]:
    evaluation = Evaluation.objects.select_related("patient", "clinician").get(pk=evaluation_id)
    return evaluation_full_view(evaluation)


class EvaluationCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=EvaluationCreateSerializer, responses={201: EVALUATION_BODY})
    def post(self, request: Request) -> Response:
        actor = _user(request)
        if actor.role != Role.CLINICIAN:
            raise PermissionDenied("Only clinicians write evaluations.")
        payload = EvaluationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            evaluation = evaluation_create(
                actor=actor, appointment_id=payload.validated_data["appointment"], request_id=request_id_of(request)
            )
            return Response(_full(evaluation.pk), status=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint="evaluations.create", create=create)


class EvaluationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EVALUATION_BODY)
    def get(self, request: Request, evaluation_id: UUID) -> Response:
        evaluation, whole = evaluation_read(
            actor=_user(request), evaluation_id=evaluation_id, request_id=request_id_of(request)
        )
        return Response(_full(evaluation.pk) if whole else evaluation_limited_view(evaluation))

    @extend_schema(request=EvaluationUpdateSerializer, responses=EVALUATION_BODY)
    def patch(self, request: Request, evaluation_id: UUID) -> Response:
        actor = _user(request)
        if actor.role != Role.CLINICIAN:
            raise PermissionDenied("Only clinicians write evaluations.")
        payload = EvaluationUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        plan_changes = changes.pop("plan", None)
        evaluation_update(
            actor=actor,
            evaluation_id=evaluation_id,
            changes=changes,
            plan_changes=plan_changes,
            request_id=request_id_of(request),
        )
        return Response(_full(evaluation_id))


class EvaluationSignApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=EVALUATION_BODY)
    def post(self, request: Request, evaluation_id: UUID) -> Response:
        actor = _user(request)
        if actor.role != Role.CLINICIAN:
            raise PermissionDenied("Only clinicians sign evaluations.")
        evaluation_sign(actor=actor, evaluation_id=evaluation_id, request_id=request_id_of(request))
        return Response(_full(evaluation_id))


class EvaluationAddendumApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AddendumInputSerializer, responses={201: EVALUATION_BODY})
    def post(self, request: Request, evaluation_id: UUID) -> Response:
        actor = _user(request)
        if actor.role != Role.CLINICIAN:
            raise PermissionDenied("Only clinicians add addenda.")
        payload = AddendumInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evaluation_add_addendum(
            actor=actor,
            evaluation_id=evaluation_id,
            text=payload.validated_data["text"],
            request_id=request_id_of(request),
        )
        return Response(_full(evaluation_id), status=status.HTTP_201_CREATED)


class TreatmentPlanDiscontinueApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=DiscontinueInputSerializer, responses=EVALUATION_BODY)
    def post(self, request: Request, plan_id: UUID) -> Response:
        actor = _user(request)
        if actor.role != Role.CLINICIAN:
            raise PermissionDenied("Only clinicians discontinue plans.")
        payload = DiscontinueInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = treatment_plan_discontinue(
            actor=actor, plan_id=plan_id, reason=payload.validated_data["reason"], request_id=request_id_of(request)
        )
        return Response(_full(plan.evaluation_id))


class TreatmentPlanBookSeriesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=BookSeriesInputSerializer, responses={201: OpenApiResponse(description="The booked infusions.")}
    )
    def post(self, request: Request, plan_id: UUID) -> Response:
        actor = _user(request)
        if actor.role not in (Role.PATIENT, *BOOKING_STAFF_ROLES):
            raise PermissionDenied("Your role does not book appointments.")
        plan = TreatmentPlan.objects.filter(pk=plan_id).first()
        if plan is None or (actor.role == Role.PATIENT and plan.patient_id != actor.pk):
            raise NotFound("No such treatment plan.")
        payload = BookSeriesInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            booked = treatment_plan_book_series(
                actor=actor,
                plan_id=plan_id,
                start_date=payload.validated_data["start_date"],
                preferred_time=payload.validated_data["preferred_time"],
            )
            clinic = Clinic.objects.only("time_zone").first()
            assert clinic is not None
            for_staff = actor.role != Role.PATIENT
            body = [appointment_representation(a, zone=clinic.zone, for_staff=for_staff) for a in booked]
            return Response(body, status=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint=f"treatment-plans.book-series.{plan_id}", create=create)
