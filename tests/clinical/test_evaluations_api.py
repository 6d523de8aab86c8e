"""The evaluation API (SPEC.md sections 4 and 6): drafts, validation, the signing rules, signed
records that never change, addenda, what each role sees, the clinical access log and plan
discontinuation. Every refusal is checked to have written nothing."""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from accounts.models import User
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from clinical.evaluation_rules import HARD_STOPS
from clinical.models import ClinicalAccess, Contraindication, Evaluation, EvaluationAddendum, TreatmentPlan
from tests.clinical.evaluation_fixtures import (
    OVERRIDE_REASON,
    PLAN_NOTES,
    RATIONALE,
    complete_draft_body,
    discontinue_url,
    evaluation_appointment,
    evaluations_url,
    fill_complete_draft,
    open_draft,
    plan_infusion,
)

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 14, tzinfo=LA)  # a Thursday; the evaluation below took place at 10:00
NOW_ISO = "2026-12-03T22:00:00+00:00"
REQUEST_ID = "req-12345678"
ERROR_KEYS = {"code", "detail", "fields"}
FULL_VIEW_KEYS = {
    "id",
    "appointment",
    "patient",
    "clinician",
    "status",
    "phq9_total",
    "gad7_total",
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "phq9_items",
    "gad7_items",
    "weight_kg",
    "medications",
    "allergies",
    "allergies_none_known",
    "childbearing_potential",
    "referring_provider",
    "substance_use",
    "contraindications",
    "decision",
    "rationale",
    "override_reason",
    "suicide_risk_level",
    "suicide_risk_note",
    "plan",
    "signed_at",
    "signed_by",
    "addenda",
}
# What a patient's view must never carry, as a key or inside a text, at any depth.
NEVER_SHOWN_TO_PATIENTS = (
    "phq9_total",
    "gad7_total",
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "substance_use",
    "contraindications",
    "rationale",
    "override_reason",
    "notes",
    "dose_mg_per_kg",
    "route",
    "phq9_items",
    "weight_kg",
    "medications",
    "allergies",
    "childbearing_potential",
    "referring_provider",
    "suicide_risk",
    "infusion_minutes",
    "rate_mg_per_min",
)
CANDIDATE_TEXT = "You can go ahead: book your treatment sessions when it suits you."


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    """The clock stands still at NOW; tests that move it make their clients afterwards."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def evaluation_visit(demo_clinic, patient) -> Appointment:
    """The patient's evaluation appointment, this morning, completed."""
    return evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 10, tzinfo=LA))


@pytest.fixture
def users(patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user) -> dict[str, User]:
    return {
        "patient": patient,
        "other_patient": other_patient,
        "nurse": nurse_user,
        "clinician": clinician_user,
        "therapist": therapist_user,
        "admin": admin_user,
    }


@pytest.fixture
def clients(users, client_for: Callable[[User], APIClient]) -> dict[str, APIClient]:
    """A signed-in client per role (made at NOW, so the tokens are fresh), plus "anonymous"."""
    made = {role: client_for(user) for role, user in users.items()}
    made["anonymous"] = APIClient()
    return made


@pytest.fixture
def clinician(clients) -> APIClient:
    return clients["clinician"]


@pytest.fixture
def draft_id(clinician, evaluation_visit) -> str:
    """An empty draft of the evaluation visit."""
    return open_draft(clinician, evaluation_visit)


@pytest.fixture
def signed_candidate_id(clinician, draft_id) -> str:
    """A signed candidate evaluation (no substance use, no contraindications): its plan is active."""
    fill_complete_draft(clinician, draft_id)
    response: Any = clinician.post(evaluations_url(draft_id, "sign"))
    assert response.status_code == 200, response.content
    return draft_id


def _row(evaluation_id: Any) -> Any:
    return Evaluation.objects.values().get(pk=evaluation_id)


def _plan_row(evaluation_id: Any) -> Any:
    return TreatmentPlan.objects.values().get(evaluation_id=evaluation_id)


