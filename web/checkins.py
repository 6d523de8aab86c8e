"""The patient's check-in forms (SPEC.md section 10): the PHQ-9 and the GAD-7, item by item, in
their published wording (public domain) and the official Spanish versions for the USA (in the
catalogue, ``locale/es``). Each item is a fieldset whose legend is the question, with four
labelled radios 0-3 in the instruments' own words.

The patient never reads the instruments' names: a PHQ-9 is "How you have been feeling", a GAD-7
"Worry and nerves". The rules (what may be answered, when, by whom) are the service's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinical import scoring
from clinical.models import Difficulty, Questionnaire
from clinical.questionnaire_selectors import PatientQuestionnaire
from web.forms import PageForm

if TYPE_CHECKING:  # django-stubs-ext is a development tool only
    from django_stubs_ext import StrOrPromise

PHQ9 = scoring.PHQ9
GAD7 = scoring.GAD7

# The four answers, scored 0-3, in the instruments' words (the same for both).
ANSWER_CHOICES: tuple[tuple[int, StrOrPromise], ...] = (
    (0, _("Not at all")),
    (1, _("Several days")),
    (2, _("More than half the days")),
    (3, _("Nearly every day")),
)

# The question every item of a form answers, as each instrument words it.
QUESTIONS: dict[str, StrOrPromise] = {
    PHQ9: _("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
    GAD7: _("Over the last 2 weeks, how often have you been bothered by the following problems?"),
}

ITEMS: dict[str, tuple[StrOrPromise, ...]] = {
    PHQ9: (
        _("Little interest or pleasure in doing things"),
        _("Feeling down, depressed, or hopeless"),
        _("Trouble falling or staying asleep, or sleeping too much"),
        _("Feeling tired or having little energy"),
        _("Poor appetite or overeating"),
        _("Feeling bad about yourself — or that you are a failure or have let yourself or your family down"),
        _("Trouble concentrating on things, such as reading the newspaper or watching television"),
        _(
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
            "fidgety or restless that you have been moving around a lot more than usual"
        ),
        _("Thoughts that you would be better off dead or of hurting yourself in some way"),
    ),
    GAD7: (
        _("Feeling nervous, anxious or on edge"),
        _("Not being able to stop or control worrying"),
        _("Worrying too much about different things"),
        _("Trouble relaxing"),
        _("Being so restless that it is hard to sit still"),
        _("Becoming easily annoyed or irritable"),
        _("Feeling afraid as if something awful might happen"),
    ),
}

# The closing question, the same on both instruments: recorded, not scored, and optional. Source:
# the instruments' forms by Drs. Spitzer, Williams, Kroenke and colleagues (Pfizer Inc.,
# phqscreeners), the PHQ-9 and GAD-7 in English; the Spanish in locale/es is the official PHQ-9
# for the USA ("Cuestionario sobre la salud del paciente-9", Pfizer), used for the GAD-7 too.
DIFFICULTY_QUESTION: StrOrPromise = _(
    "If you checked off any problems, how difficult have these problems made it for you to do your work, "
    "take care of things at home, or get along with other people?"
)
DIFFICULTY_CHOICES: tuple[tuple[str, StrOrPromise], ...] = (
    (Difficulty.NOT_DIFFICULT, _("Not difficult at all")),
    (Difficulty.SOMEWHAT, _("Somewhat difficult")),
    (Difficulty.VERY, _("Very difficult")),
    (Difficulty.EXTREMELY, _("Extremely difficult")),
)
DIFFICULTY_FIELD = "difficulty"

# What the patient reads instead of the instruments' names.
TITLES: dict[str, StrOrPromise] = {
    PHQ9: pgettext_lazy("check-in form", "How you have been feeling"),
    GAD7: pgettext_lazy("check-in form", "Worry and nerves"),
}

# A total's band (clinical/scoring.py) in the patient's words.
BANDS: dict[str, StrOrPromise] = {
    "minimal": _("in the lowest range"),
    "mild": _("in the mild range"),
    "moderate": _("in the moderate range"),
    "moderately_severe": _("in the moderately severe range"),
    "severe": _("in the severe range"),
}

MAX_TOTALS = scoring.MAX_TOTALS


def item_field_name(number: int) -> str:
    return f"item_{number}"


class QuestionnaireForm(PageForm):
    """One radio group per item, named ``item_1`` ... ``item_9`` (the service's ``items.<n>``)."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for number, text in enumerate(ITEMS[kind], start=1):
            self.fields[item_field_name(number)] = forms.TypedChoiceField(
                label=format_lazy("{number}. {text}", number=number, text=text),
                choices=ANSWER_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose an answer to question %(number)s.") % {"number": number},
                    "invalid_choice": _("Choose one of the four answers to question %(number)s.") % {"number": number},
                },
            )
        self.fields[DIFFICULTY_FIELD] = forms.ChoiceField(
            label=DIFFICULTY_QUESTION, choices=DIFFICULTY_CHOICES, widget=forms.RadioSelect, required=False
        )

    def items(self) -> list[int]:
        """The answers in item order (once the form is valid)."""
        return [self.cleaned_data[item_field_name(number)] for number in range(1, len(ITEMS[self.kind]) + 1)]

    def difficulty(self) -> str:
        """The closing question's answer, or "" when it was left out (once the form is valid)."""
        return str(self.cleaned_data.get(DIFFICULTY_FIELD) or "")

    def review_rows(self) -> list[tuple[StrOrPromise, StrOrPromise]]:
        """(question, answer) in order, the closing question last when answered."""
        item_fields = [self[item_field_name(number)] for number in range(1, len(ITEMS[self.kind]) + 1)]
        rows = [(field.label, answer_label(value)) for field, value in zip(item_fields, self.items(), strict=True)]
        if self.difficulty():
            rows.append((DIFFICULTY_QUESTION, difficulty_label(self.difficulty())))
        return rows


def answer_label(value: int) -> StrOrPromise:
    return dict(ANSWER_CHOICES)[value]


def difficulty_label(value: str) -> StrOrPromise:
    return dict(DIFFICULTY_CHOICES).get(value, value)


@dataclass(frozen=True)
class CheckinRow:
    """One check-in as the account page lists it."""

    questionnaire: Questionnaire
    title: StrOrPromise
    item_count: int
    max_total: int
    band: StrOrPromise | None


@dataclass(frozen=True)
class Checkins:
    due: list[CheckinRow]
    answered: list[CheckinRow]


def questionnaire_rows(rows: list[PatientQuestionnaire]) -> Checkins:
    def row_of(row: PatientQuestionnaire) -> CheckinRow:
        kind = row.questionnaire.kind
        return CheckinRow(
            row.questionnaire, TITLES[kind], len(ITEMS[kind]), MAX_TOTALS[kind], BANDS.get(row.band or "")
        )

    return Checkins(
        due=[row_of(row) for row in rows if row.state == "due"],
        answered=[row_of(row) for row in rows if row.state == "answered"],
    )
