"""Adverse events as the service takes them, complete and coherent unless a test says otherwise."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from clinical.adverse_event_rules import AdverseEventInput

NAUSEA = AdverseEventInput(
    code="nausea_vomiting",
    grade=1,
    serious=False,
    relatedness="probable",
    outcome="resolved",
    action="medication_given",
    action_detail="Ondansetron 4 mg given.",
)
# The API's and the page's fields for the same event.
NAUSEA_PAYLOAD: dict[str, Any] = {
    "code": "nausea_vomiting",
    "grade": 1,
    "serious": False,
    "relatedness": "probable",
    "outcome": "resolved",
    "action": "medication_given",
    "action_detail": "Ondansetron 4 mg given.",
}
NAUSEA_FORM: dict[str, str] = {
    "event-code": "nausea_vomiting",
    "event-grade": "1",
    "event-serious": "no",
    "event-relatedness": "probable",
    "event-outcome": "resolved",
    "event-action": "medication_given",
    "event-action_detail": "Ondansetron 4 mg given.",
}


def event(**changes: Any) -> AdverseEventInput:
    return replace(NAUSEA, **changes)
