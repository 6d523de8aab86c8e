"""The evaluation form (SPEC.md sections 4 and 9). It parses and labels input; the ranges come
from the service's constants (for the inputs' min/max only) and every rule is the service's:
a refusal comes back beside its field (``add_service_error``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from clinical.models import Contraindication, Decision, Evaluation, Route, SubstanceUse, TreatmentPlan
from clinical.services.evaluations import PLAN_RANGES, RANGES
from core.errors import DomainError
from web.forms import PageForm

ITEM_CHOICES = [
    ("", "Not answered"),
    ("0", "0: Not at all"),
    ("1", "1: Several days"),
    ("2", "2: More than half the days"),
    ("3", "3: Nearly every day"),
]
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself",
    "Trouble concentrating on things",
    "Moving or speaking slowly, or being fidgety or restless",
    "Thoughts of being better off dead or of self-harm",
)
GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
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
PLAN_FORM_FIELDS = (*PLAN_LABELS, "dose_mg_per_kg", "route", "notes")
READING_ORDER = (
    "phq9_total",
    *(f"phq9_item_{number}" for number in range(1, len(PHQ9_ITEMS) + 1)),
    "gad7_total",
    *(f"gad7_item_{number}" for number in range(1, len(GAD7_ITEMS) + 1)),
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "substance_use",
    "contraindications",
    "decision",
    "rationale",
    "override_reason",
    "infusions_planned",
    "min_days_between",
    "window_days",
    "dose_mg_per_kg",
    "route",
    "integration_sessions_planned",
    "notes",
)
# The service names plan fields "plan.<name>"; a missing plan is named "plan".
SERVICE_FIELD_NAMES = {"plan": "dose_mg_per_kg"}


def _ranged(label: str, low: Any, high: Any, **attrs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=f"From {low} to {high}.",
        widget=forms.NumberInput(attrs={"min": low, "max": high, "inputmode": "numeric", **attrs}),
    )


def _items(prefix: str, texts: tuple[str, ...]) -> dict[str, forms.ChoiceField]:
    return {
        f"{prefix}_item_{number}": forms.ChoiceField(label=f"{number}. {text}", choices=ITEM_CHOICES, required=False)
        for number, text in enumerate(texts, start=1)
    }


class EvaluationForm(PageForm):
    """Every field of an evaluation and its plan; all optional, so a draft keeps what is typed."""

    substance_use = forms.ChoiceField(
        label="Substance use", choices=SubstanceUse.choices, required=False, widget=forms.RadioSelect
    )
    contraindications = forms.MultipleChoiceField(
        label="Contraindications",
        choices=Contraindication.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every one that applies.",
    )
    decision = forms.ChoiceField(label="Decision", choices=Decision.choices, required=False, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label="Rationale", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    override_reason = forms.CharField(
        label="Override reason",
        required=False,
        max_length=2000,
        help_text="Required to sign a candidate decision with active substance use or any contraindication.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dose_mg_per_kg = forms.DecimalField(
        label="Dose (mg/kg)",
        required=False,
        max_digits=4,
        decimal_places=2,
        help_text=f"From {PLAN_RANGES['dose_mg_per_kg'][0]} to {PLAN_RANGES['dose_mg_per_kg'][1]}.",
        widget=forms.NumberInput(
            attrs={
                "min": PLAN_RANGES["dose_mg_per_kg"][0],
                "max": PLAN_RANGES["dose_mg_per_kg"][1],
                "step": "0.01",
                "inputmode": "decimal",
            }
        ),
    )
    route = forms.ChoiceField(
        label="Route",
        choices=[(value, f"{value} ({label.lower()})") for value, label in Route.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Plan notes", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in SCREENING_LABELS.items():
            self.fields[name] = _ranged(label, *RANGES[name])
        for name, label in PLAN_LABELS.items():
            self.fields[name] = _ranged(label, *PLAN_RANGES[name])
        self.fields.update(_items("phq9", PHQ9_ITEMS))
        self.fields.update(_items("gad7", GAD7_ITEMS))
        self.order_fields(READING_ORDER)  # the error summary lists the fields as the page shows them

    # Groups for the template, in reading order.
    def phq9_items(self) -> list[forms.BoundField]:
        return [self[f"phq9_item_{number}"] for number in range(1, len(PHQ9_ITEMS) + 1)]

    def gad7_items(self) -> list[forms.BoundField]:
        return [self[f"gad7_item_{number}"] for number in range(1, len(GAD7_ITEMS) + 1)]

    def vitals(self) -> list[forms.BoundField]:
        return [self[name] for name in ("systolic_bp", "diastolic_bp", "heart_rate")]

    def plan_numbers(self) -> list[forms.BoundField]:
        return [self[name] for name in ("infusions_planned", "min_days_between", "window_days", "dose_mg_per_kg")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for prefix, count, total in (("phq9", len(PHQ9_ITEMS), "phq9_total"), ("gad7", len(GAD7_ITEMS), "gad7_total")):
            answers = [cleaned.get(f"{prefix}_item_{number}") for number in range(1, count + 1)]
            answered = [int(answer) for answer in answers if answer not in (None, "")]
            if not answered:
                continue
            if len(answered) < count:
                self.add_error(total, f"Answer all {count} items, or clear them and enter the total.")
                continue
            cleaned[total] = sum(answered)  # item by item: the total is their sum
        return cleaned

    def changes(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """What was filled in: the record's changes and the plan's (None: leave the plan alone)."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            name: data[name]
            for name in (*RANGES, "substance_use", "decision", "rationale", "override_reason")
            if data.get(name) not in (None, "")
        }
        changes["contraindications"] = list(data.get("contraindications") or [])
        plan = {name: data[name] for name in PLAN_FORM_FIELDS if data.get(name) not in (None, "")}
        wants_plan = data.get("decision") == Decision.CANDIDATE or any(
            name in plan for name in ("dose_mg_per_kg", "route", "notes")
        )
        return changes, plan if wants_plan else None

    def add_service_error(self, error: DomainError) -> None:
        """The service's refusal beside each field it names (its own words), and at the top."""
        named = False
        for name, problems in error.fields.items():
            field = SERVICE_FIELD_NAMES.get(name, name.removeprefix("plan."))
            if field in self.fields:
                named = True
                for problem in problems if isinstance(problems, list) else [problems]:
                    self.add_error(field, str(problem))
        if not named:
            self.add_error(None, error.detail)


