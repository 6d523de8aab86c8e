from typing import Any

from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from scheduling.models import AppointmentType
from scheduling.selectors import appointment_types_offered


class AppointmentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppointmentType
        fields = [
            "code",
            "name",
            "duration_minutes",
            "recovery_minutes",
            "grid_minutes",
            "min_notice_minutes",
            "horizon_days",
            "online_booking",
        ]
        read_only_fields = fields


class AppointmentTypeCodeField(serializers.SlugField):
    """The code of an appointment type. Types are data, so is the list of codes: the schema lists
    the codes offered when it is generated; the look-up (``appointment_type_offered``) says
    ``unknown_appointment_type`` for any other."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class AppointmentTypeCodeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = AppointmentTypeCodeField

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "description": "The code of an appointment type offered."}
        try:
            codes = list(appointment_types_offered().values_list("code", flat=True))
        except DatabaseError:  # no tables yet: `manage.py check` builds the schema before `migrate`
            codes = []
        if codes:  # an enum needs at least one value; before any type exists, any slug is "unknown"
            schema["enum"] = codes
        return schema
