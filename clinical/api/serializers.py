"""Input and output of evaluation records. Two views of one record: the whole record for
clinicians and nurses; for patients (their own), therapists and the front desk only the decision,
the plan's progress and the signing date: never screening values, contraindications, rationale or
notes, medications, allergies, the referring provider or the suicide-risk assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from booking.api.serializers import PersonSerializer
from clinical import scoring
from clinical.dosing import plan_rate_mg_per_min
from clinical.evaluation_rules import MAX_MEDICATIONS, MEDICATION_TEXT_LIMITS, PLAN_RANGES, RANGES
from clinical.models import (
    ChildbearingPotential,
    Contraindication,
    Decision,
    Evaluation,
    EvaluationStatus,
    MedicationClass,
    PlanStatus,
    Route,
    SubstanceUse,
    SuicideRiskLevel,
    TreatmentPlan,
)
from clinical.selectors import PlanProgress, plan_progress
from core.api_fields import (
    CalendarDateField,
    RuledDecimalField,
    RuledIntegerField,
    StrictBooleanField,
    StrictCharField,
    TimeOfDayField,
)

DECISION_IN_PLAIN_WORDS = {
    Decision.CANDIDATE: "You can go ahead: book your treatment sessions when it suits you.",
    Decision.NOT_CANDIDATE: (
        "This treatment is not the right fit for you. Your clinician will talk with you about other options."
    ),
    Decision.DEFERRED: "Your clinician needs a little more information before deciding. The clinic will contact you.",
}
# PLAN_RANGES["dose_mg_per_kg"], 0.05 to 2.00 mg/kg with at most two decimals, as a pattern.
DOSE_PATTERN = r"^(0\.(0[5-9]|[1-9][0-9]?)|1(\.[0-9]{1,2})?|2(\.0{1,2})?)$"
# 25.0 to 350.0 kg with at most one decimal (WEIGHT_KG_RANGE), as a pattern.
WEIGHT_PATTERN = r"^((2[5-9]|[3-9][0-9]|[12][0-9]{2}|3[0-4][0-9])(\.[0-9])?|350(\.0)?)$"
REFERRING_PROVIDER_KEYS = ("name", "practice", "email", "phone", "write_back_agreed")

# -- input ------------------------------------------------------------------------------------------


class EvaluationCreateSerializer(serializers.Serializer):
    appointment = serializers.UUIDField(help_text="An evaluation appointment that took place.")


def _ruled(rules: dict[str, tuple[Any, Any]], name: str, **kwargs: Any) -> RuledIntegerField:
    return RuledIntegerField(rule=rules[name], **kwargs)


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(Contraindication.values)},
        "maxItems": len(Contraindication),
        "uniqueItems": True,
    }
)
class ContraindicationListField(serializers.ListField):
    """Contraindication codes, each at most once (the service refuses a repeated or unknown code)."""


def _items(kind: str, **kwargs: Any) -> serializers.ListField:
    count = scoring.ITEM_COUNTS[kind]
    return serializers.ListField(
        child=RuledIntegerField(rule=scoring.ITEM_RANGE),
        min_length=count,
        max_length=count,
        required=False,
        allow_null=True,
        help_text=f"The {count} answers, 0-3 each, in item order; the total is their sum. Null clears them.",
        **kwargs,
    )


class WholeObjectSerializer(serializers.Serializer):
    """A nested object sent whole: its required fields stay required inside a partial update (DRF
    skips a missing field anywhere under ``partial=True``)."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        missing = {name: ["This field is required."] for name, field in self.fields.items() if field.required}
        missing = {name: problem for name, problem in missing.items() if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class MedicationSerializer(WholeObjectSerializer):
    name = StrictCharField(max_length=MEDICATION_TEXT_LIMITS["name"])
    dose = StrictCharField(max_length=MEDICATION_TEXT_LIMITS["dose"], help_text="For example 200 mg.")
    frequency = StrictCharField(max_length=MEDICATION_TEXT_LIMITS["frequency"], help_text="How often it is taken.")
    drug_class = serializers.ChoiceField(choices=MedicationClass.choices)


class ReferringProviderSerializer(WholeObjectSerializer):
    name = StrictCharField(max_length=200)
    practice = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    email = StrictCharField(max_length=254, required=False, allow_blank=True, default="", help_text="An email address.")
    phone = StrictCharField(max_length=32, required=False, allow_blank=True, default="", help_text="A phone number.")
    write_back_agreed = StrictBooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Whether the patient agrees to the clinic writing back to them; null: not asked.",
    )


