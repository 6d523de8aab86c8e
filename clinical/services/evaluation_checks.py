"""The checks of an evaluation's input and of its signature (SPEC.md section 4), each naming every
reason at once: the ranges, the codes and the shapes a draft takes, and what signing asks of it.
The pure rules are ``clinical.evaluation_rules`` and ``clinical.dosing``; this module reads what they
need (the plan, the clinic's dose limits) and gathers their problems into one refusal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.errors import AccountError
from accounts.services import phone_normalize
from booking.models import Appointment
from clinical import evaluation_rules, scoring
from clinical.dosing import dose_problems
from clinical.errors import ClinicalError
from clinical.evaluation_rules import ITEMS, OPTIONAL_RANGES, RANGES
from clinical.models import Contraindication, Decision, Evaluation, Route, TreatmentPlan
from clinical.services.plan_rules import clinic_dose_limits


class Refusal:
    """Every reason a change or a signature is refused for, gathered; the first one's code names it."""

    def __init__(self) -> None:
        self.code = ""
        self.details: list[str] = []
        self.fields: evaluation_rules.Problems = {}

    def add(self, code: str, detail: str, problems: evaluation_rules.Problems) -> None:
        if not problems:
            return
        self.code = self.code or code
        self.details.append(detail)
        self.fields = evaluation_rules.merge(self.fields, problems)

    def raise_if_any(self) -> None:
        if self.code:
            raise ClinicalError(" ".join(self.details), code=self.code, fields=self.fields)


def range_problems(values: dict[str, Any], ranges: dict[str, tuple[Any, Any]]) -> dict[str, list[str]]:
    return {
        name: [f"Must be between {low} and {high}."]
        for name, (low, high) in ranges.items()
        if values.get(name) is not None and not low <= values[name] <= high
    }


def code_problems(values: dict[str, Any]) -> dict[str, list[str]]:
    codes = values.get("contraindications")
    if codes is None:
        return {}
    unknown = sorted(set(codes) - set(Contraindication.values))
    if unknown or len(set(codes)) != len(codes):
        return {"contraindications": unknown or ["Repeated."]}
    values["contraindications"] = sorted(codes)
    return {}


