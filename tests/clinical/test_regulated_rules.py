"""The regulated record's pure rules (clinical/regulated_rules.py) and the medication review's
refusals at check-in."""

from __future__ import annotations

from datetime import date

import pytest

from clinical.models import ClinicalAccess, InfusionRecord, MedicationListVersion
from clinical.regulated_rules import (
    consent_covers,
    consent_version_current,
    medication_class_meaning,
    pregnancy_status,
    typed_name_matches,
)
from clinical.services.infusions import infusion_record_update
from clinical.services.medications import medications_review_record
from core.errors import DomainError
from tests.clinical.infusion_fixtures import CHECK_IN, START, check_in, infusion_appointment, start

VERSIONS = [(1, date(2026, 1, 1)), (2, date(2026, 12, 8))]


def test_the_current_version_is_the_newest_in_effect_that_day():
    assert [
        consent_version_current(VERSIONS, day=day) for day in (date(2025, 12, 31), date(2026, 12, 7), date(2026, 12, 8))
    ] == [None, 1, 2]


def test_a_signature_covers_its_version_and_earlier_ones_never_none():
    cases = [([1], 1), ([1], 2), ([2], 1), ([3], None)]
    assert [consent_covers(signed, current_version=current) for signed, current in cases] == [True, False, True, False]


def test_the_typed_name_ignores_case_and_spaces_but_not_letters():
    matches = [
        typed_name_matches(typed, first_name="Rosa", last_name="Martínez")
        for typed in (" rosa  MARTÍNEZ ", "Rosa Martinez", "Rosa")
    ]
    assert matches == [True, False, False]


def test_the_latest_test_in_the_window_decides():
    day = date(2026, 12, 7)
    assert (
        pregnancy_status([(date(2026, 12, 1), "positive"), (date(2026, 12, 6), "negative")], infusion_day=day)
        == "satisfied"
    )
    assert (
        pregnancy_status([(date(2026, 12, 6), "negative"), (date(2026, 12, 6), "positive")], infusion_day=day)
        == "positive"
    )
    assert pregnancy_status([(date(2026, 11, 29), "negative")], infusion_day=day) == "missing"


def test_what_each_class_means():
    classes = ("benzodiazepine", "lamotrigine", "maoi", "stimulant", "opioid", "antipsychotic", "other")
    assert {drug_class: medication_class_meaning(drug_class) for drug_class in classes} == {
        "benzodiazepine": "May blunt the response to ketamine.",
        "lamotrigine": "May blunt the response to ketamine.",
        "maoi": "Blood pressure: ketamine raises it; watch the readings.",
        "stimulant": "Blood pressure: ketamine raises it; watch the readings.",
        "opioid": "Breathing: sedation and slowed breathing together with ketamine; watch SpO2.",
        "antipsychotic": "",
        "other": "",
    }  # fmt: skip


@pytest.mark.django_db
def test_no_review_after_the_start_nor_by_a_patient_and_nothing_written(demo_clinic, nurse_user):
    appointment = infusion_appointment(starts_at=START)
    with pytest.raises(DomainError) as patient:
        medications_review_record(
            actor=appointment.patient, appointment_id=appointment.pk, review="no_change", now=CHECK_IN
        )
    assert patient.value.status_code == 403
    with pytest.raises(DomainError) as bad:
        medications_review_record(
            actor=nurse_user, appointment_id=appointment.pk, review="updated",
            medications=[{"name": "X", "dose": "1", "frequency": "daily", "drug_class": "vitamin"}],
            allergies_none_known=True, now=CHECK_IN,
        )  # fmt: skip
    assert (bad.value.status_code, list(bad.value.fields)) == (400, ["medications.1.drug_class"])
    assert (MedicationListVersion.objects.count(), ClinicalAccess.objects.filter(action="update").count()) == (0, 0)
    start(appointment, nurse_user)
    audited = ClinicalAccess.objects.count()
    with pytest.raises(DomainError) as started:
        medications_review_record(actor=nurse_user, appointment_id=appointment.pk, review="no_change", now=START)
    assert (started.value.status_code, started.value.code) == (409, "infusion_started")
    assert ClinicalAccess.objects.count() == audited


@pytest.mark.django_db
def test_updated_alone_is_refused_the_new_list_marks_the_review(demo_clinic, nurse_user):
    """The start gate's medications_reviewed row reads the review; "updated" must carry its list."""
    appointment = infusion_appointment(starts_at=START)
    check_in(appointment, nurse_user, at=CHECK_IN)
    with pytest.raises(DomainError) as refused:
        infusion_record_update(
            actor=nurse_user, appointment_id=appointment.pk, changes={"medications_review": "updated"}, now=CHECK_IN
        )
    assert (refused.value.status_code, refused.value.code) == (400, "medication_list_required")
    assert InfusionRecord.objects.get(appointment=appointment).medications_review == ""

    medications_review_record(
        actor=nurse_user, appointment_id=appointment.pk, review="updated",
        medications=[{"name": "Lorazepam", "dose": "1 mg", "frequency": "at night", "drug_class": "benzodiazepine"}],
        allergies_none_known=True, now=CHECK_IN,
    )  # fmt: skip
    record = InfusionRecord.objects.get(appointment=appointment)
    assert (record.medications_review, MedicationListVersion.objects.filter(record=record).count()) == ("updated", 1)
    # Once the new version exists, the session record may say "updated" again.
    infusion_record_update(
        actor=nurse_user, appointment_id=appointment.pk, changes={"medications_review": "updated"}, now=CHECK_IN
    )
