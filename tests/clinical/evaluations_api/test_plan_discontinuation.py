"""Discontinuing a treatment plan through the API: its future sessions are cancelled, only a
clinician may, and a refusal writes nothing."""

from datetime import datetime
from typing import Any

import pytest

from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from clinical.models import ClinicalAccess, TreatmentPlan
from tests.clinical.evaluation_fixtures import (
    discontinue_url,
    evaluation_appointment,
    evaluations_url,
    plan_infusion,
)
from tests.clinical.evaluations_api.support import (
    LA,
    NOW,
    REQUEST_ID,
    access_log,
    assert_error,
    plan_row,
)

pytestmark = pytest.mark.django_db


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
    plan_before = plan_row(active_plan.evaluation_id)
    log_before = access_log()

    response: Any = clients[role].post(discontinue_url(active_plan.pk), {"reason": "Not mine."}, format="json")

    assert_error(response, status, code)
    assert plan_row(active_plan.evaluation_id) == plan_before
    assert Appointment.objects.get(pk=plan_sessions["next"].pk).status == "booked"
    assert AppointmentEvent.objects.count() == 0
    assert access_log() == log_before


def test_discontinuing_twice_is_a_conflict(clients, active_plan, plan_sessions):
    clinician = clients["clinician"]
    assert clinician.post(discontinue_url(active_plan.pk), {"reason": "Stopped."}, format="json").status_code == 200
    plan_before, events_before = plan_row(active_plan.evaluation_id), AppointmentEvent.objects.count()

    response: Any = clinician.post(discontinue_url(active_plan.pk), {"reason": "Again."}, format="json")

    assert_error(response, 409, "invalid_status")
    assert plan_row(active_plan.evaluation_id) == plan_before
    assert AppointmentEvent.objects.count() == events_before == 3


def test_discontinuing_needs_a_reason(clients, active_plan):
    response: Any = clients["clinician"].post(discontinue_url(active_plan.pk), {"reason": ""}, format="json")

    assert_error(response, 400, "invalid")
    assert TreatmentPlan.objects.get(pk=active_plan.pk).status == "active"


def test_discontinuing_an_unknown_plan_is_not_found(clients, evaluation_visit):
    response: Any = clients["clinician"].post(
        discontinue_url("00000000-0000-4000-8000-000000000000"), {"reason": "Stopped."}, format="json"
    )

    assert_error(response, 404, "not_found")
