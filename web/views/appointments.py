"""A patient's own appointment: the confirmation after booking, its calendar file, and the
readiness an infusion asks for. Moving and cancelling it are the booking flow's steps
(web/booking_flow/), bound to the patient in web/urls.py. Another patient's appointment answers
404, exactly like a missing one.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from booking.models import Appointment
from booking.selectors import appointment_visible_to
from booking.services.lifecycle import appointment_confirm_readiness
from booking.upcoming import appointment_changeable
from core.errors import DomainError
from core.permissions import role_required
from core.roles import Role
from web.calendar import appointment_ics
from web.forms import ReadinessForm, form_add_domain_error

# The service's refusal in the patient's words (the API answers the same code).
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
        "is_upcoming": appointment_changeable(
            status=appointment.status, starts_at=appointment.starts_at, now=timezone.now()
        ),
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
