from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from rest_framework import serializers

from booking.models import Appointment, AppointmentStatus
from booking.selectors import MAX_SEARCH_DAYS


class AvailabilityQuerySerializer(serializers.Serializer):
    type = serializers.SlugField(max_length=32)
    date_from = serializers.DateField(input_formats=["%Y-%m-%d"])
    date_to = serializers.DateField(input_formats=["%Y-%m-%d"])
    clinician = serializers.UUIDField(required=False)

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


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": str(user.pk), "name": user.full_name}


def _staff(member: Any) -> dict[str, Any] | None:
    return None if member is None else {"id": str(member.pk), "name": member.user.full_name}


def appointment_representation(appointment: Appointment, *, zone: ZoneInfo, for_staff: bool) -> dict[str, Any]:
    """What the API shows of an appointment; staff see the resources, patients what they need."""
    body: dict[str, Any] = {
        "id": str(appointment.pk),
        "type": appointment.appointment_type.code,
        "type_name": appointment.appointment_type.name,
        "start": appointment.starts_at.astimezone(zone).isoformat(),
        "end": appointment.ends_at.astimezone(zone).isoformat(),
        "status": appointment.status,
        "is_late_cancellation": appointment.is_late_cancellation,
        "room": appointment.room.name if appointment.room else None,
        "staff": _staff(appointment.staff),
    }
    if for_staff:
        body["patient"] = _person(appointment.patient)
        body["nurse"] = _staff(appointment.nurse)
        body["supervising_clinician"] = _staff(appointment.supervising_clinician)
    return body
