"""Input and output of the chair's scales and the follow-up calls (SPEC.md section 10).

Ranges the services refuse (MOAA/S 0-5, CADSS-6 items 0-4) are stated in the schema from the
same constants; the services answer 400 ``out_of_range`` naming the field and item.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from clinical.api.adverse_event_serializers import AdverseEventInputSerializer, AdverseEventSerializer
from clinical.api.serializers import IsoDateTimeField
from clinical.sedation_scales import CADSS6_ITEM_RANGE, CADSS6_ITEMS, MOAAS_RANGE
from core.api_fields import (
    CalendarDateField,
    OffsetDateTimeField,
    RuledIntegerField,
    StrictBooleanField,
    StrictCharField,
)


class ScalesInputSerializer(serializers.Serializer):
    moaas = RuledIntegerField(
        rule=MOAAS_RANGE, required=False, help_text="MOAA/S, 0-5 (5: responds readily to name in a normal tone)."
    )
    cadss6_items = serializers.ListField(
        child=RuledIntegerField(rule=CADSS6_ITEM_RANGE),
        required=False,
        min_length=CADSS6_ITEMS,
        max_length=CADSS6_ITEMS,
        help_text=f"CADSS-6 items 1 to {CADSS6_ITEMS} in order, each 0-4.",
    )
    assessed_at = OffsetDateTimeField(required=False, help_text="Now when left out; not in the future.")


class FollowUpQuerySerializer(serializers.Serializer):
    date = CalendarDateField(required=False, help_text="Today (clinic time) when left out.")


class FollowUpOutcomeInputSerializer(serializers.Serializer):
    reached = StrictBooleanField()
    patient_condition = StrictCharField(
        max_length=2000, required=False, allow_blank=True, help_text="How the patient is; required when reached."
    )
    adverse_event = AdverseEventInputSerializer(
        required=False, help_text="A new adverse event the call found; recorded against that infusion."
    )


class PatientContactSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = StrictCharField(source="full_name")
    phone = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_phone(self, patient: User) -> str | None:
        profile = getattr(patient, "patient_profile", None)
        return profile.phone if profile is not None else None


class FollowUpCallSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    appointment = serializers.UUIDField(source="record.appointment_id")
    patient = PatientContactSerializer()
    infusion_at = IsoDateTimeField(source="record.appointment.starts_at")
    due_on = serializers.DateField()
    reached = serializers.BooleanField(allow_null=True)
    patient_condition = StrictCharField(allow_blank=True)
    adverse_event = AdverseEventSerializer(allow_null=True)
    recorded_by = serializers.UUIDField(source="recorded_by_id", allow_null=True)
    recorded_at = IsoDateTimeField(allow_null=True)


class FollowUpListSerializer(serializers.Serializer):
    date = serializers.DateField()
    follow_ups = FollowUpCallSerializer(many=True)
