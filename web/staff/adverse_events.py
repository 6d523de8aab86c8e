"""The session page's "Record adverse event" (SPEC.md section 10): a thin adapter over
``clinical.services.adverse_events.adverse_event_record``, the API's service, through the page's
one path (``web.staff.infusion_render.submit``: the service first, the page built only to show a
refusal, each problem in its own words beside its field)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from clinical.adverse_event_rules import adverse_event_input, adverse_event_raises_alert
from clinical.infusion_rules import RECORD_ROLES
from clinical.services.adverse_events import adverse_event_record
from core.permissions import role_required
from core.request_id import request_id_of
from web.actor import actor_of
from web.forms import form_add_each_reason
from web.staff.adverse_event_forms import AdverseEventForm
from web.staff.infusion_render import Done, submit


@require_POST
@role_required(*RECORD_ROLES)
def infusion_adverse_event(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    form = AdverseEventForm(request.POST, prefix="event")

    def write(data: dict[str, Any]) -> Done:
        event = adverse_event_input(form.service_values())
        adverse_event_record(
            actor=actor_of(request),
            appointment_id=appointment_id,
            event=event,
            note=data["note"],
            occurred_at=data["occurred_at"],  # a time of day: the service places it on the visit's day
            request_id=request_id_of(request),
        )
        if event.grade is not None and adverse_event_raises_alert(grade=event.grade, serious=event.serious):
            words = "Adverse event recorded. The clinician responsible has been alerted."
            return Done(words, "alerts", messages.WARNING)
        return Done("Adverse event recorded.", "adverse-events")

    return submit(request, appointment_id, name="event", form=form, write=write, place=form_add_each_reason)
