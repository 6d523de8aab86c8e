"""Input and output of adverse events (SPEC.md section 10). The rules (``other`` needs a
description, grades 4 and 5 are serious, a fatal outcome is grade 5) are the service's: it
answers 400 with their codes, naming every problem at once."""

from __future__ import annotations

from rest_framework import serializers

from clinical.api.serializers import IsoDateTimeField
from clinical.models import AdverseEventAction, AdverseEventCode, Grade, Outcome, Relatedness
from core.api_fields import OffsetDateTimeField, RuledIntegerField, StrictBooleanField, StrictCharField

GRADE_RANGE = (min(Grade.values), max(Grade.values))


class AdverseEventInputSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=AdverseEventCode.choices)
    description = StrictCharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Required for 'other'."
    )
    grade = RuledIntegerField(
        rule=GRADE_RANGE,
        help_text="CTCAE v5.0: 1 mild, 2 moderate, 3 severe, 4 life-threatening, 5 death "
        "(400 grade_out_of_range outside).",
    )
    serious = StrictBooleanField(help_text="True for grades 4 and 5 (400 serious_required).")
    relatedness = serializers.ChoiceField(choices=Relatedness.choices, help_text="Relatedness to ketamine.")
    outcome = serializers.ChoiceField(choices=Outcome.choices, help_text="'fatal' for grade 5, and only it.")
    action = serializers.ChoiceField(choices=AdverseEventAction.choices)
    action_detail = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
    occurred_at = OffsetDateTimeField(required=False, help_text="Now when left out; not in the future.")
    note = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")


class AdverseEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.ChoiceField(choices=AdverseEventCode.choices)
    description = StrictCharField(allow_blank=True)
    grade = serializers.ChoiceField(choices=Grade.choices)
    serious = serializers.BooleanField(allow_null=True, help_text="None only on events recorded before it was asked.")
    relatedness = serializers.ChoiceField(choices=Relatedness.choices, allow_blank=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)
    action = serializers.ChoiceField(choices=AdverseEventAction.choices, allow_blank=True)
    action_detail = StrictCharField(allow_blank=True)
    occurred_at = IsoDateTimeField()
    note = StrictCharField(allow_blank=True)
    recorded_by = serializers.UUIDField(source="recorded_by_id")
