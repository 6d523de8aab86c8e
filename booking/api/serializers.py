"""Input and output of the booking API. One output serializer per shape of response: what a patient
sees of an appointment, what staff see, a page of either, the day's schedule, a waitlist entry."""

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from booking.models import Appointment, AppointmentStatus, WaitlistEntry, WaitlistStatus
from booking.selectors import MAX_SEARCH_DAYS, ScheduleRow, Slot
from core.api_fields import CalendarDateField, OffsetDateTimeField, StrictBooleanField, StrictCharField
from scheduling.api.serializers import AppointmentTypeCodeField

# -- input ------------------------------------------------------------------------------------------


class AvailabilityQuerySerializer(serializers.Serializer):
    type = AppointmentTypeCodeField()
    date_from = CalendarDateField()
    date_to = CalendarDateField(help_text=f"On or after date_from, at most {MAX_SEARCH_DAYS} days in all.")
    clinician = serializers.UUIDField(required=False, help_text="Only the free starts of this staff member.")
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


class AppointmentCreateSerializer(serializers.Serializer):
    type = AppointmentTypeCodeField()
    start = OffsetDateTimeField()
    patient = serializers.UUIDField(
        required=False, help_text="Staff name the patient; a patient books for themselves and names no one else."
    )


class AppointmentRescheduleSerializer(serializers.Serializer):
    start = OffsetDateTimeField()


class ReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class AppointmentListQuerySerializer(serializers.Serializer):
    date = CalendarDateField(required=False)
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    type = serializers.RegexField(
        r"^[-a-zA-Z0-9_]+\Z", max_length=32, required=False, help_text="An appointment type's code, past or present."
    )
    patient = serializers.UUIDField(required=False, help_text="Staff only; a patient sees their own.")
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, required=False, help_text="At most 200 are given.")


class ScheduleQuerySerializer(serializers.Serializer):
    date = CalendarDateField(required=False, help_text="Today (clinic time) when left out.")


class ReadinessInputSerializer(serializers.Serializer):
    driver_arranged = StrictBooleanField()
    fasting_acknowledged = StrictBooleanField()


class WaitlistInputSerializer(serializers.Serializer):
    type = AppointmentTypeCodeField()
    date_from = CalendarDateField()
    date_to = CalendarDateField()


# -- output -----------------------------------------------------------------------------------------


class ClinicDateTimeField(serializers.DateTimeField):
    """An instant shown in the clinic's time zone (from the serializer context), with its offset."""

    def to_representation(self, value: Any) -> str:
        return value.astimezone(self.context["zone"]).isoformat()


class SlotSerializer(serializers.Serializer):
    start = ClinicDateTimeField()
    end = ClinicDateTimeField()


class AvailabilitySerializer(serializers.Serializer):
    timezone = StrictCharField()
    type = StrictCharField()
    slots = SlotSerializer(many=True)


def availability_representation(*, time_zone: str, type_code: str, slots: list[Slot]) -> dict[str, Any]:
    body = {"timezone": time_zone, "type": type_code, "slots": slots}
    return AvailabilitySerializer(body, context={"zone": ZoneInfo(time_zone)}).data


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = StrictCharField(source="full_name")


class StaffMemberRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = StrictCharField(source="user.full_name")


class AppointmentSerializer(serializers.Serializer):
    """What a patient sees of an appointment."""

    id = serializers.UUIDField()
    type = StrictCharField(source="appointment_type.code")
    type_name = StrictCharField(source="appointment_type.name")
    start = ClinicDateTimeField(source="starts_at")
    end = ClinicDateTimeField(source="ends_at")
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    is_late_cancellation = serializers.BooleanField()
    room = StrictCharField(source="room.name", allow_null=True)
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


# What a patient sees or what staff see, by the viewer's role: one shape or the other.
APPOINTMENT_FOR_VIEWER = PolymorphicProxySerializer(
    component_name="AppointmentForViewer",
    serializers=[AppointmentSerializer, StaffAppointmentSerializer],
    resource_type_field_name=None,
    many=False,
)
APPOINTMENTS_FOR_VIEWER = PolymorphicProxySerializer(
    component_name="AppointmentForViewer",
    serializers=[AppointmentSerializer, StaffAppointmentSerializer],
    resource_type_field_name=None,
    many=True,
)


def appointment_representation(appointment: Appointment, *, for_staff: bool) -> dict[str, Any]:
    """An appointment as its viewer sees it, its times in its clinic's zone."""
    serializer_class = StaffAppointmentSerializer if for_staff else AppointmentSerializer
    return serializer_class(appointment, context={"zone": appointment.appointment_type.clinic.zone}).data


@extend_schema_field(APPOINTMENT_FOR_VIEWER)
class AppointmentForViewerField(serializers.Field):
    """Schema only: a list item is one shape or the other, by the viewer's role."""


class AppointmentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = serializers.ListField(child=AppointmentForViewerField())


class SchedulePlanSerializer(serializers.Serializer):
    session_number = serializers.IntegerField(allow_null=True)
    sessions_planned = serializers.IntegerField(allow_null=True)
    dose_mg_per_kg = StrictCharField(required=False, allow_null=True, help_text="Nurses and clinicians only.")
    route = StrictCharField(required=False, help_text="Nurses and clinicians only.")


class ReadinessSerializer(serializers.Serializer):
    driver_arranged = serializers.BooleanField()
    fasting_acknowledged = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ScheduleRowSerializer(StaffAppointmentSerializer):
    plan = SchedulePlanSerializer(allow_null=True, help_text="For sessions of a treatment plan: k of N.")
    readiness = ReadinessSerializer(allow_null=True, help_text="For visits that need preparation.")


class ScheduleSerializer(serializers.Serializer):
    date = serializers.DateField()
    timezone = StrictCharField()
    appointments = ScheduleRowSerializer(many=True)


def schedule_row_representation(row: ScheduleRow, *, clinical: bool) -> dict[str, Any]:
    """An appointment on the day's schedule: who, where, and for plan sessions "k of N"."""
    body = appointment_representation(row.appointment, for_staff=True)
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


class WaitlistEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = StrictCharField(source="appointment_type.code")
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    status = serializers.ChoiceField(choices=WaitlistStatus.choices)


def waitlist_entry_representation(entry: WaitlistEntry) -> dict[str, Any]:
    return WaitlistEntrySerializer(entry).data