def _access_log() -> list[tuple[Any, ...]]:
    return list(ClinicalAccess.objects.order_by("id").values_list("id", "actor_id", "action", "object_id"))


def _assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code, body
    return body


def _walk(value: Any) -> Iterator[tuple[str, str]]:
    """Every dict key (as ("key", k)) and every string value (as ("text", v)) at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield "key", str(key)
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, str):
        yield "text", value


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
    log_before = _access_log()

    response: Any = clinician.post(evaluations_url(), {"appointment": str(evaluation_visit.pk)}, format="json")

    _assert_error(response, 409, "evaluation_exists")
    assert list(Evaluation.objects.values_list("id", flat=True)) == [Evaluation.objects.get(pk=draft_id).pk]
    assert _access_log() == log_before


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

    _assert_error(response, 409, "invalid_status")
    assert Evaluation.objects.count() == 0
    assert ClinicalAccess.objects.count() == 0


def test_an_appointment_of_another_type_gets_no_evaluation(clinician, demo_clinic, patient):
    infusion = evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 10, tzinfo=LA), code="infusion")

    response: Any = clinician.post(evaluations_url(), {"appointment": str(infusion.pk)}, format="json")

    body = _assert_error(response, 400, "unknown_appointment")
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

    _assert_error(response, status, code)
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
    assert _row(draft_id)["phq9_total"] == 14


def test_contraindication_codes_are_stored_sorted(clinician, draft_id):
    response: Any = clinician.patch(
        evaluations_url(draft_id), {"contraindications": ["psychosis", "glaucoma"]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["contraindications"] == ["glaucoma", "psychosis"]
    assert _row(draft_id)["contraindications"] == ["glaucoma", "psychosis"]


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
    before = _row(draft_id)
    log_before = _access_log()

    response: Any = clinician.patch(evaluations_url(draft_id), {"rationale": "changed", field: value}, format="json")

    body = _assert_error(response, 400, "out_of_range")
    assert list(body["fields"]) == [field]
    assert _row(draft_id) == before
    assert _access_log() == log_before


def test_a_non_numeric_score_is_bad_input(clinician, draft_id):
    before = _row(draft_id)

    response: Any = clinician.patch(evaluations_url(draft_id), {"phq9_total": "fourteen"}, format="json")

    body = _assert_error(response, 400, "invalid")
    assert list(body["fields"]) == ["phq9_total"]
    assert _row(draft_id) == before


def test_an_unknown_contraindication_code_is_refused(clinician, draft_id):
    before = _row(draft_id)

    response: Any = clinician.patch(
        evaluations_url(draft_id), {"contraindications": ["glaucoma", "hair_loss"]}, format="json"
    )

    body = _assert_error(response, 400, "invalid")
    assert list(body["fields"]) == ["contraindications"]
    assert _row(draft_id) == before


def test_a_repeated_contraindication_code_is_refused(clinician, draft_id):
    before = _row(draft_id)

    response: Any = clinician.patch(evaluations_url(draft_id), {"contraindications": ["mania", "mania"]}, format="json")

    body = _assert_error(response, 400, "unknown_contraindication")
    assert body["fields"] == {"contraindications": ["Repeated."]}
    assert _row(draft_id) == before


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
    before = _row(draft_id)
    body = complete_draft_body()
    body["plan"][field] = value

    response: Any = clinician.patch(evaluations_url(draft_id), body, format="json")

    error = _assert_error(response, 400, "out_of_range")
    assert list(error["fields"]) == [field]
    assert _row(draft_id) == before, "the evaluation's own valid changes were applied anyway"
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
    before = _row(draft_id)

    response: Any = clinician.patch(evaluations_url(draft_id), body, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == ERROR_KEYS
    assert _row(draft_id) == before
    assert TreatmentPlan.objects.count() == 0


def test_patching_an_unknown_evaluation_is_not_found(clinician, evaluation_visit):
    response: Any = clinician.patch(
        evaluations_url("00000000-0000-4000-8000-000000000000"), {"phq9_total": 3}, format="json"
    )

    _assert_error(response, 404, "not_found")


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
    row = _row(draft_id)
    assert (row["status"], row["signed_at"], row["signed_by_id"]) == ("signed", NOW, clinician_user.pk)
    plan = _plan_row(draft_id)
    assert (plan["status"], plan["activated_at"]) == ("active", NOW)


def test_active_substance_use_needs_an_override_reason_for_a_candidate(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, substance_use="active")
    before = _row(draft_id)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    body = _assert_error(response, 400, "override_reason_required")
    assert body["fields"] == {"override_reason": ["Required with this decision."]}
    assert _row(draft_id) == before
    assert before["status"] == "draft"
    assert (_plan_row(draft_id)["status"], _plan_row(draft_id)["activated_at"]) == ("draft", None)


def test_a_blank_override_reason_does_not_count(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, substance_use="active", override_reason="   ")

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    _assert_error(response, 400, "override_reason_required")
    assert _row(draft_id)["status"] == "draft"


def test_active_substance_use_with_an_override_reason_signs_a_candidate(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, substance_use="active", override_reason=OVERRIDE_REASON)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert response.status_code == 200, response.content
    assert (response.json()["override_reason"], _row(draft_id)["status"]) == (OVERRIDE_REASON, "signed")
    assert _plan_row(draft_id)["status"] == "active"


@pytest.mark.parametrize("code", [code for code in Contraindication.values if code not in HARD_STOPS])
def test_any_contraindication_needs_an_override_reason_for_a_candidate(clinician, draft_id, code):
    # Active misuse ticked agrees only with active use; the hard stops have tests of their own.
    substance_use = "active" if code == "active_substance_misuse" else "none"
    fill_complete_draft(clinician, draft_id, contraindications=(code,), substance_use=substance_use)
    before = _row(draft_id)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    _assert_error(response, 400, "override_reason_required")
    assert _row(draft_id) == before
    assert _plan_row(draft_id)["status"] == "draft"


def test_a_contraindication_with_an_override_reason_signs_a_candidate(clinician, draft_id):
    fill_complete_draft(
        clinician, draft_id, contraindications=("uncontrolled_hypertension",), override_reason=OVERRIDE_REASON
    )

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert response.status_code == 200, response.content
    assert _plan_row(draft_id)["status"] == "active"


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
    assert (_plan_row(draft_id)["status"], _plan_row(draft_id)["activated_at"]) == ("draft", None)


def test_an_empty_draft_cannot_be_signed_and_the_error_names_what_is_missing(clinician, draft_id):
    before = _row(draft_id)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    body = _assert_error(response, 400, "incomplete_evaluation")
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
    assert _row(draft_id) == before


def test_a_candidate_without_a_plan_cannot_be_signed(clinician, draft_id):
    fill_complete_draft(clinician, draft_id, with_plan=False)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    body = _assert_error(response, 400, "incomplete_evaluation")
    assert body["fields"] == {"plan": ["A candidate needs a treatment plan."]}
    assert _row(draft_id)["status"] == "draft"


def test_a_candidate_plan_without_dose_and_route_cannot_be_signed(clinician, draft_id):
    body = complete_draft_body()
    del body["plan"]["dose_mg_per_kg"], body["plan"]["route"]
    assert clinician.patch(evaluations_url(draft_id), body, format="json").status_code == 200

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    error = _assert_error(response, 400, "incomplete_evaluation")
    assert error["fields"] == {"plan.dose_mg_per_kg": ["Required to sign."], "plan.route": ["Required to sign."]}
    assert _plan_row(draft_id)["status"] == "draft"


def test_a_second_candidate_is_refused_while_the_patient_has_an_active_plan(clinician, signed_candidate_id, patient):
    second_visit = evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 11, 30, tzinfo=LA))
    second_id = open_draft(clinician, second_visit)
    fill_complete_draft(clinician, second_id)
    before = _row(second_id)

    response: Any = clinician.post(evaluations_url(second_id, "sign"))

    _assert_error(response, 409, "active_plan_exists")
    assert _row(second_id) == before
    assert _plan_row(second_id)["status"] == "draft"
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
    assert _plan_row(second_id)["status"] == "active"


def test_signing_an_unknown_evaluation_is_not_found(clinician, evaluation_visit):
    response: Any = clinician.post(evaluations_url("00000000-0000-4000-8000-000000000000", "sign"))

    _assert_error(response, 404, "not_found")


# -- a signed record never changes -----------------------------------------------------------------


def test_a_signed_evaluation_refuses_every_edit(clinician, signed_candidate_id):
    before, plan_before, log_before = _row(signed_candidate_id), _plan_row(signed_candidate_id), _access_log()

    response: Any = clinician.patch(
        evaluations_url(signed_candidate_id),
        {"phq9_total": 3, "rationale": "rewritten", "plan": {"infusions_planned": 12}},
        format="json",
    )

    _assert_error(response, 409, "evaluation_signed")
    assert _row(signed_candidate_id) == before
    assert _plan_row(signed_candidate_id) == plan_before
    assert _access_log() == log_before


def test_signing_twice_is_refused_and_keeps_the_first_signature(clock, clinician_user, client_for, signed_candidate_id):
    before = _row(signed_candidate_id)
    clock.move_to(NOW + timedelta(minutes=5))

    response: Any = client_for(clinician_user).post(evaluations_url(signed_candidate_id, "sign"))

    _assert_error(response, 409, "evaluation_signed")
    assert _row(signed_candidate_id) == before
    assert before["signed_at"] == NOW


def _refused_by_the_trigger() -> Any:
    return pytest.raises(DatabaseError, match="a signed evaluation never changes")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the signed-record trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_a_signed_evaluation(signed_candidate_id):
    before = _row(signed_candidate_id)

    with _refused_by_the_trigger(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE booking_evaluation SET phq9_total = 3 WHERE id = %s", [signed_candidate_id])
    with _refused_by_the_trigger(), transaction.atomic():
        Evaluation.objects.filter(pk=signed_candidate_id).update(rationale="rewritten")
    with _refused_by_the_trigger(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM booking_evaluation WHERE id = %s", [signed_candidate_id])

    assert _row(signed_candidate_id) == before
    assert before["phq9_total"] == 14


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the signed-record triggers are PostgreSQL's")
def test_the_database_refuses_to_change_the_signed_terms_of_a_plan(signed_candidate_id):
    """The plan (infusions, spacing, window, dose, route, notes) is part of the signed record
    (SPEC.md section 4); only its status and end may move on after signing."""
    before = _plan_row(signed_candidate_id)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE booking_treatmentplan SET infusions_planned = 12, dose_mg_per_kg = 1.50 WHERE evaluation_id = %s",
            [signed_candidate_id],
        )

    assert _plan_row(signed_candidate_id) == before


# -- addenda ---------------------------------------------------------------------------------------


def test_a_clinician_adds_an_addendum_to_a_signed_record(clients, clinician, signed_candidate_id, clinician_user):
    before = _row(signed_candidate_id)
    text = "Patient called: blood pressure at home 124/80."

    response: Any = clinician.post(evaluations_url(signed_candidate_id, "addenda"), {"text": text}, format="json")

    assert response.status_code == 201, response.content
    expected = [{"author": str(clinician_user.pk), "text": text, "created_at": NOW_ISO}]
    assert response.json()["addenda"] == expected
    addendum = EvaluationAddendum.objects.get()
    assert (addendum.evaluation_id, addendum.author_id, addendum.text, addendum.created_at) == (
        Evaluation.objects.get(pk=signed_candidate_id).pk,
        clinician_user.pk,
        text,
        NOW,
    )
    assert _row(signed_candidate_id) == before
    nurse_view: Any = clients["nurse"].get(evaluations_url(signed_candidate_id))
    assert nurse_view.json()["addenda"] == expected


def test_a_draft_takes_no_addendum(clinician, draft_id):
    response: Any = clinician.post(evaluations_url(draft_id, "addenda"), {"text": "Too early."}, format="json")

    _assert_error(response, 409, "evaluation_not_signed")
    assert EvaluationAddendum.objects.count() == 0


def test_an_addendum_needs_text(clinician, signed_candidate_id):
    response: Any = clinician.post(evaluations_url(signed_candidate_id, "addenda"), {"text": ""}, format="json")

    _assert_error(response, 400, "invalid")
    assert EvaluationAddendum.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("nurse", 403, "permission_denied"),
        ("therapist", 403, "permission_denied"),
        ("admin", 403, "permission_denied"),
        ("patient", 403, "permission_denied"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_only_a_clinician_adds_an_addendum(clients, signed_candidate_id, role, status, code):
    log_before = _access_log()

    response: Any = clients[role].post(
        evaluations_url(signed_candidate_id, "addenda"), {"text": "Not mine to add."}, format="json"
    )

    _assert_error(response, status, code)
    assert EvaluationAddendum.objects.count() == 0
    assert _access_log() == log_before


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

    _assert_error(response, 404, "not_found")


def test_the_patient_sees_only_decision_plan_progress_and_signing_date_of_a_signed_record(clients, clinician, draft_id):
    fill_complete_draft(clinician, draft_id, substance_use="active", override_reason=OVERRIDE_REASON)
    assert clinician.post(evaluations_url(draft_id, "sign")).status_code == 200

    response: Any = clients["patient"].get(evaluations_url(draft_id))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["decision"], body["decision_text"], body["signed_on"]) == ("candidate", CANDIDATE_TEXT, "2026-12-03")
    progress = body["plan"]
    assert (progress["infusions_planned"], progress["infusions_booked"], progress["infusions_completed"]) == (6, 0, 0)
    for kind, found in _walk(body):
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

    _assert_error(response, 404, "not_found")


def test_an_anonymous_reader_must_sign_in(clients, signed_candidate_id):
    response: Any = clients["anonymous"].get(evaluations_url(signed_candidate_id))

    _assert_error(response, 401, "not_authenticated")


def test_a_nurse_neither_edits_nor_signs(clients, clinician, draft_id):
    fill_complete_draft(clinician, draft_id)
    before, plan_before, log_before = _row(draft_id), _plan_row(draft_id), _access_log()
    nurse = clients["nurse"]

    edited: Any = nurse.patch(evaluations_url(draft_id), {"phq9_total": 3}, format="json")
    signed: Any = nurse.post(evaluations_url(draft_id, "sign"))

    _assert_error(edited, 403, "permission_denied")
    _assert_error(signed, 403, "permission_denied")
    assert _row(draft_id) == before
    assert _plan_row(draft_id) == plan_before
    assert _access_log() == log_before


@pytest.mark.parametrize("role", ["therapist", "admin", "patient", "other_patient"])
def test_no_other_role_edits_or_signs(clients, clinician, draft_id, role):
    fill_complete_draft(clinician, draft_id)
    before = _row(draft_id)

    edited: Any = clients[role].patch(evaluations_url(draft_id), {"phq9_total": 3}, format="json")
    signed: Any = clients[role].post(evaluations_url(draft_id, "sign"))

    _assert_error(edited, 403, "permission_denied")
    _assert_error(signed, 403, "permission_denied")
    assert _row(draft_id) == before


# -- the clinical access log -----------------------------------------------------------------------


def test_every_staff_read_and_change_is_logged_with_the_request_id(clients, evaluation_visit, users):
    clinician = clients["clinician"]
    header = {"HTTP_X_REQUEST_ID": REQUEST_ID}

    responses: list[Any] = [
        clinician.post(evaluations_url(), {"appointment": str(evaluation_visit.pk)}, format="json", **header)
    ]
    evaluation_id = responses[0].json()["id"]
    responses.append(clinician.patch(evaluations_url(evaluation_id), complete_draft_body(), format="json", **header))
    responses.append(clinician.post(evaluations_url(evaluation_id, "sign"), **header))
    responses.append(
        clinician.post(evaluations_url(evaluation_id, "addenda"), {"text": "Note."}, format="json", **header)
    )
    for role in ("clinician", "nurse", "therapist", "admin"):
        responses.append(clients[role].get(evaluations_url(evaluation_id), **header))

    assert [response.status_code for response in responses] == [201, 200, 200, 201, 200, 200, 200, 200]
    assert {response["X-Request-ID"] for response in responses} == {REQUEST_ID}
    rows = list(
        ClinicalAccess.objects.order_by("id").values_list(
            "actor_id", "actor_role", "action", "object_type", "object_id", "occurred_at", "request_id"
        )
    )
    evaluation_pk = Evaluation.objects.get().pk
    assert rows == [
        (users[role].pk, role, action, "evaluation", evaluation_pk, NOW, REQUEST_ID)
        for role, action in [
            ("clinician", "create"),
            ("clinician", "update"),
            ("clinician", "sign"),
            ("clinician", "addendum"),
            ("clinician", "read"),
            ("nurse", "read"),
            ("therapist", "read"),
            ("admin", "read"),
        ]
    ]


def test_a_request_without_a_usable_id_is_logged_under_the_id_it_was_given(clients, signed_candidate_id):
    response: Any = clients["nurse"].get(evaluations_url(signed_candidate_id), HTTP_X_REQUEST_ID="no good!")

    assert response.status_code == 200, response.content
    given = response["X-Request-ID"]
    assert len(given) == 32
    assert given != "no good!"
    assert ClinicalAccess.objects.filter(action="read").get().request_id == given


def test_the_patients_own_reads_are_not_in_the_staff_access_log(clients, signed_candidate_id):
    log_before = _access_log()

    response: Any = clients["patient"].get(evaluations_url(signed_candidate_id), HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 200, response.content
    assert response["X-Request-ID"] == REQUEST_ID
    assert _access_log() == log_before


def test_refused_reads_are_not_logged(clients, draft_id):
    log_before = _access_log()

    for role in ("patient", "other_patient", "anonymous"):
        assert clients[role].get(evaluations_url(draft_id)).status_code in {401, 404}

    assert _access_log() == log_before


# -- discontinuing a plan --------------------------------------------------------------------------


@pytest.fixture
def active_plan(signed_candidate_id) -> TreatmentPlan:
    return TreatmentPlan.objects.get(evaluation_id=signed_candidate_id, status="active")


@pytest.fixture
def plan_sessions(active_plan, other_patient) -> dict[str, Appointment]:
    """Two future infusions and a future integration session of the plan, a past completed infusion,
    and another patient's future infusion outside the plan."""
    return {
        "done": plan_infusion(
            active_plan, starts_at=datetime(2026, 12, 1, 9, tzinfo=LA), status=AppointmentStatus.COMPLETED
        ),
        "next": plan_infusion(active_plan, starts_at=datetime(2026, 12, 7, 9, tzinfo=LA)),
        "after": plan_infusion(active_plan, starts_at=datetime(2026, 12, 9, 9, tzinfo=LA)),
        "integration": plan_infusion(active_plan, starts_at=datetime(2026, 12, 8, 11, tzinfo=LA), code="integration"),
        "unrelated": evaluation_appointment(
            other_patient, starts_at=datetime(2026, 12, 7, 9, tzinfo=LA), status=AppointmentStatus.BOOKED
        ),
    }


