"""The forms of the chair's scales and the follow-up call (SPEC.md section 10). They parse and
label input; every rule is the service's, and a refusal comes back beside its field."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from clinical.models import AdverseEventCode
from clinical.sedation_scales import CADSS6_ITEM_RANGE, CADSS6_ITEMS, CADSS6_SOURCE_QUESTIONS, MOAAS_ANCHORS
from web.forms import PageForm
from web.staff.adverse_event_forms import EVENT_FIELDS, AdverseEventForm, adverse_event_values
from web.staff.forms import ClockTimeField

CADSS6_FIELDS = tuple(f"cadss6_item_{number}" for number in range(1, CADSS6_ITEMS + 1))
LOW, HIGH = CADSS6_ITEM_RANGE


class ScalesForm(PageForm):
    moaas = forms.TypedChoiceField(
        label="MOAA/S",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[(score, f"{score}: {words}") for score, words in MOAAS_ANCHORS.items()],
        widget=forms.RadioSelect,
        help_text="5 means alert. Leave it out to record a CADSS-6 alone.",
    )
    assessed_at = ClockTimeField(label="Time (clinic time)", required=False, help_text="Now, unless changed.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The items by number only: their wording is the scale's own (clinical/sedation_scales.py).
        for number, (name, question) in enumerate(zip(CADSS6_FIELDS, CADSS6_SOURCE_QUESTIONS, strict=True), start=1):
            self.fields[name] = forms.TypedChoiceField(
                label=f"CADSS-6 item {number} (CADSS question {question})",
                coerce=int,
                empty_value=None,
                required=False,
                choices=[("", "Not scored"), *[(score, str(score)) for score in range(LOW, HIGH + 1)]],
                help_text=f"From {LOW} to {HIGH}.",
            )

    def cadss6_items(self) -> list[int | None] | None:
        """The six items in order, or None when none was scored (a MOAA/S alone)."""
        items = [self.cleaned_data.get(name) for name in CADSS6_FIELDS]
        return None if all(item is None for item in items) else items


class FollowUpOutcomeForm(PageForm):
    reached = forms.TypedChoiceField(
        label="Was the patient reached?",
        coerce=lambda value: value == "yes",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the patient was reached."},
    )
    patient_condition = forms.CharField(
        label="How is the patient?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the patient was reached.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new event asks what the session page's form asks (its time: now, when the call found it).
        for name in EVENT_FIELDS:
            self.fields[f"event_{name}"] = copy.deepcopy(AdverseEventForm.base_fields[name])
        code = self.fields["event_code"]
        assert isinstance(code, forms.ChoiceField)
        code.label, code.help_text = "New adverse event (optional)", "Recorded against the infusion."
        code.choices = [("", "None"), *AdverseEventCode.choices]

    def event_fields(self) -> list[BoundField]:
        return [self[f"event_{name}"] for name in EVENT_FIELDS]

    def adverse_event(self) -> dict[str, Any] | None:
        """The adverse event's fields as the service takes them, or None when no event was chosen."""
        if not self.cleaned_data.get("event_code"):
            return None
        return {**adverse_event_values(self.cleaned_data, prefix="event_"), "note": self.cleaned_data["event_note"]}
