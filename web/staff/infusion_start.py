"""What the session record page adds before the start (SPEC.md section 10): the nurse's
medication review at check-in and the clinician's pre-dose override. Each form calls one service
(the API's), then back to the page; a refusal comes back on it (``web/staff/infusions.py``).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_POST

from clinical.services.infusions import RECORD_ROLES
from clinical.services.start_gate import predose_override_record
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import Role
from web.staff.forms import MedicationsReviewForm, PredoseOverrideForm
from web.staff.infusions import _actor, _page_url, _read, _refused, _render, _update


@require_POST
@role_required(*RECORD_ROLES)
def infusion_medications(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _update(
        request,
        appointment_id,
        name="medications",
        form=MedicationsReviewForm(request.POST, prefix="medications"),
        changes_of=lambda data, _record: {"medications_review": data["medications_review"]},
        done="Medication review recorded.",
        anchor="readiness",
    )


@require_POST
@role_required(Role.CLINICIAN)
def infusion_predose_override(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    record = _read(request, appointment_id)
    form = PredoseOverrideForm(request.POST, prefix="override")
    if not form.is_valid():
        return _render(request, record, failed="override", form=form, status=400)
    try:
        predose_override_record(
            actor=_actor(request),
            appointment_id=appointment_id,
            note=form.cleaned_data["note"],
            request_id=request_id_of(request),
        )
    except DomainError as error:
        return _refused(request, record, "override", form, error)
    messages.success(request, "Pre-dose override recorded.")
    return HttpResponseRedirect(_page_url(appointment_id, "start"))