def test_a_clinician_discontinues_a_plan_and_its_future_sessions_are_cancelled(
    clients, active_plan, plan_sessions, clinician_user
):
    reason = "Blood pressure rose after the first session."

    response: Any = clients["clinician"].post(
        discontinue_url(active_plan.pk), {"reason": reason}, format="json", HTTP_X_REQUEST_ID=REQUEST_ID
    )

    assert response.status_code == 200, response.content
    assert (response.json()["plan"]["status"], response.json()["plan"]["ended_reason"]) == ("discontinued", reason)
    active_plan.refresh_from_db()
    assert (active_plan.status, active_plan.ended_at, active_plan.ended_reason) == ("discontinued", NOW, reason)
    statuses = {name: Appointment.objects.get(pk=a.pk).status for name, a in plan_sessions.items()}
    assert statuses == {
        "done": "completed",
        "next": "cancelled",
        "after": "cancelled",
        "integration": "cancelled",
        "unrelated": "booked",
    }
    events = AppointmentEvent.objects.order_by("appointment__starts_at").values_list(
        "appointment_id", "action", "actor_id", "occurred_at", "from_status", "to_status", "reason"
    )
    assert list(events) == [
        (
            plan_sessions[name].pk,
            "cancelled",
            clinician_user.pk,
            NOW,
            "booked",
            "cancelled",
            f"Treatment plan discontinued: {reason}",
        )
        for name in ("next", "integration", "after")
    ]
    assert ClinicalAccess.objects.filter(action="discontinue").values_list(
        "actor_id", "actor_role", "object_type", "object_id", "request_id"
    ).get() == (clinician_user.pk, "clinician", "treatmentplan", active_plan.pk, REQUEST_ID)


