"""/staff/patients/: find a patient and open their chart (SPEC.md section 9, for nurses,
clinicians and the front desk). Booking, moving and cancelling on the patient's behalf are the
booking flow's steps (web/booking_flow/), bound to staff in web/staff/urls.py. A plan a positive
pregnancy test suspended shows on the chart (why and since when for the care team), with a
clinician's forms to resume or end it (web/staff/plan_decisions.py).

The search is ``accounts.selectors.patient_search`` (one normalized column: accents, case, phone
digits and both date forms). Its form posts, so a typed name never lands in a URL, the browser's
history or a server log; ``?q=`` is read too (the spec's address). Every other page is addressed
by ids only, and no patient name is ever in a page title.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from accounts.selectors import patient_for_staff, patient_search
from booking.models import Appointment
from booking.selectors import appointment_list, appointment_visible_to
from booking.upcoming import appointment_timeline
from clinical.infusion_rules import RECORD_ROLES
from clinical.models import PlanStatus, TreatmentPlan
from clinical.selectors import treatment_summary_for_patient
from clinical.services.letters import LETTER_STAFF_READER_ROLES
from clinical.services.outcomes import OUTCOME_READER_ROLES, treatment_plan_outcome_read
from clinical.services.pregnancy import plan_suspension_read
from core.access_log import log_patient_reads
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import BOOKING_STAFF_ROLES
from scheduling.selectors import clinic_zone
from web import timefmt
from web.actor import actor_of
from web.charts import SessionScores, outcome_chart
from web.forms import PageForm
from web.staff.plan_decision_forms import PlanDecisionForms


class PatientSearchForm(PageForm):
    q = forms.CharField(
        label="Name, email, phone or date of birth",
        max_length=100,
        help_text="The start of a name is enough. A date of birth as 1985-06-01 or 06/01/1985.",
        error_messages={"required": "Type a name, an email, a phone number or a date of birth."},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


def _patient(patient_id: UUID) -> User:
    patient = patient_for_staff(patient_id=patient_id)
    if patient is None:
        raise Http404
    return patient


def _patients_appointment(request: HttpRequest, patient: User, appointment_id: UUID) -> Appointment:
    appointment = appointment_visible_to(viewer=actor_of(request), appointment_id=appointment_id)
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
    return chart_page(request, _patient(patient_id))


def chart_page(
    request: HttpRequest, patient: User, *, refused: PlanDecisionForms | None = None, status: int = 200
) -> HttpResponse:
    """The chart; ``refused``: a plan decision's form the service refused, shown with its reasons."""
    zone = clinic_zone()
    now = timezone.now()
    timeline = appointment_timeline(
        appointment_list(viewer=actor_of(request), zone=zone, patient_id=patient.pk), now=now
    )
    summary = treatment_summary_for_patient(patient_id=patient.pk)
    log_patient_reads(request, "staff-patient", [patient.pk])
    context = {
        "patient": patient,
        "profile": getattr(patient, "patient_profile", None),
        "zone": zone,
        "upcoming": timeline.upcoming,
        "past": timeline.cancelled_ahead[::-1] + timeline.past,  # "Past and cancelled", latest first
        "summary": summary,
        "can_read_letters": actor_of(request).role in LETTER_STAFF_READER_ROLES,
        # Nurses and clinicians open an infusion's session record from the chart.
        "reads_session_records": actor_of(request).role in RECORD_ROLES,
        **_outcome_context(request, summary.plan, zone),
        **_suspension_context(request, summary.plan),
        "plan_forms": refused or PlanDecisionForms(),
    }
    return render(request, "web/staff/patient_chart.html", context, status=status)


def _suspension_context(request: HttpRequest, plan: TreatmentPlan | None) -> dict[str, Any]:
    """Why the plan is suspended, for the care team (the service logs the read of the test); no
    read at all for a plan that is not suspended, the chart's usual case."""
    if plan is None or plan.status != PlanStatus.SUSPENDED or actor_of(request).role not in RECORD_ROLES:
        return {}
    suspension = plan_suspension_read(actor=actor_of(request), plan_id=plan.pk, request_id=request_id_of(request))
    return {"suspension": suspension}


def _outcome_context(request: HttpRequest, plan: TreatmentPlan | None, zone: ZoneInfo) -> dict[str, Any]:
    """The plan's outcome and its chart, for the care team (the service logs the read)."""
    if plan is None or actor_of(request).role not in OUTCOME_READER_ROLES:
        return {}
    outcome = treatment_plan_outcome_read(actor=actor_of(request), plan_id=plan.pk, request_id=request_id_of(request))
    evaluation = plan.evaluation if plan.evaluation_id else None
    # The evaluation's own scores; the outcome's baseline may be a later check-in (SPEC.md section 10).
    sessions = [
        SessionScores(
            label="Evaluation",
            tick="Eval",
            phq9=evaluation.phq9_total if evaluation else None,
            gad7=evaluation.gad7_total if evaluation else None,
        )
    ]
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
