"""Input and output of the booking API. One output serializer per shape of response: what a patient
sees of an appointment, what staff see, a page of either, a waitlist entry."""

from datetime import date
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from booking.availability import MAX_SEARCH_DAYS, Slot
from booking.models import Appointment, AppointmentStatus, WaitlistEntry, WaitlistStatus
from booking.record_links import RECORD_ID, SIGNED_RECORD_ID
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


def _link(record_id: UUID | None) -> str | None:
    return str(record_id) if record_id is not None else None


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
        # The columns of ``booking.record_links``, read with the appointment.
        return _link(getattr(appointment, SIGNED_RECORD_ID))


class StaffAppointmentSerializer(AppointmentSerializer):
    """What staff see: the patient and every resource held."""

    def get_evaluation(self, appointment: Appointment) -> str | None:
        return _link(getattr(appointment, RECORD_ID))

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


class WaitlistEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = StrictCharField(source="appointment_type.code")
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    status = serializers.ChoiceField(choices=WaitlistStatus.choices)


def waitlist_entry_representation(entry: WaitlistEntry) -> dict[str, Any]:
    return WaitlistEntrySerializer(entry).data
