"""The chair's two scales (SPEC.md section 10), pure rules: no database.

MOAA/S, the Modified Observer's Assessment of Alertness/Sedation, one score 0-5 (5 = alert).
Source of the anchors: the MOAA/S table of Table 2 in "Moderate sedation with single-dose
remimazolam tosilate in elderly male patients..." (BMC Anesthesiology 2022,
https://bmcanesthesiol.biomedcentral.com/articles/10.1186/s12871-022-01788-1/tables/2), which
cites the scale's origin, Chernik et al., J Clin Psychopharmacol 1990;10(4):244-51.

CADSS-6: the six-item short form of the Clinician-Administered Dissociative States Scale,
Rodrigues NB et al., "A simplified 6-item clinician administered dissociative symptom scale
(CADSS-6) for monitoring dissociative effects of sub-anesthetic ketamine infusions", J Affect
Disord 2021;282:160-164 (doi 10.1016/j.jad.2020.12.119): questions 1, 2, 6, 7, 15 and 22 of the
full 23-item CADSS (Bremner et al. 1998). Each item is scored 0-4 (SPEC.md section 10), the
total 0-24. The items' wording is the scale's own and was not found in a source we could read
whole, so the record names them by number only (never invented wording).
"""

from __future__ import annotations

from collections.abc import Sequence

MOAAS_RANGE = (0, 5)
MOAAS_ALERT = 5  # "responds readily to name spoken in normal tone": the discharge needs it
MOAAS_ANCHORS = {
    5: "Responds readily to name spoken in normal tone (alert)",
    4: "Lethargic response to name spoken in normal tone",
    3: "Responds only after name is called loudly and/or repeatedly",
    2: "Responds only after mild prodding or shaking",
    1: "Responds only after painful trapezius squeeze",
    0: "Does not respond to painful trapezius squeeze",
}

CADSS6_ITEMS = 6
CADSS6_ITEM_RANGE = (0, 4)
# CADSS-6 item k is question CADSS6_SOURCE_QUESTIONS[k - 1] of the full CADSS (Rodrigues et al.).
CADSS6_SOURCE_QUESTIONS = (1, 2, 6, 7, 15, 22)


def moaas_errors(score: object) -> list[str]:
    """What is wrong with a MOAA/S score (empty: a whole number 0-5)."""
    low, high = MOAAS_RANGE
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        return [f"A whole number from {low} to {high}."]
    return []


def cadss6_errors(items: object) -> list[str]:
    """What is wrong with CADSS-6 answers (empty: six whole numbers, each 0-4), each item named."""
    if not isinstance(items, Sequence) or isinstance(items, str) or len(items) != CADSS6_ITEMS:
        return [f"Exactly {CADSS6_ITEMS} answers, items 1 to {CADSS6_ITEMS} in order."]
    low, high = CADSS6_ITEM_RANGE
    return [
        f"Item {number}: a whole number from {low} to {high}."
        for number, value in enumerate(items, start=1)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
    ]


def cadss6_total(items: Sequence[int]) -> int:
    return sum(items)
