"""Signing an evaluation through the API (SPEC.md section 4): what a signature needs, the
override reason, the hard stops, one active plan per patient."""

from datetime import datetime
from typing import Any

import pytest

from clinical.evaluation_rules import HARD_STOPS
from clinical.models import Contraindication, Evaluation, TreatmentPlan
from tests.clinical.evaluation_fixtures import (
    OVERRIDE_REASON,
    complete_draft_body,
    discontinue_url,
    evaluation_appointment,
    evaluations_url,
    fill_complete_draft,
    open_draft,
)
from tests.clinical.evaluations_api.support import (
    LA,
    NOW,
    NOW_ISO,
    assert_error,
    evaluation_row,
    plan_row,
)

pytestmark = pytest.mark.django_db


# -- signing ---------------------------------------------------------------------------------------


def test_recovery_is_not_a_contraindication_and_signing_a_candidate_activates_the_plan(
    clinician, draft_id, clinician_user
):
    fill_complete_draft(clinician, draft_id, substance_use="in_recovery")

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["signed_at"], body["signed_by"]) == ("signed", NOW_ISO, str(clinician_user.pk))
    assert (body["override_reason"], body["plan"]["status"], body["plan"]["activated_at"]) == ("", "active", NOW_ISO)
    row = evaluation_row(draft_id)
    assert (row["status"], row["signed_at"], row["signed_by_id"]) == ("signed", NOW, clinician_user.pk)
    plan = plan_row(draft_id)
    assert (plan["status"], plan["activated_at"]) == ("active", NOW)


def test_active_substance_use_needs_an_override_reason_for_a_candidate(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, substance_use="active")
    before = evaluation_row(draft_id)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    body = assert_error(response, 400, "override_reason_required")
    assert body["fields"] == {"override_reason": ["Required with this decision."]}
    assert evaluation_row(draft_id) == before
    assert before["status"] == "draft"
    assert (plan_row(draft_id)["status"], plan_row(draft_id)["activated_at"]) == ("draft", None)


def test_a_blank_override_reason_does_not_count(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, substance_use="active", override_reason="   ")

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert_error(response, 400, "override_reason_required")
    assert evaluation_row(draft_id)["status"] == "draft"


def test_active_substance_use_with_an_override_reason_signs_a_candidate(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, substance_use="active", override_reason=OVERRIDE_REASON)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert response.status_code == 200, response.content
    assert (response.json()["override_reason"], evaluation_row(draft_id)["status"]) == (OVERRIDE_REASON, "signed")
    assert plan_row(draft_id)["status"] == "active"


@pytest.mark.parametrize("code", [code for code in Contraindication.values if code not in HARD_STOPS])
def test_any_contraindication_needs_an_override_reason_for_a_candidate(clinician, draft_id, code):
    # Active misuse ticked agrees only with active use; the hard stops have tests of their own.
    substance_use = "active" if code == "active_substance_misuse" else "none"
    fill_complete_draft(clinician, draft_id, contraindications=(code,), substance_use=substance_use)
    before = evaluation_row(draft_id)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert_error(response, 400, "override_reason_required")
    assert evaluation_row(draft_id) == before
    assert plan_row(draft_id)["status"] == "draft"


def test_a_contraindication_with_an_override_reason_signs_a_candidate(clinician, draft_id):
    fill_complete_draft(
        clinician, draft_id, contraindications=("uncontrolled_hypertension",), override_reason=OVERRIDE_REASON
    )

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert response.status_code == 200, response.content
    assert plan_row(draft_id)["status"] == "active"


@pytest.mark.parametrize("decision", ["not_candidate", "deferred"])
def test_not_candidate_and_deferred_sign_without_a_plan_or_override_and_activate_nothing(clinician, draft_id, decision):
    fill_complete_draft(
        clinician, draft_id, decision=decision, substance_use="active", contraindications=("mania",), with_plan=False
    )

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["decision"], response.json()["plan"]) == (
        "signed",
        decision,
        None,
    )
    assert TreatmentPlan.objects.count() == 0


def test_a_deferred_decision_leaves_a_drafted_plan_inactive(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, decision="deferred")

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert response.status_code == 200, response.content
    assert (plan_row(draft_id)["status"], plan_row(draft_id)["activated_at"]) == ("draft", None)


def test_an_empty_draft_cannot_be_signed_and_the_error_names_what_is_missing(clinician, draft_id):
    before = evaluation_row(draft_id)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    body = assert_error(response, 400, "incomplete_evaluation")
    assert body["fields"] == {
        name: ["Required to sign."]
        for name in (
            "phq9_total",
            "gad7_total",
            "systolic_bp",
            "diastolic_bp",
            "heart_rate",
            "substance_use",
            "decision",
            "rationale",
        )
    }
    assert evaluation_row(draft_id) == before


def test_a_candidate_without_a_plan_cannot_be_signed(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, with_plan=False)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    body = assert_error(response, 400, "incomplete_evaluation")
    assert body["fields"] == {"plan": ["A candidate needs a treatment plan."]}
    assert evaluation_row(draft_id)["status"] == "draft"


def test_a_candidate_plan_without_dose_and_route_cannot_be_signed(clinician, draft_id):
    body = complete_draft_body()
    del body["plan"]["dose_mg_per_kg"], body["plan"]["route"]
    assert clinician.patch(evaluations_url(draft_id), body, format="json").status_code == 200

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    error = assert_error(response, 400, "incomplete_evaluation")
    assert error["fields"] == {"plan.dose_mg_per_kg": ["Required to sign."], "plan.route": ["Required to sign."]}
    assert plan_row(draft_id)["status"] == "draft"


def test_a_second_candidate_is_refused_while_the_patient_has_an_active_plan(clinician, signed_candidate_id, patient):
    second_visit = evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 11, 30, tzinfo=LA))
    second_id = open_draft(clinician, second_visit)
    fill_complete_draft(clinician, second_id)
    before = evaluation_row(second_id)

    response: Any = clinician.post(evaluations_url(second_id, "sign"))

    assert_error(response, 409, "active_plan_exists")
    assert evaluation_row(second_id) == before
    assert plan_row(second_id)["status"] == "draft"
    assert list(TreatmentPlan.objects.filter(status="active").values_list("evaluation_id", flat=True)) == [
        Evaluation.objects.get(pk=signed_candidate_id).pk
    ]


def test_a_second_candidate_signs_once_the_first_plan_is_discontinued(clinician, signed_candidate_id, patient):
    second_visit = evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 11, 30, tzinfo=LA))
    second_id = open_draft(clinician, second_visit)
    fill_complete_draft(clinician, second_id)
    first_plan = TreatmentPlan.objects.get(evaluation_id=signed_candidate_id)
    discontinued: Any = clinician.post(discontinue_url(first_plan.pk), {"reason": "Re-evaluated."}, format="json")
    assert discontinued.status_code == 200, discontinued.content

    response: Any = clinician.post(evaluations_url(second_id, "sign"))

    assert response.status_code == 200, response.content
    assert plan_row(second_id)["status"] == "active"


def test_signing_an_unknown_evaluation_is_not_found(clinician, evaluation_visit):
    response: Any = clinician.post(evaluations_url("00000000-0000-4000-8000-000000000000", "sign"))

    assert_error(response, 404, "not_found")
