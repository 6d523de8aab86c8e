"""The evaluation form (SPEC.md sections 4 and 9). It parses and labels input; the ranges come from
the rules' constants and the clinic's dose limits (for the inputs' min/max and help only), and every
rule is the service's: a refusal comes back beside each field it names (``add_service_error``) and
in the error summary, every reason at once.

The PHQ-9 and GAD-7 items read in the instruments' official wording, the one the patients' check-in
forms use (``web.checkins``). Medications are rows of four fields (name, dose, how often, class):
the stored ones and three empty rows; saving the draft makes room for more.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import format_lazy

from clinical import scoring
from clinical.dosing import DoseRange
from clinical.evaluation_rules import MAX_MEDICATIONS, MEDICATION_TEXT_LIMITS, OPTIONAL_RANGES, PLAN_RANGES, RANGES
from clinical.models import (
    ChildbearingPotential,
    Contraindication,
    Decision,
    Evaluation,
    MedicationClass,
    Route,
    SubstanceUse,
    SuicideRiskLevel,
    TreatmentPlan,
)
from core.errors import DomainError
from web.checkins import ANSWER_CHOICES, ITEMS, QUESTIONS
from web.forms import PageForm

ITEM_CHOICES = [
    ("", "Not answered"),
    *((str(value), format_lazy("{}: {}", value, words)) for value, words in ANSWER_CHOICES),
]
ITEM_COUNTS = {prefix: scoring.ITEM_COUNTS[prefix] for prefix in (scoring.PHQ9, scoring.GAD7)}
SCREENING_LABELS = {
    "phq9_total": "PHQ-9 total",
    "gad7_total": "GAD-7 total",
    "systolic_bp": "Blood pressure, systolic (mmHg)",
    "diastolic_bp": "Blood pressure, diastolic (mmHg)",
    "heart_rate": "Heart rate (beats per minute)",
}
PLAN_LABELS = {
    "infusions_planned": "Infusions planned",
    "min_days_between": "Minimum days between infusions",
    "window_days": "Series window (days)",
    "integration_sessions_planned": "Integration sessions planned",
}
PLAN_FORM_FIELDS = (*PLAN_LABELS, "dose_mg_per_kg", "route", "infusion_minutes", "notes")
MEDICATION_KEYS = {"name": "name", "dose": "dose", "frequency": "how often", "drug_class": "class"}
EMPTY_MEDICATION_ROWS = 3
# Fields sent to the service as they are, blank included (a blank clears what was saved).
TEXT_FIELDS = (
    "allergies",
    "childbearing_potential",
    "referring_provider_name",
    "referring_provider_practice",
    "referring_provider_email",
    "referring_provider_phone",
    "suicide_risk_level",
    "suicide_risk_note",
)
# The existing fields: sent only when filled in (a draft keeps what was typed before).
FILLED_FIELDS = (*RANGES, "substance_use", "decision", "rationale", "override_reason")
WRITE_BACK_CHOICES = [("", "Not asked"), ("yes", "Yes"), ("no", "No")]
WRITE_BACK_VALUES = {"": None, "yes": True, "no": False}


def _ranged(label: str, low: Any, high: Any, **attrs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=f"From {low} to {high}.",
        widget=forms.NumberInput(attrs={"min": low, "max": high, "inputmode": "numeric", **attrs}),
    )


def _decimal(label: str, low: Decimal, high: Decimal, places: int, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=4,
        decimal_places=places,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": low, "max": high, "step": f"{Decimal(1).scaleb(-places)}"}),
    )


def _text(label: str, max_length: int, help_text: str = "", rows: int = 0, **attrs: Any) -> forms.CharField:
    widget: forms.Widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text, widget=widget)


def _radios(label: str, choices: Any, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, required=False, widget=forms.RadioSelect, help_text=help_text
    )


def medication_field(row: int, key: str) -> str:
    return f"medication_{row}_{key}"


def dose_help(limits: dict[str, DoseRange]) -> str:
    routes = "; ".join(f"{route}: {allowed.words()}" for route, allowed in limits.items())
    return f"The clinic's limits: {routes}."


class EvaluationForm(PageForm):
    """Every field of an evaluation and its plan; all optional, so a draft keeps what is typed."""

    def __init__(self, *args: Any, dose_limits: dict[str, DoseRange], medication_rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.medication_rows = max(0, min(medication_rows, MAX_MEDICATIONS))
        self.sent_rows: list[int] = []  # the page's row of each medication sent, in order
        add = self.fields.__setitem__
        for name, label in SCREENING_LABELS.items():
            add(name, _ranged(label, *RANGES[name]))
        for prefix in ITEM_COUNTS:
            for number, text in enumerate(ITEMS[prefix], start=1):
                item = format_lazy("{number}. {text}", number=number, text=text)
                add(f"{prefix}_item_{number}", forms.ChoiceField(label=item, choices=ITEM_CHOICES, required=False))
        low, high = OPTIONAL_RANGES["weight_kg"]
        add("weight_kg", _decimal("Weight (kg)", low, high, 1, f"From {low} to {high}, to 0.1 kg."))
        self._add_history_fields()
        add("substance_use", _radios("Substance use", SubstanceUse.choices))
        add(
            "contraindications",
            forms.MultipleChoiceField(
                label="Contraindications",
                choices=Contraindication.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text="Tick every one that applies. Pregnancy, hypersensitivity to ketamine, aneurysmal "
                "vascular disease and intracerebral hemorrhage rule out a candidate decision.",
            ),
        )
        add("decision", _radios("Decision", Decision.choices))
        add("rationale", _text("Rationale", 5000, rows=4))
        add(
            "override_reason",
            _text(
                "Override reason",
                2000,
                "Required to sign a candidate decision with active substance use or any contraindication.",
                rows=3,
            ),
        )
        self._add_plan_fields(dose_limits)
        self.order_fields(self._reading_order())  # the error summary lists the fields as the page shows them

    def _reading_order(self) -> list[str]:
        first = ["phq9_total", *(f"phq9_item_{n}" for n in range(1, ITEM_COUNTS[scoring.PHQ9] + 1))]
        first += ["gad7_total", *(f"gad7_item_{n}" for n in range(1, ITEM_COUNTS[scoring.GAD7] + 1))]
        first += ["suicide_risk_level", "suicide_risk_note", "systolic_bp", "diastolic_bp", "heart_rate"]
        return first + [name for name in self.fields if name not in first]

    def _add_history_fields(self) -> None:
        add = self.fields.__setitem__
        add("suicide_risk_level", _radios("Suicide-risk level", SuicideRiskLevel.choices))
        add("suicide_risk_note", _text("Suicide-risk assessment note", 1800, "What was assessed and agreed.", rows=3))
        add(
            "medications_none",
            forms.BooleanField(label="Takes no medication", required=False, help_text="Leave the rows empty."),
        )
        class_choices = [("", "Choose a class"), *MedicationClass.choices]
        for row in range(1, self.medication_rows + 1):
            for key, words in MEDICATION_KEYS.items():
                label = f"Medication {row}: {words}"
                field = (
                    forms.ChoiceField(label=label, choices=class_choices, required=False)
                    if key == "drug_class"
                    else _text(label, MEDICATION_TEXT_LIMITS[key])
                )
                add(medication_field(row, key), field)
        add("allergies", _text("Allergies", 2000, "What the patient is allergic to, and the reaction.", rows=2))
        add("allergies_none_known", forms.BooleanField(label="No known allergies", required=False))
        add(
            "childbearing_potential",
            _radios("Childbearing potential", ChildbearingPotential.choices, "Not recorded counts as unknown."),
        )
        add("referring_provider_name", _text("Referring provider's name", 200))
        add("referring_provider_practice", _text("Practice", 200))
        add("referring_provider_email", _text("Email", 254, type="email", autocomplete="off"))
        add("referring_provider_phone", _text("Phone", 32, "For example (415) 555-0134.", type="tel"))
        add(
            "referring_provider_write_back",
            _radios("The patient agrees to the clinic writing back to them", WRITE_BACK_CHOICES),
        )

    def _add_plan_fields(self, dose_limits: dict[str, DoseRange]) -> None:
        add = self.fields.__setitem__
        for name, label in PLAN_LABELS.items():
            add(name, _ranged(label, *PLAN_RANGES[name]))
        add(
            "dose_mg_per_kg",
            _decimal(
                "Dose (mg/kg)",
                min(allowed.lowest for allowed in dose_limits.values()),
                max(allowed.highest for allowed in dose_limits.values()),
                2,
                dose_help(dose_limits),
            ),
        )
        add("route", _radios("Route", [(value, f"{value} ({label.lower()})") for value, label in Route.choices]))
        low, high = PLAN_RANGES["infusion_minutes"]
        minutes = _ranged("Infusion minutes", low, high)
        minutes.help_text = f"IV only: from {low} to {high}, 40 when left empty. Leave it empty for IM."
        add("infusion_minutes", minutes)
        add("notes", _text("Plan notes", 5000, rows=3))

    # Groups for the template, in reading order.
    def group(self, *names: str) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def items(self, prefix: str) -> list[forms.BoundField]:
        return [self[f"{prefix}_item_{number}"] for number in range(1, ITEM_COUNTS[prefix] + 1)]

    def phq9_items(self) -> list[forms.BoundField]:
        return self.items(scoring.PHQ9)

    def gad7_items(self) -> list[forms.BoundField]:
        return self.items(scoring.GAD7)

    # The instruments' own question, read to the patient as printed (the check-in forms' wording).
    phq9_question = QUESTIONS[scoring.PHQ9]
    gad7_question = QUESTIONS[scoring.GAD7]

    def vitals(self) -> list[forms.BoundField]:
        return self.group("systolic_bp", "diastolic_bp", "heart_rate", "weight_kg")

    def medications(self) -> list[list[forms.BoundField]]:
        rows = range(1, self.medication_rows + 1)
        return [[self[medication_field(row, key)] for key in MEDICATION_KEYS] for row in rows]

    def referring_provider(self) -> list[forms.BoundField]:
        return self.group(*(name for name in self.fields if name.startswith("referring_provider_")))

    def plan_numbers(self) -> list[forms.BoundField]:
        return self.group("infusions_planned", "min_days_between", "window_days", "dose_mg_per_kg")

    def changes(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """What was filled in: the record's changes and the plan's (None: leave the plan alone)."""
        data = self.cleaned_data
        changes: dict[str, Any] = {name: data[name] for name in FILLED_FIELDS if data.get(name) not in (None, "")}
        changes |= {name: data.get(name, "") for name in TEXT_FIELDS}
        changes["weight_kg"] = data.get("weight_kg")
        changes["contraindications"] = list(data.get("contraindications") or [])
        changes["allergies_none_known"] = bool(data.get("allergies_none_known"))
        agreed = data.get("referring_provider_write_back", "")
        changes["referring_provider_write_back_agreed"] = WRITE_BACK_VALUES[agreed]
        for prefix, count in ITEM_COUNTS.items():
            answers = [data.get(f"{prefix}_item_{number}") for number in range(1, count + 1)]
            answered = any(answer not in (None, "") for answer in answers)
            changes[f"{prefix}_items"] = [None if a in (None, "") else int(a) for a in answers] if answered else None
            if answered:
                changes.pop(f"{prefix}_total", None)  # the items make it
        changes["medications"] = self._medications()
        plan = {name: data[name] for name in PLAN_FORM_FIELDS if data.get(name) not in (None, "")}
        wants_plan = data.get("decision") == Decision.CANDIDATE or any(
            name in plan for name in ("dose_mg_per_kg", "route", "notes")
        )
        return changes, plan if wants_plan else None

    def _medications(self) -> list[dict[str, str]] | None:
        """The filled rows (empty ones left out), [] for "takes no medication", else None."""
        listed = []
        self.sent_rows = []
        for row in range(1, self.medication_rows + 1):
            values = {key: (self.cleaned_data.get(medication_field(row, key)) or "") for key in MEDICATION_KEYS}
            if any(value.strip() for value in values.values()):
                listed.append(values)
                self.sent_rows.append(row)
        if listed:
            return listed
        return [] if self.cleaned_data.get("medications_none") else None

    def form_field_of(self, service_name: str) -> str:
        """The page's field for a name the service gives (``plan.dose_mg_per_kg``,
        ``phq9_items.9``, ``medications.2.drug_class``, ``referring_provider_write_back_agreed``)."""
        name = "dose_mg_per_kg" if service_name == "plan" else service_name.removeprefix("plan.")
        if items := re.fullmatch(r"(phq9|gad7)_items(?:\.(\d+))?", name):
            prefix, number = items.groups()
            return f"{prefix}_item_{number}" if number else f"{prefix}_total"
        if listed := re.fullmatch(r"medications(?:\.(\d+))?(?:\.(\w+))?", name):
            position, key = listed.groups()
            if position is None or not 0 < int(position) <= len(self.sent_rows):
                return "medications_none"
            return medication_field(self.sent_rows[int(position) - 1], key or "name")
        return name.removesuffix("_agreed")

    def add_service_error(self, error: DomainError) -> None:
        """The service's refusal beside each field it names (its own words), and at the top."""
        named = False
        for name, problems in error.fields.items():
            field = self.form_field_of(name)
            if field in self.fields:
                named = True
                for problem in problems if isinstance(problems, list) else [problems]:
                    self.add_error(field, str(problem))
        if not named:
            self.add_error(None, error.detail)


