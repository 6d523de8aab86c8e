"""Input and output of the regulated record's API (SPEC.md section 12): consent, pregnancy tests,
the medication list at check-in and a suspended plan's resumption."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from clinical.api.serializers import IsoDateTimeField, MedicationOutputSerializer, MedicationSerializer
from clinical.evaluation_rules import MAX_MEDICATIONS
from clinical.models import (
    ConsentDocument,
    ConsentKind,
    ConsentMethod,
    MedicationsReview,
    PatientConsent,
    PregnancyResult,
)
from clinical.regulated_rules import CONSENT_TYPED_NAME_MAX
from clinical.services.medications import ALLERGIES_MAX, MedicationsAtCheckIn
from clinical.services.pregnancy import PregnancyTests
from core.api_fields import CalendarDateField, StrictBooleanField, StrictCharField

# -- input ------------------------------------------------------------------------------------------


class ConsentSignInputSerializer(serializers.Serializer):
    document_id = serializers.UUIDField(help_text="The newest treatment consent's id (GET /me/consent/).")
    typed_name = StrictCharField(max_length=CONSENT_TYPED_NAME_MAX, help_text="The full name as on the account.")
    agree = StrictBooleanField(help_text="“I agree”: true to sign.")
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, help_text="The language read; the account's when left out."
    )


class ConsentPaperInputSerializer(serializers.Serializer):
    document_id = serializers.UUIDField()
    signed_on = CalendarDateField(help_text="The day written on the signed copy; not in the future.")
    language = serializers.ChoiceField(choices=settings.LANGUAGES)


class PregnancyTestInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=PregnancyResult.choices)
    taken_on = CalendarDateField(help_text="The clinic-local day of the test; not in the future.")


class MedicationsReviewInputSerializer(serializers.Serializer):
    review = serializers.ChoiceField(choices=MedicationsReview.choices)
    medications = serializers.ListField(
        child=MedicationSerializer(),
        required=False,
        allow_null=True,
        max_length=MAX_MEDICATIONS,
        help_text="With `updated`: the whole new list ([] for none).",
    )
    allergies = StrictCharField(max_length=ALLERGIES_MAX, required=False, allow_blank=True, default="")
    allergies_none_known = StrictBooleanField(required=False, default=False)


# -- output -----------------------------------------------------------------------------------------


class ConsentDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ConsentKind.choices)
    version = serializers.IntegerField()
    effective_on = serializers.DateField()
    language = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()


def consent_document_view(document: ConsentDocument, language: str) -> dict[str, Any]:
    spanish = language == "es"
    return {
        "id": document.pk,
        "kind": document.kind,
        "version": document.version,
        "effective_on": document.effective_on,
        "language": "es" if spanish else "en",
        "title": document.title_es if spanish else document.title_en,
        "text": document.text_es if spanish else document.text_en,
    }


class PatientConsentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    document_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ConsentKind.choices, source="document.kind")
    version = serializers.IntegerField(source="document.version")
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    language = serializers.CharField()
    typed_name = serializers.CharField()
    signed_at = IsoDateTimeField()
    recorded_at = IsoDateTimeField()


class MyConsentSerializer(serializers.Serializer):
    to_sign = ConsentDocumentSerializer(allow_null=True, help_text="The consent to sign now; null: nothing to sign.")
    signed = PatientConsentSerializer(many=True)


def consent_view(consent: PatientConsent) -> dict[str, Any]:
    return dict(PatientConsentSerializer(consent).data)


class PregnancyTestSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    appointment_id = serializers.UUIDField()
    result = serializers.ChoiceField(choices=PregnancyResult.choices)
    taken_on = serializers.DateField()
    recorded_at = IsoDateTimeField()


class PregnancyTestsSerializer(serializers.Serializer):
    needed = serializers.BooleanField(help_text="Whether this infusion needs a test (childbearing potential).")
    status = serializers.ChoiceField(choices=["satisfied", "missing", "positive"])
    tests = PregnancyTestSerializer(many=True)


def pregnancy_tests_view(found: PregnancyTests) -> dict[str, Any]:
    return {
        "needed": found.needed,
        "status": found.status,
        "tests": PregnancyTestSerializer(found.tests, many=True).data,
    }


class MedicationLineSerializer(MedicationOutputSerializer):
    meaning = serializers.CharField(help_text="What the class means for a ketamine infusion; blank: nothing.")


class MedicationsAtCheckInSerializer(serializers.Serializer):
    medications = MedicationLineSerializer(many=True, allow_null=True)
    allergies = serializers.CharField()
    allergies_none_known = serializers.BooleanField()
    list_recorded_at = IsoDateTimeField(allow_null=True)
    review = serializers.ChoiceField(choices=MedicationsReview.choices, allow_blank=True)
    reviewed_at = IsoDateTimeField(allow_null=True)


def medications_view(found: MedicationsAtCheckIn) -> dict[str, Any]:
    current = found.current
    lines = None if current.medications is None else [vars(line) for line in current.medications]
    return {
        "medications": lines,
        "allergies": current.allergies,
        "allergies_none_known": current.allergies_none_known,
        "list_recorded_at": current.recorded_at.isoformat() if current.recorded_at else None,
        "review": found.review,
        "reviewed_at": found.reviewed_at.isoformat() if found.reviewed_at else None,
    }
