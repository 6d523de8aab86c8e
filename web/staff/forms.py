"""The staff pages' forms of the infusion session record (SPEC.md section 10) and the outcome
report (the evaluation form is ``web.staff.evaluation_forms``). They parse and label input; every
rule is the service's: a refusal comes back beside its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from clinical.models import AlertAction, MedicationsReview
from clinical.models.infusions import DIASTOLIC_RANGE, HEART_RATE_RANGE, SPO2_RANGE, SYSTOLIC_RANGE, WEIGHT_KG_RANGE
from core.input_bounds import BoundedDateField
from web.forms import PageForm

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


class MedicationsReviewForm(PageForm):
    medications_review = forms.ChoiceField(
        label="Medication list reviewed with the patient",
        choices=MedicationsReview.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the list is unchanged or was updated."},
    )


class PredoseOverrideForm(PageForm):
    note = forms.CharField(
        label="Pre-dose override note",
        max_length=2000,
        help_text="Why the infusion may start with this baseline reading.",
        error_messages={"required": "Write why the infusion may start."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AcknowledgeForm(PageForm):
    note = forms.CharField(
        label="Note",
        max_length=2000,
        help_text="What you did: for example, spoke with the patient and the plan for today.",
        error_messages={"required": "Write a note saying what was done."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DischargeForm(PageForm):
    alert_and_oriented = forms.BooleanField(label="Alert and oriented", required=False)
    escort_present = forms.BooleanField(label="An adult escort is present", required=False)
    walking_steadily = forms.BooleanField(label="Walking steadily", required=False)
    instructions_given = forms.BooleanField(label="Written discharge instructions given", required=False)


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
