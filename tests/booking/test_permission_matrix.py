"""Every appointment endpoint against every role, with the exact status code; a refusal writes
nothing (the appointment row and its history are unchanged)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import Appointment, AppointmentEvent
from booking.services.appointments import appointment_book
from scheduling.models import AppointmentType

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 10, 30, tzinfo=LA)  # the appointment below began at 10:00
ROLES = ["anonymous", "owner", "other_patient", "nurse", "clinician", "therapist", "admin"]

# endpoint -> expected status per role, in ROLES order.
MATRIX = {
    "list": [401, 200, 200, 200, 200, 200, 200],
    "detail": [401, 200, 404, 200, 200, 200, 200],
    "create": [401, 201, 201, 201, 201, 403, 201],
    "cancel": [401, 409, 404, 200, 200, 403, 200],
    "reschedule": [401, 409, 404, 200, 200, 403, 200],
    "check-in": [401, 403, 403, 200, 200, 403, 200],
    "no-show": [401, 403, 403, 200, 200, 403, 200],
    # The appointment is booked, not checked in: staff reach the state check, others the role check.
    "start": [401, 403, 403, 409, 409, 403, 409],
    "complete": [401, 403, 403, 409, 409, 403, 409],
    "schedule": [401, 403, 403, 200, 200, 200, 200],
}


@pytest.fixture
def world(
    demo_clinic, patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user, client_for, api_client
):
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=LA), tick=False):
        appointment = appointment_book(
            actor=patient,
            patient=patient,
            appointment_type=AppointmentType.objects.get(code="evaluation"),
            starts_at=datetime(2026, 12, 3, 10, tzinfo=LA),
        )
    users = {
        "owner": patient,
        "other_patient": other_patient,
        "nurse": nurse_user,
        "clinician": clinician_user,
        "therapist": therapist_user,
        "admin": admin_user,
    }
    with time_machine.travel(NOW, tick=False):
        clients = {role: client_for(user) for role, user in users.items()}
        clients["anonymous"] = api_client
        yield {"appointment": appointment, "clients": clients, "users": users}


def _call(world, endpoint: str, role: str):
    client = world["clients"][role]
    appointment_url = f"/api/v1/appointments/{world['appointment'].pk}"
    patient = world["users"]["owner"] if role not in {"owner", "other_patient"} else world["users"][role]
    if endpoint == "list":
        return client.get("/api/v1/appointments/")
    if endpoint == "detail":
        return client.get(f"{appointment_url}/")
    if endpoint == "create":
        body = {"type": "evaluation", "start": "2026-12-07T11:00:00-08:00"}
        if role not in {"owner", "other_patient"}:
            body["patient"] = str(patient.pk)
        return client.post("/api/v1/appointments/", body, format="json")
    if endpoint == "cancel":
        return client.post(f"{appointment_url}/cancel/", {"reason": "r"}, format="json")
    if endpoint == "reschedule":
        return client.post(f"{appointment_url}/reschedule/", {"start": "2026-12-07T14:00:00-08:00"}, format="json")
    if endpoint in {"check-in", "no-show", "start", "complete"}:
        return client.post(f"{appointment_url}/{endpoint}/", {}, format="json")
    if endpoint == "schedule":
        return client.get("/api/v1/schedule/?date=2026-12-03")
    raise AssertionError(endpoint)


def _snapshot(world):
    appointment = world["appointment"]
    return (
        Appointment.objects.count(),
        Appointment.objects.values().get(pk=appointment.pk),
        list(AppointmentEvent.objects.order_by("id").values_list("id", "action")),
    )


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_every_role_exactly(world, endpoint, role):
    expected = MATRIX[endpoint][ROLES.index(role)]
    before = _snapshot(world)

    response = _call(world, endpoint, role)

    assert response.status_code == expected, response.content
    body = response.json()
    if expected >= 400:
        assert set(body) == {"code", "detail", "fields"}
        assert _snapshot(world) == before, "a refused request changed something"
    if endpoint == "list" and expected == 200:
        visible = {row["id"] for row in body["results"]}
        assert (str(world["appointment"].pk) in visible) == (role != "other_patient")
