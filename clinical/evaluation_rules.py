"""The evaluation's rules before signing (SPEC.md section 4): pure functions, no database.

Each returns the problems it finds by field (``{field: [messages]}``), empty when there are none,
so the service can name every reason at once:

- hard stops: a ``candidate`` with pregnancy, hypersensitivity to ketamine, aneurysmal vascular
  disease or a history of intracerebral hemorrhage; no override reason passes them;
- self-consistency: substance use ``none`` or ``in_recovery`` with ``active_substance_misuse``
  ticked; a ``candidate`` whose blood pressure is 180 systolic or 110 diastolic or above without
  ``uncontrolled_hypertension`` ticked; allergies written down and "none known" both;
- the override: active substance use or any other contraindication lets a ``candidate`` through
  only with a reason (a history of addiction in stable recovery is not a contraindication);
- a PHQ-9 item 9 above 0 needs a suicide-risk assessment: a level and a note;
- the shape of the screening items and of the medication list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clinical import scoring
from clinical.dosing import IV_MINUTES_RANGE
from clinical.models.evaluations import (
    DOSE_MG_PER_KG_RANGE,
    WEIGHT_KG_RANGE,
    ChildbearingPotential,
    Contraindication,
    Decision,
    MedicationClass,
    SubstanceUse,
)

# Field -> (low, high) inclusive ranges of the screening and vital signs (each required to sign).
RANGES: dict[str, tuple[int, int]] = {
    "phq9_total": (0, 27),
    "gad7_total": (0, 21),
    "systolic_bp": (50, 260),
    "diastolic_bp": (30, 160),
    "heart_rate": (20, 250),
}
OPTIONAL_RANGES: dict[str, tuple[Any, Any]] = {"weight_kg": WEIGHT_KG_RANGE}
PLAN_RANGES: dict[str, tuple[Any, Any]] = {
    "infusions_planned": (1, 12),
    "min_days_between": (1, 14),
    "window_days": (1, 90),
    "integration_sessions_planned": (0, 12),
    "dose_mg_per_kg": DOSE_MG_PER_KG_RANGE,
    "infusion_minutes": IV_MINUTES_RANGE,
}
# The screening answers item by item, and the total each one makes.
ITEMS: dict[str, tuple[str, str]] = {
    "phq9_items": (scoring.PHQ9, "phq9_total"),
    "gad7_items": (scoring.GAD7, "gad7_total"),
}

HARD_STOPS = (
    Contraindication.PREGNANCY,
    Contraindication.HYPERSENSITIVITY_KETAMINE,
    Contraindication.ANEURYSMAL_VASCULAR_DISEASE,
    Contraindication.INTRACEREBRAL_HEMORRHAGE_HISTORY,
)
# A blood pressure at or above either is uncontrolled hypertension (systolic, diastolic).
UNCONTROLLED_BLOOD_PRESSURE = (180, 110)
MEDICATION_TEXT_LIMITS = {"name": 200, "dose": 100, "frequency": 100}
MAX_MEDICATIONS = 30
ITEMS_PREFIX = {scoring.PHQ9: "phq9", scoring.GAD7: "gad7"}

Problems = dict[str, list[str]]


def merge(*problem_sets: Problems) -> Problems:
    """Several checks' problems as one, each field's messages in the checks' order."""
    merged: Problems = {}
    for problems in problem_sets:
        for field, messages in problems.items():
            merged.setdefault(field, []).extend(messages)
    return merged


def hard_stops_of(contraindications: Sequence[str]) -> list[str]:
    """The hard stops among the codes, in the list's order."""
    return [code for code in Contraindication.values if code in HARD_STOPS and code in contraindications]


def hard_stop_problems(*, decision: str, contraindications: Sequence[str]) -> Problems:
    if decision != Decision.CANDIDATE:
        return {}
    stops = hard_stops_of(contraindications)
    if not stops:
        return {}
    return {
        "contraindications": [
            f"{Contraindication(code).label}: a hard stop, no override reason allows a candidate decision."
            for code in stops
        ]
    }


def blood_pressure_uncontrolled(*, systolic: int | None, diastolic: int | None) -> bool:
    high_systolic, high_diastolic = UNCONTROLLED_BLOOD_PRESSURE
    return (systolic is not None and systolic >= high_systolic) or (
        diastolic is not None and diastolic >= high_diastolic
    )