def test_the_patient_sees_a_discontinued_plan(clients, active_plan, plan_sessions):
    clients["clinician"].post(discontinue_url(active_plan.pk), {"reason": "Stopped."}, format="json")

    response: Any = clients["patient"].get(evaluations_url(active_plan.evaluation_id))

    progress = response.json()["plan"]
    assert (progress["status"], progress["infusions_booked"], progress["infusions_completed"]) == ("discontinued", 0, 1)


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("nurse", 403, "permission_denied"),
        ("therapist", 403, "permission_denied"),
        ("admin", 403, "permission_denied"),
        ("patient", 403, "permission_denied"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_only_a_clinician_discontinues_a_plan(clients, active_plan, plan_sessions, role, status, code):
    plan_before = _plan_row(active_plan.evaluation_id)
    log_before = _access_log()

    response: Any = clients[role].post(discontinue_url(active_plan.pk), {"reason": "Not mine."}, format="json")

    _assert_error(response, status, code)
    assert _plan_row(active_plan.evaluation_id) == plan_before
    assert Appointment.objects.get(pk=plan_sessions["next"].pk).status == "booked"
    assert AppointmentEvent.objects.count() == 0
    assert _access_log() == log_before


def test_discontinuing_twice_is_a_conflict(clients, active_plan, plan_sessions):
    clinician = clients["clinician"]
    assert clinician.post(discontinue_url(active_plan.pk), {"reason": "Stopped."}, format="json").status_code == 200
    plan_before, events_before = _plan_row(active_plan.evaluation_id), AppointmentEvent.objects.count()

    response: Any = clinician.post(discontinue_url(active_plan.pk), {"reason": "Again."}, format="json")

    _assert_error(response, 409, "invalid_status")
    assert _plan_row(active_plan.evaluation_id) == plan_before
    assert AppointmentEvent.objects.count() == events_before == 3


def test_discontinuing_needs_a_reason(clients, active_plan):
    response: Any = clients["clinician"].post(discontinue_url(active_plan.pk), {"reason": ""}, format="json")

    _assert_error(response, 400, "invalid")
    assert TreatmentPlan.objects.get(pk=active_plan.pk).status == "active"


def test_discontinuing_an_unknown_plan_is_not_found(clients, evaluation_visit):
    response: Any = clients["clinician"].post(
        discontinue_url("00000000-0000-4000-8000-000000000000"), {"reason": "Stopped."}, format="json"
    )

    _assert_error(response, 404, "not_found")