class PlanInputSerializer(serializers.Serializer):
    infusions_planned = _ruled(PLAN_RANGES, "infusions_planned", required=False)
    min_days_between = _ruled(PLAN_RANGES, "min_days_between", required=False)
    window_days = _ruled(PLAN_RANGES, "window_days", required=False)
    dose_mg_per_kg = RuledDecimalField(
        pattern=DOSE_PATTERN,
        max_digits=4,
        decimal_places=2,
        required=False,
        help_text="Within the clinic's limits for the route (defaults: IV and IM 0.10 to 1.00).",
    )
    route = serializers.ChoiceField(choices=Route.choices, required=False)
    infusion_minutes = _ruled(
        PLAN_RANGES,
        "infusion_minutes",
        required=False,
        allow_null=True,
        help_text="IV only: 40 when left out; an IM plan has none.",
    )
    integration_sessions_planned = _ruled(PLAN_RANGES, "integration_sessions_planned", required=False)
    notes = StrictCharField(max_length=5000, required=False, allow_blank=True)


class EvaluationUpdateSerializer(serializers.Serializer):
    phq9_total = _ruled(RANGES, "phq9_total", required=False, allow_null=True)
    gad7_total = _ruled(RANGES, "gad7_total", required=False, allow_null=True)
    systolic_bp = _ruled(RANGES, "systolic_bp", required=False, allow_null=True)
    diastolic_bp = _ruled(RANGES, "diastolic_bp", required=False, allow_null=True)
    heart_rate = _ruled(RANGES, "heart_rate", required=False, allow_null=True)
    phq9_items = _items(scoring.PHQ9)
    gad7_items = _items(scoring.GAD7)
    weight_kg = RuledDecimalField(
        pattern=WEIGHT_PATTERN, max_digits=4, decimal_places=1, required=False, allow_null=True
    )
    medications = serializers.ListField(
        child=MedicationSerializer(),
        required=False,
        allow_null=True,
        max_length=MAX_MEDICATIONS,
        help_text="The current medications; [] for none, null for not recorded.",
    )
    allergies = StrictCharField(max_length=2000, required=False, allow_blank=True)
    allergies_none_known = StrictBooleanField(required=False)
    childbearing_potential = serializers.ChoiceField(
        choices=ChildbearingPotential.choices, required=False, allow_blank=True, help_text="Blank counts as unknown."
    )
    referring_provider = ReferringProviderSerializer(
        required=False, allow_null=True, help_text="Replaces the whole referring provider; null: none."
    )
    substance_use = serializers.ChoiceField(choices=SubstanceUse.choices, required=False, allow_blank=True)
    contraindications = ContraindicationListField(
        child=serializers.ChoiceField(choices=Contraindication.choices),
        required=False,
        max_length=len(Contraindication),
    )
    decision = serializers.ChoiceField(choices=Decision.choices, required=False, allow_blank=True)
    rationale = StrictCharField(max_length=5000, required=False, allow_blank=True)
    override_reason = StrictCharField(max_length=2000, required=False, allow_blank=True)
    suicide_risk_level = serializers.ChoiceField(
        choices=SuicideRiskLevel.choices,
        required=False,
        allow_blank=True,
        help_text="Needed to sign when PHQ-9 item 9 is above 0, with the note.",
    )
    suicide_risk_note = StrictCharField(max_length=1800, required=False, allow_blank=True)
    plan = PlanInputSerializer(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The referring provider travels as one object; the service takes its fields by name."""
        if "referring_provider" in attrs:
            provider = attrs.pop("referring_provider") or {}
            for key in REFERRING_PROVIDER_KEYS:
                attrs[f"referring_provider_{key}"] = provider.get(key, None if key == "write_back_agreed" else "")
        return attrs


class AddendumInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=5000)


class DiscontinueInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500)


class BookSeriesInputSerializer(serializers.Serializer):
    start_date = CalendarDateField()
    preferred_time = TimeOfDayField()


# -- output -----------------------------------------------------------------------------------------


class IsoDateTimeField(serializers.DateTimeField):
    """An instant as ISO 8601 with its UTC offset, as stored."""

    def to_representation(self, value: Any) -> str:
        return str(value.isoformat())


class PlanProgressSerializer(serializers.Serializer):
    """Planned, booked (upcoming) and completed sessions of each kind."""

    id = serializers.UUIDField(source="progress.plan_id")
    status = serializers.ChoiceField(choices=PlanStatus.choices, source="progress.status")
    infusions_planned = serializers.IntegerField(source="progress.infusions_planned")
    infusions_booked = serializers.IntegerField(source="progress.infusions_booked")
    infusions_completed = serializers.IntegerField(source="progress.infusions_completed")
    integration_sessions_planned = serializers.IntegerField(source="progress.integration_sessions_planned")
    integration_sessions_booked = serializers.IntegerField(source="progress.integration_sessions_booked")
    integration_sessions_completed = serializers.IntegerField(source="progress.integration_sessions_completed")


class TreatmentPlanSerializer(PlanProgressSerializer):
    """The whole plan: its progress, spacing, window, dose, route and notes."""

    min_days_between = serializers.IntegerField(source="plan.min_days_between")
    window_days = serializers.IntegerField(source="plan.window_days")
    dose_mg_per_kg = serializers.DecimalField(
        source="plan.dose_mg_per_kg", max_digits=4, decimal_places=2, allow_null=True
    )
    route = serializers.ChoiceField(choices=Route.choices, allow_blank=True, source="plan.route")
    infusion_minutes = serializers.IntegerField(source="plan.infusion_minutes", allow_null=True)
    rate_mg_per_min = serializers.SerializerMethodField(
        help_text="The planned dose at the evaluation's weight over the infusion minutes; null for IM or "
        "while a term is missing."
    )
    notes = StrictCharField(source="plan.notes")
    activated_at = IsoDateTimeField(source="plan.activated_at", allow_null=True)
    ended_at = IsoDateTimeField(source="plan.ended_at", allow_null=True)
    ended_reason = StrictCharField(source="plan.ended_reason")

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True, "example": "0.88"})
    def get_rate_mg_per_min(self, shown: _PlanWithProgress) -> str | None:
        plan = shown.plan
        rate = plan_rate_mg_per_min(
            dose_mg_per_kg=plan.dose_mg_per_kg,
            weight_kg=plan.evaluation.weight_kg,
            route=plan.route,
            minutes=plan.infusion_minutes,
        )
        return None if rate is None else f"{rate:.2f}"


@dataclass(frozen=True)
class _PlanWithProgress:
    plan: TreatmentPlan
    progress: PlanProgress


def _plan_of(evaluation: Evaluation) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(evaluation=evaluation).first()


class AddendumSerializer(serializers.Serializer):
    author = serializers.UUIDField(source="author_id")
    text = StrictCharField()
    created_at = IsoDateTimeField()


class MedicationOutputSerializer(serializers.Serializer):
    name = StrictCharField()
    dose = StrictCharField()
    frequency = StrictCharField()
    drug_class = serializers.ChoiceField(choices=MedicationClass.choices)


class ReferringProviderOutputSerializer(serializers.Serializer):
    name = StrictCharField(source="referring_provider_name")
    practice = StrictCharField(source="referring_provider_practice")
    email = StrictCharField(source="referring_provider_email")
    phone = StrictCharField(source="referring_provider_phone")
    write_back_agreed = serializers.BooleanField(source="referring_provider_write_back_agreed", allow_null=True)


class EvaluationSerializer(serializers.Serializer):
    """The whole record, for clinicians and nurses."""

    id = serializers.UUIDField()
    appointment = serializers.UUIDField(source="appointment_id")
    patient = PersonSerializer()
    clinician = PersonSerializer()
    status = serializers.ChoiceField(choices=EvaluationStatus.choices)
    phq9_total = serializers.IntegerField(allow_null=True)
    gad7_total = serializers.IntegerField(allow_null=True)
    systolic_bp = serializers.IntegerField(allow_null=True)
    diastolic_bp = serializers.IntegerField(allow_null=True)
    heart_rate = serializers.IntegerField(allow_null=True)
    phq9_items = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    gad7_items = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    weight_kg = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    medications = MedicationOutputSerializer(many=True, allow_null=True)
    allergies = StrictCharField()
    allergies_none_known = serializers.BooleanField()
    childbearing_potential = serializers.ChoiceField(
        choices=ChildbearingPotential.choices, allow_blank=True, help_text="Blank: not recorded (counts as unknown)."
    )
    referring_provider = serializers.SerializerMethodField()
    substance_use = serializers.ChoiceField(choices=SubstanceUse.choices, allow_blank=True)
    contraindications = serializers.ListField(child=serializers.ChoiceField(choices=Contraindication.choices))
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True)
    rationale = StrictCharField()
    override_reason = StrictCharField()
    suicide_risk_level = serializers.ChoiceField(choices=SuicideRiskLevel.choices, allow_blank=True)
    suicide_risk_note = StrictCharField()
    plan = serializers.SerializerMethodField()
    signed_at = IsoDateTimeField(allow_null=True)
    signed_by = serializers.UUIDField(source="signed_by_id", allow_null=True)
    addenda = AddendumSerializer(many=True, source="addenda.all")

    @extend_schema_field(ReferringProviderOutputSerializer(allow_null=True))
    def get_referring_provider(self, evaluation: Evaluation) -> dict[str, Any] | None:
        if not evaluation.referring_provider_name:
            return None
        return ReferringProviderOutputSerializer(evaluation).data

    @extend_schema_field(TreatmentPlanSerializer(allow_null=True))
    def get_plan(self, evaluation: Evaluation) -> dict[str, Any] | None:
        plan = _plan_of(evaluation)
        if plan is None:
            return None
        return TreatmentPlanSerializer(_PlanWithProgress(plan, plan_progress(plan))).data


class EvaluationSummarySerializer(serializers.Serializer):
    """The limited view: the decision in plain words, the signing date (clinic time), the plan's progress."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=EvaluationStatus.choices)
    decision = serializers.ChoiceField(
        choices=Decision.choices, allow_null=True, allow_blank=True, help_text="Once signed."
    )
    decision_text = StrictCharField(allow_null=True)
    signed_on = serializers.DateField(allow_null=True)
    plan = PlanProgressSerializer(allow_null=True, help_text="Once signed, a plan beyond its draft.")


EVALUATION_FOR_VIEWER = PolymorphicProxySerializer(
    component_name="EvaluationForViewer",
    serializers=[EvaluationSerializer, EvaluationSummarySerializer],
    resource_type_field_name=None,
)


def evaluation_full_view(evaluation: Evaluation) -> dict[str, Any]:
    return EvaluationSerializer(evaluation).data


def evaluation_limited_view(evaluation: Evaluation) -> dict[str, Any]:
    signed = evaluation.status == EvaluationStatus.SIGNED
    plan = _plan_of(evaluation) if signed else None
    shown_plan = plan if plan is not None and plan.status != PlanStatus.DRAFT else None
    signed_on: date | None = None
    if signed and evaluation.signed_at:
        # The calendar date in the clinic's time zone (a late-evening signature is not tomorrow).
        signed_on = evaluation.signed_at.astimezone(evaluation.appointment.appointment_type.clinic.zone).date()
    body = {
        "id": evaluation.pk,
        "status": evaluation.status,
        "decision": evaluation.decision if signed else None,
        "decision_text": DECISION_IN_PLAIN_WORDS.get(Decision(evaluation.decision))
        if signed and evaluation.decision
        else None,
        "signed_on": signed_on,
        "plan": _PlanWithProgress(shown_plan, plan_progress(shown_plan)) if shown_plan is not None else None,
    }
    return EvaluationSummarySerializer(body).data
