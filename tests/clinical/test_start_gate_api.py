"""The start gate through the API (SPEC.md section 10): the clinician's pre-dose override
(``POST /api/v1/infusions/{id}/predose-override/``: 403 for a nurse, 400 without a note, nothing
written either way), the medication review on the session record, the start's 409 naming the rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from clinical.models import ClinicalAccess, InfusionRecord, PredoseOverride
from tests.clinical.infusion_fixtures import NORMAL, START, answer_questionnaires, check_in, infusion_appointment
from tests.clinical.test_infusion_api import assert_error, users  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = START - timedelta(minutes=1)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def written() -> tuple:
    return (list(PredoseOverride.objects.values()), list(ClinicalAccess.objects.values()))


def high_baseline(users: dict[str, Any], clients: dict[str, Any]) -> Any:  # noqa: F811
    appointment = infusion_appointment(users["patient"])
    check_in(appointment, users["nurse"], at=NOW - timedelta(minutes=10))
    url = f"/api/v1/infusions/{appointment.pk}/"
    assert clients["nurse"].patch(url, {"weight_kg": "70.0"}, format="json").status_code == 200
    reading = {**NORMAL, "systolic": 170, "diastolic": 105}
    assert clients["nurse"].post(url + "vitals/", reading, format="json").status_code == 201
    return appointment


def test_the_start_names_the_rows_then_the_override_and_the_review_let_it_go(clients, users):  # noqa: F811
    appointment = high_baseline(users, clients)
    answer_questionnaires(appointment, at=NOW)
    start_url = f"/api/v1/appointments/{appointment.pk}/start/"
    refused = assert_error(clients["nurse"].post(start_url, {}, format="json"), 409, "medications_not_reviewed")
    assert refused["fields"] == {"missing": ["medications_reviewed", "baseline_in_range"]}
    url = f"/api/v1/infusions/{appointment.pk}/"
    # "updated" without the new list is refused (the list is a new version, with the review).
    assert_error(
        clients["nurse"].patch(url, {"medications_review": "updated"}, format="json"), 400, "medication_list_required"
    )
    assert InfusionRecord.objects.get(appointment=appointment).medications_review == ""
    reviewed = clients["nurse"].patch(url, {"medications_review": "no_change"}, format="json")
    assert (reviewed.status_code, reviewed.json()["medications_review"]) == (200, "no_change")
    assert_error(clients["nurse"].patch(url, {"medications_review": "maybe"}, format="json"), 400, "invalid_choice")
    refused = assert_error(clients["nurse"].post(start_url, {}, format="json"), 409, "predose_out_of_range")
    assert refused["fields"] == {"missing": ["baseline_in_range"]}
    note = "Known hypertension, usual for her; reviewed."
    answer = clients["clinician"].post(url + "predose-override/", {"note": note}, format="json")
    assert answer.status_code == 201, answer.content
    [override] = answer.json()["predose_overrides"]
    assert (override["note"], override["recorded_by"]) == (note, str(users["clinician"].pk))
    assert clients["nurse"].post(start_url, {}, format="json").status_code == 200


def test_an_override_by_a_nurse_is_403_and_without_a_note_400_writing_nothing(clients, users):  # noqa: F811
    appointment = high_baseline(users, clients)
    url = f"/api/v1/infusions/{appointment.pk}/predose-override/"
    before = written()
    assert_error(clients["nurse"].post(url, {"note": "Looks fine."}, format="json"), 403, "permission_denied")
    assert_error(clients["clinician"].post(url, {}, format="json"), 400, "invalid")
    blank = assert_error(clients["clinician"].post(url, {"note": "   "}, format="json"), 400, "invalid")
    assert list(blank["fields"]) == ["note"]
    assert written() == before
    assert InfusionRecord.objects.get(appointment=appointment).medications_reviewed_at is None
