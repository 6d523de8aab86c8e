"""What a letter to the referring provider says (SPEC.md section 12), read from the record: the
decision and its rationale, the plan, the infusions given with their doses, the outcome (PHQ-9
baseline and latest, response or remission), the adverse events, the dose orders, and the
clinician's recommendations. A read never writes; clinical/letter_pdf.py draws it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinical.models import AdverseEvent, Evaluation, InfusionRecord, LetterKind, TreatmentPlan
from clinical.outcome_selectors import outcome_of, plan_outcome
from core.phones import phone_display


@dataclass(frozen=True)
class InfusionLine:
    on: date
    planned_dose_mg: Decimal | None
    dose_given_mg: Decimal


@dataclass(frozen=True)
class AdverseEventLine:
    on: date
    what: str
    grade: str  # CTCAE grade, and "serious" when it was
    action: str


@dataclass(frozen=True)
class LetterContent:
    kind: str
    written_on: date
    clinic_name: str
    clinic_address: str
    clinic_phone: str
    provider_name: str
    provider_practice: str
    patient_name: str
    decision: str
    rationale: str
    clinician_name: str
    recommendations: str
    plan_terms: str  # "" without a plan
    plan_status: str
    phq9_baseline: int | None
    phq9_latest: int | None
    response: bool | None
    remission: bool | None
    infusions: list[InfusionLine] = field(default_factory=list)
    adverse_events: list[AdverseEventLine] = field(default_factory=list)
    corrects_written_on: date | None = None


def _plan_terms(plan: TreatmentPlan | None) -> str:
    if plan is None:
        return ""
    dose = f"{plan.dose_mg_per_kg} mg/kg" if plan.dose_mg_per_kg is not None else "dose not set"
    return f"{plan.infusions_planned} infusions, {plan.get_route_display() or 'route not set'}, {dose}"


def _infusions(plan: TreatmentPlan, zone: ZoneInfo) -> list[InfusionLine]:
    records = (
        InfusionRecord.objects.filter(plan=plan, dose_given_mg__isnull=False)
        .select_related("appointment")
        .order_by("appointment__starts_at")
    )
    return [
        InfusionLine(record.appointment.starts_at.astimezone(zone).date(), record.planned_dose_mg, record.dose_given_mg)
        for record in records
        if record.dose_given_mg is not None
    ]


def _adverse_events(plan: TreatmentPlan, zone: ZoneInfo) -> list[AdverseEventLine]:
    events = AdverseEvent.objects.filter(record__plan=plan).order_by("occurred_at", "id")
    return [
        AdverseEventLine(
            event.occurred_at.astimezone(zone).date(),
            event.get_code_display() + (f": {event.description}" if event.description else ""),
            f"Grade {event.grade}" + (", serious" if event.serious else ""),
            "; ".join(part for part in (event.get_action_display(), event.action_detail) if part),
        )
        for event in events
    ]


def letter_content(
    *,
    evaluation: Evaluation,
    plan: TreatmentPlan | None,
    kind: str,
    recommendations: str,
    clinician_name: str,
    written_on: date,
    corrects_written_on: date | None = None,
) -> LetterContent:
    clinic = evaluation.appointment.appointment_type.clinic
    zone = clinic.zone
    series = kind == LetterKind.SERIES and plan is not None
    outcome = plan_outcome(plan) if series and plan is not None else None
    if outcome is not None:
        baseline, latest, response, remission = (
            outcome.baseline_phq9,
            outcome.latest_phq9,
            outcome.response,
            outcome.remission,
        )
    else:
        baseline, latest = evaluation.phq9_total, None
        _, response, remission = outcome_of(baseline, None)
    return LetterContent(
        kind=kind,
        written_on=written_on,
        clinic_name=clinic.name,
        clinic_address=clinic.address,
        clinic_phone=phone_display(clinic.phone),
        provider_name=evaluation.referring_provider_name,
        provider_practice=evaluation.referring_provider_practice,
        patient_name=evaluation.patient.full_name,
        decision=evaluation.get_decision_display(),
        rationale=evaluation.rationale,
        clinician_name=clinician_name,
        recommendations=recommendations,
        plan_terms=_plan_terms(plan),
        plan_status=plan.get_status_display() if plan is not None else "",
        phq9_baseline=baseline,
        phq9_latest=latest,
        response=response if series else None,
        remission=remission if series else None,
        infusions=_infusions(plan, zone) if series and plan is not None else [],
        adverse_events=_adverse_events(plan, zone) if series and plan is not None else [],
        corrects_written_on=corrects_written_on,
    )
