"""Active treatment plans written directly (the evaluation workflow has its own tests)."""

from datetime import datetime, timedelta
from typing import Any

from booking.models import AppointmentStatus
from clinical.models import Decision, Evaluation, EvaluationStatus, PlanStatus, Route, TreatmentPlan
from core.roles import Role
from scheduling.models import AppointmentType
from tests.factories import AppointmentFactory, UserFactory


def signed_evaluation(
    patient: Any, *, decision: str = Decision.CANDIDATE, signed_at: datetime, childbearing_potential: str = "no"
) -> Evaluation:
    """A signed evaluation; childbearing potential ``no`` unless said (so no pregnancy test is asked)."""
    evaluation_type = AppointmentType.objects.get(code="evaluation")
    appointment = AppointmentFactory(
        patient=patient,
        appointment_type=evaluation_type,
        starts_at=signed_at - timedelta(hours=2),
        status=AppointmentStatus.COMPLETED,
    )
    clinician = UserFactory(role=Role.CLINICIAN)
    return Evaluation.objects.create(
        appointment=appointment,
        patient=patient,
        clinician=clinician,
        status=EvaluationStatus.SIGNED,
        phq9_total=15,
        gad7_total=10,
        systolic_bp=120,
        diastolic_bp=80,
        heart_rate=70,
        substance_use="none",
        decision=decision,
        rationale="Meets criteria.",
        childbearing_potential=childbearing_potential,
        signed_at=signed_at,
        signed_by=clinician,
    )


def active_plan(
    patient: Any, *, signed_at: datetime, childbearing_potential: str = "no", **overrides: Any
) -> TreatmentPlan:
    evaluation = signed_evaluation(patient, signed_at=signed_at, childbearing_potential=childbearing_potential)
    fields = {
        "infusions_planned": 6,
        "min_days_between": 2,
        "window_days": 21,
        "dose_mg_per_kg": "0.50",
        "route": Route.IV,
        "integration_sessions_planned": 2,
        "status": PlanStatus.ACTIVE,
        "activated_at": signed_at,
        **overrides,
    }
    return TreatmentPlan.objects.create(evaluation=evaluation, patient=patient, **fields)
