"""A series over, for the letters' tests: a signed candidate evaluation (PHQ-9 15) that names the
referring provider and records the patient's agreement, two infusions given through the real
services (35.0 mg and 30.0 mg, all PHQ-9 answers 1: a total of 9), a headache at the second, and the
plan ended by a clinician."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from booking.models import Appointment, AppointmentStatus
from clinical.adverse_event_rules import AdverseEventInput
from clinical.models import Decision, Evaluation, EvaluationStatus, PlanStatus, Route, TreatmentPlan
from clinical.services.adverse_events import adverse_event_record
from clinical.services.infusions import infusion_record_update
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.infusion_fixtures import START, infusion_appointment, start
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

PROVIDER_EMAIL = "dr.okafor@harbor-psych.example"


def evaluation_with_provider(
    patient: Any, *, agreed: bool | None = True, signed_at: datetime, **fields: Any
) -> Evaluation:
    appointment = AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=signed_at - timedelta(hours=2),
        status=AppointmentStatus.COMPLETED,
    )
    clinician = UserFactory(role=Role.CLINICIAN)
    values: dict[str, Any] = {
        "status": EvaluationStatus.SIGNED,
        "phq9_total": 15,
        "gad7_total": 10,
        "substance_use": "none",
        "childbearing_potential": "no",  # no pregnancy test before each infusion
        "decision": Decision.CANDIDATE,
        "rationale": "Two adequate antidepressant trials without response.",
        "signed_at": signed_at,
        "signed_by": clinician,
        "referring_provider_name": "Dr. Ngozi Okafor",
        "referring_provider_practice": "Harbor Psychiatry",
        "referring_provider_email": PROVIDER_EMAIL,
        "referring_provider_write_back_agreed": agreed,
        **fields,
    }
    return Evaluation.objects.create(appointment=appointment, patient=patient, clinician=clinician, **values)


def plan_of(evaluation: Evaluation, *, signed_at: datetime) -> TreatmentPlan:
    return TreatmentPlan.objects.create(
        evaluation=evaluation,
        patient=evaluation.patient,
        infusions_planned=6,
        dose_mg_per_kg=Decimal("0.50"),
        route=Route.IV,
        status=PlanStatus.ACTIVE,
        activated_at=signed_at,
    )


def given(appointment: Appointment, nurse: Any, mg: str, *, at: datetime) -> None:
    start(appointment, nurse, at=at)
    changes: dict[str, Any] = {"dose_given_mg": Decimal(mg)}
    if Decimal(mg) < Decimal("35.0"):
        changes["dose_reason"] = "Stopped early at the patient's wish."
    infusion_record_update(actor=nurse, appointment_id=appointment.pk, changes=changes, now=at + timedelta(minutes=5))


def series_over(nurse: Any, *, language: str = "en") -> Evaluation:
    patient = PatientFactory(first_name="Linda", last_name="Marsh", language=language)
    signed_at = START - timedelta(days=10)
    evaluation = evaluation_with_provider(patient, signed_at=signed_at)
    plan = plan_of(evaluation, signed_at=signed_at)
    first = infusion_appointment(patient, starts_at=START)
    second = infusion_appointment(patient, starts_at=START + timedelta(days=2))
    assert first.treatment_plan_id == second.treatment_plan_id == plan.pk
    given(first, nurse, "35.0", at=START)
    given(second, nurse, "30.0", at=START + timedelta(days=2))
    adverse_event_record(
        actor=nurse,
        appointment_id=second.pk,
        event=AdverseEventInput(
            code="headache",
            grade=1,
            serious=False,
            relatedness="probable",
            outcome="resolved",
            action="medication_given",
            action_detail="Paracetamol 1 g by mouth.",
        ),
        occurred_at=START + timedelta(days=2, minutes=20),
        now=START + timedelta(days=2, minutes=25),
    )
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.DISCONTINUED, ended_at=START + timedelta(days=3), ended_reason="Patient moving away."
    )
    return evaluation