def values_of(evaluation: Evaluation, plan: TreatmentPlan | None) -> dict[str, Any]:
    """A stored draft as the form's values (``initial``, or the data of a refused signature)."""
    values: dict[str, Any] = {name: getattr(evaluation, name) for name in (*FILLED_FIELDS, *TEXT_FIELDS)}
    values["weight_kg"] = evaluation.weight_kg
    values["contraindications"] = list(evaluation.contraindications or [])
    values["allergies_none_known"] = evaluation.allergies_none_known
    agreed = evaluation.referring_provider_write_back_agreed
    values["referring_provider_write_back"] = "" if agreed is None else ("yes" if agreed else "no")
    for prefix in ITEM_COUNTS:
        for number, answer in enumerate(getattr(evaluation, f"{prefix}_items") or [], start=1):
            values[f"{prefix}_item_{number}"] = str(answer)
    values["medications_none"] = evaluation.medications == []
    for row, medication in enumerate(evaluation.medications or [], start=1):
        for key in MEDICATION_KEYS:
            values[medication_field(row, key)] = medication.get(key, "")
    source = plan or TreatmentPlan()  # the model's defaults: 6 infusions, 2 days apart, within 21 days
    values |= {name: getattr(source, name) for name in PLAN_FORM_FIELDS}
    if isinstance(values["dose_mg_per_kg"], Decimal):
        values["dose_mg_per_kg"] = f"{values['dose_mg_per_kg']:.2f}"
    return values


def as_form_data(values: dict[str, Any]) -> dict[str, Any]:
    """Values as a browser would post them (a refused signature shows the stored draft, bound)."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = "" if value is None else str(value)
    return data


def medication_rows_for(evaluation: Evaluation) -> int:
    """The stored rows and three empty ones."""
    return min(len(evaluation.medications or []) + EMPTY_MEDICATION_ROWS, MAX_MEDICATIONS)


class AddendumForm(PageForm):
    text = forms.CharField(label="Addendum", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
