"""/staff/evaluations/<id>/: the evaluation form (SPEC.md sections 4 and 9).

Clinicians write (save a draft, sign after a confirmation step, add addenda once signed); nurses
read the whole record; therapists and the front desk see the limited view. Every read goes
through ``evaluation_read`` (it logs the access) and every change through the evaluation
services, which decide who may do what; the views parse, call, and put a refusal beside its field.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clinical.dosing import plan_rate
from clinical.evaluation_rules import MAX_MEDICATIONS, childbearing_potential_of
from clinical.models import (
    ChildbearingPotential,
    Contraindication,
    Decision,
    Evaluation,
    EvaluationStatus,
    MedicationClass,
)
from clinical.selectors import EvaluationRecordParts, evaluation_record_parts
from clinical.services.evaluations import (
    WRITER_ROLES,
    evaluation_add_addendum,
    evaluation_create,
    evaluation_read,
    evaluation_sign,
    evaluation_sign_refusal,
    evaluation_update,
)
from clinical.services.plan_rules import clinic_dose_limits
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import STAFF_ROLES
from web.actor import actor_of
from web.refusals import raise_as_http
from web.staff.evaluation_forms import (
    AddendumForm,
    EvaluationForm,
    as_form_data,
    medication_rows_for,
    values_of,
)

FORM_TEMPLATE = "web/staff/evaluation.html"
SIGN_LABELS = {"appointment": "Visit", "plan": "Treatment plan"}  # names the form has no field for


def _read(request: HttpRequest, evaluation_id: UUID) -> tuple[Evaluation, bool]:
    try:
        return evaluation_read(actor=actor_of(request), evaluation_id=evaluation_id, request_id=request_id_of(request))
    except DomainError as error:
        raise_as_http(error)
        raise


def _page_url(evaluation_id: UUID) -> str:
    return reverse("staff-evaluation", args=[evaluation_id])


def _form(evaluation: Evaluation, data: Any = None, *, rows: int | None = None, **kwargs: Any) -> EvaluationForm:
    """The form of the draft, with the clinic's dose limits and the medication rows to show."""
    clinic_id = evaluation.appointment.appointment_type.clinic_id
    return EvaluationForm(
        data,
        dose_limits=clinic_dose_limits(clinic_id),
        medication_rows=medication_rows_for(evaluation) if rows is None else rows,
        **kwargs,
    )


def _posted_rows(request: HttpRequest) -> int | None:
    """How many medication rows the page posted (its hidden count), if it says."""
    count = request.POST.get("medication_rows", "")
    return min(int(count), MAX_MEDICATIONS) if count.isdigit() else None


def _record_words(evaluation: Evaluation, parts: EvaluationRecordParts) -> dict[str, Any]:
    """The whole record's values in words, for the read-only view."""
    plan = parts.plan
    return {
        "contraindications": [Contraindication(code).label for code in evaluation.contraindications],
        "medications": [
            {**medication, "drug_class": MedicationClass(medication["drug_class"]).label}
            for medication in evaluation.medications or []
        ],
        "childbearing_potential": ChildbearingPotential(
            childbearing_potential_of(evaluation.childbearing_potential)
        ).label,
        "rate": plan_rate(
            dose_mg_per_kg=plan.dose_mg_per_kg, weight_kg=evaluation.weight_kg, route=plan.route,
            minutes=plan.infusion_minutes,
        ) if plan is not None else None,
    }  # fmt: skip


def _render(
    request: HttpRequest,
    evaluation: Evaluation,
    whole: bool,
    *,
    form: EvaluationForm | None = None,
    addendum_form: AddendumForm | None = None,
    status: int = 200,
) -> HttpResponse:
    parts = evaluation_record_parts(evaluation=evaluation)
    can_write = actor_of(request).role in WRITER_ROLES
    is_draft = evaluation.status == EvaluationStatus.DRAFT
    if whole and can_write and is_draft and form is None:
        form = _form(evaluation, initial=values_of(evaluation, parts.plan))
    if whole and can_write and not is_draft and addendum_form is None:
        addendum_form = AddendumForm()
    context: dict[str, Any] = {
        "evaluation": evaluation,
        "whole": whole,
        "parts": parts,
        "zone": parts.appointment.appointment_type.clinic.zone,
        "form": form if whole and can_write and is_draft else None,
        "addendum_form": addendum_form if whole and can_write and not is_draft else None,
        "words": _record_words(evaluation, parts) if whole else {},
    }
    log_patient_reads(request, "staff-evaluation", [evaluation.patient_id])
    return render(request, FORM_TEMPLATE, context, status=status)


