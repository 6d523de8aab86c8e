"""The session page's adverse-event form (SPEC.md section 10). It parses and labels input only:
every field is optional here so that the service (``clinical.adverse_event_rules``) names every
missing or inconsistent answer at once, each beside its field."""

from __future__ import annotations

from typing import Any

from django import forms

from clinical.models import AdverseEventAction, AdverseEventCode, Grade, Outcome, Relatedness
from web.forms import PageForm
from web.staff.forms import ClockTimeField

YES_NO = [("yes", "Yes"), ("no", "No")]


def _choice(label: str, choices: list[tuple[Any, str]], *, radio: bool = False, help_text: str = "") -> forms.Field:
    widget = forms.RadioSelect if radio else forms.Select
    shown = choices if radio else [("", "Choose"), *choices]
    return forms.ChoiceField(label=label, choices=shown, required=False, widget=widget, help_text=help_text)


class AdverseEventForm(PageForm):
    code = _choice("Event", AdverseEventCode.choices)
    description = forms.CharField(
        label="Description", required=False, max_length=500, help_text="Required when the event is Other."
    )
    grade = _choice(
        "Grade (CTCAE)",
        Grade.choices,
        radio=True,
        help_text="1 mild, 2 moderate (minimal intervention), 3 severe, 4 life-threatening (urgent "
        "intervention), 5 death.",
    )
    serious = _choice("Serious", YES_NO, radio=True, help_text="Yes for grades 4 and 5.")
    relatedness = _choice("Related to the treatment", Relatedness.choices)
    outcome = _choice("Outcome", Outcome.choices)
    action = _choice("Action taken", AdverseEventAction.choices)
    action_detail = forms.CharField(
        label="Action in words (optional)", required=False, max_length=500, help_text="For example, which medication."
    )
    occurred_at = ClockTimeField(label="Time (Pacific Time)", help_text="When it happened. Now, unless changed.")
    note = forms.CharField(label="Note (optional)", required=False, max_length=1000)

    def service_values(self) -> dict[str, object]:
        """The cleaned answers as the service reads them (an unanswered choice is None or "")."""
        return adverse_event_values(self.cleaned_data)


# The event's own fields, which the follow-up call's form asks too (web/staff/aftercare_forms.py).
EVENT_FIELDS = ("code", "description", "grade", "serious", "relatedness", "outcome", "action", "action_detail", "note")


def adverse_event_values(data: dict[str, Any], *, prefix: str = "") -> dict[str, object]:
    """A form's cleaned answers (its event fields named ``prefix`` + name) as the service reads them."""

    def answer(name: str) -> Any:
        return data.get(prefix + name) or ""

    return {
        **{name: answer(name) for name in ("code", "description", "relatedness", "outcome", "action")},
        "action_detail": answer("action_detail"),
        "grade": int(answer("grade")) if answer("grade") else None,
        "serious": {"yes": True, "no": False}.get(answer("serious")),
    }
