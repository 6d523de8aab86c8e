"""PHQ-9 and GAD-7 totals and bands at every band edge (SPEC.md section 10)."""

import pytest

from clinical.scoring import (
    items_problems,
    questionnaire_band,
    questionnaire_total,
    raises_self_harm_alert,
)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_at_every_edge(total, band):
    assert questionnaire_band("phq9", total) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_at_every_edge(total, band):
    assert questionnaire_band("gad7", total) == band


@pytest.mark.parametrize(("kind", "total"), [("phq9", 28), ("phq9", -1), ("gad7", 22)])
def test_a_total_outside_the_instrument_has_no_band(kind, total):
    with pytest.raises(ValueError, match=f"not {total}"):
        questionnaire_band(kind, total)


def test_totals_are_the_sum_of_the_items():
    assert questionnaire_total([0] * 9) == 0
    assert questionnaire_total([3] * 9) == 27
    assert questionnaire_total([3] * 7) == 21
    assert questionnaire_total([1, 0, 2, 0, 1, 0, 1, 0, 0]) == 5
    assert questionnaire_total([1, 1, 1, 1, 0, 0, 0]) == 4


def test_valid_answers_have_no_problems():
    assert items_problems("phq9", [0, 1, 2, 3, 0, 1, 2, 3, 0]) == {}
    assert items_problems("gad7", [3, 3, 3, 3, 3, 3, 3]) == {}


def test_every_wrong_answer_is_named_by_its_item_number():
    assert items_problems("phq9", [0, 4, 2, -1, 0, 1, 2, 3, 0]) == {
        "items.2": ["Must be a whole number from 0 to 3."],
        "items.4": ["Must be a whole number from 0 to 3."],
    }
    assert items_problems("gad7", [0, 1, True, 1.5, "2", None, 0]) == {
        "items.3": ["Must be a whole number from 0 to 3."],
        "items.4": ["Must be a whole number from 0 to 3."],
        "items.5": ["Must be a whole number from 0 to 3."],
        "items.6": ["Must be a whole number from 0 to 3."],
    }


def test_a_missing_or_extra_item_is_refused_for_the_list():
    assert items_problems("phq9", [0] * 8) == {"items": ["Exactly 9 answers are needed; 8 were given."]}
    assert items_problems("gad7", [0] * 9) == {"items": ["Exactly 7 answers are needed; 9 were given."]}
    assert items_problems("gad7", "0000000") == {"items": ["A list of 7 answers, 0-3 each."]}


def test_only_phq9_item_nine_above_zero_raises_the_self_harm_alert():
    assert raises_self_harm_alert("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1]) is True
    assert raises_self_harm_alert("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 3]) is True
    assert raises_self_harm_alert("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]) is False
    assert raises_self_harm_alert("gad7", [3, 3, 3, 3, 3, 3, 3]) is False
