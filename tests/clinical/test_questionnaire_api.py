"""The questionnaire API against every role: GET /api/v1/me/questionnaires/ and
POST /api/v1/questionnaires/{id}/answers/ (SPEC.md section 10)."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from booking.models import AppointmentStatus
from clinical.models import Alert, ClinicalAccess, Questionnaire
from tests.clinical.questionnaire_fixtures import (
    PHQ9_CALM,
    START,
    answered,
    infusion_with_questionnaires,
    plan_of,
)

pytestmark = pytest.mark.django_db

OPEN_NOW = START - timedelta(hours=24)
VISIT_DAY = START - timedelta(minutes=30)
ROLES = ["anonymous", "patient", "other_patient", "nurse", "clinician", "therapist", "admin"]


@pytest.fixture
def as_role(client_for, patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user):
    users = {
        "patient": patient,
        "other_patient": other_patient,
        "nurse": nurse_user,
        "clinician": clinician_user,
        "therapist": therapist_user,
        "admin": admin_user,
    }

    def make(role: str) -> APIClient:
        return APIClient() if role == "anonymous" else client_for(users[role])

    return make


@pytest.fixture
def infusion(demo_clinic, patient):
    return infusion_with_questionnaires(plan_of(patient))


def answers_url(questionnaire) -> str:
    return f"/api/v1/questionnaires/{questionnaire.pk}/answers/"


def assert_error(response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()


def nothing_answered() -> bool:
    return (
        not Questionnaire.objects.filter(answered_at__isnull=False).exists()
        and not Alert.objects.exists()
        and not ClinicalAccess.objects.exists()
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("patient", 200),
        ("other_patient", 200),
        ("nurse", 403),
        ("clinician", 403),
        ("therapist", 403),
        ("admin", 403),
    ],
)
def test_my_questionnaires_by_role(as_role, infusion, role, status):
    with time_machine.travel(OPEN_NOW, tick=False):
        response = as_role(role).get("/api/v1/me/questionnaires/")

    assert response.status_code == status
    if role == "patient":
        _, phq9, gad7 = infusion
        assert [(row["id"], row["kind"], row["state"]) for row in response.json()["due"]] == [
            (str(phq9.pk), "phq9", "due"),
            (str(gad7.pk), "gad7", "due"),
        ]
        assert response.json()["answered"] == []
    if role == "other_patient":
        assert response.json() == {"due": [], "answered": []}


def test_the_patient_reads_their_answers_and_totals_but_no_alert_or_note(as_role, infusion, clinician_user):
    appointment, phq9, _ = infusion
    answered(phq9, [2, 2, 2, 2, 2, 2, 2, 2, 1], at=OPEN_NOW)
    Alert.objects.create(
        kind="self_harm",
        patient=appointment.patient,
        appointment=appointment,
        questionnaire=phq9,
        reasons=["phq9_item_9"],
        raised_at=OPEN_NOW,
        resolved_at=OPEN_NOW,
        resolved_by=clinician_user,
        note="Spoke with the patient; a safety plan is in place.",
    )

    with time_machine.travel(OPEN_NOW + timedelta(hours=1), tick=False):
        response = as_role("patient").get("/api/v1/me/questionnaires/")

    assert response.status_code == 200
    assert response.json()["answered"] == [
        {
            "id": str(phq9.pk),
            "kind": "phq9",
            "state": "answered",
            "opens_at": "2026-12-04T18:00:00Z",
            "appointment": str(appointment.pk),
            "appointment_starts_at": "2026-12-07T18:00:00Z",
            "items": [2, 2, 2, 2, 2, 2, 2, 2, 1],
            "total": 17,
            "difficulty": "",
            "band": "moderately_severe",
            "answered_at": "2026-12-06T18:00:00Z",
            "on_behalf": False,
        }
    ]
    assert "safety" not in response.content.decode()
    assert "alert" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("patient", 201, None),
        ("other_patient", 404, "not_found"),
        ("nurse", 201, None),
        ("clinician", 201, None),
        ("therapist", 403, "permission_denied"),
        ("admin", 403, "permission_denied"),
    ],
)
def test_answering_by_role_on_the_visits_day(as_role, infusion, role, status, code):
    _, phq9, _ = infusion

    with time_machine.travel(VISIT_DAY, tick=False):
        response = as_role(role).post(answers_url(phq9), {"items": PHQ9_CALM}, format="json")

    assert response.status_code == status
    phq9.refresh_from_db()
    if code is not None:
        assert response.json()["code"] == code
        assert nothing_answered()
    else:
        body = response.json()
        assert (body["total"], body["band"], body["state"], body["items"]) == (3, "minimal", "answered", PHQ9_CALM)
        assert body["on_behalf"] is (role != "patient")
        assert phq9.total == 3
        assert ClinicalAccess.objects.filter(action="answer", object_id=phq9.pk).count() == (role != "patient")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"items": [0, 1, 2, 3, 4, 0, 0, 0, 0]}, {"items": {"4": ["Ensure this value is less than or equal to 3."]}}),
        (
            {"items": [0, 1, 2, 3, -1, 0, 0, 0, 0]},
            {"items": {"4": ["Ensure this value is greater than or equal to 0."]}},
        ),
        ({"items": [0, 0, 0, 0, 0, 0]}, {"items": ["Ensure this field has at least 7 elements."]}),
        ({"items": [0] * 10}, {"items": ["Ensure this field has no more than 9 elements."]}),
        ({}, {"items": ["This field is required."]}),
        ({"items": "all fine"}, {"items": ['Expected a list of items but got type "str".']}),
    ],
)
def test_bad_input_is_400_with_nothing_written(as_role, infusion, body, fields):
    _, phq9, _ = infusion

    with time_machine.travel(OPEN_NOW, tick=False):
        response = as_role("patient").post(answers_url(phq9), body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == fields
    assert nothing_answered()


def test_a_missing_item_for_the_kind_is_400_invalid_answers(as_role, infusion):
    _, phq9, gad7 = infusion

    with time_machine.travel(OPEN_NOW, tick=False):
        eight = as_role("patient").post(answers_url(phq9), {"items": [0] * 8}, format="json")
        nine_for_gad7 = as_role("patient").post(answers_url(gad7), {"items": [0] * 9}, format="json")

    assert_error(eight, 400, "invalid_answers")
    assert eight.json()["fields"] == {"items": ["Exactly 9 answers are needed; 8 were given."]}
    assert_error(nine_for_gad7, 400, "invalid_answers")
    assert nothing_answered()


def test_another_patients_questionnaire_and_an_unknown_one_are_404(as_role, infusion):
    _, phq9, _ = infusion

    with time_machine.travel(OPEN_NOW, tick=False):
        theirs = as_role("other_patient").post(answers_url(phq9), {"items": PHQ9_CALM}, format="json")
        unknown = as_role("patient").post(
            "/api/v1/questionnaires/00000000-0000-0000-0000-000000000000/answers/", {"items": PHQ9_CALM}, format="json"
        )

    assert_error(theirs, 404, "not_found")
    assert_error(unknown, 404, "not_found")
    assert nothing_answered()


@pytest.mark.parametrize("status", [AppointmentStatus.IN_PROGRESS, AppointmentStatus.COMPLETED])
def test_answers_after_the_infusion_started_are_409(as_role, infusion, status):
    appointment, phq9, _ = infusion
    appointment.status = status
    appointment.save(update_fields=["status"])

    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        response = as_role("nurse").post(answers_url(phq9), {"items": PHQ9_CALM}, format="json")

    assert_error(response, 409, "questionnaire_closed")
    assert nothing_answered()


def test_before_it_opens_twice_and_by_staff_on_another_day_are_409(as_role, infusion):
    _, phq9, gad7 = infusion

    with time_machine.travel(phq9.opens_at - timedelta(minutes=1), tick=False):
        early = as_role("patient").post(answers_url(phq9), {"items": PHQ9_CALM}, format="json")
    with time_machine.travel(OPEN_NOW, tick=False):
        not_today = as_role("nurse").post(answers_url(gad7), {"items": [0] * 7}, format="json")
    assert_error(early, 409, "questionnaire_not_open")
    assert_error(not_today, 409, "not_today")
    assert nothing_answered()

    with time_machine.travel(OPEN_NOW, tick=False):
        first = as_role("patient").post(answers_url(phq9), {"items": PHQ9_CALM}, format="json")
        second = as_role("patient").post(answers_url(phq9), {"items": [3] * 9}, format="json")

    assert first.status_code == 201
    assert_error(second, 409, "already_answered")
    phq9.refresh_from_db()
    assert phq9.total == 3
    assert not Alert.objects.exists()


def test_a_self_harm_answer_through_the_api_raises_the_alert_and_says_nothing_of_it(as_role, infusion):
    _, phq9, _ = infusion

    with time_machine.travel(OPEN_NOW, tick=False):
        response = as_role("patient").post(answers_url(phq9), {"items": [0] * 8 + [2]}, format="json")

    assert response.status_code == 201
    assert set(response.json()) == {
        "id",
        "kind",
        "state",
        "opens_at",
        "appointment",
        "appointment_starts_at",
        "items",
        "total",
        "difficulty",
        "band",
        "answered_at",
        "on_behalf",
    }
    assert list(Alert.objects.values_list("kind", "questionnaire_id")) == [("self_harm", phq9.pk)]


def test_the_closing_question_is_answered_through_the_api_and_a_bad_one_is_a_400(as_role, infusion):
    _, phq9, gad7 = infusion

    with time_machine.travel(OPEN_NOW, tick=False):
        bad = as_role("patient").post(answers_url(phq9), {"items": PHQ9_CALM, "difficulty": "awful"}, format="json")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["difficulty"])
    assert nothing_answered()

    with time_machine.travel(OPEN_NOW, tick=False):
        good = as_role("patient").post(
            answers_url(gad7), {"items": [0] * 7, "difficulty": "somewhat_difficult"}, format="json"
        )
    assert (good.status_code, good.json()["difficulty"], good.json()["total"]) == (201, "somewhat_difficult", 0)
