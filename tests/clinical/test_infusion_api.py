"""The session record and alerts API: every endpoint as every role with its exact status and
nothing written on a refusal; bad input answered 400/404/409 with a code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from booking.models import Appointment, AppointmentStatus
from clinical.models import AdverseEvent, Alert, ClinicalAccess, InfusionRecord, VitalsReading
from clinical.services.infusions import infusion_record_update, infusion_vitals_record
from tests.clinical.evaluation_fixtures import evaluation_appointment
from tests.clinical.infusion_fixtures import (
    CHECK_IN,
    DISCHARGE_CHECKLIST,
    NORMAL,
    START,
    check_in,
    infusion_appointment,
    infusion_url,
    prepare_start,
    reading,
    record_scales,
    self_harm_alert,
    start,
)

pytestmark = pytest.mark.django_db

NOW = START + timedelta(minutes=95)  # 10:35: the 9:00 infusion's recovery ended at 10:30
ROLES = ["anonymous", "patient", "other_patient", "nurse", "clinician", "therapist", "admin"]
REFUSED = {"anonymous": 401, "patient": 403, "other_patient": 403, "therapist": 403, "admin": 403}
CHECKLIST = DISCHARGE_CHECKLIST


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
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
    """Everything the session record's endpoints could write."""
    return (
        list(InfusionRecord.objects.values()),
        list(VitalsReading.objects.values()),
        list(AdverseEvent.objects.values()),
        list(Alert.objects.values()),
        list(Appointment.objects.values("id", "status")),
        list(ClinicalAccess.objects.values()),
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "detail", "fields"}
    return body


def checked_in(users) -> Appointment:
    appointment = infusion_appointment(users["patient"])
    check_in(appointment, users["nurse"])
    return appointment


def under_way(users, patient=None) -> Appointment:
    appointment = infusion_appointment(patient or users["patient"])
    start(appointment, users["nurse"])
    return appointment


def ready_to_go(users, patient=None) -> Appointment:
    appointment = under_way(users, patient)
    infusion_record_update(
        actor=users["nurse"],
        appointment_id=appointment.pk,
        changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
        now=START,
    )
    reading(appointment, users["nurse"], at=NOW - timedelta(minutes=5))
    record_scales(appointment, users["nurse"], at=NOW - timedelta(minutes=5))
    return appointment


# -- every endpoint as every role ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_reading_the_record_by_role(clients, users, role):
    appointment = checked_in(users)
    before = written()
    response = clients[role].get(infusion_url(appointment))
    if role in REFUSED:
        assert_error(response, REFUSED[role], "not_authenticated" if role == "anonymous" else "permission_denied")
        assert written() == before
        return
    assert response.status_code == 200, response.content
    body = response.json()
    record = InfusionRecord.objects.get(appointment=appointment)
    assert (body["appointment"], body["status"], body["patient"]) == (
        str(appointment.pk),
        "checked_in",
        {"id": str(users["patient"].pk), "name": users["patient"].full_name},
    )
    assert (body["session_number"], body["sessions_planned"], body["route"]) == (1, 6, "IV")
    assert (body["readiness_confirmed_by_patient"], body["schedule"], body["readings"]) == (True, [], [])
    assert body["thresholds"] == {
        "systolic_at_least": 180,
        "diastolic_at_least": 110,
        "heart_rate_at_least": 130,
        "heart_rate_at_most": 45,
        "spo2_below": 92,
    }
    access = ClinicalAccess.objects.get(actor=users[role])
    assert (access.action, access.object_type, access.object_id, access.occurred_at) == (
        "read",
        "infusionrecord",
        record.pk,
        NOW,
    )


@pytest.mark.parametrize("role", ROLES)
def test_writing_weight_and_dose_by_role(clients, users, role):
    appointment = under_way(users)  # the dose is given once started
    before = written()
    earlier_accesses = list(ClinicalAccess.objects.values_list("pk", flat=True))
    response = clients[role].patch(
        infusion_url(appointment),
        {"weight_kg": "81.4", "dose_given_mg": "40.0", "dose_reason": "Patient asked for less."},
        format="json",
    )
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        assert written() == before
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["weight_kg"], body["weight_measured_on"], body["weight_measured_today"]) == (
        "81.4",
        "2026-12-07",
        True,
    )
    assert (body["dose_mg_per_kg"], body["planned_dose_mg"], body["dose_given_mg"], body["dose_reason"]) == (
        "0.50",
        "40.7",
        "40.0",
        "Patient asked for less.",
    )
    accesses = ClinicalAccess.objects.filter(actor=users[role]).exclude(pk__in=earlier_accesses)
    assert list(accesses.values_list("action", flat=True)) == ["update"]


