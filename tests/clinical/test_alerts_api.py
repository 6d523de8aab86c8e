"""``GET /api/v1/alerts/`` as every role, and the adverse-event endpoint's bad input: a 400 with its
code, every problem named, nothing written (SPEC.md section 10)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from accounts.models import User
from clinical.models import AdverseEvent, Alert, ClinicalAccess
from clinical.services.alerts import alert_acknowledge
from core.models import PatientDataAccess
from notifications.models import OutboxMessage
from tests.clinical.adverse_event_fixtures import NAUSEA_PAYLOAD
from tests.clinical.infusion_fixtures import START, infusion_appointment, infusion_url, reading, start
from tests.clinical.signer import plan_signer_id

pytestmark = pytest.mark.django_db

NOW = START + timedelta(minutes=30)
ROLES = ["anonymous", "patient", "nurse", "clinician", "therapist", "admin"]
READERS = {"nurse", "clinician", "admin"}  # who sees the day board


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def users(demo_clinic, patient, nurse_user, clinician_user, therapist_user, admin_user) -> dict[str, User]:
    return {
        "patient": patient,
        "nurse": nurse_user,
        "clinician": clinician_user,
        "therapist": therapist_user,
        "admin": admin_user,
    }


@pytest.fixture
def two_alerts(users) -> tuple[Alert, Alert]:
    """An open reading alert (raised at 9:20) and a resolved one (9:10), of the patient's infusion."""
    appointment = infusion_appointment(users["patient"])
    start(appointment, users["nurse"])
    reading(appointment, users["nurse"], at=START + timedelta(minutes=10), spo2=90)
    resolved = Alert.objects.get()
    alert_acknowledge(actor=users["nurse"], alert_id=resolved.pk, action="continued", now=START + timedelta(minutes=11))
    reading(appointment, users["nurse"], at=START + timedelta(minutes=20), systolic=185)
    return Alert.objects.get(resolved_at__isnull=True), resolved


@pytest.mark.parametrize("role", ROLES)
def test_listing_the_open_alerts_by_role(clients, users, two_alerts, role):
    open_alert, _ = two_alerts
    reads = PatientDataAccess.objects.count()
    response = clients[role].get("/api/v1/alerts/?open=true")
    if role not in READERS:
        assert response.status_code == (401 if role == "anonymous" else 403)
        assert response.json()["code"] == ("not_authenticated" if role == "anonymous" else "permission_denied")
        assert PatientDataAccess.objects.count() == reads
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert body["results"] == [
        {
            "id": str(open_alert.pk),
            "kind": "vitals_threshold",
            "appointment": str(open_alert.appointment_id),
            "patient": str(users["patient"].pk),
            "reasons": ["systolic"],
            "raised_at": "2026-12-07T17:20:00+00:00",  # 9:20 Pacific Time
            "resolved_at": None,
            "resolved_by": None,
            "action": "",
            "note": "",
            "notified_clinician": str(open_alert.notified_clinician_id),
            "escalated_at": None,
        }
    ]
    assert PatientDataAccess.objects.count() == reads + 1  # the read is in the access log


def test_without_open_every_alert_is_listed_newest_first(clients, two_alerts):
    open_alert, resolved = two_alerts
    body = clients["clinician"].get("/api/v1/alerts/").json()
    assert [row["id"] for row in body["results"]] == [str(open_alert.pk), str(resolved.pk)]
    assert body["results"][1]["action"] == "continued"


def test_an_unknown_open_value_is_a_400(clients, two_alerts):
    response = clients["nurse"].get("/api/v1/alerts/?open=maybe")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"


def written() -> tuple:
    return (
        list(AdverseEvent.objects.values()),
        list(Alert.objects.values()),
        list(OutboxMessage.objects.values()),
        ClinicalAccess.objects.count(),
    )


@pytest.mark.parametrize(
    ("changes", "code", "fields"),
    [
        ({"grade": 6}, "grade_out_of_range", {"grade": ["A grade from 1 to 5."]}),
        ({"code": "other"}, "description_required", {"description": ["Describe the event (required for other)."]}),
        ({"grade": 4, "serious": False}, "serious_required", {"serious": ["Grades 4 and 5 are serious."]}),
        (
            {"grade": 4, "serious": False, "code": "other", "outcome": "fatal"},
            "description_required",
            {
                "description": ["Describe the event (required for other)."],
                "serious": ["Grades 4 and 5 are serious."],
                "outcome": ["A fatal outcome is grade 5, and only it."],
            },
        ),
    ],
)
def test_bad_adverse_event_input_is_a_400_naming_every_problem_and_nothing_is_written(
    clients, users, changes, code, fields
):
    appointment = infusion_appointment(users["patient"])
    start(appointment, users["nurse"])
    before = written()
    response = clients["nurse"].post(
        infusion_url(appointment, "adverse-events"), {**NAUSEA_PAYLOAD, **changes}, format="json"
    )
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["fields"]) == (code, fields)
    assert written() == before


def test_a_serious_event_through_the_api_raises_its_alert_and_message(clients, users):
    appointment = infusion_appointment(users["patient"])
    start(appointment, users["nurse"])
    response = clients["nurse"].post(
        infusion_url(appointment, "adverse-events"),
        {**NAUSEA_PAYLOAD, "code": "laryngospasm", "grade": 4, "serious": True, "outcome": "resolved"},
        format="json",
    )
    assert response.status_code == 201, response.content
    alert = Alert.objects.get(kind="adverse_event")
    assert alert.reasons == ["grade_4", "serious"]
    signer = plan_signer_id(appointment)
    assert list(OutboxMessage.objects.filter(alert=alert).values_list("patient_id", "kind")) == [
        (signer, "clinician_alert")
    ]
    listed = clients["clinician"].get("/api/v1/alerts/?open=true").json()["results"]
    assert [(row["kind"], row["reasons"]) for row in listed] == [("adverse_event", ["grade_4", "serious"])]
