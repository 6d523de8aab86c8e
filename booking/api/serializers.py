from datetime import date
from typing import Any

from rest_framework import serializers

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
