"""What the session record page adds before the start (SPEC.md section 10): the nurse's
medication review at check-in and the clinician's pre-dose override. Each form goes the page's
one way (``infusion_page.submit``): the service (the API's) first, then back to the page; a
refusal comes back on it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from clinical.infusion_rules import PREDOSE_OVERRIDE_ROLES, RECORD_ROLES
from clinical.services.start_gate import predose_override_record
from core.permissions import role_required
from core.request_id import request_id_of
from web.actor import actor_of
from web.staff.forms import MedicationsReviewForm, PredoseOverrideForm
from web.staff.infusion_render import Done, submit
from web.staff.infusions import record_update


@require_POST
@role_required(*RECORD_ROLES)
def infusion_medications(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    def write(data: dict[str, Any]) -> Done:
        changes = {"medications_review": data["medications_review"]}
        return record_update(request, appointment_id, changes, "Medication review recorded.", "readiness")

    form = MedicationsReviewForm(request.POST, prefix="medications")
    return submit(request, appointment_id, name="medications", form=form, write=write)


@require_POST
@role_required(*PREDOSE_OVERRIDE_ROLES)
def infusion_predose_override(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    def write(data: dict[str, Any]) -> Done:
        predose_override_record(
            actor=actor_of(request),
            appointment_id=appointment_id,
            note=data["note"],
            request_id=request_id_of(request),
        )
        return Done("Pre-dose override recorded.", "start")

    form = PredoseOverrideForm(request.POST, prefix="override")
    return submit(request, appointment_id, name="override", form=form, write=write)
