"""The evaluation form (SPEC.md sections 4 and 9). It parses and labels input; the ranges come
from the service's constants (for the inputs' min/max only) and every rule is the service's:
a refusal comes back beside its field (``add_service_error``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from clinical.models import (
    AdverseEventCode,
    AlertAction,
    Contraindication,
    Decision,
    Evaluation,
    Route,
    Severity,
    SubstanceUse,
    TreatmentPlan,
)
from clinical.models.infusions import DIASTOLIC_RANGE, HEART_RATE_RANGE, SPO2_RANGE, SYSTOLIC_RANGE, WEIGHT_KG_RANGE
from clinical.services.evaluations import PLAN_RANGES, RANGES
from core.errors import DomainError
from core.input_bounds import BoundedDateField
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


# -- the infusion session record (SPEC.md section 10) and the outcome report -----------------------
# Ranges come from the models (for the inputs' min/max); the services check them again and put a
# refusal beside its field (``web.forms.form_add_domain_error``).


def _whole_number(label: str, low: int, high: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text or f"From {low} to {high}.",
        widget=forms.NumberInput(attrs={"min": low, "max": high, "inputmode": "numeric"}),
    )


class ClockTimeField(forms.TimeField):
    """A time of day on the clinic's clock ("14:05"); the view puts it on the appointment's day."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S", "%I:%M %p"])
        kwargs.setdefault("widget", forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
        kwargs.setdefault("error_messages", {"invalid": "Enter a time, for example 14:05."})
        super().__init__(**kwargs)


class WeightForm(PageForm):
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        min_value=WEIGHT_KG_RANGE[0],
        max_value=WEIGHT_KG_RANGE[1],
        max_digits=4,
        decimal_places=1,
        help_text="Measured today, to 0.1 kg. The planned dose follows from it.",
        widget=forms.NumberInput(
            attrs={"min": WEIGHT_KG_RANGE[0], "max": WEIGHT_KG_RANGE[1], "step": "0.1", "inputmode": "decimal"}
        ),
    )


class DoseForm(PageForm):
    dose_given_mg = forms.DecimalField(
        label="Dose given (mg)",
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=1,
        help_text="Never more than the planned dose.",
        widget=forms.NumberInput(attrs={"min": "0.1", "step": "0.1", "inputmode": "decimal"}),
    )
    dose_reason = forms.CharField(
        label="Reason for a lower dose",
        required=False,
        max_length=500,
        help_text="Required when less than planned is given.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReadinessCheckForm(PageForm):
    readiness_checked = forms.BooleanField(
        label="I checked with the patient: an adult is driving them home and they fasted as instructed",
        error_messages={"required": "Tick the box once you have checked both with the patient."},
    )


class VitalsForm(PageForm):
    taken_at = ClockTimeField(label="Time (Pacific Time)", help_text="When the reading was taken. Now, unless changed.")
    systolic = _whole_number("Systolic pressure (mmHg)", *SYSTOLIC_RANGE)
    diastolic = _whole_number("Diastolic pressure (mmHg)", *DIASTOLIC_RANGE)
    heart_rate = _whole_number("Heart rate (beats per minute)", *HEART_RATE_RANGE)
    spo2 = _whole_number("SpO2 (%)", *SPO2_RANGE)
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)

    def numbers(self) -> list[forms.BoundField]:
        return [self[name] for name in ("systolic", "diastolic", "heart_rate", "spo2")]


class AlertActionForm(PageForm):
    action = forms.ChoiceField(
        label="Action taken",
        choices=AlertAction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was done: continued, paused or stopped."},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)


class AcknowledgeForm(PageForm):
    note = forms.CharField(
        label="Note",
        max_length=2000,
        help_text="What you did: for example, spoke with the patient and the plan for today.",
        error_messages={"required": "Write a note saying what was done."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AdverseEventForm(PageForm):
    code = forms.ChoiceField(label="Event", choices=[("", "Choose an event"), *AdverseEventCode.choices])
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices, widget=forms.RadioSelect)
    occurred_at = ClockTimeField(label="Time (Pacific Time)", help_text="When it happened. Now, unless changed.")
    action_taken = forms.CharField(label="Action taken", max_length=500)
    note = forms.CharField(label="Note (optional)", required=False, max_length=1000)


class DischargeForm(PageForm):
    alert_and_oriented = forms.BooleanField(label="Alert and oriented", required=False)
    escort_present = forms.BooleanField(label="An adult escort is present", required=False)
    walking_steadily = forms.BooleanField(label="Walking steadily", required=False)


class ReportRangeForm(PageForm):
    """The outcome report's dates (clinic-local days, both included)."""

    date_from = BoundedDateField(
        label="From",
        help_text="The first day, for example 2026-11-01.",
        error_messages={"required": "Enter the first day.", "invalid": "Enter a real date, for example 2026-11-01."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = BoundedDateField(
        label="To",
        help_text="The last day, included.",
        error_messages={"required": "Enter the last day.", "invalid": "Enter a real date, for example 2026-11-30."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class InfusionEndForm(PageForm):
    infusion_ended_at = ClockTimeField(
        label="Infusion ended at (Pacific Time)", help_text="When the infusion was stopped. Now, unless changed."
    )
