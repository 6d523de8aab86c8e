"""The letters and dose orders API beyond the route matrix: each staff read in the clinical access
log (and the patient-data access log), a patient's own letters only, the PDF as sent, and nothing
written on a refusal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine

from clinical.models import ClinicalAccess, DoseOrder, Letter
from clinical.services.letters import letter_write
from core.roles import Role
from tests.clinical.dose_order_fixtures import order, series
from tests.clinical.infusion_fixtures import START
from tests.clinical.letter_fixtures import evaluation_with_provider
from tests.factories import PatientFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_clinic")]


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        yield


@pytest.fixture
def letter() -> Letter:
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=START - timedelta(days=1))
    return letter_write(
        actor=UserFactory(role=Role.CLINICIAN), evaluation_id=evaluation.pk, kind="evaluation", recommendations="Go on."
    )


def test_each_staff_read_of_a_letter_is_in_the_access_log(client_for, nurse_user, clinician_user, letter):
    for user in (nurse_user, clinician_user):
        assert client_for(user).get(f"/api/v1/letters/{letter.pk}/").status_code == 200
        assert client_for(user).get(f"/api/v1/letters/{letter.pk}/pdf/").status_code == 200
        assert client_for(user).get(f"/api/v1/patients/{letter.patient_id}/letters/").status_code == 200
    reads = ClinicalAccess.objects.filter(object_id=letter.pk, action="read")
    assert sorted(reads.values_list("actor_role", flat=True)) == ["clinician"] * 3 + ["nurse"] * 3


def test_a_patient_reads_their_own_letter_and_no_one_elses(client_for, letter):
    own = client_for(letter.patient)
    response = own.get(f"/api/v1/letters/{letter.pk}/pdf/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content == bytes(letter.pdf)
    assert [row["id"] for row in own.get(f"/api/v1/patients/{letter.patient_id}/letters/").json()] == [str(letter.pk)]
    other = client_for(PatientFactory())
    assert other.get(f"/api/v1/letters/{letter.pk}/").status_code == 404
    assert other.get(f"/api/v1/patients/{letter.patient_id}/letters/").status_code == 404


def test_a_refused_letter_writes_nothing(client_for, clinician_user):
    evaluation = evaluation_with_provider(PatientFactory(), agreed=False, signed_at=START - timedelta(days=1))
    response = client_for(clinician_user).post(
        "/api/v1/letters/",
        {"evaluation_id": str(evaluation.pk), "kind": "series", "recommendations": ""},
        format="json",
    )
    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "no_agreement"
    assert set(answer["fields"]) == {"agreement", "plan", "recommendations"}
    assert not Letter.objects.exists()
    assert not ClinicalAccess.objects.filter(object_type="letter").exists()


def test_dose_orders_read_by_a_nurse_are_audited_and_a_refused_order_writes_nothing(client_for, nurse_user):
    author = UserFactory(role=Role.CLINICIAN)
    first, *_ = series()
    written = order(author, first, dose_mg_per_kg="0.60", at=START - timedelta(hours=2))
    url = f"/api/v1/treatment-plans/{first.treatment_plan_id}/dose-orders/"
    listed = client_for(nurse_user).get(url)
    assert [row["id"] for row in listed.json()] == [str(written.pk)]
    assert ClinicalAccess.objects.filter(actor=nurse_user, action="read", object_id=written.pk).count() == 1

    refused = client_for(author).post(
        url, {"scope": "remaining", "dose_mg_per_kg": "1.01", "reason": "More."}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "dose_out_of_range")
    assert refused.json()["fields"] == {"dose_mg_per_kg": ["For IV, the clinic's dose is 0.10 to 1.00 mg/kg."]}
    assert DoseOrder.objects.count() == 1
