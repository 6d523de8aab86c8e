"""Input and output of evaluation records. Two views of one record: the whole record for
clinicians and nurses; for patients (their own), therapists and the front desk only the decision,
the plan's progress and the signing date: never screening values, contraindications, rationale or
notes."""

from datetime import datetime
from typing import Any

from rest_framework import serializers

from booking.models import BLOCKING_STATUSES, AppointmentStatus
from clinical.models import (
    Contraindication,
    Decision,
    Evaluation,
    EvaluationStatus,
    Route,
    SubstanceUse,
    TreatmentPlan,
)
from scheduling.models import PlanCounter

DECISION_IN_PLAIN_WORDS = {
    Decision.CANDIDATE: "You can go ahead: book your treatment sessions when it suits you.",
    Decision.NOT_CANDIDATE: (
        "This treatment is not the right fit for you. Your clinician will talk with you about other options."
    ),
    Decision.DEFERRED: "Your clinician needs a little more information before deciding. The clinic will contact you.",
}


class EvaluationCreateSerializer(serializers.Serializer):
    appointment = serializers.UUIDField()


class PlanInputSerializer(serializers.Serializer):
    infusions_planned = serializers.IntegerField(required=False)
    min_days_between = serializers.IntegerField(required=False)
    window_days = serializers.IntegerField(required=False)
    dose_mg_per_kg = serializers.DecimalField(max_digits=4, decimal_places=2, required=False)
    route = serializers.ChoiceField(choices=Route.choices, required=False)
    integration_sessions_planned = serializers.IntegerField(required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class EvaluationUpdateSerializer(serializers.Serializer):
    phq9_total = serializers.IntegerField(required=False, allow_null=True)
    gad7_total = serializers.IntegerField(required=False, allow_null=True)
    systolic_bp = serializers.IntegerField(required=False, allow_null=True)
    diastolic_bp = serializers.IntegerField(required=False, allow_null=True)
    heart_rate = serializers.IntegerField(required=False, allow_null=True)
    substance_use = serializers.ChoiceField(choices=SubstanceUse.choices, required=False, allow_blank=True)
    contraindications = serializers.ListField(
        child=serializers.ChoiceField(choices=Contraindication.choices),
        required=False,
        max_length=len(Contraindication),
    )
    decision = serializers.ChoiceField(choices=Decision.choices, required=False, allow_blank=True)
    rationale = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    override_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    plan = PlanInputSerializer(required=False)


class AddendumInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class DiscontinueInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class BookSeriesInputSerializer(serializers.Serializer):
    start_date = serializers.DateField(input_formats=["%Y-%m-%d"])
    preferred_time = serializers.TimeField(input_formats=["%H:%M", "%H:%M:%S"])


def plan_progress(plan: TreatmentPlan) -> dict[str, Any]:
    """Planned, booked (upcoming) and completed sessions of each kind."""
    counts: dict[tuple[str, str], int] = {}
    for counter, status in plan.appointments.filter(status__in=BLOCKING_STATUSES).values_list(
        "appointment_type__counts_against_plan", "status"
    ):
        key = (counter, "completed" if status == AppointmentStatus.COMPLETED else "booked")
        counts[key] = counts.get(key, 0) + 1
    return {
        "id": str(plan.pk),
        "status": plan.status,
        "infusions_planned": plan.infusions_planned,
        "infusions_booked": counts.get((PlanCounter.INFUSIONS, "booked"), 0),
        "infusions_completed": counts.get((PlanCounter.INFUSIONS, "completed"), 0),
        "integration_sessions_planned": plan.integration_sessions_planned,
        "integration_sessions_booked": counts.get((PlanCounter.INTEGRATION_SESSIONS, "booked"), 0),
        "integration_sessions_completed": counts.get((PlanCounter.INTEGRATION_SESSIONS, "completed"), 0),
    }


def _plan_of(evaluation: Evaluation) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(evaluation=evaluation).first()


def _clinic_date(instant: datetime, evaluation: Evaluation) -> str:
    """The calendar date in the clinic's time zone (a late-evening signature is not tomorrow)."""
    zone = evaluation.appointment.appointment_type.clinic.zone
    return instant.astimezone(zone).date().isoformat()


def evaluation_limited_view(evaluation: Evaluation) -> dict[str, Any]:
    signed = evaluation.status == EvaluationStatus.SIGNED
    plan = _plan_of(evaluation) if signed else None
    return {
        "id": str(evaluation.pk),
        "status": evaluation.status,
        "decision": evaluation.decision if signed else None,
        "decision_text": DECISION_IN_PLAIN_WORDS.get(Decision(evaluation.decision))
        if signed and evaluation.decision
        else None,
        "signed_on": _clinic_date(evaluation.signed_at, evaluation) if signed and evaluation.signed_at else None,
        "plan": plan_progress(plan) if plan is not None and plan.status != "draft" else None,
    }


def evaluation_full_view(evaluation: Evaluation) -> dict[str, Any]:
    plan = _plan_of(evaluation)
    plan_body = None
    if plan is not None:
        plan_body = {
            **plan_progress(plan),
            "min_days_between": plan.min_days_between,
            "window_days": plan.window_days,
            "dose_mg_per_kg": str(plan.dose_mg_per_kg) if plan.dose_mg_per_kg is not None else None,
            "route": plan.route,
            "notes": plan.notes,
            "activated_at": plan.activated_at.isoformat() if plan.activated_at else None,
            "ended_at": plan.ended_at.isoformat() if plan.ended_at else None,
            "ended_reason": plan.ended_reason,
        }
    return {
        "id": str(evaluation.pk),
        "appointment": str(evaluation.appointment_id),
        "patient": {"id": str(evaluation.patient_id), "name": evaluation.patient.full_name},
        "clinician": {"id": str(evaluation.clinician_id), "name": evaluation.clinician.full_name},
        "status": evaluation.status,
        "phq9_total": evaluation.phq9_total,
        "gad7_total": evaluation.gad7_total,
        "systolic_bp": evaluation.systolic_bp,
        "diastolic_bp": evaluation.diastolic_bp,
        "heart_rate": evaluation.heart_rate,
        "substance_use": evaluation.substance_use,
        "contraindications": list(evaluation.contraindications),
        "decision": evaluation.decision,
        "rationale": evaluation.rationale,
        "override_reason": evaluation.override_reason,
        "plan": plan_body,
        "signed_at": evaluation.signed_at.isoformat() if evaluation.signed_at else None,
        "signed_by": str(evaluation.signed_by_id) if evaluation.signed_by_id else None,
        "addenda": [
            {"author": str(a.author_id), "text": a.text, "created_at": a.created_at.isoformat()}
            for a in evaluation.addenda.all()
        ],
    }
