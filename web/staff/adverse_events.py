"""The session page's "Record adverse event" (SPEC.md section 10): a thin adapter over
``clinical.services.adverse_events.adverse_event_record``, the API's service. It calls the
service first and builds the session page (``web.staff.infusions``) only to show a refusal,
each problem beside its field."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_POST

from clinical.adverse_event_rules import adverse_event_input
from clinical.services.adverse_events import adverse_event_record
from clinical.services.infusions import RECORD_ROLES
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from web.staff.adverse_event_forms import AdverseEventForm
from web.staff.infusions import _actor, _on_the_day, _page_url, _raise_as_http, _read, _render


def _beside_fields(form: AdverseEventForm, error: DomainError) -> None:
    """Each field's own words beside it; what names no field, at the top."""
    fields = error.fields if isinstance(error.fields, dict) else {}
    named = {name: words for name, words in fields.items() if name in form.fields}
    for name, words in named.items():
        for text in words if isinstance(words, list) else [words]:
            form.add_error(name, str(text))
    if not named:
        form.add_error(None, error.detail)


@require_POST
@role_required(*RECORD_ROLES)
def infusion_adverse_event(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    record = _read(request, appointment_id)
    form = AdverseEventForm(request.POST, prefix="event")
    if not form.is_valid():
        return _render(request, record, failed="event", form=form, status=400)
    try:
        event = adverse_event_record(
            actor=_actor(request),
            appointment_id=appointment_id,
            event=adverse_event_input(form.service_values()),
            note=form.cleaned_data["note"],
            occurred_at=_on_the_day(record, form.cleaned_data["occurred_at"]),
            request_id=request_id_of(request),
        )
    except DomainError as error:
        _raise_as_http(error)
        _beside_fields(form, error)
        return _render(request, record, failed="event", form=form, status=error.status_code)
    if hasattr(event, "alert"):
        messages.warning(request, "Adverse event recorded. The clinician responsible has been alerted.")
        return HttpResponseRedirect(_page_url(appointment_id, "alerts"))
    messages.success(request, "Adverse event recorded.")
    return HttpResponseRedirect(_page_url(appointment_id, "adverse-events"))