@require_POST
@role_required(*STAFF_ROLES)
def evaluation_start(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """ "Write evaluation": open the draft of an evaluation visit, then its form."""
    try:
        evaluation = evaluation_create(
            actor=actor_of(request), appointment_id=appointment_id, request_id=request_id_of(request)
        )
    except DomainError as error:
        raise_as_http(error)
        messages.error(request, f"The evaluation could not be opened: {error.detail}")
        return HttpResponseRedirect(reverse("staff-home"))
    return HttpResponseRedirect(_page_url(evaluation.pk))


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_ROLES)
def evaluation_page(request: HttpRequest, evaluation_id: UUID) -> HttpResponse:
    """The record: the form of a draft for its writer, read-only otherwise. POST saves the draft
    ("Save draft") or saves it and asks to confirm the signature ("Sign evaluation")."""
    evaluation, whole = _read(request, evaluation_id)
    if request.method == "GET":
        return _render(request, evaluation, whole)
    form = _form(evaluation, request.POST, rows=_posted_rows(request))
    if not form.is_valid():
        return _render(request, evaluation, whole, form=form, status=400)
    changes, plan_changes = form.changes()
    try:
        evaluation_update(
            actor=actor_of(request),
            evaluation_id=evaluation_id,
            changes=changes,
            plan_changes=plan_changes,
            request_id=request_id_of(request),
        )
    except DomainError as error:
        raise_as_http(error)
        form.add_service_error(error)
        return _render(request, evaluation, whole, form=form, status=400)
    if request.POST.get("action") == "sign":
        return HttpResponseRedirect(reverse("staff-evaluation-sign", args=[evaluation_id]))
    messages.success(request, "Draft saved.")
    return HttpResponseRedirect(_page_url(evaluation_id))


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_ROLES)
def evaluation_sign_page(request: HttpRequest, evaluation_id: UUID) -> HttpResponse:
    """ "Sign this evaluation? Signed records cannot be changed." A refusal goes back to the form
    with what is missing named beside each field."""
    evaluation, whole = _read(request, evaluation_id)
    if evaluation.status != EvaluationStatus.DRAFT:
        return HttpResponseRedirect(_page_url(evaluation_id))
    if request.method == "GET":
        if not whole or actor_of(request).role not in WRITER_ROLES:
            raise PermissionDenied
        return render(request, "web/staff/evaluation_sign.html", _sign_context(evaluation))
    try:
        evaluation_sign(actor=actor_of(request), evaluation_id=evaluation_id, request_id=request_id_of(request))
    except DomainError as error:
        raise_as_http(error)
        stored = values_of(evaluation, evaluation_record_parts(evaluation=evaluation).plan)
        form = _form(evaluation, as_form_data(stored))
        form.is_valid()
        form.add_service_error(error)
        if error.fields and error.detail not in form.non_field_errors():
            form.add_error(None, error.detail)
        return _render(request, evaluation, whole, form=form, status=error.status_code)
    messages.success(request, "Evaluation signed.")
    return HttpResponseRedirect(_page_url(evaluation_id))


def _sign_context(evaluation: Evaluation) -> dict[str, Any]:
    """Whose record, which decision, and every reason the signature would be refused now."""
    parts = evaluation_record_parts(evaluation=evaluation)
    form = _form(evaluation)
    missing = []
    for name, problems in evaluation_sign_refusal(evaluation).fields.items():
        field = None if name in SIGN_LABELS else form.fields.get(form.form_field_of(name))
        label = field.label if field is not None else SIGN_LABELS.get(name, name)
        missing += [(label, str(problem)) for problem in (problems if isinstance(problems, list) else [problems])]
    return {
        "evaluation": evaluation,
        "appointment": parts.appointment,
        "zone": parts.appointment.appointment_type.clinic.zone,
        "decision": Decision(evaluation.decision).label if evaluation.decision else None,
        "is_candidate": evaluation.decision == Decision.CANDIDATE,
        "missing": missing,
    }


@require_POST
@role_required(*STAFF_ROLES)
def evaluation_addendum(request: HttpRequest, evaluation_id: UUID) -> HttpResponse:
    evaluation, whole = _read(request, evaluation_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            evaluation_add_addendum(
                actor=actor_of(request),
                evaluation_id=evaluation_id,
                text=form.cleaned_data["text"],
                request_id=request_id_of(request),
            )
        except DomainError as error:
            raise_as_http(error)
            form.add_error("text" if "text" in error.fields else None, error.detail)
        else:
            messages.success(request, "Addendum added.")
            return HttpResponseRedirect(_page_url(evaluation_id) + "#addenda")
    return _render(request, evaluation, whole, addendum_form=form, status=400)
