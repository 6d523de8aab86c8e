"""/staff/patients/: find a patient, open their chart, and book, move or cancel on their behalf
(SPEC.md section 9, for nurses, clinicians and the front desk).

The search is ``accounts.selectors.patient_search`` (one normalized column: accents, case, phone
digits and both date forms). Its form posts, so a typed name never lands in a URL, the browser's
history or a server log; ``?q=`` is read too (the spec's address). Every other page is addressed
by ids only, and no patient name is ever in a page title.

Booking and moving reuse the day-then-time picker of /book/ with staff's availability
(``online=False``: inside the 12-hour notice window and beyond the online horizon), then a
"check your answers" step, then the service the API calls (``appointment_book`` with the staff
member as actor, ``appointment_reschedule``, ``appointment_cancel``). No rule is checked here: a
refusal is the service's, shown in its words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.selectors import patient_for_staff, patient_search
from booking.availability import availability_for, availability_search
from booking.models import Appointment, AppointmentStatus
from booking.selectors import appointment_list, appointment_visible_to
from booking.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    cancellation_is_late,
)
from clinical.models import TreatmentPlan
from clinical.selectors import treatment_summary_for_patient
from clinical.services.outcomes import OUTCOME_READER_ROLES, treatment_plan_outcome_read
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import BOOKING_STAFF_ROLES
from scheduling.models import AppointmentType
from scheduling.selectors import appointment_types_offered, clinic_zone
from web import timefmt
from web.charts import SessionScores, outcome_chart
from web.forms import CancelForm, PageForm, form_add_domain_error
from web.query import query_date, start_from
from web.views.day_picker import day_picker, first_day_asked, last_day_shown

# Still ahead for the patient: booked and not begun, or in the clinic now.
IN_CLINIC = (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS)


class PatientSearchForm(PageForm):
    q = forms.CharField(
        label="Name, email, phone or date of birth",
        max_length=100,
        help_text="The start of a name is enough. A date of birth as 1985-06-01 or 06/01/1985.",
        error_messages={"required": "Type a name, an email, a phone number or a date of birth."},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only booking staff through
    return request.user


def _patient(patient_id: UUID) -> User:
    patient = patient_for_staff(patient_id=patient_id)
    if patient is None:
        raise Http404
    return patient


def _patients_appointment(request: HttpRequest, patient: User, appointment_id: UUID) -> Appointment:
    appointment = appointment_visible_to(viewer=_actor(request), appointment_id=appointment_id)
    if appointment is None or appointment.patient_id != patient.pk:
        raise Http404
    return appointment


def _chart_url(patient: User) -> str:
    return reverse("staff-patient", args=[patient.pk])


# -- search and chart ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*BOOKING_STAFF_ROLES)
def patient_search_page(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else (request.GET if "q" in request.GET else None)
    form = PatientSearchForm(data)
    results = None
    if form.is_bound and form.is_valid():
        results = patient_search(query=form.cleaned_data["q"])
        log_patient_reads(request, "staff-patients", [match.id for match in results])
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/staff/patients.html", {"form": form, "results": results}, status=status)


@require_GET
@role_required(*BOOKING_STAFF_ROLES)
def patient_chart(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = _patient(patient_id)
    zone = clinic_zone()
    now = timezone.now()
    appointments = list(appointment_list(viewer=_actor(request), zone=zone, patient_id=patient.pk))
    upcoming = [
        a for a in appointments if a.status in IN_CLINIC or (a.status == AppointmentStatus.BOOKED and a.starts_at > now)
    ]
    past = [a for a in reversed(appointments) if a not in upcoming]
    summary = treatment_summary_for_patient(patient_id=patient.pk)
    log_patient_reads(request, "staff-patient", [patient.pk])
    context = {
        "patient": patient,
        "profile": getattr(patient, "patient_profile", None),
        "zone": zone,
        "upcoming": upcoming,
        "past": past,
        "summary": summary,
        **_outcome_context(request, summary.plan, zone),
    }
    return render(request, "web/staff/patient_chart.html", context)


def _outcome_context(request: HttpRequest, plan: TreatmentPlan | None, zone: ZoneInfo) -> dict[str, Any]:
    """The plan's outcome and its chart, for the care team (the service logs the read)."""
    if plan is None or _actor(request).role not in OUTCOME_READER_ROLES:
        return {}
    outcome = treatment_plan_outcome_read(actor=_actor(request), plan_id=plan.pk, request_id=request_id_of(request))
    baseline_gad7 = plan.evaluation.gad7_total if plan.evaluation_id else None
    sessions = [SessionScores(label="Evaluation", tick="Eval", phq9=outcome.baseline_phq9, gad7=baseline_gad7)]
    sessions += [
        SessionScores(
            label=f"Session {session.session} ({timefmt.day_label(session.starts_at.astimezone(zone).date())})",
            tick=str(session.session),
            phq9=session.phq9_total,
            gad7=session.gad7_total,
        )
        for session in outcome.sessions
    ]
    return {"outcome": outcome, "outcome_chart": outcome_chart(sessions=sessions)}


