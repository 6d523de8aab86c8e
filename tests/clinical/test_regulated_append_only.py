"""The regulated record's rows never change (clinical/migrations/0008_regulated_guards.py): a
consent signature, a pregnancy test and a medication list version refuse UPDATE and DELETE, and a
signed consent document keeps its words, on PostgreSQL (the services write each row once on any
database)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from clinical.models import ConsentDocument, MedicationListVersion, PatientConsent, PregnancyTest
from clinical.services.medications import medications_review_record
from clinical.services.pregnancy import pregnancy_test_record
from tests.clinical.infusion_fixtures import CHECK_IN, START, check_in, infusion_appointment

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


@pytest.fixture
def rows(demo_clinic, nurse_user):
    appointment = infusion_appointment(starts_at=START)  # its patient's consent on file
    check_in(appointment, nurse_user)
    pregnancy_test_record(
        actor=nurse_user, appointment_id=appointment.pk, result="negative", taken_on=START.date(), now=CHECK_IN
    )
    medications_review_record(
        actor=nurse_user, appointment_id=appointment.pk, review="updated", medications=[],
        allergies_none_known=True, now=CHECK_IN,
    )  # fmt: skip


def snapshot() -> tuple[list[object], ...]:
    return (
        list(PatientConsent.objects.values_list("id", "typed_name", "language")),
        list(PregnancyTest.objects.values_list("id", "result", "taken_on")),
        list(MedicationListVersion.objects.values_list("id", "allergies_none_known")),
        list(ConsentDocument.objects.values_list("id", "text_en")),
    )


@postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE clinical_patientconsent SET language = 'es'",
        "DELETE FROM clinical_patientconsent",
        "UPDATE clinical_pregnancytest SET result = 'positive'",
        "DELETE FROM clinical_pregnancytest",
        "UPDATE clinical_medicationlistversion SET allergies_none_known = false",
        "DELETE FROM clinical_medicationlistversion",
        "UPDATE clinical_consentdocument SET text_en = 'Something else.'",
    ],
)
def test_raw_sql_cannot_change_the_regulated_record_on_postgresql(rows, statement):
    before = snapshot()
    refused = pytest.raises(DatabaseError, match=r"append-only|never changes")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert snapshot() == before


def test_the_rows_are_there_on_any_database(rows):
    assert [len(part) for part in snapshot()] == [1, 1, 1, 1]
