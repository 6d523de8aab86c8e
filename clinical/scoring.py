"""PHQ-9 and GAD-7 scoring (SPEC.md section 10): pure functions, no database.

Each item is answered 0-3; the total is their sum. The bands are the instruments' published
cut-offs: PHQ-9 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe;
GAD-7 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
"""

from __future__ import annotations

from collections.abc import Sequence

PHQ9 = "phq9"
GAD7 = "gad7"
ITEM_COUNTS = {PHQ9: 9, GAD7: 7}
ITEM_RANGE = (0, 3)
SELF_HARM_ITEM = 9  # PHQ-9 item 9 (1-based): thoughts of being better off dead or of self-harm

# (lowest total of the band, band) from the top down: the first whose floor the total reaches.
BANDS: dict[str, tuple[tuple[int, str], ...]] = {
    PHQ9: ((20, "severe"), (15, "moderately_severe"), (10, "moderate"), (5, "mild"), (0, "minimal")),
    GAD7: ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal")),
}
MAX_TOTALS = {PHQ9: 27, GAD7: 21}
# A worsening PHQ-9 raises an alert (SPEC.md section 10): 5 or more above the previous total, or 20+.
WORSENING_RISE = 5
WORSENING_TOTAL = 20


def items_problems(kind: str, items: object) -> dict[str, list[str]]:
    """What is wrong with ``items`` for a questionnaire of ``kind``, by field: ``items`` for the
    list as a whole, ``items.<n>`` (1-based) for one answer. Empty when the answers are valid."""
    expected = ITEM_COUNTS[kind]
    if not isinstance(items, (list, tuple)):
        return {"items": [f"A list of {expected} answers, 0-3 each."]}
    problems: dict[str, list[str]] = {}
    low, high = ITEM_RANGE
    for number, answer in enumerate(items, start=1):
        # bool is an int in Python; true/false is not an answer.
        if isinstance(answer, bool) or not isinstance(answer, int) or not low <= answer <= high:
            problems[f"items.{number}"] = [f"Must be a whole number from {low} to {high}."]
    if len(items) != expected:
        problems["items"] = [f"Exactly {expected} answers are needed; {len(items)} were given."]
    return problems


def questionnaire_total(items: Sequence[int]) -> int:
    return sum(items)


def questionnaire_band(kind: str, total: int) -> str:
    if not 0 <= total <= MAX_TOTALS[kind]:
        raise ValueError(f"A {kind} total is 0-{MAX_TOTALS[kind]}, not {total}.")
    for floor, band in BANDS[kind]:
        if total >= floor:
            return band
    raise AssertionError("unreachable: every total reaches the floor 0")


def raises_self_harm_alert(kind: str, items: Sequence[int]) -> bool:
    """Any answer above 0 to PHQ-9 item 9."""
    return kind == PHQ9 and items[SELF_HARM_ITEM - 1] > 0


# A worsening PHQ-9 (SPEC.md section 10): 5 or more above the patient's previous total, or 20+.
WORSENING_RISE = 5
WORSENING_TOTAL = 20


def phq9_worsening(*, total: int, previous_total: int | None) -> list[str]:
    """Why a PHQ-9 total is a worsening (empty: it is not): ``phq9_rise`` (5 or more above the
    previous one) and ``phq9_severe`` (20 or above)."""
    reasons = []
    if previous_total is not None and total - previous_total >= WORSENING_RISE:
        reasons.append("phq9_rise")
    if total >= WORSENING_TOTAL:
        reasons.append("phq9_severe")
    return reasons
