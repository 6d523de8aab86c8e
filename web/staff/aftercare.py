"""The chair's scales and the next-day follow-up calls, as pages (SPEC.md section 10): thin
adapters over the services and selectors the API calls.

- /staff/infusions/<id>/scales/: the session's MOAA/S and CADSS-6 and the form to record them;
- /staff/follow-ups/?date=: the nurses' list of a clinic day (due that day, and earlier ones
  still open);
- /staff/follow-ups/<id>/: one call and the form to record its outcome.

A POST calls the service first and builds the page only to show a refusal, beside its field.
"""

from __future__ import annotations

from http import HTTPStatus
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clinical.follow_up_selectors import follow_up_call_of, follow_up_calls_of
from clinical.infusion_rules import AT_THE_CLINIC, RECORD_ROLES
from clinical.scale_selectors import scale_assessments
from clinical.services.follow_ups import follow_up_call_record
from clinical.services.scales import infusion_scales_record
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from scheduling.selectors import clinic_today
from web.actor import actor_of
from web.forms import PageForm, form_add_each_reason
from web.refusals import raise_as_http
from web.staff.adverse_event_forms import EVENT_FIELDS
from web.staff.aftercare_forms import CADSS6_FIELDS, FollowUpOutcomeForm, ScalesForm
from web.staff.day import BoardDayForm
from web.staff.infusion_render import record_read

# A service's field name -> the form's (the adverse event's fields carry a prefix on the page).
ON_THE_PAGE = {name: f"event_{name}" for name in EVENT_FIELDS}


def _add_refusal(form: PageForm, error: DomainError, renamed: dict[str, str] | None = None) -> None:
    """A 404 or 403 as such; otherwise each of the service's words beside the field it names."""
    raise_as_http(error)
    form_add_each_reason(form, error, renamed=renamed)


# -- the scales ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*RECORD_ROLES)
def infusion_scales_page(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """A POST calls the service first (its time of day goes on the visit's day there); the page is
    read and built only to show the form, or a refusal beside its field."""
    form = ScalesForm(request.POST if request.method == "POST" else None, prefix="scales")
    status = HTTPStatus.OK
    if form.is_bound:
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                infusion_scales_record(
                    actor=actor_of(request),
                    appointment_id=appointment_id,
                    moaas=form.cleaned_data.get("moaas"),
                    cadss6_items=form.cadss6_items(),
                    assessed_at=form.cleaned_data.get("assessed_at"),
                    request_id=request_id_of(request),
                )
            except DomainError as error:
                _add_refusal(form, error)
                status = HTTPStatus(error.status_code)
            else:
                messages.success(request, "Scales recorded.")
                return HttpResponseRedirect(reverse("staff-infusion-scales", args=[appointment_id]))
    record = record_read(request, appointment_id)
    context = {
        "record": record,
        "appointment": record.appointment,
        "zone": record.appointment.appointment_type.clinic.zone,
        "assessments": scale_assessments(record=record),
        "form": form,
        "cadss6_fields": [form[name] for name in CADSS6_FIELDS],
        "writable": record.discharged_at is None and record.appointment.status in AT_THE_CLINIC,
    }
    log_patient_reads(request, "staff-infusion-scales", [record.patient_id])
    return render(request, "web/staff/infusion_scales.html", context, status=status)


# -- the follow-up calls ------------------------------------------------------------------------------------


@require_GET
@role_required(*RECORD_ROLES)
def follow_up_list_page(request: HttpRequest) -> HttpResponse:
    form = BoardDayForm(request.GET)
    day = (form.cleaned_data["date"] if form.is_valid() else None) or clinic_today()
    calls = follow_up_calls_of(day=day)
    log_patient_reads(request, "staff-follow-ups", [call.patient_id for call in calls])
    context = {"day": day, "calls": calls, "form": form if form.errors else BoardDayForm(initial={"date": day})}
    return render(request, "web/staff/follow_ups.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*RECORD_ROLES)
def follow_up_page(request: HttpRequest, follow_up_id: UUID) -> HttpResponse:
    form = FollowUpOutcomeForm(request.POST if request.method == "POST" else None)
    status = HTTPStatus.OK
    if form.is_bound:
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                call = follow_up_call_record(
                    actor=actor_of(request),
                    follow_up_id=follow_up_id,
                    reached=form.cleaned_data["reached"],
                    patient_condition=form.cleaned_data.get("patient_condition") or "",
                    adverse_event=form.adverse_event(),
                    request_id=request_id_of(request),
                )
            except DomainError as error:
                _add_refusal(form, error, ON_THE_PAGE)
                status = HTTPStatus(error.status_code)
            else:
                messages.success(request, "The call's outcome is recorded.")
                return HttpResponseRedirect(reverse("staff-follow-ups") + f"?date={call.due_on.isoformat()}")
    shown = follow_up_call_of(follow_up_id=follow_up_id)
    if shown is None:
        raise Http404
    log_patient_reads(request, "staff-follow-up", [shown.patient_id])
    zone = shown.record.appointment.appointment_type.clinic.zone
    return render(request, "web/staff/follow_up.html", {"call": shown, "form": form, "zone": zone}, status=status)
