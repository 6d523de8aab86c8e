"""Input and output of questionnaires. What a patient reads of one: its kind, when it opened, the
visit it comes before, their own answers, total and band, and whether staff entered it for them.
Never an alert or a clinician's note."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from clinical.models import Difficulty, QuestionnaireKind
from clinical.questionnaire_selectors import PatientQuestionnaire
from clinical.scoring import BANDS, GAD7, ITEM_COUNTS, ITEM_RANGE, PHQ9

BAND_CHOICES = sorted({band for bands in BANDS.values() for _, band in bands})


class QuestionnaireAnswersInputSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=ITEM_RANGE[0], max_value=ITEM_RANGE[1]),
        min_length=ITEM_COUNTS[GAD7],
        max_length=ITEM_COUNTS[PHQ9],
        help_text="Every answer in item order, 0-3 each: 9 for a PHQ-9, 7 for a GAD-7.",
    )
    difficulty = serializers.ChoiceField(
        choices=Difficulty.choices,
        required=False,
        help_text="The closing question (optional, not scored): how difficult the problems made work, "
        "home and getting along with people.",
    )


class QuestionnaireSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=QuestionnaireKind.choices)
    state = serializers.ChoiceField(choices=[("due", "Due now"), ("answered", "Answered")])
    opens_at = serializers.DateTimeField()
    appointment = serializers.UUIDField(help_text="The visit it comes before.")
    appointment_starts_at = serializers.DateTimeField()
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=ITEM_RANGE[0], max_value=ITEM_RANGE[1]), allow_null=True
    )
    total = serializers.IntegerField(allow_null=True, min_value=0, max_value=27)
    difficulty = serializers.ChoiceField(
        choices=[("", "Not answered"), *Difficulty.choices], help_text="The closing question (not scored)."
    )
    band = serializers.ChoiceField(choices=BAND_CHOICES, allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    on_behalf = serializers.BooleanField(help_text="Entered by staff for the patient.")


class MyQuestionnairesSerializer(serializers.Serializer):
    due = QuestionnaireSerializer(many=True, help_text="Open now, before a visit that has not started.")
    answered = QuestionnaireSerializer(many=True, help_text="Latest answer first.")


def questionnaire_representation(row: PatientQuestionnaire) -> dict[str, Any]:
    questionnaire = row.questionnaire
    return {
        "id": str(questionnaire.pk),
        "kind": questionnaire.kind,
        "state": row.state,
        "opens_at": serializers.DateTimeField().to_representation(questionnaire.opens_at),
        "appointment": str(questionnaire.appointment_id),
        "appointment_starts_at": serializers.DateTimeField().to_representation(questionnaire.appointment.starts_at),
        "items": questionnaire.items,
        "total": questionnaire.total,
        "difficulty": questionnaire.difficulty,
        "band": row.band,
        "answered_at": serializers.DateTimeField().to_representation(questionnaire.answered_at)
        if questionnaire.answered_at
        else None,
        "on_behalf": questionnaire.on_behalf,
    }