@pytest.mark.parametrize("role", ROLES)
def test_recording_vitals_by_role(clients, users, role):
    appointment = checked_in(users)
    before = written()
    response = clients[role].post(
        infusion_url(appointment, "vitals"), {**NORMAL, "systolic": 181, "note": "Anxious."}, format="json"
    )
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        assert written() == before
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["readings"] == [
        {
            "id": VitalsReading.objects.get().pk,
            "taken_at": VitalsReading.objects.get().taken_at.isoformat(),
            "systolic": 181,
            "diastolic": 78,
            "heart_rate": 72,
            "spo2": 98,
            "note": "Anxious.",
            "recorded_by": str(users[role].pk),
            "past_thresholds": ["systolic"],
        }
    ]
    assert VitalsReading.objects.get().taken_at == NOW
    audit = ClinicalAccess.objects.filter(actor=users[role], occurred_at=NOW)
    assert list(audit.values_list("action", "object_type")) == [("update", "infusionrecord")]
    alert = Alert.objects.get()
    assert [(a["id"], a["kind"], a["reasons"], a["resolved_at"]) for a in body["alerts"]] == [
        (str(alert.pk), "vitals_threshold", ["systolic"], None)
    ]


@pytest.mark.parametrize("role", ROLES)
def test_recording_an_adverse_event_by_role(clients, users, role):
    appointment = under_way(users)
    before = written()
    response = clients[role].post(
        infusion_url(appointment, "adverse-events"),
        {
            "code": "dissociation_distress",
            "grade": 2,
            "serious": False,
            "relatedness": "probable",
            "outcome": "resolving",
            "action": "infusion_paused",
            "occurred_at": "2026-12-07T09:20:00-08:00",
            "action_detail": "Reassurance; rate halved.",
        },
        format="json",
    )
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        assert written() == before
        return
    assert response.status_code == 201, response.content
    event = AdverseEvent.objects.get()
    assert response.json()["adverse_events"] == [
        {
            "id": event.pk,
            "code": "dissociation_distress",
            "description": "",
            "grade": 2,
            "serious": False,
            "relatedness": "probable",
            "outcome": "resolving",
            "action": "infusion_paused",
            "action_detail": "Reassurance; rate halved.",
            "occurred_at": event.occurred_at.isoformat(),
            "note": "",
            "recorded_by": str(users[role].pk),
        }
    ]
    assert event.occurred_at == START + timedelta(minutes=20)
    audit = ClinicalAccess.objects.filter(actor=users[role], occurred_at=NOW)
    assert list(audit.values_list("action", "object_type")) == [("update", "infusionrecord")]


@pytest.mark.parametrize("role", ROLES)
def test_discharging_by_role(clients, users, role):
    appointment = ready_to_go(users)
    before = written()
    response = clients[role].post(infusion_url(appointment, "discharge"), CHECKLIST, format="json")
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        assert written() == before
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["discharged_by"], body["escort_present"]) == ("completed", str(users[role].pk), True)
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.COMPLETED
    assert ClinicalAccess.objects.filter(actor=users[role], action="discharge").count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_recording_the_action_on_a_reading_alert_by_role(clients, users, role):
    appointment = under_way(users)
    alert = infusion_vitals_record(
        actor=users["nurse"], appointment_id=appointment.pk, now=NOW, **{**NORMAL, "heart_rate": 131}
    ).alert
    assert alert is not None
    before = written()
    response = clients[role].post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"action": "continued"}, format="json")
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        assert written() == before
        return
    assert response.status_code == 200, response.content
    stored = Alert.objects.get()
    assert stored.resolved_at is not None
    assert response.json() == {
        "id": str(alert.pk),
        "kind": "vitals_threshold",
        "appointment": str(appointment.pk),
        "reasons": ["heart_rate_high"],
        "raised_at": stored.raised_at.isoformat(),
        "resolved_at": stored.resolved_at.isoformat(),
        "resolved_by": str(users[role].pk),
        "action": "continued",
        "note": "",
    }
    audit = ClinicalAccess.objects.filter(actor=users[role], action="acknowledge")
    assert list(audit.values_list("object_type", "object_id")) == [("alert", alert.pk)]


@pytest.mark.parametrize(("role", "status"), [("nurse", 403), ("clinician", 200), ("admin", 403), ("patient", 403)])
def test_a_self_harm_alert_is_acknowledged_by_a_clinician_only(clients, users, role, status):
    alert = self_harm_alert(infusion_appointment(users["patient"]))
    before = written()
    response = clients[role].post(
        f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "Safety plan reviewed."}, format="json"
    )
    assert response.status_code == status
    if status != 200:
        assert written() == before
    else:
        assert response.json()["note"] == "Safety plan reviewed."


