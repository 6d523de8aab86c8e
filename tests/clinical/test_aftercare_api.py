"""The scales and follow-up call API (SPEC.md section 10): every endpoint as every role with its
exact status, nothing written on a refusal, bad input answered 400 with a code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from booking.models import Appointment
from clinical.models import AdverseEvent, ClinicalAccess, FollowUpCall, ScaleAssessment
from clinical.services.infusions import infusion_discharge, infusion_record_update
from tests.clinical.infusion_fixtures import (
    DISCHARGE_CHECKLIST,
    LA,
    START,
    infusion_appointment,
    infusion_url,
    reading,
    record_scales,
    start,
)

pytestmark = pytest.mark.django_db

ENDED = START + timedelta(minutes=50)
NOW = START + timedelta(minutes=60)  # in recovery
NEXT_DAY = datetime(2026, 12, 8, 10, tzinfo=LA)
ROLES = ["anonymous", "patient", "other_patient", "nurse", "clinician", "therapist", "admin"]
REFUSED = {"anonymous": 401, "patient": 403, "other_patient": 403, "therapist": 403, "admin": 403}


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def next_day() -> Iterator[Any]:
    """The day after the infusion, for the whole test (the clients' tokens are made then too)."""
    with time_machine.travel(NEXT_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def users(demo_clinic, patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user):
    return {
        "patient": patient,
        "other_patient": other_patient,
        "nurse": nurse_user,
        "clinician": clinician_user,
        "therapist": therapist_user,
        "admin": admin_user,
    }


def written() -> tuple:
    return (
        list(ScaleAssessment.objects.values()),
        list(FollowUpCall.objects.values()),
        list(AdverseEvent.objects.values()),
        list(ClinicalAccess.objects.values()),
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "detail", "fields"}
    return body


def under_way(users) -> Appointment:
    appointment = infusion_appointment(users["patient"])
    start(appointment, users["nurse"])
    return appointment


def discharged(users) -> FollowUpCall:
    appointment = under_way(users)
    nurse = users["nurse"]
    infusion_record_update(
        actor=nurse, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("35.0")}, now=START
    )
    recovered = START + timedelta(minutes=90)
    reading(appointment, nurse, at=recovered)
    record_scales(appointment, nurse, at=recovered)
    infusion_discharge(actor=nurse, appointment_id=appointment.pk, checklist=DISCHARGE_CHECKLIST, now=recovered)
    return FollowUpCall.objects.get(record__appointment=appointment)


# -- scales ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_recording_the_scales_by_role(clock, clients, users, role):
    appointment = under_way(users)
    before = written()
    body = {"moaas": 5, "cadss6_items": [0, 1, 0, 2, 0, 1], "assessed_at": ENDED.isoformat()}
    response = clients[role].post(infusion_url(appointment, "scales"), body, format="json")
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        assert written() == before
        return
    assert response.status_code == 201, response.content
    answer = response.json()
    assert {key: answer[key] for key in ("moaas", "cadss6_items", "cadss6_total", "recorded_by")} == {
        "moaas": 5,
        "cadss6_items": [0, 1, 0, 2, 0, 1],
        "cadss6_total": 4,
        "recorded_by": str(users[role].pk),
    }
    assert ScaleAssessment.objects.get().assessed_at == ENDED


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        ({"moaas": 7}, "out_of_range", {"moaas": ["A whole number from 0 to 5."]}),
        (
            {"cadss6_items": [0, 0, 0, 0, 5, 0]},
            "out_of_range",
            {"cadss6_items": ["Item 5: a whole number from 0 to 4."]},
        ),
        ({"cadss6_items": [0, 0, 0]}, "min_length", {"cadss6_items": ["Ensure this field has at least 6 elements."]}),
        (
            {},
            "scale_required",
            {"moaas": ["Required without a CADSS-6."], "cadss6_items": ["Required without a MOAA/S."]},
        ),
    ],
)
def test_bad_scales_are_400_and_write_nothing(clock, clients, users, body, code, fields):
    appointment = under_way(users)
    before = written()
    answer = assert_error(clients["nurse"].post(infusion_url(appointment, "scales"), body, format="json"), 400, code)
    assert answer["fields"] == fields
    assert written() == before


def test_scales_of_an_unknown_infusion_are_404(clock, clients, users):
    response = clients["nurse"].post(
        "/api/v1/infusions/00000000-0000-0000-0000-000000000000/scales/", {"moaas": 5}, format="json"
    )
    assert_error(response, 404, "not_found")


# -- follow-up calls -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_nurses_list_by_role(next_day, clients, users, role):
    call = discharged(users)
    response = clients[role].get("/api/v1/follow-ups/?date=2026-12-08")
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date"] == "2026-12-08"
    assert [(row["id"], row["due_on"], row["reached"]) for row in body["follow_ups"]] == [
        (str(call.pk), "2026-12-08", None)
    ]
    assert body["follow_ups"][0]["patient"]["name"] == users["patient"].full_name


def test_the_list_of_the_day_before_is_empty(next_day, clients, users):
    discharged(users)
    assert clients["nurse"].get("/api/v1/follow-ups/?date=2026-12-07").json()["follow_ups"] == []


def test_a_bad_date_is_400(next_day, clients, users):
    assert clients["nurse"].get("/api/v1/follow-ups/?date=2026-13-40").status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_calls_outcome_by_role(next_day, clients, users, role):
    call = discharged(users)
    before = written()
    body = {
        "reached": True,
        "patient_condition": "Tired, a headache in the evening.",
        "adverse_event": {
            "code": "headache",
            "grade": 1,
            "serious": False,
            "relatedness": "possible",
            "outcome": "resolving",
            "action": "none",
            "action_detail": "Advised rest and fluids.",
        },
    }
    response = clients[role].post(f"/api/v1/follow-ups/{call.pk}/", body, format="json")
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        assert written() == before
        return
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["reached"], answer["patient_condition"], answer["recorded_by"]) == (
        True,
        "Tired, a headache in the evening.",
        str(users[role].pk),
    )
    event = AdverseEvent.objects.get()
    assert (answer["adverse_event"]["id"], event.record_id, event.code) == (event.pk, call.record_id, "headache")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"reached": True}, 400, "condition_required"),
        ({"reached": False, "patient_condition": "Well."}, 400, "not_reached"),
        ({"reached": "yes"}, 400, "invalid"),
        ({"reached": True, "patient_condition": "Unwell.", "adverse_event": {"code": "nope"}}, 400, "invalid"),
    ],
)
def test_a_bad_outcome_is_refused_and_writes_nothing(next_day, clients, users, body, status, code):
    call = discharged(users)
    before = written()
    response = clients["nurse"].post(f"/api/v1/follow-ups/{call.pk}/", body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert written() == before


def test_a_second_outcome_is_409_and_an_unknown_call_404(next_day, clients, users):
    call = discharged(users)
    with time_machine.travel(NEXT_DAY, tick=False):
        assert (
            clients["nurse"].post(f"/api/v1/follow-ups/{call.pk}/", {"reached": False}, format="json").status_code
            == 200
        )
        before = written()
        again = clients["clinician"].post(f"/api/v1/follow-ups/{call.pk}/", {"reached": False}, format="json")
        assert_error(again, 409, "follow_up_recorded")
        assert written() == before
        unknown = clients["nurse"].post(
            "/api/v1/follow-ups/00000000-0000-0000-0000-000000000000/", {"reached": False}, format="json"
        )
        assert_error(unknown, 404, "not_found")