def inconsistency_problems(
    *,
    substance_use: str,
    contraindications: Sequence[str],
    decision: str,
    systolic: int | None,
    diastolic: int | None,
    allergies: str,
    allergies_none_known: bool,
) -> Problems:
    found: list[Problems] = []
    misuse_ticked = Contraindication.ACTIVE_SUBSTANCE_MISUSE in contraindications
    if misuse_ticked and substance_use in (SubstanceUse.NONE, SubstanceUse.IN_RECOVERY):
        said = SubstanceUse(substance_use).label.lower()
        found.append(
            {
                "substance_use": [f"Says {said}, but active substance misuse is ticked."],
                "contraindications": ["Active substance misuse is ticked, but substance use says otherwise."],
            }
        )
    uncontrolled = blood_pressure_uncontrolled(systolic=systolic, diastolic=diastolic)
    hypertension_ticked = Contraindication.UNCONTROLLED_HYPERTENSION in contraindications
    if decision == Decision.CANDIDATE and uncontrolled and not hypertension_ticked:
        high_systolic, high_diastolic = UNCONTROLLED_BLOOD_PRESSURE
        message = (
            f"At or above {high_systolic}/{high_diastolic}: tick uncontrolled hypertension "
            "(and give an override reason) for a candidate."
        )
        high = {}
        if systolic is not None and systolic >= high_systolic:
            high["systolic_bp"] = [message]
        if diastolic is not None and diastolic >= high_diastolic:
            high["diastolic_bp"] = [message]
        found.append({**high, "contraindications": ["Uncontrolled hypertension is not ticked."]})
    if allergies.strip() and allergies_none_known:
        found.append({"allergies": ["Allergies are written down and also marked as none known: keep one."]})
    return merge(*found)


def needs_override(*, substance_use: str, contraindications: Sequence[str]) -> bool:
    """Active use or a listed contraindication; recovery alone is not a contraindication."""
    return substance_use == SubstanceUse.ACTIVE or bool(contraindications)


def override_problems(
    *, decision: str, substance_use: str, contraindications: Sequence[str], override_reason: str
) -> Problems:
    if decision != Decision.CANDIDATE or override_reason.strip():
        return {}
    if not needs_override(substance_use=substance_use, contraindications=contraindications):
        return {}
    return {"override_reason": ["Required with this decision."]}


def self_harm_answered(phq9_items: Sequence[int] | None) -> bool:
    """PHQ-9 item 9 above 0, when the items are known."""
    return bool(phq9_items) and scoring.raises_self_harm_alert(scoring.PHQ9, list(phq9_items or ()))


def risk_assessment_problems(*, phq9_items: Sequence[int] | None, level: str, note: str) -> Problems:
    if not self_harm_answered(phq9_items):
        return {}
    problems: Problems = {}
    if not level:
        problems["suicide_risk_level"] = ["Required: PHQ-9 item 9 is above 0."]
    if not note.strip():
        problems["suicide_risk_note"] = ["Required: PHQ-9 item 9 is above 0."]
    return problems


def items_problems(kind: str, items: Sequence[Any] | None) -> Problems:
    """Screening answers item by item (``phq9_items``/``gad7_items``, ``<name>.<n>`` for one):
    every item answered 0-3, or none (then the total stands alone)."""
    if items is None:
        return {}
    name = f"{ITEMS_PREFIX[kind]}_items"
    expected = scoring.ITEM_COUNTS[kind]
    if isinstance(items, (list, tuple)) and len(items) == expected and any(item is None for item in items):
        unanswered = {f"{name}.{number}": ["Not answered."] for number, item in enumerate(items, 1) if item is None}
        return {name: [f"Answer all {expected} items, or clear them and enter the total."], **unanswered}
    return {
        field.replace("items", name, 1): messages for field, messages in scoring.items_problems(kind, items).items()
    }


def medications_problems(medications: Any) -> Problems:
    """A list of ``{"name", "dose", "frequency", "drug_class"}``, each text filled in and within its
    length, the class one of the list (``medications.<n>.<key>``, 1-based)."""
    if medications is None:
        return {}
    if not isinstance(medications, list) or len(medications) > MAX_MEDICATIONS:
        return {"medications": [f"A list of at most {MAX_MEDICATIONS} medications."]}
    problems: Problems = {}
    for number, medication in enumerate(medications, start=1):
        if not isinstance(medication, dict) or set(medication) != {*MEDICATION_TEXT_LIMITS, "drug_class"}:
            problems[f"medications.{number}"] = ["Give the name, dose, how often and the class."]
            continue
        for key, limit in MEDICATION_TEXT_LIMITS.items():
            value = medication[key]
            if not isinstance(value, str) or not value.strip() or len(value) > limit:
                problems[f"medications.{number}.{key}"] = [f"Required, at most {limit} characters."]
        if medication["drug_class"] not in MedicationClass.values:
            problems[f"medications.{number}.drug_class"] = ["Choose a class from the list."]
    return problems


def referring_provider_problems(
    *, name: str, practice: str, email: str, phone: str, write_back_agreed: bool | None
) -> Problems:
    """A referring provider is named when any of their details is recorded."""
    if (practice or email or phone or write_back_agreed is not None) and not name.strip():
        return {"referring_provider_name": ["Required with the referring provider's details."]}
    return {}


def childbearing_potential_of(recorded: str) -> str:
    """Not recorded counts as unknown (section 12 then asks for pregnancy tests)."""
    return recorded or ChildbearingPotential.UNKNOWN
