"""/staff/plans/<plan_id>/resume/ and /end/: a clinician resumes a plan a positive pregnancy test
suspended, or ends it, from the patient's chart (SPEC.md section 12). Each POST calls the API's
service (``treatment_plan_resume``, ``treatment_plan_discontinue``), which decides who may and in
which state, then goes back to the chart with a status message. A refusal writes nothing: not this
role's is the page's 403 and an unknown plan its 404; any other comes back on the chart in words.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import patient_for_staff
from clinical.models import TreatmentPlan
from clinical.services.evaluations import treatment_plan_discontinue
from clinical.services.pregnancy import treatment_plan_resume
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import BOOKING_STAFF_ROLES
from web.actor import actor_of
from web.forms import form_add_domain_error
from web.refusals import raise_as_http
from web.staff.patients import chart_page
from web.staff.plan_decision_forms import EndPlanForm, PlanDecisionForms, ResumePlanForm

RESUME_REFUSALS = {
    "invalid_status": "This plan is not suspended, so there is nothing to resume: it may have been resumed "
    "or ended already. Nothing was changed.",
    "active_plan_exists": "The patient has another active plan, so this one cannot be resumed. Nothing was changed.",
}
END_REFUSALS = {
    "invalid_status": "This plan has ended already: only an active or suspended plan can be ended. "
    "Nothing was changed.",
}


def _chart_url(patient_id: UUID) -> str:
    return reverse("staff-patient", args=[patient_id])


def _refused_chart(request: HttpRequest, plan_id: UUID, forms: PlanDecisionForms, status: int) -> HttpResponse:
    """The plan's patient's chart again, the refused form's reasons on it (the plan is looked up
    only now: the service came first)."""
    patient_id = TreatmentPlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True).first()
    patient = patient_for_staff(patient_id=patient_id) if patient_id is not None else None
    if patient is None:
        raise Http404
    return chart_page(request, patient, refused=forms, status=status)


@require_POST
@role_required(*BOOKING_STAFF_ROLES)  # the chart's readers; the service says who may resume
def plan_resume_page(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    form = ResumePlanForm(request.POST)
    try:
        plan = treatment_plan_resume(actor=actor_of(request), plan_id=plan_id, request_id=request_id_of(request))
    except DomainError as error:
        raise_as_http(error)
        form_add_domain_error(form, error, RESUME_REFUSALS)
        return _refused_chart(request, plan_id, PlanDecisionForms(resume=form), error.status_code)
    messages.success(request, "Plan resumed: infusions can be booked and started again.")
    return HttpResponseRedirect(_chart_url(plan.patient_id))


@require_POST
@role_required(*BOOKING_STAFF_ROLES)  # the chart's readers; the service says who may end a plan
def plan_end_page(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    form = EndPlanForm(request.POST, prefix="end")
    if not form.is_valid():
        return _refused_chart(request, plan_id, PlanDecisionForms(end=form), 400)
    try:
        plan = treatment_plan_discontinue(
            actor=actor_of(request),
            plan_id=plan_id,
            reason=form.cleaned_data["reason"],
            request_id=request_id_of(request),
        )
    except DomainError as error:
        raise_as_http(error)
        form_add_domain_error(form, error, END_REFUSALS)
        return _refused_chart(request, plan_id, PlanDecisionForms(end=form), error.status_code)
    messages.success(request, "Plan ended: its upcoming booked appointments are cancelled.")
    return HttpResponseRedirect(_chart_url(plan.patient_id))
