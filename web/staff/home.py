"""/staff/: each role's home after sign-in. Nurses and the front desk go to the day board;
clinicians see their own schedule for today, the open alerts ("Alerts to review": each a
clinician acknowledges with a note and "Acknowledge"; a reading's alert links to its session
record, where its action is recorded) and the evaluations to write or sign; therapists their
own schedule. Patients are refused (403)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from clinical.alert_selectors import alerts_for_clinicians, clinician_acknowledges
from clinical.models import Alert
from clinical.schedule_selectors import schedule_of_staff
from clinical.selectors import evaluations_to_write, evaluations_upcoming
from clinical.services.alerts import SELF_HARM_ALERT_ROLES, alert_acknowledge
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import STAFF_ROLES, Role
from scheduling.selectors import clinic_zone
from web import timefmt
from web.forms import form_add_domain_error
from web.staff.forms import AcknowledgeForm


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only staff through
    return request.user


def _acknowledge_form(alert: Alert, failed: tuple[UUID, AcknowledgeForm] | None) -> AcknowledgeForm:
    # One form per alert, each with its own prefix (ids stay unique on the page).
    return failed[1] if failed and failed[0] == alert.pk else AcknowledgeForm(prefix=f"ack-{alert.pk}")


def _home(
    request: HttpRequest, *, failed: tuple[UUID, AcknowledgeForm] | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    schedule = schedule_of_staff(user=user)
    context: dict[str, Any] = {
        "schedule": schedule,
        "to_write": None,
        "evaluations_ahead": None,
        "alerts": None,
        "failed_form": None,
    }
    if user.role == Role.CLINICIAN:
        context["to_write"] = evaluations_to_write(clinician_id=user.pk, now=timezone.now())
        context["evaluations_ahead"] = evaluations_upcoming(clinician_id=user.pk, now=timezone.now())
        context["alerts"] = [
            (alert, _acknowledge_form(alert, failed) if clinician_acknowledges(alert) else None)
            for alert in alerts_for_clinicians()
        ]
        context["failed_form"] = failed[1] if failed else None
    shown = [row.appointment.patient_id for row in schedule.rows]
    shown += [row.appointment.patient_id for row in context["to_write"] or []]
    shown += [row.appointment.patient_id for row in context["evaluations_ahead"] or []]
    shown += [alert.patient_id for alert, _form in context["alerts"] or []]
    log_patient_reads(request, "staff-home", shown)
    return render(request, "web/staff/home.html", context, status=status)


@require_GET
@role_required(*STAFF_ROLES)
def staff_home(request: HttpRequest) -> HttpResponse:
    if _user(request).role in (Role.NURSE, Role.ADMIN):
        return HttpResponseRedirect(reverse("staff-day"))
    return _home(request)


@require_POST
@role_required(*SELF_HARM_ALERT_ROLES)
def alert_acknowledge_page(request: HttpRequest, alert_id: UUID) -> HttpResponse:
    """ "Acknowledge" an alert with a note (``alert_acknowledge``, the API's service)."""
    form = AcknowledgeForm(request.POST, prefix=f"ack-{alert_id}")
    if form.is_valid():
        try:
            alert = alert_acknowledge(
                actor=_user(request),
                alert_id=alert_id,
                note=form.cleaned_data["note"],
                request_id=request_id_of(request),
            )
        except DomainError as error:
            if error.status_code == HTTPStatus.NOT_FOUND:
                raise Http404 from error
            if error.status_code == HTTPStatus.FORBIDDEN:
                raise PermissionDenied from error
            form_add_domain_error(form, error)
        else:
            when = timefmt.time_label(alert.raised_at, clinic_zone())
            what = "answer" if alert.questionnaire_id else "alert"
            whose = f"{alert.patient.full_name}'s {what}" if alert.patient else "the alert"  # a count: nobody's
            messages.success(request, f"Acknowledged: {whose} raised {when}.")
            return HttpResponseRedirect(reverse("staff-home") + "#alerts-title")
    return _home(request, failed=(alert_id, form), status=400)
