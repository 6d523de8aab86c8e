"""What makes an adverse event complete and coherent (SPEC.md section 10), and when it reaches a
clinician; pure rules, no database.

- ``code`` from the list; ``other`` needs a ``description``;
- ``grade`` 1 to 5 (NCI CTCAE v5.0, see ``clinical.models.adverse_events.Grade``);
- ``serious`` yes or no, and yes for grades 4 and 5 (life-threatening or fatal are serious);
- ``relatedness`` to ketamine, ``outcome`` and the ``action`` taken, each from its list;
- a fatal outcome is grade 5, and grade 5 is a fatal outcome (CTCAE: "death related to AE").

Every problem is named at once (``fields``); the first one's code is the error's code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from clinical.models.adverse_events import AdverseEventAction, AdverseEventCode, Grade, Outcome, Relatedness

# Grade 3 (severe) or more, or marked serious, raises an alert (SPEC.md section 10).
ALERT_FROM_GRADE = Grade.SEVERE
SERIOUS_FROM_GRADE = Grade.LIFE_THREATENING


@dataclass(frozen=True)
class AdverseEventInput:
    code: str
    grade: int | None
    serious: bool | None
    relatedness: str
    outcome: str
    action: str
    description: str = ""
    action_detail: str = ""


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    words: str


def _listed(value: str, choices: list[str], field: str) -> list[Problem]:
    if value in choices:
        return []
    if not value:
        return [Problem(field, "required", "Required.")]
    return [Problem(field, "invalid_choice", "Not one of the listed values.")]


def adverse_event_problems(event: AdverseEventInput) -> list[Problem]:
    """Every reason the event cannot be recorded as given, in the form's order (empty: fine)."""
    problems = _listed(event.code, AdverseEventCode.values, "code")
    if event.code == AdverseEventCode.OTHER and not event.description.strip():
        problems.append(Problem("description", "description_required", "Describe the event (required for other)."))
    if event.grade is None:
        problems.append(Problem("grade", "required", "Required."))
    elif event.grade not in Grade.values:
        problems.append(Problem("grade", "grade_out_of_range", "A grade from 1 to 5."))
    if event.serious is None:
        problems.append(Problem("serious", "required", "Required."))
    elif not event.serious and event.grade in Grade.values and event.grade >= SERIOUS_FROM_GRADE:
        problems.append(Problem("serious", "serious_required", "Grades 4 and 5 are serious."))
    problems += _listed(event.relatedness, Relatedness.values, "relatedness")
    problems += _listed(event.outcome, Outcome.values, "outcome")
    fatal, grade_5 = event.outcome == Outcome.FATAL, event.grade == Grade.DEATH
    if event.outcome in Outcome.values and event.grade in Grade.values and fatal != grade_5:
        problems.append(Problem("outcome", "outcome_grade_mismatch", "A fatal outcome is grade 5, and only it."))
    problems += _listed(event.action, AdverseEventAction.values, "action")
    return problems


def adverse_event_input(values: Mapping[str, object]) -> AdverseEventInput:
    """The service's input from a validated payload (or a page form's cleaned data)."""
    grade, serious = values.get("grade"), values.get("serious")
    return AdverseEventInput(
        code=str(values.get("code") or ""),
        grade=grade if isinstance(grade, int) and not isinstance(grade, bool) else None,
        serious=serious if isinstance(serious, bool) else None,
        relatedness=str(values.get("relatedness") or ""),
        outcome=str(values.get("outcome") or ""),
        action=str(values.get("action") or ""),
        description=str(values.get("description") or ""),
        action_detail=str(values.get("action_detail") or ""),
    )


def adverse_event_raises_alert(*, grade: int, serious: bool | None) -> bool:
    """Grade 3 or more, or marked serious: the event reaches a clinician."""
    return grade >= ALERT_FROM_GRADE or bool(serious)
