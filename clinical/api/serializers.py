"""Input and output of evaluation records. Two views of one record: the whole record for
clinicians and nurses; for patients (their own), therapists and the front desk only the decision,
the plan's progress and the signing date: never screening values, contraindications, rationale or
notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from booking.api.serializers import PersonSerializer
from clinical.models import (
    Contraindication,
    Decision,
    Evaluation,
    EvaluationStatus,
    PlanStatus,
    Route,
    SubstanceUse,
    TreatmentPlan,
)
from clinical.selectors import PlanProgress, plan_progress
from clinical.services.evaluations import PLAN_RANGES, RANGES
from core.api_fields import CalendarDateField, RuledDecimalField, RuledIntegerField, StrictCharField, TimeOfDayField

DECISION_IN_PLAIN_WORDS = {
    Decision.CANDIDATE: "You can go ahead: book your treatment sessions when it suits you.",
    Decision.NOT_CANDIDATE: (
        "This treatment is not the right fit for you. Your clinician will talk with you about other options."
    ),
    Decision.DEFERRED: "Your clinician needs a little more information before deciding. The clinic will contact you.",
}
# PLAN_RANGES["dose_mg_per_kg"], 0.05 to 2.00 mg/kg with at most two decimals, as a pattern.
DOSE_PATTERN = r"^(0\.(0[5-9]|[1-9][0-9]?)|1(\.[0-9]{1,2})?|2(\.0{1,2})?)$"

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


class PlanInputSerializer(serializers.Serializer):
    infusions_planned = _ruled(PLAN_RANGES, "infusions_planned", required=False)
    min_days_between = _ruled(PLAN_RANGES, "min_days_between", required=False)
    window_days = _ruled(PLAN_RANGES, "window_days", required=False)
    dose_mg_per_kg = RuledDecimalField(pattern=DOSE_PATTERN, max_digits=4, decimal_places=2, required=False)
    route = serializers.ChoiceField(choices=Route.choices, required=False)
    integration_sessions_planned = _ruled(PLAN_RANGES, "integration_sessions_planned", required=False)
    notes = StrictCharField(max_length=5000, required=False, allow_blank=True)


class EvaluationUpdateSerializer(serializers.Serializer):
    phq9_total = _ruled(RANGES, "phq9_total", required=False, allow_null=True)
    gad7_total = _ruled(RANGES, "gad7_total", required=False, allow_null=True)
    systolic_bp = _ruled(RANGES, "systolic_bp", required=False, allow_null=True)
    diastolic_bp = _ruled(RANGES, "diastolic_bp", required=False, allow_null=True)
    heart_rate = _ruled(RANGES, "heart_rate", required=False, allow_null=True)
    substance_use = serializers.ChoiceField(choices=SubstanceUse.choices, required=False, allow_blank=True)
    contraindications = ContraindicationListField(
        child=serializers.ChoiceField(choices=Contraindication.choices),
        required=False,
        max_length=len(Contraindication),
    )
    decision = serializers.ChoiceField(choices=Decision.choices, required=False, allow_blank=True)
    rationale = StrictCharField(max_length=5000, required=False, allow_blank=True)
    override_reason = StrictCharField(max_length=2000, required=False, allow_blank=True)
    plan = PlanInputSerializer(required=False)


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
    notes = StrictCharField(source="plan.notes")
    activated_at = IsoDateTimeField(source="plan.activated_at", allow_null=True)
    ended_at = IsoDateTimeField(source="plan.ended_at", allow_null=True)
    ended_reason = StrictCharField(source="plan.ended_reason")


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
    substance_use = serializers.ChoiceField(choices=SubstanceUse.choices, allow_blank=True)
    contraindications = serializers.ListField(child=serializers.ChoiceField(choices=Contraindication.choices))
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True)
    rationale = StrictCharField()
    override_reason = StrictCharField()
    plan = serializers.SerializerMethodField()
    signed_at = IsoDateTimeField(allow_null=True)
    signed_by = serializers.UUIDField(source="signed_by_id", allow_null=True)
    addenda = AddendumSerializer(many=True, source="addenda.all")

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
