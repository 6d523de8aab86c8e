from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from booking.api.serializers import AvailabilityQuerySerializer, AvailabilitySerializer
from booking.selectors import availability_for
from scheduling.errors import AvailabilityError
from scheduling.models import AppointmentType, OnlineBooking, StaffMember


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

        appointment_type = (
            AppointmentType.objects.select_related("clinic").filter(code=params["type"], is_active=True).first()
        )
        if appointment_type is None:
            raise AvailabilityError(
                "There is no appointment type with this code.",
                code="unknown_appointment_type",
                fields={"type": ["Unknown."]},
            )
        user = request.user if isinstance(request.user, User) else None
        is_signed_in = user is not None
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

        slots = availability_for(
            appointment_type=appointment_type,
            first_day=params["date_from"],
            last_day=params["date_to"],
            patient_id=user.pk if user is not None and is_patient else None,
            staff_id=staff_id,
            online=not is_signed_in or is_patient,
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