def contact_problems(values: dict[str, Any]) -> dict[str, list[str]]:
    """The referring provider's email and phone (stored as E.164), when given."""
    problems: dict[str, list[str]] = {}
    email = (values.get("referring_provider_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["referring_provider_email"] = ["Enter a valid email address."]
    phone = (values.get("referring_provider_phone") or "").strip()
    if phone:
        try:
            values["referring_provider_phone"] = phone_normalize(phone=phone)
        except AccountError:
            problems["referring_provider_phone"] = ["Enter a valid phone number."]
    return problems


def take_items(values: dict[str, Any], evaluation: Evaluation) -> dict[str, list[str]]:
    """Answers item by item make the total (a total sent with them must be their sum); a total
    alone replaces stored items it does not match."""
    problems: dict[str, list[str]] = {}
    for items_name, (kind, total_name) in ITEMS.items():
        if items_name in values and values[items_name] is not None:
            items = values[items_name]
            found = evaluation_rules.items_problems(kind, items)
            if found:
                problems.update(found)
                continue
            total = scoring.questionnaire_total(items)
            if values.get(total_name) is not None and values[total_name] != total:
                problems[total_name] = [f"The items add up to {total}."]
            values[items_name], values[total_name] = list(items), total
        elif values.get(total_name) is not None:
            stored = getattr(evaluation, items_name)
            if stored is not None and scoring.questionnaire_total(stored) != values[total_name]:
                values[items_name] = None
    return problems


def check_input(values: dict[str, Any], evaluation: Evaluation) -> None:
    refusal = Refusal()
    refusal.add("out_of_range", "Some values are out of range.", range_problems(values, RANGES | OPTIONAL_RANGES))
    refusal.add("unknown_contraindication", "Unknown or repeated contraindication codes.", code_problems(values))
    refusal.add(
        "invalid_answers", "Some screening answers are missing or out of range.", take_items(values, evaluation)
    )
    refusal.add(
        "invalid_medications",
        "Each medication needs its name, dose, how often and a class.",
        evaluation_rules.medications_problems(values.get("medications")),
    )
    refusal.add("invalid_contact", "The referring provider's email or phone is not valid.", contact_problems(values))
    refusal.raise_if_any()


def clinic_of(evaluation: Evaluation) -> int:
    clinic_id: int = (
        Appointment.objects.filter(pk=evaluation.appointment_id)
        .values_list("appointment_type__clinic_id", flat=True)
        .get()
    )
    return clinic_id


def missing_for_signing(evaluation: Evaluation, plan: TreatmentPlan | None) -> dict[str, list[str]]:
    missing = {name: ["Required to sign."] for name in RANGES if getattr(evaluation, name) is None}
    for name in ("substance_use", "decision", "rationale"):
        if not getattr(evaluation, name):
            missing[name] = ["Required to sign."]
    missing.update(
        evaluation_rules.referring_provider_problems(
            name=evaluation.referring_provider_name,
            practice=evaluation.referring_provider_practice,
            email=evaluation.referring_provider_email,
            phone=evaluation.referring_provider_phone,
            write_back_agreed=evaluation.referring_provider_write_back_agreed,
        )
    )
    if evaluation.decision == Decision.CANDIDATE:
        if plan is None:
            missing["plan"] = ["A candidate needs a treatment plan."]
        else:
            for name in ("dose_mg_per_kg", "route"):
                if not getattr(plan, name):
                    missing[f"plan.{name}"] = ["Required to sign."]
            if plan.route == Route.IV and plan.infusion_minutes is None:
                missing["plan.infusion_minutes"] = ["Required to sign."]
    return missing


def needs_override(evaluation: Evaluation) -> bool:
    """Active use or a listed contraindication; recovery alone is not a contraindication."""
    return evaluation_rules.needs_override(
        substance_use=evaluation.substance_use, contraindications=evaluation.contraindications
    )


def signing_refusal(evaluation: Evaluation) -> Refusal:
    """Every reason the draft cannot be signed yet, in SPEC.md's order."""
    plan = TreatmentPlan.objects.filter(evaluation=evaluation).first()
    decision, codes = evaluation.decision, evaluation.contraindications
    refusal = Refusal()
    refusal.add("incomplete_evaluation", "The evaluation is not complete.", missing_for_signing(evaluation, plan))
    refusal.add(
        "hard_contraindication",
        "A hard stop rules out a candidate decision; no override reason passes it.",
        evaluation_rules.hard_stop_problems(decision=decision, contraindications=codes),
    )
    refusal.add(
        "screening_inconsistent",
        "The record does not agree with itself.",
        evaluation_rules.inconsistency_problems(
            substance_use=evaluation.substance_use,
            contraindications=codes,
            decision=decision,
            systolic=evaluation.systolic_bp,
            diastolic=evaluation.diastolic_bp,
            allergies=evaluation.allergies,
            allergies_none_known=evaluation.allergies_none_known,
        ),
    )
    refusal.add(
        "risk_assessment_required",
        "PHQ-9 item 9 is above 0: record the suicide-risk assessment, its level and a note.",
        evaluation_rules.risk_assessment_problems(
            phq9_items=evaluation.phq9_items, level=evaluation.suicide_risk_level, note=evaluation.suicide_risk_note
        ),
    )
    if decision == Decision.CANDIDATE and plan is not None:
        limits = clinic_dose_limits(clinic_of(evaluation))
        refusal.add(
            "dose_out_of_range",
            "The dose is outside the clinic's limits for its route.",
            dose_problems(route=plan.route, dose_mg_per_kg=plan.dose_mg_per_kg, limits=limits),
        )
    hard_stopped = bool(evaluation_rules.hard_stops_of(codes)) and decision == Decision.CANDIDATE
    if not hard_stopped:  # no reason to ask for an override that cannot pass
        refusal.add(
            "override_reason_required",
            "Active substance use or a contraindication needs an override reason for a candidate decision.",
            evaluation_rules.override_problems(
                decision=decision,
                substance_use=evaluation.substance_use,
                contraindications=codes,
                override_reason=evaluation.override_reason,
            ),
        )
    return refusal
