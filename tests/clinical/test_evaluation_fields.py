"""The evaluation's fields beyond the screening totals (SPEC.md section 4), through the service:
answers item by item and the totals they make, weight, medications, allergies, childbearing
potential and the referring provider. A refusal names its fields and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clinical.errors import ClinicalError
from clinical.models import Evaluation
from clinical.services.evaluations import evaluation_create, evaluation_update
from tests.clinical.evaluation_fixtures import evaluation_appointment

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 14, tzinfo=LA)
SERTRALINE = {"name": "Sertraline", "dose": "100 mg", "frequency": "Once a day", "drug_class": "other"}
LORAZEPAM = {"name": "Lorazepam", "dose": "0.5 mg", "frequency": "As needed", "drug_class": "benzodiazepine"}


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def draft(demo_clinic, patient, clinician_user) -> Evaluation:
    visit = evaluation_appointment(patient, starts_at=NOW - timedelta(hours=4))
    return evaluation_create(actor=clinician_user, appointment_id=visit.pk)


def change(draft: Evaluation, clinician: Any, **changes: Any) -> Evaluation:
    evaluation_update(actor=clinician, evaluation_id=draft.pk, changes=changes)
    draft.refresh_from_db()
    return draft


def refused(draft: Evaluation, clinician: Any, **changes: Any) -> ClinicalError:
    before = Evaluation.objects.filter(pk=draft.pk).values().get()
    with pytest.raises(ClinicalError) as refusal:
        evaluation_update(actor=clinician, evaluation_id=draft.pk, changes={**changes, "heart_rate": 99})
    assert Evaluation.objects.filter(pk=draft.pk).values().get() == before
    return refusal.value


def test_the_items_make_the_total(draft, clinician_user):
    evaluation = change(draft, clinician_user, phq9_items=[3, 2, 1, 0, 3, 2, 1, 0, 1], gad7_items=[0, 1, 2, 3, 0, 1, 2])
    assert (evaluation.phq9_items, evaluation.phq9_total) == ([3, 2, 1, 0, 3, 2, 1, 0, 1], 13)
    assert (evaluation.gad7_items, evaluation.gad7_total) == ([0, 1, 2, 3, 0, 1, 2], 9)


def test_a_total_sent_with_items_must_be_their_sum(draft, clinician_user):
    error = refused(draft, clinician_user, phq9_items=[1] * 9, phq9_total=10)
    assert (error.code, error.fields) == ("invalid_answers", {"phq9_total": ["The items add up to 9."]})
    assert change(draft, clinician_user, phq9_items=[1] * 9, phq9_total=9).phq9_total == 9


def test_half_answered_items_are_named_each(draft, clinician_user):
    error = refused(draft, clinician_user, gad7_items=[2, None, 1, None, 0, 0, 0])
    assert (error.code, error.fields) == (
        "invalid_answers",
        {
            "gad7_items": ["Answer all 7 items, or clear them and enter the total."],
            "gad7_items.2": ["Not answered."],
            "gad7_items.4": ["Not answered."],
        },
    )


def test_items_out_of_range_or_miscounted_are_refused(draft, clinician_user):
    error = refused(draft, clinician_user, phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 4])
    assert error.fields == {"phq9_items.9": ["Must be a whole number from 0 to 3."]}
    error = refused(draft, clinician_user, phq9_items=[0] * 8)
    assert error.fields == {"phq9_items": ["Exactly 9 answers are needed; 8 were given."]}


def test_a_total_alone_replaces_items_it_does_not_match(draft, clinician_user):
    change(draft, clinician_user, phq9_items=[1] * 9)
    assert change(draft, clinician_user, phq9_total=9).phq9_items == [1] * 9  # the same total keeps them
    evaluation = change(draft, clinician_user, phq9_total=12)
    assert (evaluation.phq9_items, evaluation.phq9_total) == (None, 12)


@pytest.mark.parametrize("weight", ["25.0", "350.0", "71.4"])
def test_a_weight_from_25_to_350_kg(draft, clinician_user, weight):
    assert change(draft, clinician_user, weight_kg=Decimal(weight)).weight_kg == Decimal(weight)


@pytest.mark.parametrize("weight", ["24.9", "350.1"])
def test_a_weight_outside_25_to_350_kg_is_refused(draft, clinician_user, weight):
    error = refused(draft, clinician_user, weight_kg=Decimal(weight))
    assert (error.code, error.fields) == ("out_of_range", {"weight_kg": ["Must be between 25.0 and 350.0."]})


def test_medications_none_recorded_none_taken_or_a_list(draft, clinician_user):
    assert draft.medications is None  # not recorded
    assert change(draft, clinician_user, medications=[]).medications == []  # none taken
    assert change(draft, clinician_user, medications=[SERTRALINE, LORAZEPAM]).medications == [SERTRALINE, LORAZEPAM]


def test_a_medication_needs_each_detail_and_a_class_of_the_list(draft, clinician_user):
    error = refused(
        draft,
        clinician_user,
        medications=[
            SERTRALINE,
            {**LORAZEPAM, "drug_class": "sedative", "dose": "  "},
            {"name": "Lithium"},
        ],
    )
    assert (error.code, error.fields) == (
        "invalid_medications",
        {
            "medications.2.dose": ["Required, at most 100 characters."],
            "medications.2.drug_class": ["Choose a class from the list."],
            "medications.3": ["Give the name, dose, how often and the class."],
        },
    )


def test_allergies_text_or_none_known_and_childbearing_potential(draft, clinician_user):
    evaluation = change(draft, clinician_user, allergies="Penicillin: hives.", childbearing_potential="no")
    assert (evaluation.allergies, evaluation.allergies_none_known, evaluation.childbearing_potential) == (
        "Penicillin: hives.",
        False,
        "no",
    )
    evaluation = change(draft, clinician_user, allergies="", allergies_none_known=True)
    assert (evaluation.allergies, evaluation.allergies_none_known) == ("", True)


def test_the_referring_providers_phone_is_kept_in_e164(draft, clinician_user):
    evaluation = change(
        draft,
        clinician_user,
        referring_provider_name="Dr. Ana Ruiz",
        referring_provider_practice="Mission Family Practice",
        referring_provider_email="ana.ruiz@example.org",
        referring_provider_phone="(415) 555-0134",
        referring_provider_write_back_agreed=True,
    )
    assert (
        evaluation.referring_provider_name,
        evaluation.referring_provider_practice,
        evaluation.referring_provider_email,
        evaluation.referring_provider_phone,
        evaluation.referring_provider_write_back_agreed,
    ) == ("Dr. Ana Ruiz", "Mission Family Practice", "ana.ruiz@example.org", "+14155550134", True)


def test_a_referring_provider_with_a_wrong_email_and_phone_is_refused(draft, clinician_user):
    error = refused(draft, clinician_user, referring_provider_email="ana.ruiz@", referring_provider_phone="555-01")
    assert (error.code, error.fields) == (
        "invalid_contact",
        {
            "referring_provider_email": ["Enter a valid email address."],
            "referring_provider_phone": ["Enter a valid phone number."],
        },
    )


def test_several_wrong_values_are_named_at_once(draft, clinician_user):
    error = refused(draft, clinician_user, systolic_bp=300, contraindications=["flu"], medications=[{}])
    assert error.code == "out_of_range"
    assert error.fields == {
        "systolic_bp": ["Must be between 50 and 260."],
        "contraindications": ["flu"],
        "medications.1": ["Give the name, dose, how often and the class."],
    }
