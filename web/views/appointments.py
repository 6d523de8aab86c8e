"""A patient's own appointment: the confirmation after booking, and where it is managed (cancel,
move to another time, confirm readiness for an infusion). Another patient's appointment answers
404, exactly like a missing one.

The views parse, call the service the API calls (``appointment_cancel``,
``appointment_reschedule``, ``appointment_confirm_readiness``) or the selector the API's
``?reschedule=`` search uses (``availability_search``), and render; a refusal comes back in words.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from booking.availability import availability_search
from booking.models import Appointment, AppointmentStatus
from booking.selectors import appointment_visible_to
from booking.services.appointments import appointment_cancel, appointment_reschedule, cancellation_is_late
from booking.services.lifecycle import appointment_confirm_readiness
from core.errors import DomainError
from core.permissions import role_required
from core.roles import Role
from web import timefmt
from web.calendar import appointment_ics
from web.forms import CancelForm, ReadinessForm, form_add_domain_error
from web.query import query_date, start_from
from web.views.day_picker import day_picker, first_day_asked, last_day_shown, refusal_in_words

# The services' refusals in the patient's words (the API answers the same codes).
NOT_CHANGEABLE = gettext_lazy(
    "This appointment can no longer be changed online: it is not booked any more, or it has begun. "
    "Please call the clinic."
)
CANCEL_MESSAGES = {"invalid_status": NOT_CHANGEABLE}
READINESS_MESSAGES = {
    "invalid_status": gettext_lazy("Readiness can be confirmed only for an upcoming booked appointment."),
}


def _patient(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only patients through
    return request.user


def own_appointment(request: HttpRequest, appointment_id: UUID) -> Appointment:
    appointment = appointment_visible_to(viewer=_patient(request), appointment_id=appointment_id)
    if appointment is None:
        raise Http404
    return appointment


def _detail_url(appointment: Appointment, fragment: str = "") -> str:
    return reverse("appointment", args=[appointment.pk]) + fragment


def _render_detail(
    request: HttpRequest, appointment: Appointment, readiness_form: ReadinessForm | None = None
) -> HttpResponse:
    is_infusion = appointment.appointment_type.is_infusion
    if readiness_form is None and is_infusion:
        readiness_form = ReadinessForm(
            initial={
                "driver_arranged": appointment.driver_arranged,
                "fasting_acknowledged": appointment.fasting_acknowledged,
            }
        )
    context = {
        "appointment": appointment,
        "is_upcoming": appointment.status == AppointmentStatus.BOOKED and appointment.starts_at > timezone.now(),
        "is_infusion": is_infusion,
        "form": readiness_form,
    }
    return render(request, "web/appointment.html", context)


@require_GET
@role_required(Role.PATIENT)
def appointment_detail(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _render_detail(request, own_appointment(request, appointment_id))


@require_GET
@role_required(Role.PATIENT)
def appointment_calendar(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    appointment = own_appointment(request, appointment_id)
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


# -- cancel -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def appointment_cancel_page(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """GET asks "Cancel this appointment?" (warning inside 24 hours); POST cancels."""
    appointment = own_appointment(request, appointment_id)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            cancelled = appointment_cancel(
                actor=_patient(request), appointment_id=appointment.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_domain_error(form, error, CANCEL_MESSAGES)
        else:
            if cancelled.is_late_cancellation:
                messages.success(request, _("Your appointment is cancelled. It is recorded as a late cancellation."))
            else:
                messages.success(request, _("Your appointment is cancelled."))
            return HttpResponseRedirect(_detail_url(cancelled))
    context = {
        "appointment": appointment,
        "form": form,
        "is_cancellable": appointment.status == AppointmentStatus.BOOKED,
        "is_late": cancellation_is_late(starts_at=appointment.starts_at, now=timezone.now()),
    }
    return render(request, "web/appointment_cancel.html", context)


# -- reschedule ---------------------------------------------------------------------------------


def _reschedule_url(appointment: Appointment, params: dict[str, str]) -> str:
    return f"{reverse('appointment-reschedule', args=[appointment.pk])}?{urlencode(params)}"


def _review_url(appointment: Appointment, start: datetime) -> str:
    query = urlencode({"start": start.isoformat()})
    return f"{reverse('appointment-reschedule-review', args=[appointment.pk])}?{query}"


@require_GET
@role_required(Role.PATIENT)
def appointment_reschedule_days(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """The days and times of the same type the appointment could move to (its own time free)."""
    appointment = own_appointment(request, appointment_id)
    zone = appointment.appointment_type.clinic.zone
    today = timezone.localdate(timezone=zone)
    first_day = first_day_asked(request, today)
    try:
        search = availability_search(
            viewer=_patient(request),
            type_code=appointment.appointment_type.code,
            first_day=first_day,
            last_day=last_day_shown(first_day),
            reschedule_id=appointment.pk,
        )
    except DomainError:
        messages.error(request, NOT_CHANGEABLE)
        return HttpResponseRedirect(_detail_url(appointment))
    # Its current time is where it already is, not a choice.
    slots = [slot for slot in search.slots if slot.start != appointment.starts_at]
    picker = day_picker(
        zone=zone,
        slots=slots,
        first_day=first_day,
        today=today,
        chosen=query_date(request, "day"),
        page_url=lambda params: _reschedule_url(appointment, params),
        time_url=lambda start: _review_url(appointment, start),
    )
    return render(
        request, "web/appointment_reschedule.html", {"appointment": appointment, "picker": picker, "zone": zone}
    )


@require_GET
@role_required(Role.PATIENT)
def appointment_reschedule_review(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    appointment = own_appointment(request, appointment_id)
    start = start_from(request.GET.dict())
    zone = appointment.appointment_type.clinic.zone
    context = {
        "appointment": appointment,
        "start": start,
        "start_label": timefmt.time_label(start, zone),
        "change_url": _reschedule_url(appointment, {"day": start.astimezone(zone).date().isoformat()}) + "#times",
    }
    return render(request, "web/appointment_reschedule_review.html", context)


@require_POST
@role_required(Role.PATIENT)
def appointment_reschedule_confirm(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    appointment = own_appointment(request, appointment_id)
    start = start_from(request.POST.dict())
    zone = appointment.appointment_type.clinic.zone
    try:
        moved = appointment_reschedule(actor=_patient(request), appointment_id=appointment.pk, starts_at=start)
    except DomainError as error:
        if error.code == "invalid_status":
            messages.error(request, NOT_CHANGEABLE)
            return HttpResponseRedirect(_detail_url(appointment))
        day = start.astimezone(zone).date()
        messages.error(request, refusal_in_words(error, day))
        return HttpResponseRedirect(_reschedule_url(appointment, {"day": day.isoformat()}) + "#times")
    messages.success(
        request, _("Your appointment is moved to %(when)s.") % {"when": timefmt.time_label(moved.starts_at, zone)}
    )
    return HttpResponseRedirect(_detail_url(moved))


# -- readiness ----------------------------------------------------------------------------------


@require_POST
@role_required(Role.PATIENT)
def appointment_readiness(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """The patient confirms a driver and the fasting instructions for an infusion."""
    appointment = own_appointment(request, appointment_id)
    form = ReadinessForm(request.POST)
    if form.is_valid():
        try:
            appointment_confirm_readiness(actor=_patient(request), appointment_id=appointment.pk, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error, READINESS_MESSAGES)
        else:
            messages.success(request, _("Your answers are saved."))
            return HttpResponseRedirect(_detail_url(appointment, "#readiness"))
    return _render_detail(request, appointment, readiness_form=form)
