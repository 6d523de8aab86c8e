"""Opening and editing an evaluation draft through the API (SPEC.md section 4): who may open
one, the ranges and codes a draft takes, and that every refusal writes nothing."""

from datetime import datetime
from typing import Any

import pytest

from booking.models import AppointmentStatus
from clinical.models import ClinicalAccess, Evaluation, TreatmentPlan
from tests.clinical.evaluation_fixtures import (
    PLAN_NOTES,
    RATIONALE,
    complete_draft_body,
    evaluation_appointment,
    evaluations_url,
    fill_complete_draft,
)
from tests.clinical.evaluations_api.support import (
    ERROR_KEYS,
    LA,
    access_log,
    assert_error,
    evaluation_row,
)

pytestmark = pytest.mark.django_db


# -- opening a draft -------------------------------------------------------------------------------


def test_a_clinician_opens_an_empty_draft_for_a_completed_evaluation_appointment(
    clinician, evaluation_visit, patient, clinician_user
):
    response: Any = clinician.post(evaluations_url(), {"appointment": str(evaluation_visit.pk)}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    evaluation = Evaluation.objects.get()
    assert body == {
        "id": str(evaluation.pk),
        "appointment": str(evaluation_visit.pk),
        "patient": {"id": str(patient.pk), "name": patient.full_name},
        "clinician": {"id": str(clinician_user.pk), "name": clinician_user.full_name},
        "status": "draft",
        "phq9_total": None,
        "gad7_total": None,
        "systolic_bp": None,
        "diastolic_bp": None,
        "heart_rate": None,
        "phq9_items": None,
        "gad7_items": None,
        "weight_kg": None,
        "medications": None,
        "allergies": "",
        "allergies_none_known": False,
        "childbearing_potential": "",
        "referring_provider": None,
        "substance_use": "",
        "contraindications": [],
        "decision": "",
        "rationale": "",
        "override_reason": "",
        "suicide_risk_level": "",
        "suicide_risk_note": "",
        "plan": None,
        "signed_at": None,
        "signed_by": None,
        "addenda": [],
    }
    assert (evaluation.appointment_id, evaluation.patient_id, evaluation.clinician_id, evaluation.status) == (
        evaluation_visit.pk,
        patient.pk,
        clinician_user.pk,
        "draft",
    )


def test_a_second_draft_for_the_same_appointment_is_refused_as_evaluation_exists(clinician, evaluation_visit, draft_id):
    log_before = access_log()

    response: Any = clinician.post(evaluations_url(), {"appointment": str(evaluation_visit.pk)}, format="json")

    assert_error(response, 409, "evaluation_exists")
    assert list(Evaluation.objects.values_list("id", flat=True)) == [Evaluation.objects.get(pk=draft_id).pk]
    assert access_log() == log_before


def test_the_same_idempotency_key_replays_the_first_draft_instead_of_opening_another(clinician, evaluation_visit):
    body = {"appointment": str(evaluation_visit.pk)}

    first: Any = clinician.post(evaluations_url(), body, format="json", HTTP_IDEMPOTENCY_KEY="open-eval-1")
    second: Any = clinician.post(evaluations_url(), body, format="json", HTTP_IDEMPOTENCY_KEY="open-eval-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Evaluation.objects.count() == 1


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_an_appointment_that_did_not_take_place_gets_no_evaluation(clinician, demo_clinic, patient, status):
    appointment = evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 10, tzinfo=LA), status=status)

    response: Any = clinician.post(evaluations_url(), {"appointment": str(appointment.pk)}, format="json")

    assert_error(response, 409, "invalid_status")
    assert Evaluation.objects.count() == 0
    assert ClinicalAccess.objects.count() == 0


def test_an_appointment_of_another_type_gets_no_evaluation(clinician, demo_clinic, patient):
    infusion = evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 10, tzinfo=LA), code="infusion")

    response: Any = clinician.post(evaluations_url(), {"appointment": str(infusion.pk)}, format="json")

    body = assert_error(response, 400, "unknown_appointment")
    assert body["fields"] == {"appointment": ["Unknown."]}
    assert Evaluation.objects.count() == 0
    assert ClinicalAccess.objects.count() == 0


