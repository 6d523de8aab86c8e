"""Evaluation appointments, complete drafts and infusions of a plan for the evaluation API tests.

Appointments are written directly (AppointmentFactory), not booked: the evaluation workflow starts
from an appointment that took place, whatever the calendar looked like.
"""

from datetime import datetime
from typing import Any

from rest_framework.test import APIClient

from booking.models import Appointment, AppointmentStatus
from clinical.models import TreatmentPlan
from scheduling.models import AppointmentType
from tests.factories import AppointmentFactory

RATIONALE = "Two failed antidepressant trials; screening and vitals support a trial course."
PLAN_NOTES = "Start low; review blood pressure before the third session."
OVERRIDE_REASON = "Discussed with the patient's addiction specialist; benefits outweigh the risk."

SCREENING = {"phq9_total": 14, "gad7_total": 9, "systolic_bp": 128, "diastolic_bp": 82, "heart_rate": 72}
PLAN = {
    "infusions_planned": 6,
    "min_days_between": 2,
    "window_days": 21,
    "dose_mg_per_kg": "0.50",
    "route": "IV",
    "integration_sessions_planned": 2,
    "notes": PLAN_NOTES,
}


def evaluations_url(evaluation_id: Any = None, action: str = "") -> str:
    if evaluation_id is None:
        return "/api/v1/evaluations/"
    return f"/api/v1/evaluations/{evaluation_id}/" + (f"{action}/" if action else "")


def discontinue_url(plan_id: Any) -> str:
    return f"/api/v1/treatment-plans/{plan_id}/discontinue/"


def evaluation_appointment(
    patient: Any, *, starts_at: datetime, status: str = AppointmentStatus.COMPLETED, code: str = "evaluation"
) -> Appointment:
    """An appointment of the demo clinic's ``code`` type for ``patient`` (completed by default)."""
    appointment: Appointment = AppointmentFactory(
        patient=patient, appointment_type=AppointmentType.objects.get(code=code), starts_at=starts_at, status=status
    )
    return appointment


def plan_infusion(
    plan: TreatmentPlan, *, starts_at: datetime, status: str = AppointmentStatus.BOOKED, code: str = "infusion"
) -> Appointment:
    """An infusion (or another plan session) of ``plan`` written directly."""
    appointment: Appointment = AppointmentFactory(
        patient=plan.patient,
        appointment_type=AppointmentType.objects.get(code=code),
        treatment_plan=plan,
        starts_at=starts_at,
        status=status,
    )
    return appointment


def complete_draft_body(
    *,
    substance_use: str = "none",
    contraindications: tuple[str, ...] = (),
    decision: str = "candidate",
    override_reason: str | None = None,
    with_plan: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        **SCREENING,
        "substance_use": substance_use,
        "contraindications": list(contraindications),
        "decision": decision,
        "rationale": RATIONALE,
    }
    if override_reason is not None:
        body["override_reason"] = override_reason
    if with_plan:
        body["plan"] = dict(PLAN)
    return body


def open_draft(client: APIClient, appointment: Appointment) -> str:
    """POST the draft of ``appointment``; its id."""
    response: Any = client.post(evaluations_url(), {"appointment": str(appointment.pk)}, format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def fill_complete_draft(client: APIClient, evaluation_id: Any, **options: Any) -> dict[str, Any]:
    """PATCH a complete draft (options as in complete_draft_body); the full view answered."""
    response: Any = client.patch(evaluations_url(evaluation_id), complete_draft_body(**options), format="json")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body
