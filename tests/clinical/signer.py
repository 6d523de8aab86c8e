"""Who signed an appointment's plan: the clinician an alert reaches when nobody is on duty."""

from __future__ import annotations

from uuid import UUID

from booking.models import Appointment


def plan_signer_id(appointment: Appointment) -> UUID:
    plan = appointment.treatment_plan
    assert plan is not None
    signer = plan.evaluation.signed_by_id
    assert signer is not None
    return signer
