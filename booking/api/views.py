from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from booking.api.serializers import (
    AppointmentCancelSerializer,
    AppointmentCreateSerializer,
    AppointmentListQuerySerializer,
    AppointmentPageSerializer,
    AppointmentRescheduleSerializer,
    AppointmentTransitionSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    ReadinessInputSerializer,
    ScheduleQuerySerializer,
    ScheduleSerializer,
    StaffAppointmentSerializer,
    WaitlistInputSerializer,
    appointment_representation,
    schedule_row_representation,
)
from booking.errors import BookingError
from booking.models import Appointment
from booking.selectors import (
    appointment_list,
    appointment_to_move,
    appointment_visible_to,
    availability_for,
    schedule_for_day,
)
from booking.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_confirm_readiness,
    appointment_reschedule,
    appointment_transition,
)
from booking.services.waitlist import waitlist_join
from core.idempotency import idempotent
from core.roles import BOOKING_STAFF_ROLES, LIFECYCLE_ROLES, SCHEDULE_ROLES, Role
from scheduling.errors import AvailabilityError
from scheduling.models import AppointmentType, Clinic, OnlineBooking, StaffMember


class AvailabilityApi(APIView):
    """Open starts of one appointment type over a range of clinic-local dates.

    Types any patient may book online are public; the others need a signed-in user. A signed-in
    patient sees only starts that do not clash with their own appointments; staff see starts
    inside the online notice window and beyond the online horizon, as they may book those.
    """

    permission_classes = [AllowAny]

    @extend_schema(parameters=[AvailabilityQuerySerializer], responses=AvailabilitySerializer)
    def get(self, request: Request) -> Response:
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data

        user = request.user if isinstance(request.user, User) else None
        is_signed_in = user is not None
        moving = self._appointment_to_move(user, params) if params.get("reschedule") else None
        appointment_type = (
            moving.appointment_type
            if moving is not None
            else AppointmentType.objects.select_related("clinic").filter(code=params["type"]).first()
        )
        if appointment_type is None or not appointment_type.is_active:
            raise AvailabilityError(
                "There is no appointment type with this code.",
                code="unknown_appointment_type",
                fields={"type": ["Unknown."]},
            )
        if appointment_type.online_booking != OnlineBooking.ANY_PATIENT and not is_signed_in:
            raise NotAuthenticated("Sign in to see the times of this appointment type.")
        is_patient = user is not None and user.role == Role.PATIENT
        if is_patient and appointment_type.online_booking == OnlineBooking.STAFF_ONLY:
            raise PermissionDenied("Only the clinic books this appointment type.")

        staff_id = params.get("clinician")
        if (
            staff_id is not None
            and not StaffMember.objects.filter(
                pk=staff_id, is_active=True, user__role=appointment_type.staff_role or None
            ).exists()
        ):
            raise AvailabilityError(
                "No such staff member for this appointment type.",
                code="unknown_clinician",
                fields={"clinician": ["Unknown."]},
            )

        # Staff moving a patient's visit see what that patient can take.
        patient_id: UUID | None = moving.patient_id if moving is not None else None
        if moving is None and user is not None and is_patient:
            patient_id = user.pk
        slots = availability_for(
            appointment_type=appointment_type,
            first_day=params["date_from"],
            last_day=params["date_to"],
            patient_id=patient_id,
            staff_id=staff_id,
            online=not is_signed_in or is_patient,
            moving_appointment_id=moving.pk if moving is not None else None,
        )
        zone = appointment_type.clinic.zone
        return Response(
            {
                "timezone": appointment_type.clinic.time_zone,
                "type": appointment_type.code,
                "slots": [
                    {"start": slot.start.astimezone(zone).isoformat(), "end": slot.end.astimezone(zone).isoformat()}
                    for slot in slots
                ],
            }
        )

    @staticmethod
    def _appointment_to_move(user: User | None, params: dict) -> Appointment:
        """The appointment named by ``reschedule``; it replaces the type look-up (its type comes
        with it), so a reschedule search costs no extra query."""
        if user is None:
            raise NotAuthenticated("Sign in to move an appointment.")
        moving = appointment_to_move(viewer=user, appointment_id=params["reschedule"])
        if moving is None:
            # The same answer for another patient's appointment as for none: nothing is revealed.
            raise AvailabilityError(
                "There is no booked appointment with this id that you can move.",
                code="unknown_appointment",
                fields={"reschedule": ["Unknown."]},
            )
        if moving.appointment_type.code != params["type"]:
            raise AvailabilityError(
                "The appointment to move is of another type.",
                code="appointment_type_mismatch",
                fields={"reschedule": ["Not of this type."]},
            )
        return moving


class AppointmentPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _signed_in_user(request: Request) -> User:
    assert isinstance(request.user, User)  # IsAuthenticated let only real users through
    return request.user


def _clinic_zone() -> ZoneInfo:
    clinic = Clinic.objects.only("time_zone").first()
    return clinic.zone if clinic else ZoneInfo(settings.CLINIC_TIME_ZONE)


def _require_role(user: User, roles: tuple[str, ...]) -> None:
    if user.role not in roles:
        raise PermissionDenied("Your role may not do this.")


def _appointment_response(appointment_id: UUID, viewer: User, *, status_code: int = status.HTTP_200_OK) -> Response:
    appointment = appointment_visible_to(viewer=viewer, appointment_id=appointment_id)
    if appointment is None:
        raise NotFound("No such appointment.")
    body = appointment_representation(appointment, zone=_clinic_zone(), for_staff=viewer.role != Role.PATIENT)
    return Response(body, status=status_code)


class AppointmentListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_list",
        parameters=[AppointmentListQuerySerializer],
        responses=AppointmentPageSerializer,
    )
    def get(self, request: Request) -> Response:
        viewer = _signed_in_user(request)
        query = AppointmentListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        zone = _clinic_zone()
        rows = appointment_list(
            viewer=viewer,
            zone=zone,
            on_day=params.get("date"),
            status=params.get("status"),
            type_code=params.get("type"),
            patient_id=params.get("patient"),
        )
        paginator = AppointmentPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        for_staff = viewer.role != Role.PATIENT
        return paginator.get_paginated_response(
            [appointment_representation(a, zone=zone, for_staff=for_staff) for a in page]
        )

    @extend_schema(request=AppointmentCreateSerializer, responses={201: StaffAppointmentSerializer})
    def post(self, request: Request) -> Response:
        actor = _signed_in_user(request)
        _require_role(actor, (Role.PATIENT, *BOOKING_STAFF_ROLES))
        payload = AppointmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data

        def create() -> Response:
            appointment_type = AppointmentType.objects.select_related("clinic").filter(code=data["type"]).first()
            if appointment_type is None:
                raise BookingError(
                    "Unknown appointment type.", code="unknown_appointment_type", fields={"type": ["Unknown."]}
                )
            if actor.role == Role.PATIENT:
                if data.get("patient") not in (None, actor.pk):
                    raise PermissionDenied("Patients book only for themselves.")
                patient = actor
            else:
                if data.get("patient") is None:
                    raise BookingError("Say which patient.", code="patient_required", fields={"patient": ["Required."]})
                found = User.objects.filter(pk=data["patient"], role=Role.PATIENT, is_active=True).first()
                if found is None:
                    raise BookingError("No such patient.", code="unknown_patient", fields={"patient": ["Unknown."]})
                patient = found
            appointment = appointment_book(
                actor=actor, patient=patient, appointment_type=appointment_type, starts_at=data["start"]
            )
            return _appointment_response(appointment.pk, actor, status_code=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint="appointments.create", create=create)


class AppointmentDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="appointments_retrieve", responses=StaffAppointmentSerializer)
    def get(self, request: Request, appointment_id: UUID) -> Response:
        return _appointment_response(appointment_id, _signed_in_user(request))


class AppointmentCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AppointmentCancelSerializer, responses=StaffAppointmentSerializer)
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _signed_in_user(request)
        _require_role(actor, (Role.PATIENT, *BOOKING_STAFF_ROLES))
        payload = AppointmentCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment_cancel(actor=actor, appointment_id=appointment_id, reason=payload.validated_data["reason"])
        return _appointment_response(appointment_id, actor)


class AppointmentRescheduleApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AppointmentRescheduleSerializer, responses=StaffAppointmentSerializer)
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _signed_in_user(request)
        _require_role(actor, (Role.PATIENT, *BOOKING_STAFF_ROLES))
        payload = AppointmentRescheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment_reschedule(actor=actor, appointment_id=appointment_id, starts_at=payload.validated_data["start"])
        return _appointment_response(appointment_id, actor)


class AppointmentTransitionApi(APIView):
    """check-in, start, complete, no-show: one view, the action fixed per URL."""

    permission_classes = [IsAuthenticated]
    action = ""

    @extend_schema(request=AppointmentTransitionSerializer, responses=StaffAppointmentSerializer)
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _signed_in_user(request)
        _require_role(actor, LIFECYCLE_ROLES)
        payload = AppointmentTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment_transition(
            actor=actor, appointment_id=appointment_id, action=self.action, reason=payload.validated_data["reason"]
        )
        return _appointment_response(appointment_id, actor)


class ScheduleApi(APIView):
    """The day's non-cancelled appointments by start, for the people who run the day."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[ScheduleQuerySerializer], responses=ScheduleSerializer)
    def get(self, request: Request) -> Response:
        viewer = _signed_in_user(request)
        _require_role(viewer, SCHEDULE_ROLES)
        query = ScheduleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        zone = _clinic_zone()
        day = query.validated_data.get("date") or timezone.localdate(timezone=zone)
        rows = schedule_for_day(day=day, zone=zone)
        clinical = viewer.role in (Role.NURSE, Role.CLINICIAN)  # dose and route are for the care team
        return Response(
            {
                "date": day.isoformat(),
                "timezone": str(zone),
                "appointments": [schedule_row_representation(row, zone=zone, clinical=clinical) for row in rows],
            }
        )


class AppointmentReadinessApi(APIView):
    """The patient confirms an adult driver and the fasting instructions, from the preparation notice."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReadinessInputSerializer, responses=StaffAppointmentSerializer)
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _signed_in_user(request)
        _require_role(actor, (Role.PATIENT,))
        payload = ReadinessInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment_confirm_readiness(actor=actor, appointment_id=appointment_id, **payload.validated_data)
        return _appointment_response(appointment_id, actor)


class WaitlistApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=WaitlistInputSerializer, responses={201: WaitlistInputSerializer})
    def post(self, request: Request) -> Response:
        actor = _signed_in_user(request)
        _require_role(actor, (Role.PATIENT,))
        payload = WaitlistInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data

        def create() -> Response:
            appointment_type = AppointmentType.objects.select_related("clinic").filter(code=data["type"]).first()
            if appointment_type is None or not appointment_type.is_active:
                raise BookingError("Unknown appointment type.", code="unknown_appointment_type", fields={"type": ["?"]})
            entry = waitlist_join(
                actor=actor, appointment_type=appointment_type, date_from=data["date_from"], date_to=data["date_to"]
            )
            body = {
                "id": str(entry.pk),
                "type": appointment_type.code,
                "date_from": entry.date_from.isoformat(),
                "date_to": entry.date_to.isoformat(),
                "status": entry.status,
            }
            return Response(body, status=status.HTTP_201_CREATED)

        return idempotent(request, user_id=actor.pk, endpoint="waitlist.create", create=create)
