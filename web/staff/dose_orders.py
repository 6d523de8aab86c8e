"""/staff/plans/<plan_id>/dose-orders/: the plan's dose orders (SPEC.md section 12) for nurses and
clinicians, each read audited by the service; a clinician writes one here, and a second clinician
co-signs one above the cap with their own password and code. The services are the API's; a refusal
comes back beside its fields and writes nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework import status as http_status

from booking.models import Appointment
from clinical.dose_order_rules import DOSE_ORDER_READER_ROLES, DOSE_ORDER_WRITER_ROLES, DoseOrderScope
from clinical.errors import ClinicalError, ClinicalPermissionError
from clinical.models import DoseOrder, TreatmentPlan
from clinical.services.dose_orders import (
    Cosignature,
    DoseOrderTerms,
    dose_order_cosign,
    dose_order_create,
    dose_orders_read,
)
from core.access_log import log_patient_reads
from core.permissions import role_required
from core.request_id import request_id_of
from scheduling.models import PlanCounter
from scheduling.selectors import clinic_zone
from web.actor import actor_of
from web.forms import PageForm, form_add_each_reason


class DoseOrderForm(PageForm):
    scope = forms.ChoiceField(label="Order", choices=DoseOrderScope.choices, widget=forms.RadioSelect)
    dose_mg_per_kg = forms.DecimalField(
        label="New dose (mg/kg), for the remaining infusions", max_digits=4, decimal_places=2, required=False
    )
    fixed_dose_mg = forms.DecimalField(
        label="Fixed dose (mg), for one infusion", max_digits=5, decimal_places=1, required=False
    )
    appointment_id = forms.UUIDField(label="The infusion", required=False, widget=forms.Select)
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), required=False)
    over_cap_reason = forms.CharField(
        label="Why above the clinic's cap (a fixed dose above it waits for a second clinician)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CosignForm(PageForm):
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    otp = forms.CharField(
        label="Your code",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _infusion_choices(plan: TreatmentPlan) -> list[tuple[str, str]]:
    zone = clinic_zone()
    rows = Appointment.objects.filter(
        treatment_plan=plan, appointment_type__counts_against_plan=PlanCounter.INFUSIONS, status="booked"
    ).order_by("starts_at")
    return [("", "Choose")] + [(str(a.pk), a.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")) for a in rows]


def _page_refusal(error: ClinicalError) -> Exception:
    """A refusal that is no form's: not found, or not this role's."""
    return PermissionDenied(error.detail) if isinstance(error, ClinicalPermissionError) else Http404()


def _render(request: HttpRequest, plan_id: UUID, form: DoseOrderForm | None, status: int = 200) -> HttpResponse:
    try:
        plan, orders = dose_orders_read(actor=actor_of(request), plan_id=plan_id, request_id=request_id_of(request))
    except ClinicalError as error:
        raise _page_refusal(error) from error
    log_patient_reads(request, "staff-dose-orders", [plan.patient_id])
    writer = actor_of(request).role in DOSE_ORDER_WRITER_ROLES
    if form is None and writer:
        form = DoseOrderForm(initial={"scope": DoseOrderScope.REMAINING})
    if form is not None:
        form.fields["appointment_id"].widget.choices = _infusion_choices(plan)
    context: dict[str, Any] = {
        "plan": plan,
        "orders": orders,
        "form": form,
        "pending": [o for o in orders if o.needs_cosignature and not hasattr(o, "cosignature")],
        "cosign_form": CosignForm() if writer else None,
        "zone": clinic_zone(),
    }
    return render(request, "web/staff/dose_orders.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*DOSE_ORDER_READER_ROLES)
def dose_orders_page(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    if request.method == "GET":
        return _render(request, plan_id, None)
    if actor_of(request).role not in DOSE_ORDER_WRITER_ROLES:
        raise PermissionDenied("Only clinicians write dose orders.")
    form = DoseOrderForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        terms = DoseOrderTerms(**data)
        try:
            dose_order_create(actor=actor_of(request), plan_id=plan_id, terms=terms, request_id=request_id_of(request))
        except ClinicalError as error:
            if error.status_code in (http_status.HTTP_403_FORBIDDEN, http_status.HTTP_404_NOT_FOUND):
                raise _page_refusal(error) from error
            form_add_each_reason(form, error)
        else:
            messages.success(request, "Dose order signed.")
            return redirect("staff-dose-orders", plan_id=plan_id)
    return _render(request, plan_id, form, status=400)


@require_POST
@role_required(*DOSE_ORDER_WRITER_ROLES)
def dose_order_cosign_page(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = DoseOrder.objects.filter(pk=order_id).only("plan_id").first()
    form = CosignForm(request.POST)
    if order is not None and form.is_valid():
        signature = Cosignature(request=request, **form.cleaned_data)
        try:
            dose_order_cosign(
                actor=actor_of(request), order_id=order_id, signature=signature, request_id=request_id_of(request)
            )
        except ClinicalError as error:
            messages.error(request, str(error.detail))
        else:
            messages.success(request, "Dose order co-signed.")
        return redirect("staff-dose-orders", plan_id=order.plan_id)
    if order is None:
        raise Http404
    messages.error(request, "Type your password and your code to co-sign.")
    return redirect("staff-dose-orders", plan_id=order.plan_id)