def form_data_of(evaluation: Evaluation, plan: TreatmentPlan | None) -> dict[str, Any]:
    """A stored draft as the form's input (to show a refusal beside what was saved)."""
    data: dict[str, Any] = {}
    for name in (*RANGES, "substance_use", "decision", "rationale", "override_reason"):
        value = getattr(evaluation, name)
        data[name] = "" if value is None else str(value)
    data["contraindications"] = list(evaluation.contraindications or [])
    data.update(plan_initial(plan))
    return {name: str(value) if not isinstance(value, list) else value for name, value in data.items()}


def initial_of(evaluation: Evaluation, plan: TreatmentPlan | None) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(evaluation, name)
        for name in (*RANGES, "substance_use", "decision", "rationale", "override_reason")
    }
    initial["contraindications"] = list(evaluation.contraindications or [])
    initial.update(plan_initial(plan))
    return initial


def plan_initial(plan: TreatmentPlan | None) -> dict[str, Any]:
    """The plan's values, or the model's defaults (6 infusions, 2 days apart, within 21 days)."""
    source = plan or TreatmentPlan()
    values: dict[str, Any] = {name: getattr(source, name) for name in PLAN_FORM_FIELDS}
    if isinstance(values["dose_mg_per_kg"], Decimal):
        values["dose_mg_per_kg"] = f"{values['dose_mg_per_kg']:.2f}"
    return {name: ("" if value is None else value) for name, value in values.items()}


class AddendumForm(PageForm):
    text = forms.CharField(label="Addendum", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
