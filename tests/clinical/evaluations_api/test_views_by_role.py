"""What each role reads of an evaluation through the API: the whole record, the limited view,
the patient's own words, nothing for anyone else."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from booking.models import AppointmentStatus
from clinical.models import TreatmentPlan
from tests.clinical.evaluation_fixtures import (
    OVERRIDE_REASON,
    PLAN_NOTES,
    RATIONALE,
    evaluation_appointment,
    evaluations_url,
    fill_complete_draft,
    open_draft,
    plan_infusion,
)
from tests.clinical.evaluations_api.support import (
    CANDIDATE_TEXT,
    FULL_VIEW_KEYS,
    LA,
    NEVER_SHOWN_TO_PATIENTS,
    access_log,
    assert_error,
    evaluation_row,
    plan_row,
    walk,
)

pytestmark = pytest.mark.django_db


# -- what each role sees ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clinician", "nurse"])
def test_clinicians_and_nurses_read_the_whole_record(clients, signed_candidate_id, role):
    response: Any = clients[role].get(evaluations_url(signed_candidate_id))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == FULL_VIEW_KEYS
    assert (body["phq9_total"], body["gad7_total"], body["systolic_bp"], body["diastolic_bp"]) == (14, 9, 128, 82)
    assert (body["heart_rate"], body["substance_use"], body["rationale"]) == (72, "none", RATIONALE)
    assert (body["plan"]["dose_mg_per_kg"], body["plan"]["route"], body["plan"]["notes"]) == ("0.50", "IV", PLAN_NOTES)


@pytest.mark.parametrize("role", ["therapist", "admin"])
def test_therapists_and_the_front_desk_read_the_limited_view(clients, signed_candidate_id, role):
    response: Any = clients[role].get(evaluations_url(signed_candidate_id))

    assert response.status_code == 200, response.content
    plan = TreatmentPlan.objects.get(evaluation_id=signed_candidate_id)
    assert response.json() == {
        "id": signed_candidate_id,
        "status": "signed",
        "decision": "candidate",
        "decision_text": CANDIDATE_TEXT,
        "signed_on": "2026-12-03",
        "plan": {
            "id": str(plan.pk),
            "status": "active",
            "infusions_planned": 6,
            "infusions_booked": 0,
            "infusions_completed": 0,
            "integration_sessions_planned": 2,
            "integration_sessions_booked": 0,
            "integration_sessions_completed": 0,
        },
    }


@pytest.mark.parametrize("role", ["therapist", "admin"])
def test_the_limited_view_of_a_draft_shows_no_decision_yet(clients, clinician, draft_id, role):
    fill_complete_draft(clinician, draft_id)

    response: Any = clients[role].get(evaluations_url(draft_id))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": draft_id,
        "status": "draft",
        "decision": None,
        "decision_text": None,
        "signed_on": None,
        "plan": None,
    }


def test_the_patient_sees_nothing_of_a_draft(clients, clinician, draft_id):
    fill_complete_draft(clinician, draft_id)

    response: Any = clients["patient"].get(evaluations_url(draft_id))

    assert_error(response, 404, "not_found")


def test_the_patient_sees_only_decision_plan_progress_and_signing_date_of_a_signed_record(clients, clinician, draft_id):
    fill_complete_draft(clinician, draft_id, substance_use="active", override_reason=OVERRIDE_REASON)
    assert clinician.post(evaluations_url(draft_id, "sign")).status_code == 200

    response: Any = clients["patient"].get(evaluations_url(draft_id))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["decision"], body["decision_text"], body["signed_on"]) == ("candidate", CANDIDATE_TEXT, "2026-12-03")
    progress = body["plan"]
    assert (progress["infusions_planned"], progress["infusions_booked"], progress["infusions_completed"]) == (6, 0, 0)
    for kind, found in walk(body):
        if kind == "key":
            assert found not in NEVER_SHOWN_TO_PATIENTS, f"the patient's view has the key {found!r}"
        else:
            lowered = found.lower()
            assert not [word for word in NEVER_SHOWN_TO_PATIENTS if word in lowered], found
            assert found not in {RATIONALE, PLAN_NOTES, OVERRIDE_REASON}
            assert RATIONALE not in found
            assert PLAN_NOTES not in found
            assert OVERRIDE_REASON not in found


def test_the_patient_view_counts_booked_and_completed_infusions(clients, signed_candidate_id):
    plan = TreatmentPlan.objects.get(evaluation_id=signed_candidate_id)
    plan_infusion(plan, starts_at=datetime(2026, 12, 1, 9, tzinfo=LA), status=AppointmentStatus.COMPLETED)
    plan_infusion(plan, starts_at=datetime(2026, 12, 7, 9, tzinfo=LA))
    plan_infusion(plan, starts_at=datetime(2026, 12, 9, 9, tzinfo=LA), status=AppointmentStatus.CANCELLED)

    response: Any = clients["patient"].get(evaluations_url(signed_candidate_id))

    progress = response.json()["plan"]
    assert (progress["infusions_planned"], progress["infusions_booked"], progress["infusions_completed"]) == (6, 1, 1)


def test_the_signing_date_is_the_clinic_date_not_the_utc_date(clock, demo_clinic, patient, clinician_user, client_for):
    """Signed at 17:30 in Oakland, which is already the next day in UTC."""
    evening = datetime(2026, 12, 3, 17, 30, tzinfo=LA)
    clock.move_to(evening)
    clinician, owner = client_for(clinician_user), client_for(patient)
    evaluation_id = open_draft(clinician, evaluation_appointment(patient, starts_at=evening - timedelta(hours=2)))
    fill_complete_draft(clinician, evaluation_id)
    assert clinician.post(evaluations_url(evaluation_id, "sign")).status_code == 200

    response: Any = owner.get(evaluations_url(evaluation_id))

    assert response.json()["signed_on"] == "2026-12-03"


@pytest.mark.parametrize("signed", [False, True])
def test_another_patient_never_finds_the_record(clients, clinician, draft_id, signed):
    fill_complete_draft(clinician, draft_id)
    if signed:
        assert clinician.post(evaluations_url(draft_id, "sign")).status_code == 200

    response: Any = clients["other_patient"].get(evaluations_url(draft_id))

    assert_error(response, 404, "not_found")


def test_an_anonymous_reader_must_sign_in(clients, signed_candidate_id):
    response: Any = clients["anonymous"].get(evaluations_url(signed_candidate_id))

    assert_error(response, 401, "not_authenticated")


def test_a_nurse_neither_edits_nor_signs(clients, clinician, draft_id):
    fill_complete_draft(clinician, draft_id)
    before, plan_before, log_before = evaluation_row(draft_id), plan_row(draft_id), access_log()
    nurse = clients["nurse"]

    edited: Any = nurse.patch(evaluations_url(draft_id), {"phq9_total": 3}, format="json")
    signed: Any = nurse.post(evaluations_url(draft_id, "sign"))

    assert_error(edited, 403, "permission_denied")
    assert_error(signed, 403, "permission_denied")
    assert evaluation_row(draft_id) == before
    assert plan_row(draft_id) == plan_before
    assert access_log() == log_before


@pytest.mark.parametrize("role", ["therapist", "admin", "patient", "other_patient"])
def test_no_other_role_edits_or_signs(clients, clinician, draft_id, role):
    fill_complete_draft(clinician, draft_id)
    before = evaluation_row(draft_id)

    edited: Any = clients[role].patch(evaluations_url(draft_id), {"phq9_total": 3}, format="json")
    signed: Any = clients[role].post(evaluations_url(draft_id, "sign"))

    assert_error(edited, 403, "permission_denied")
    assert_error(signed, 403, "permission_denied")
    assert evaluation_row(draft_id) == before
