from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from rest_framework import serializers

from booking.models import Appointment, AppointmentStatus
from booking.selectors import MAX_SEARCH_DAYS, ScheduleRow


class AvailabilityQuerySerializer(serializers.Serializer):
    type = serializers.SlugField(max_length=32)
    date_from = serializers.DateField(input_formats=["%Y-%m-%d"])
    date_to = serializers.DateField(input_formats=["%Y-%m-%d"])
    clinician = serializers.UUIDField(required=False)
    reschedule = serializers.UUIDField(
        required=False,
        help_text="The id of a booked appointment of this type being moved: its own time counts as "
        "free, and it counts for none of the patient's limits.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first: date = attrs["date_from"]
        last: date = attrs["date_to"]
        if last < first:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]}, code="invalid_date_range")
        if (last - first).days + 1 > MAX_SEARCH_DAYS:
            raise serializers.ValidationError(
                {"date_to": [f"A search covers at most {MAX_SEARCH_DAYS} days."]}, code="date_range_too_long"
            )
        return attrs


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilitySerializer(serializers.Serializer):
    timezone = serializers.CharField()
    type = serializers.CharField()
    slots = SlotSerializer(many=True)


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an explicit offset; a datetime without one is refused, not guessed."""

    default_error_messages = {"naive_datetime": "Give the time with its UTC offset, e.g. 2026-12-01T09:00:00-08:00."}

    def enforce_timezone(self, value: Any) -> Any:
        # DRF would attach the server's zone to a naive value; here a naive value is an error.
        if value.tzinfo is None:
            self.fail("naive_datetime")
        return value


class AppointmentCreateSerializer(serializers.Serializer):
    type = serializers.SlugField(max_length=32)
    start = OffsetDateTimeField()
    patient = serializers.UUIDField(required=False)


class AppointmentRescheduleSerializer(serializers.Serializer):
    start = OffsetDateTimeField()


class AppointmentCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AppointmentTransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AppointmentListQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    type = serializers.SlugField(max_length=32, required=False)
    patient = serializers.UUIDField(required=False)


class ScheduleQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])


class ClinicDateTimeField(serializers.DateTimeField):
    """An instant shown in the clinic's time zone (from the serializer context), with its offset."""

    def to_representation(self, value: Any) -> str:
        return value.astimezone(self.context["zone"]).isoformat()


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="full_name")


class StaffMemberRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="user.full_name")


class AppointmentSerializer(serializers.Serializer):
    """What a patient sees of an appointment."""

    id = serializers.UUIDField()
    type = serializers.CharField(source="appointment_type.code")
    type_name = serializers.CharField(source="appointment_type.name")
    start = ClinicDateTimeField(source="starts_at")
    end = ClinicDateTimeField(source="ends_at")
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    is_late_cancellation = serializers.BooleanField()
    room = serializers.CharField(source="room.name", allow_null=True)
    staff = StaffMemberRefSerializer(allow_null=True)
    evaluation = serializers.SerializerMethodField(help_text="The signed evaluation of this visit, if any.")

    def get_evaluation(self, appointment: Appointment) -> str | None:
        # Where a patient finds the outcome of their evaluation; a draft stays invisible to them.
        evaluation = getattr(appointment, "evaluation", None)
        if evaluation is None or evaluation.signed_at is None:  # a signed record always has signed_at
            return None
        return str(evaluation.pk)


class StaffAppointmentSerializer(AppointmentSerializer):
    """What staff see: the patient and every resource held."""

    def get_evaluation(self, appointment: Appointment) -> str | None:
        evaluation = getattr(appointment, "evaluation", None)
        return str(evaluation.pk) if evaluation is not None else None

    patient = PersonSerializer()
    nurse = StaffMemberRefSerializer(allow_null=True)
    supervising_clinician = StaffMemberRefSerializer(allow_null=True)


class AppointmentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StaffAppointmentSerializer(many=True)


class SchedulePlanSerializer(serializers.Serializer):
    session_number = serializers.IntegerField()
    sessions_planned = serializers.IntegerField()
    dose_mg_per_kg = serializers.CharField(required=False, help_text="Nurses and clinicians only.")
    route = serializers.CharField(required=False, help_text="Nurses and clinicians only.")


class ReadinessSerializer(serializers.Serializer):
    driver_arranged = serializers.BooleanField()
    fasting_acknowledged = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ScheduleRowSerializer(StaffAppointmentSerializer):
    plan = SchedulePlanSerializer(allow_null=True)
    readiness = ReadinessSerializer(allow_null=True, help_text="For visits that need preparation.")


class ScheduleSerializer(serializers.Serializer):
    date = serializers.DateField()
    timezone = serializers.CharField()
    appointments = ScheduleRowSerializer(many=True)


def appointment_representation(appointment: Appointment, *, zone: ZoneInfo, for_staff: bool) -> dict[str, Any]:
    serializer_class = StaffAppointmentSerializer if for_staff else AppointmentSerializer
    return serializer_class(appointment, context={"zone": zone}).data


def schedule_row_representation(row: ScheduleRow, *, zone: ZoneInfo, clinical: bool) -> dict[str, Any]:
    """An appointment on the day's schedule: who, where, and for plan sessions "k of N"."""
    body = appointment_representation(row.appointment, zone=zone, for_staff=True)
    plan = row.appointment.treatment_plan
    body["readiness"] = None
    if row.appointment.appointment_type.preparation_notice:
        # Who has not confirmed a driver yet: the nurses call them before the day.
        body["readiness"] = {
            "driver_arranged": row.appointment.driver_arranged,
            "fasting_acknowledged": row.appointment.fasting_acknowledged,
            "confirmed_at": row.appointment.readiness_confirmed_at.isoformat()
            if row.appointment.readiness_confirmed_at
            else None,
        }
    body["plan"] = None
    if plan is not None:
        body["plan"] = {"session_number": row.session_number, "sessions_planned": row.sessions_planned}
        if clinical:
            body["plan"]["dose_mg_per_kg"] = str(plan.dose_mg_per_kg) if plan.dose_mg_per_kg is not None else None
            body["plan"]["route"] = plan.route
    return body


class ReadinessInputSerializer(serializers.Serializer):
    driver_arranged = serializers.BooleanField()
    fasting_acknowledged = serializers.BooleanField()


class WaitlistInputSerializer(serializers.Serializer):
    type = serializers.SlugField(max_length=32)
    date_from = serializers.DateField(input_formats=["%Y-%m-%d"])
    date_to = serializers.DateField(input_formats=["%Y-%m-%d"])