# -- bad input and the state of things ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**NORMAL, "systolic": 301}, {"systolic": ["Must be between 50 and 300."]}),
        ({**NORMAL, "diastolic": 201}, {"diastolic": ["Must be between 20 and 200."]}),
        ({**NORMAL, "heart_rate": 19}, {"heart_rate": ["Must be between 20 and 250."]}),
        ({**NORMAL, "spo2": 101}, {"spo2": ["Must be between 50 and 100."]}),
    ],
)
def test_readings_outside_physiological_ranges_are_refused_per_field(clients, users, body, fields):
    appointment = checked_in(users)
    before = written()
    answer = assert_error(
        clients["nurse"].post(infusion_url(appointment, "vitals"), body, format="json"), 400, "out_of_range"
    )
    assert answer["fields"] == fields
    assert written() == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({**NORMAL, "diastolic": 124}, "diastolic_not_below_systolic", "diastolic"),
        ({**NORMAL, "taken_at": "2026-12-07T10:36:00-08:00"}, "taken_at_out_of_range", "taken_at"),
        ({**NORMAL, "taken_at": "2026-12-06T23:59:00-08:00"}, "taken_at_out_of_range", "taken_at"),
        ({**NORMAL, "taken_at": "2026-12-07T10:00:00"}, "naive_datetime", "taken_at"),
        ({**NORMAL, "systolic": "high"}, "invalid", "systolic"),
        ({"systolic": 120}, "invalid", "diastolic"),
    ],
)
def test_bad_readings_are_400_with_a_code(clients, users, body, code, field):
    appointment = checked_in(users)
    before = written()
    answer = assert_error(clients["nurse"].post(infusion_url(appointment, "vitals"), body, format="json"), 400, code)
    assert field in answer["fields"]
    assert written() == before


def test_unknown_and_non_infusion_appointments_are_404(clients, users):
    evaluation = evaluation_appointment(users["patient"], starts_at=START)
    before = written()
    for url in (infusion_url(evaluation), "/api/v1/infusions/00000000-0000-4000-8000-000000000000/"):
        assert_error(clients["nurse"].get(url), 404, "not_found")
        assert_error(clients["nurse"].post(url + "vitals/", NORMAL, format="json"), 404, "not_found")
        assert_error(clients["nurse"].post(url + "discharge/", CHECKLIST, format="json"), 404, "not_found")
    assert_error(
        clients["nurse"].post(
            "/api/v1/alerts/00000000-0000-4000-8000-000000000000/acknowledge/", {"action": "paused"}, format="json"
        ),
        404,
        "not_found",
    )
    assert written() == before


def test_more_than_planned_is_400_and_a_weight_out_of_range_too(clients, users):
    appointment = under_way(users)  # weighed 70.0 kg by the fixture
    clients["nurse"].patch(infusion_url(appointment), {"weight_kg": "70.0"}, format="json")
    before = written()
    answer = assert_error(
        clients["nurse"].patch(infusion_url(appointment), {"dose_given_mg": "35.1"}, format="json"),
        400,
        "dose_above_plan",
    )
    assert answer["fields"] == {"dose_given_mg": ["At most 35.0 mg."]}
    assert_error(
        clients["nurse"].patch(infusion_url(appointment), {"dose_given_mg": "30.0"}, format="json"),
        400,
        "dose_reason_required",
    )
    assert clients["nurse"].patch(infusion_url(appointment), {"weight_kg": "24.9"}, format="json").status_code == 400
    assert written() == before


def test_an_early_discharge_is_409_naming_what_is_missing(clients, users):
    appointment = under_way(users)
    InfusionRecord.objects.filter(appointment=appointment).update(started_at=NOW - timedelta(minutes=60))
    before = written()
    answer = assert_error(
        clients["nurse"].post(infusion_url(appointment, "discharge"), {"alert_and_oriented": True}, format="json"),
        409,
        "discharge_not_ready",
    )
    assert answer["fields"] == {
        "missing": ["recovery_time", "recent_reading", "sedation", "dissociation_scale", "dose_given", "checklist"],
        "checklist": ["escort_present", "walking_steadily", "instructions_given"],
    }
    assert written() == before


