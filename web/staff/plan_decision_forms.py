"""The chart's forms for a plan a positive pregnancy test suspended (SPEC.md section 12): resume it,
or end it with a reason (the API's serializer asks the same: a reason of up to 500 characters) and a
tick that says the clinician knows it cannot be undone. Who may, and in which state, is the
services' rule."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from web.forms import PageForm


class ResumePlanForm(PageForm):
    """No input: the button alone. It carries the service's refusal back to the chart."""


class EndPlanForm(PageForm):
    reason = forms.CharField(
        label="Why the plan ends",
        max_length=500,
        help_text="Kept with the plan and on each appointment it cancels.",
        error_messages={"required": "Write why the plan ends."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label="I understand that ending the plan cannot be undone and cancels its booked appointments",
        error_messages={"required": "Tick the box to confirm that the plan ends."},
    )


@dataclass
class PlanDecisionForms:
    """The chart's two forms, fresh unless one came back refused."""

    resume: ResumePlanForm = field(default_factory=ResumePlanForm)
    end: EndPlanForm = field(default_factory=lambda: EndPlanForm(prefix="end"))

    @property
    def refused(self) -> forms.Form | None:
        """The form whose reasons the error summary names, if one came back."""
        return next((form for form in (self.resume, self.end) if form.errors), None)