# -- book on the patient's behalf -------------------------------------------------------------


def _book_url(patient: User, params: dict[str, str]) -> str:
    return f"{reverse('staff-patient-book', args=[patient.pk])}?{urlencode(params)}"


def _book_review_url(patient: User, code: str, start: datetime) -> str:
    query = urlencode({"type": code, "start": start.isoformat()})
    return f"{reverse('staff-patient-book-review', args=[patient.pk])}?{query}"


def _type_of(code: str | None) -> AppointmentType | None:
    return appointment_types_offered().select_related("clinic").filter(code=code).first() if code else None


@require_GET
@role_required(*BOOKING_STAFF_ROLES)
def patient_book(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """The kind of visit, then the day and time (staff's availability: ``online=False``)."""
    patient = _patient(patient_id)
    appointment_type = _type_of(request.GET.get("type"))
    if appointment_type is None:
        types = list(appointment_types_offered())
        log_patient_reads(request, "staff-patient-book", [patient.pk])
        return render(request, "web/staff/patient_book_type.html", {"patient": patient, "types": types})
    zone = appointment_type.clinic.zone
    today = timezone.localdate(timezone=zone)
    first_day = first_day_asked(request, today)
    slots = availability_for(
        appointment_type=appointment_type,
        first_day=first_day,
        last_day=last_day_shown(first_day),
        patient_id=patient.pk,
        online=False,
    )
    code = appointment_type.code
    picker = day_picker(
        zone=zone,
        slots=slots,
        first_day=first_day,
        today=today,
        chosen=query_date(request, "day"),
        page_url=lambda params: _book_url(patient, {"type": code, **params}),
        time_url=lambda start: _book_review_url(patient, code, start),
    )
    context = {"patient": patient, "appointment_type": appointment_type, "zone": zone, "picker": picker}
    log_patient_reads(request, "staff-patient-book", [patient.pk])
    return render(request, "web/staff/patient_book_days.html", context)


def _review_input(data: dict[str, str]) -> tuple[AppointmentType, datetime]:
    appointment_type = _type_of(data.get("type"))
    if appointment_type is None:
        raise Http404
    return appointment_type, start_from(data)


@require_GET
@role_required(*BOOKING_STAFF_ROLES)
def patient_book_review(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = _patient(patient_id)
    appointment_type, start = _review_input(request.GET.dict())
    zone = appointment_type.clinic.zone
    day = start.astimezone(zone).date().isoformat()
    context = {
        "patient": patient,
        "appointment_type": appointment_type,
        "start": start,
        "start_label": timefmt.time_label(start, zone),
        "change_url": _book_url(patient, {"type": appointment_type.code, "day": day}) + "#times",
    }
    log_patient_reads(request, "staff-patient-book-review", [patient.pk])
    return render(request, "web/staff/patient_book_review.html", context)


@require_POST
@role_required(*BOOKING_STAFF_ROLES)
def patient_book_confirm(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = _patient(patient_id)
    appointment_type, start = _review_input(request.POST.dict())
    zone = appointment_type.clinic.zone
    try:
        appointment = appointment_book(
            actor=_actor(request), patient=patient, appointment_type=appointment_type, starts_at=start
        )
    except DomainError as error:
        day = start.astimezone(zone).date().isoformat()
        messages.error(request, f"Nothing was booked: {error.detail}")
        return HttpResponseRedirect(_book_url(patient, {"type": appointment_type.code, "day": day}) + "#times")
    messages.success(request, f"Booked: {appointment_type.name}, {timefmt.time_label(appointment.starts_at, zone)}.")
    return HttpResponseRedirect(_chart_url(patient) + "#upcoming")


# -- move ---------------------------------------------------------------------------------------


def _move_url(patient: User, appointment: Appointment, params: dict[str, str]) -> str:
    return f"{reverse('staff-patient-move', args=[patient.pk, appointment.pk])}?{urlencode(params)}"


def _move_review_url(patient: User, appointment: Appointment, start: datetime) -> str:
    query = urlencode({"start": start.isoformat()})
    return f"{reverse('staff-patient-move-review', args=[patient.pk, appointment.pk])}?{query}"


@require_GET
@role_required(*BOOKING_STAFF_ROLES)
def patient_move(request: HttpRequest, patient_id: UUID, appointment_id: UUID) -> HttpResponse:
    """The times of the same type the appointment could move to, its own time counted free."""
    patient = _patient(patient_id)
    appointment = _patients_appointment(request, patient, appointment_id)
    zone = appointment.appointment_type.clinic.zone
    today = timezone.localdate(timezone=zone)
    first_day = first_day_asked(request, today)
    try:
        search = availability_search(
            viewer=_actor(request),
            type_code=appointment.appointment_type.code,
            first_day=first_day,
            last_day=last_day_shown(first_day),
            reschedule_id=appointment.pk,
        )
    except DomainError as error:
        messages.error(request, f"This appointment cannot be moved: {error.detail}")
        return HttpResponseRedirect(_chart_url(patient))
    slots = [slot for slot in search.slots if slot.start != appointment.starts_at]
    picker = day_picker(
        zone=zone,
        slots=slots,
        first_day=first_day,
        today=today,
        chosen=query_date(request, "day"),
        page_url=lambda params: _move_url(patient, appointment, params),
        time_url=lambda start: _move_review_url(patient, appointment, start),
    )
    context = {"patient": patient, "appointment": appointment, "zone": zone, "picker": picker}
    log_patient_reads(request, "staff-patient-move", [patient.pk])
    return render(request, "web/staff/patient_move.html", context)


@require_GET
@role_required(*BOOKING_STAFF_ROLES)
def patient_move_review(request: HttpRequest, patient_id: UUID, appointment_id: UUID) -> HttpResponse:
    patient = _patient(patient_id)
    appointment = _patients_appointment(request, patient, appointment_id)
    start = start_from(request.GET.dict())
    zone = appointment.appointment_type.clinic.zone
    context = {
        "patient": patient,
        "appointment": appointment,
        "zone": zone,
        "start": start,
        "start_label": timefmt.time_label(start, zone),
        "change_url": _move_url(patient, appointment, {"day": start.astimezone(zone).date().isoformat()}) + "#times",
    }
    log_patient_reads(request, "staff-patient-move-review", [patient.pk])
    return render(request, "web/staff/patient_move_review.html", context)


@require_POST
@role_required(*BOOKING_STAFF_ROLES)
def patient_move_confirm(request: HttpRequest, patient_id: UUID, appointment_id: UUID) -> HttpResponse:
    patient = _patient(patient_id)
    appointment = _patients_appointment(request, patient, appointment_id)
    start = start_from(request.POST.dict())
    zone = appointment.appointment_type.clinic.zone
    try:
        moved = appointment_reschedule(actor=_actor(request), appointment_id=appointment.pk, starts_at=start)
    except DomainError as error:
        messages.error(request, f"Nothing was moved: {error.detail}")
        day = start.astimezone(zone).date().isoformat()
        return HttpResponseRedirect(_move_url(patient, appointment, {"day": day}) + "#times")
    messages.success(request, f"Moved to {timefmt.time_label(moved.starts_at, zone)}.")
    return HttpResponseRedirect(_chart_url(patient) + "#upcoming")


# -- cancel -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*BOOKING_STAFF_ROLES)
def patient_cancel(request: HttpRequest, patient_id: UUID, appointment_id: UUID) -> HttpResponse:
    """GET asks "Cancel this appointment?" (saying when it counts as late); POST cancels."""
    patient = _patient(patient_id)
    appointment = _patients_appointment(request, patient, appointment_id)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            cancelled = appointment_cancel(
                actor=_actor(request), appointment_id=appointment.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            late = " It is recorded as a late cancellation." if cancelled.is_late_cancellation else ""
            messages.success(request, f"The appointment is cancelled.{late}")
            return HttpResponseRedirect(_chart_url(patient) + "#past")
    context = {
        "patient": patient,
        "appointment": appointment,
        "zone": appointment.appointment_type.clinic.zone,
        "form": form,
        "is_late": cancellation_is_late(starts_at=appointment.starts_at, now=timezone.now()),
    }
    log_patient_reads(request, "staff-patient-cancel", [patient.pk])
    return render(request, "web/staff/patient_cancel.html", context, status=400 if form.errors else 200)
