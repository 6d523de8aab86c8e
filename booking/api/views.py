"""The booking API. Each view parses its input, calls one selector or service and renders what it
returns; who may do what is the service's or selector's rule, checked there once."""

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from booking.api.serializers import (
    APPOINTMENT_FOR_VIEWER,
    AppointmentCreateSerializer,
    AppointmentListQuerySerializer,
    AppointmentPageSerializer,
    AppointmentRescheduleSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    ReadinessInputSerializer,
    ReasonSerializer,
    WaitlistEntrySerializer,
    WaitlistInputSerializer,
    appointment_representation,
    availability_representation,
    waitlist_entry_representation,
)
from booking.availability import availability_search
from booking.models import Appointment
from booking.selectors import appointment_list, appointment_visible_to, appointments_as_shown, booking_patient_for
from booking.services.appointments import appointment_book, appointment_cancel, appointment_reschedule
from booking.services.lifecycle import appointment_confirm_readiness, appointment_transition
from booking.services.waitlist import waitlist_join
from core.access_log import log_patient_reads
from core.idempotency import idempotent
from core.roles import Role
from core.schema import IDEMPOTENCY_KEY_PARAMETER, errors, rules_beyond_schema
from scheduling.selectors import appointment_type_offered, clinic_zone

# What booking answers to a start on no grid line, in the past, too soon or too far ahead.
START_RULES = ("off_grid", "start_in_past", "too_short_notice", "beyond_booking_horizon")


def _signed_in_user(request: Request) -> User:
    assert isinstance(request.user, User)  # IsAuthenticated let only real users through
    return request.user


def _rendered(appointment: Appointment, viewer: User, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The appointment a service returned, as ``viewer`` sees it (a patient: their own view)."""
    (shown,) = appointments_as_shown([appointment])
    return Response(appointment_representation(shown, for_staff=viewer.role != Role.PATIENT), status=status_code)


class AvailabilityApi(APIView):
    """Open starts of one appointment type over a range of clinic-local dates.

    Types any patient may book online are public; the others need a signed-in user, and patients
    never see staff-only types. A signed-in patient sees only starts that do not clash with their
    own appointments; staff see starts inside the online notice window and beyond the online
    horizon, as they may book those.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[AvailabilityQuerySerializer],
        responses={200: AvailabilitySerializer, **errors(403)},
        extensions=rules_beyond_schema(
            "invalid_date_range",
            "date_range_too_long",
            "unknown_clinician",
            "unknown_appointment",
            "appointment_type_mismatch",
        ),
    )
    def get(self, request: Request) -> Response:
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        search = availability_search(
            viewer=request.user if isinstance(request.user, User) else None,
            type_code=params["type"],
            first_day=params["date_from"],
            last_day=params["date_to"],
            staff_id=params.get("clinician"),
            reschedule_id=params.get("reschedule"),
        )
        body = availability_representation(
            time_zone=search.appointment_type.clinic.time_zone,
            type_code=search.appointment_type.code,
            slots=search.slots,
        )
        return Response(body)


class AppointmentPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AppointmentListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_list",
        parameters=[AppointmentListQuerySerializer],
        responses={200: AppointmentPageSerializer, **errors(404, description="No such page.")},
    )
    def get(self, request: Request) -> Response:
        viewer = _signed_in_user(request)
        query = AppointmentListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = appointment_list(
            viewer=viewer,
            zone=clinic_zone(),
            on_day=params.get("date"),
            status=params.get("status"),
            type_code=params.get("type"),
            patient_id=params.get("patient"),
        )
        paginator = AppointmentPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        log_patient_reads(request, "api:appointments", [a.patient_id for a in page])
        for_staff = viewer.role != Role.PATIENT
        return paginator.get_paginated_response([appointment_representation(a, for_staff=for_staff) for a in page])

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=AppointmentCreateSerializer,
        responses={201: APPOINTMENT_FOR_VIEWER, **errors(403, 409)},
        extensions=rules_beyond_schema("patient_required", "unknown_patient", *START_RULES),
    )
    def post(self, request: Request) -> Response:
        actor = _signed_in_user(request)
        payload = AppointmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data

        def create() -> Response:
            appointment_type = appointment_type_offered(code=data["type"])
            patient = booking_patient_for(actor=actor, patient_id=data.get("patient"))
            appointment = appointment_book(
                actor=actor, patient=patient, appointment_type=appointment_type, starts_at=data["start"]
            )
            return _rendered(appointment, actor, status_code=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint="appointments.create", create=create)


class AppointmentDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="appointments_retrieve", responses=APPOINTMENT_FOR_VIEWER)
    def get(self, request: Request, appointment_id: UUID) -> Response:
        viewer = _signed_in_user(request)
        appointment = appointment_visible_to(viewer=viewer, appointment_id=appointment_id)
        if appointment is None:
            raise NotFound("No such appointment.")
        log_patient_reads(request, "api:appointment", [appointment.patient_id])
        return Response(appointment_representation(appointment, for_staff=viewer.role != Role.PATIENT))


class AppointmentCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReasonSerializer, responses={200: APPOINTMENT_FOR_VIEWER, **errors(403, 409)})
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _signed_in_user(request)
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = appointment_cancel(
            actor=actor, appointment_id=appointment_id, reason=payload.validated_data["reason"]
        )
        return _rendered(appointment, actor)


class AppointmentRescheduleApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AppointmentRescheduleSerializer,
        responses={200: APPOINTMENT_FOR_VIEWER, **errors(403, 409)},
        extensions=rules_beyond_schema(*START_RULES),
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _signed_in_user(request)
        payload = AppointmentRescheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = appointment_reschedule(
            actor=actor, appointment_id=appointment_id, starts_at=payload.validated_data["start"]
        )
        return _rendered(appointment, actor)


# The clinical gate's answers (SPEC.md section 10), named here for the API's readers only.
TRANSITION_CONFLICTS = (
    "The step is not allowed now. An infusion's start names every missing item in `fields.missing`, "
    "`code` the first one's: `self_harm_unacknowledged`, `plan_not_active`, `consent_missing`, "
    "`pregnancy_test_missing` or `pregnancy_test_positive`, `weight_missing`, `dose_over_cap`, "
    "`medications_not_reviewed`, `questionnaires_unanswered`, `readiness_missing`, `baseline_missing`, "
    "`predose_out_of_range`; an infusion completes only by its discharge (`discharge_required`)."
)


class AppointmentTransitionApi(APIView):
    """check-in, start, complete, no-show: one view, the action fixed per URL."""

    permission_classes = [IsAuthenticated]
    action = ""

    @extend_schema(
        request=ReasonSerializer,
        responses={200: APPOINTMENT_FOR_VIEWER, **errors(403), **errors(409, description=TRANSITION_CONFLICTS)},
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _signed_in_user(request)
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = appointment_transition(
            actor=actor, appointment_id=appointment_id, action=self.action, reason=payload.validated_data["reason"]
        )
        return _rendered(appointment, actor)


class AppointmentReadinessApi(APIView):
    """The patient confirms an adult driver and the fasting instructions, from the preparation notice."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReadinessInputSerializer, responses={200: APPOINTMENT_FOR_VIEWER, **errors(403, 409)})
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _signed_in_user(request)
        payload = ReadinessInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = appointment_confirm_readiness(
            actor=actor, appointment_id=appointment_id, **payload.validated_data
        )
        return _rendered(appointment, actor)


class WaitlistApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=WaitlistInputSerializer,
        responses={201: WaitlistEntrySerializer, **errors(403, 409)},
        extensions=rules_beyond_schema(
            "invalid_date_range", "outside_booking_window", "date_range_too_long", "too_many_waitlist_entries"
        ),
    )
    def post(self, request: Request) -> Response:
        actor = _signed_in_user(request)
        payload = WaitlistInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data

        def create() -> Response:
            entry = waitlist_join(
                actor=actor,
                appointment_type=appointment_type_offered(code=data["type"]),
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
            return Response(waitlist_entry_representation(entry), status=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint="waitlist.create", create=create)
