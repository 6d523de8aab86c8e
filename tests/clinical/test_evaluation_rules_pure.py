"""The evaluation's pure rules (clinical/evaluation_rules.py), each on its own, no database: what
the API tests reach only through a request (the override reason, the hard stops, a record that
agrees with itself, the suicide-risk assessment, the shapes of items and medications)."""

from __future__ import annotations

import pytest

from clinical import evaluation_rules as rules
from clinical import scoring

HARD_STOP_WORDS = "a hard stop, no override reason allows a candidate decision."


@pytest.mark.parametrize(
    ("substance_use", "contraindications", "reason", "needed"),
    [
        ("active", [], "", True),
        ("active", [], "   ", True),  # a blank reason does not count
        ("active", [], "Discussed with the specialist.", False),
        ("in_recovery", [], "", False),  # stable recovery is not a contraindication
        ("none", ["seizure_disorder"], "", True),
        ("none", [], "", False),
    ],
)
def test_a_candidate_needs_an_override_reason_only_for_active_use_or_a_contraindication(
    substance_use, contraindications, reason, needed
):
    problems = rules.override_problems(
        decision="candidate", substance_use=substance_use, contraindications=contraindications, override_reason=reason
    )
    assert problems == ({"override_reason": ["Required with this decision."]} if needed else {})


@pytest.mark.parametrize("decision", ["not_candidate", "deferred"])
def test_no_other_decision_asks_for_an_override_reason(decision):
    problems = rules.override_problems(
        decision=decision, substance_use="active", contraindications=["pregnancy"], override_reason=""
    )
    assert problems == {}


def test_every_hard_stop_of_a_candidate_is_named_in_the_lists_order():
    problems = rules.hard_stop_problems(
        decision="candidate", contraindications=["intracerebral_hemorrhage_history", "pregnancy", "seizure_disorder"]
    )
    assert problems == {
        "contraindications": [
            f"Pregnancy: {HARD_STOP_WORDS}",
            f"History of intracerebral hemorrhage: {HARD_STOP_WORDS}",
        ]
    }
    assert rules.hard_stop_problems(decision="deferred", contraindications=["pregnancy"]) == {}


@pytest.mark.parametrize(
    ("systolic", "diastolic", "uncontrolled"),
    [(179, 109, False), (180, 80, True), (120, 110, True), (None, None, False), (None, 110, True)],
)
def test_uncontrolled_blood_pressure_starts_at_180_or_110(systolic, diastolic, uncontrolled):
    assert rules.blood_pressure_uncontrolled(systolic=systolic, diastolic=diastolic) is uncontrolled


def _inconsistencies(**overrides):
    values = {
        "substance_use": "none",
        "contraindications": [],
        "decision": "candidate",
        "systolic": 128,
        "diastolic": 82,
        "allergies": "",
        "allergies_none_known": True,
        **overrides,
    }
    return rules.inconsistency_problems(**values)


def test_a_record_that_agrees_with_itself_has_no_inconsistency():
    assert _inconsistencies() == {}


def test_every_inconsistency_is_named_at_once():
    problems = _inconsistencies(
        substance_use="in_recovery",
        contraindications=["active_substance_misuse"],
        systolic=185,
        allergies="Penicillin",
    )
    assert set(problems) == {"substance_use", "contraindications", "systolic_bp", "allergies"}
    assert problems["contraindications"] == [
        "Active substance misuse is ticked, but substance use says otherwise.",
        "Uncontrolled hypertension is not ticked.",
    ]


def test_high_blood_pressure_is_an_inconsistency_only_for_a_candidate():
    assert _inconsistencies(decision="not_candidate", systolic=190, diastolic=115) == {}
    assert _inconsistencies(systolic=190, contraindications=["uncontrolled_hypertension"]) == {}


@pytest.mark.parametrize(
    ("items", "level", "note", "missing"),
    [
        ([1, 1, 1, 1, 1, 1, 1, 1, 2], "", "", {"suicide_risk_level", "suicide_risk_note"}),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1], "low", "  ", {"suicide_risk_note"}),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1], "low", "Safety plan agreed.", set()),
        ([3, 3, 3, 3, 3, 3, 3, 3, 0], "", "", set()),  # item 9 at 0: no assessment
        (None, "", "", set()),  # totals alone: nothing to go on
    ],
)
def test_item_9_above_0_needs_a_level_and_a_note(items, level, note, missing):
    problems = rules.risk_assessment_problems(phq9_items=items, level=level, note=note)
    assert set(problems) == missing


def test_half_answered_items_name_each_item_left_out():
    problems = rules.items_problems(scoring.PHQ9, [1, None, 1, 1, 1, 1, 1, None, 1])
    assert problems == {
        "phq9_items": ["Answer all 9 items, or clear them and enter the total."],
        "phq9_items.2": ["Not answered."],
        "phq9_items.8": ["Not answered."],
    }
    assert rules.items_problems(scoring.GAD7, [0, 1, 2, 3, 0, 1, 2]) == {}
    assert rules.items_problems(scoring.GAD7, None) == {}


def test_each_wrong_medication_detail_is_named_by_its_place():
    medications = [
        {"name": "Sertraline", "dose": "50 mg", "frequency": "daily", "drug_class": "stimulant"},
        {"name": " ", "dose": "10 mg", "frequency": "daily", "drug_class": "unknown-class"},
        {"name": "Lithium"},
    ]
    assert rules.medications_problems(medications) == {
        "medications.2.name": ["Required, at most 200 characters."],
        "medications.2.drug_class": ["Choose a class from the list."],
        "medications.3": ["Give the name, dose, how often and the class."],
    }
    assert rules.medications_problems("Sertraline") == {"medications": ["A list of at most 30 medications."]}
    assert rules.medications_problems([]) == {}


def test_a_referring_providers_details_need_their_name():
    practice = "Mission Family Practice"
    assert rules.referring_provider_problems(
        name="", practice=practice, email="", phone="", write_back_agreed=None
    ) == {"referring_provider_name": ["Required with the referring provider's details."]}
    assert (
        rules.referring_provider_problems(name="Dr. Lee", practice=practice, email="", phone="", write_back_agreed=None)
        == {}
    )
    assert rules.referring_provider_problems(name="", practice="", email="", phone="", write_back_agreed=False) == {
        "referring_provider_name": ["Required with the referring provider's details."]
    }
    assert rules.referring_provider_problems(name="", practice="", email="", phone="", write_back_agreed=None) == {}


def test_merged_problems_keep_each_fields_messages_in_the_checks_order():
    merged = rules.merge({"a": ["first"]}, {"b": ["other"]}, {"a": ["second"]})
    assert merged == {"a": ["first", "second"], "b": ["other"]}