def test_a_discharged_record_is_read_only(clients, users):
    appointment = ready_to_go(users)
    assert clients["nurse"].post(infusion_url(appointment, "discharge"), CHECKLIST, format="json").status_code == 200
    before = written()
    for response in (
        clients["nurse"].post(infusion_url(appointment, "vitals"), NORMAL, format="json"),
        clients["nurse"].patch(infusion_url(appointment), {"dose_reason": "Later note."}, format="json"),
        clients["nurse"].post(infusion_url(appointment, "discharge"), CHECKLIST, format="json"),
    ):
        assert_error(response, 409, "record_discharged")
    assert written() == before


def test_the_start_and_complete_buttons_answer_the_gates_codes(clients, users):
    appointment = infusion_appointment(users["patient"], ready=False)
    check_in(appointment, users["nurse"])
    prepare_start(appointment, users["nurse"], at=CHECK_IN)
    before = written()
    answer = assert_error(
        clients["nurse"].post(f"/api/v1/appointments/{appointment.pk}/start/", {}, format="json"),
        409,
        "readiness_missing",  # the first of the table's order
    )
    assert answer["fields"] == {"missing": ["readiness", "baseline_reading"]}
    assert written() == before
    running = under_way(users, patient=users["other_patient"])
    assert_error(
        clients["nurse"].post(f"/api/v1/appointments/{running.pk}/complete/", {}, format="json"),
        409,
        "discharge_required",
    )


def test_a_resolved_alert_is_409(clients, users):
    appointment = under_way(users)
    alert = infusion_vitals_record(
        actor=users["nurse"], appointment_id=appointment.pk, now=NOW, **{**NORMAL, "spo2": 90}
    ).alert
    assert alert is not None
    url = f"/api/v1/alerts/{alert.pk}/acknowledge/"
    assert_error(clients["nurse"].post(url, {}, format="json"), 400, "action_required")
    assert clients["nurse"].post(url, {"action": "stopped"}, format="json").status_code == 200
    assert_error(clients["clinician"].post(url, {"action": "paused"}, format="json"), 409, "alert_resolved")
    assert Alert.objects.get().action == "stopped"


def test_the_schedule_shows_overdue_readings_from_the_real_start(clients, users):
    appointment = under_way(users)  # started 9:00, baseline 8:55; NOW is 10:35
    body = clients["nurse"].get(infusion_url(appointment)).json()
    assert [(row["kind"], row["status"]) for row in body["schedule"]] == [
        ("baseline", "done"),
        ("infusion", "missed"),
        ("infusion", "missed"),
        ("infusion", "missed"),
        ("infusion", "missed"),
        ("infusion", "missed"),
        ("recovery", "missed"),
        ("recovery", "missed"),
        ("discharge", "due"),  # due at 10:30: overdue only after 10:35
    ]
    moments = [datetime.fromisoformat(body[name]) for name in ("started_at", "infusion_ends_at", "recovery_ends_at")]
    assert moments == [START, START + timedelta(minutes=50), START + timedelta(minutes=90)]


def test_signing_an_evaluation_whose_visit_is_still_ahead_is_409(clients, users):
    appointment = evaluation_appointment(users["patient"], starts_at=START + timedelta(days=1), status="booked")
    draft = clients["clinician"].post("/api/v1/evaluations/", {"appointment": str(appointment.pk)}, format="json")
    assert draft.status_code == 201, draft.content
    evaluation_id = draft.json()["id"]
    before = written()
    assert_error(clients["clinician"].post(f"/api/v1/evaluations/{evaluation_id}/sign/"), 409, "visit_not_started")
    assert written() == before
    assert clients["clinician"].get(f"/api/v1/evaluations/{evaluation_id}/").json()["status"] == "draft"


def test_checking_in_tomorrows_infusion_is_409_not_today(clients, users):
    tomorrow = infusion_appointment(users["patient"], starts_at=START + timedelta(days=1))
    before = written()
    response = clients["nurse"].post(f"/api/v1/appointments/{tomorrow.pk}/check-in/", {}, format="json")
    assert_error(response, 409, "not_today")
    assert written() == before


@pytest.mark.parametrize("dose", ["0", "0.0", "-5.0", "-0.1"])
def test_a_dose_given_of_zero_or_less_is_400_out_of_range_never_a_server_error(clients, users, dose):
    appointment = checked_in(users)
    clients["nurse"].patch(infusion_url(appointment), {"weight_kg": "70.0"}, format="json")
    before = written()

    answer = assert_error(
        clients["nurse"].patch(
            infusion_url(appointment), {"dose_given_mg": dose, "dose_reason": "Stopped early."}, format="json"
        ),
        400,
        "out_of_range",
    )

    assert answer["fields"] == {"dose_given_mg": ["Must be between 0.1 and 99999.9."]}
    assert written() == before