@pytest.mark.parametrize("appointment", ["00000000-0000-4000-8000-000000000000", "not-a-uuid", ""])
def test_an_unknown_or_malformed_appointment_id_is_bad_input(clinician, evaluation_visit, appointment):
    response: Any = clinician.post(evaluations_url(), {"appointment": appointment}, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == ERROR_KEYS
    assert Evaluation.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("nurse", 403, "permission_denied"),
        ("therapist", 403, "permission_denied"),
        ("admin", 403, "permission_denied"),
        ("patient", 403, "permission_denied"),
        ("other_patient", 403, "permission_denied"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_only_a_clinician_opens_a_draft(clients, evaluation_visit, role, status, code):
    response: Any = clients[role].post(evaluations_url(), {"appointment": str(evaluation_visit.pk)}, format="json")

    assert_error(response, status, code)
    assert Evaluation.objects.count() == 0
    assert ClinicalAccess.objects.count() == 0


# -- editing a draft -------------------------------------------------------------------------------


def test_a_complete_draft_is_saved_with_its_plan(clinician, draft_id):
    body = fill_complete_draft(clinician, draft_id)

    assert {name: body[name] for name in ("phq9_total", "gad7_total", "systolic_bp", "diastolic_bp")} == {
        "phq9_total": 14,
        "gad7_total": 9,
        "systolic_bp": 128,
        "diastolic_bp": 82,
    }
    assert (body["heart_rate"], body["substance_use"], body["contraindications"]) == (72, "none", [])
    assert (body["status"], body["decision"], body["rationale"]) == ("draft", "candidate", RATIONALE)
    plan = TreatmentPlan.objects.get(evaluation_id=draft_id)
    assert body["plan"] == {
        "id": str(plan.pk),
        "status": "draft",
        "infusions_planned": 6,
        "infusions_booked": 0,
        "infusions_completed": 0,
        "integration_sessions_planned": 2,
        "integration_sessions_booked": 0,
        "integration_sessions_completed": 0,
        "min_days_between": 2,
        "window_days": 21,
        "dose_mg_per_kg": "0.50",
        "route": "IV",
        "infusion_minutes": 40,
        "rate_mg_per_min": None,  # no weight recorded
        "notes": PLAN_NOTES,
        "activated_at": None,
        "ended_at": None,
        "ended_reason": "",
    }
    assert evaluation_row(draft_id)["phq9_total"] == 14


def test_contraindication_codes_are_stored_sorted(clinician, draft_id):
    response: Any = clinician.patch(
        evaluations_url(draft_id), {"contraindications": ["psychosis", "glaucoma"]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["contraindications"] == ["glaucoma", "psychosis"]
    assert evaluation_row(draft_id)["contraindications"] == ["glaucoma", "psychosis"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phq9_total", 28),
        ("gad7_total", 22),
        ("phq9_total", -1),
        ("gad7_total", -3),
        ("systolic_bp", -120),
        ("diastolic_bp", -80),
        ("heart_rate", -1),
        ("heart_rate", 100_000),
    ],
)
def test_out_of_range_screening_is_refused_and_the_draft_is_unchanged(clinician, draft_id, field, value):
    fill_complete_draft(clinician, draft_id)
    before = evaluation_row(draft_id)
    log_before = access_log()

    response: Any = clinician.patch(evaluations_url(draft_id), {"rationale": "changed", field: value}, format="json")

    body = assert_error(response, 400, "out_of_range")
    assert list(body["fields"]) == [field]
    assert evaluation_row(draft_id) == before
    assert access_log() == log_before


def test_a_non_numeric_score_is_bad_input(clinician, draft_id):
    before = evaluation_row(draft_id)

    response: Any = clinician.patch(evaluations_url(draft_id), {"phq9_total": "fourteen"}, format="json")

    body = assert_error(response, 400, "invalid")
    assert list(body["fields"]) == ["phq9_total"]
    assert evaluation_row(draft_id) == before


def test_an_unknown_contraindication_code_is_refused(clinician, draft_id):
    before = evaluation_row(draft_id)

    response: Any = clinician.patch(
        evaluations_url(draft_id), {"contraindications": ["glaucoma", "hair_loss"]}, format="json"
    )

    body = assert_error(response, 400, "invalid")
    assert list(body["fields"]) == ["contraindications"]
    assert evaluation_row(draft_id) == before


def test_a_repeated_contraindication_code_is_refused(clinician, draft_id):
    before = evaluation_row(draft_id)

    response: Any = clinician.patch(evaluations_url(draft_id), {"contraindications": ["mania", "mania"]}, format="json")

    body = assert_error(response, 400, "unknown_contraindication")
    assert body["fields"] == {"contraindications": ["Repeated."]}
    assert evaluation_row(draft_id) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("infusions_planned", 13),
        ("infusions_planned", 0),
        ("integration_sessions_planned", 13),
        ("min_days_between", 0),
        ("window_days", 0),
        ("dose_mg_per_kg", "2.50"),
    ],
)
def test_a_plan_out_of_range_is_refused_and_nothing_is_written(clinician, draft_id, field, value):
    before = evaluation_row(draft_id)
    body = complete_draft_body()
    body["plan"][field] = value

    response: Any = clinician.patch(evaluations_url(draft_id), body, format="json")

    error = assert_error(response, 400, "out_of_range")
    assert list(error["fields"]) == [field]
    assert evaluation_row(draft_id) == before, "the evaluation's own valid changes were applied anyway"
    assert TreatmentPlan.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        [],
        "phq9_total=3",
        {"contraindications": "mania"},
        {"contraindications": [None]},
        {"plan": "six infusions"},
        {"plan": None},
        {"plan": {"dose_mg_per_kg": "NaN"}},
        {"plan": {"dose_mg_per_kg": "0.125"}},
        {"plan": {"route": "oral"}},
        {"substance_use": "sometimes"},
        {"decision": "maybe"},
        {"rationale": "x" * 5001},
        {"override_reason": None},
    ],
)
def test_malformed_edits_are_bad_input_and_change_nothing(clinician, draft_id, body):
    before = evaluation_row(draft_id)

    response: Any = clinician.patch(evaluations_url(draft_id), body, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == ERROR_KEYS
    assert evaluation_row(draft_id) == before
    assert TreatmentPlan.objects.count() == 0


def test_patching_an_unknown_evaluation_is_not_found(clinician, evaluation_visit):
    response: Any = clinician.patch(
        evaluations_url("00000000-0000-4000-8000-000000000000"), {"phq9_total": 3}, format="json"
    )

    assert_error(response, 404, "not_found")
