"""Writes of dose orders (SPEC.md section 12).

``dose_order_create``: a clinician, within an active plan, orders a new mg/kg for the infusions not
yet started (``scope="remaining"``: inside the route's limits, 400 ``dose_out_of_range``
otherwise) or a fixed dose in mg for one infusion not yet started (``scope="one"``), with a reason.
A fixed dose above the clinic's single-dose cap needs ``over_cap_reason`` (400
``over_cap_reason_required``) and stays pending, setting no dose, until a second clinician
co-signs it (``dose_order_cosign``) with their own password and second factor; the author never
co-signs their own order (400 ``cosigner_is_author``). A refusal names every reason at once and
writes nothing. The planned dose of the plan's infusions not yet started follows at once; the
signed plan itself never changes.

Locks: the patient's row first (booking's order), then the plan's, then the records'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services.second_factor import SecondFactorError, second_factor_verify
from booking import locking
from booking.models import BLOCKING_STATUSES, Appointment, AppointmentStatus
from clinical.audit import clinical_audit
from clinical.dose_order_rules import (
    DOSE_ORDER_READER_ROLES,
    DOSE_ORDER_WRITER_ROLES,
    FIXED_DOSE_MG_RANGE,
    DoseOrderScope,
    needs_cosignature,
)
from clinical.dose_order_selectors import dose_orders_of_plan, session_dose_of
from clinical.dosing import dose_problems
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import (
    ClinicalAccess,
    DoseOrder,
    DoseOrderCosignature,
    InfusionRecord,
    PlanStatus,
    TreatmentPlan,
)
from clinical.services.infusion_record import thresholds_of
from clinical.services.plan_rules import clinic_dose_limits
from scheduling.models import PlanCounter


@dataclass(frozen=True)
class DoseOrderTerms:
    scope: str
    reason: str
    dose_mg_per_kg: Any = None
    fixed_dose_mg: Any = None
    appointment_id: UUID | None = None
    over_cap_reason: str = ""


@dataclass(frozen=True)
class Cosignature:
    password: str = field(repr=False)
    otp: str = field(repr=False)
    request: HttpRequest | None = field(default=None, repr=False, compare=False)


def _require_writer(actor: User) -> None:
    if actor.role not in DOSE_ORDER_WRITER_ROLES:
        raise ClinicalPermissionError("Only clinicians write and co-sign dose orders.")


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


def _locked_plan(plan_id: UUID) -> TreatmentPlan:
    patient_id = TreatmentPlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True).first()
    if patient_id is None:
        raise ClinicalError("No such treatment plan.", code="not_found", status_code=404)
    locking.lock_patient(patient_id=patient_id)
    plan = TreatmentPlan.objects.select_for_update().select_related("evaluation__appointment").get(pk=plan_id)
    if plan.status != PlanStatus.ACTIVE:
        raise ClinicalConflictError("Dose orders are written within an active plan.", code="plan_not_active")
    return plan


def _clinic_id(plan: TreatmentPlan) -> int:
    return plan.evaluation.appointment.appointment_type.clinic_id


def _the_infusion(plan: TreatmentPlan, appointment_id: UUID | None) -> Appointment | None:
    if appointment_id is None:
        return None
    return Appointment.objects.filter(
        pk=appointment_id,
        treatment_plan=plan,
        appointment_type__counts_against_plan=PlanCounter.INFUSIONS,
        status__in=BLOCKING_STATUSES,
    ).first()


def _problems(plan: TreatmentPlan, terms: DoseOrderTerms) -> tuple[str, dict[str, list[str]]]:
    """Every reason the order is refused, with the code of the weightiest."""
    fields: dict[str, list[str]] = {}
    codes: list[str] = []
    if not terms.reason.strip():
        fields["reason"] = ["Required."]
    if terms.scope == DoseOrderScope.REMAINING:
        dose = _decimal(terms.dose_mg_per_kg)
        if dose is None:
            fields["dose_mg_per_kg"] = ["Required: a number in mg/kg."]
        else:
            out = dose_problems(route=plan.route, dose_mg_per_kg=dose, limits=clinic_dose_limits(_clinic_id(plan)))
            if out:
                fields["dose_mg_per_kg"] = out["plan.dose_mg_per_kg"]
                codes.append("dose_out_of_range")
    elif terms.scope == DoseOrderScope.ONE:
        fixed = _decimal(terms.fixed_dose_mg)
        if fixed is None or not FIXED_DOSE_MG_RANGE[0] <= fixed <= FIXED_DOSE_MG_RANGE[1]:
            fields["fixed_dose_mg"] = ["Required: a dose in mg above 0."]
        else:
            cap = thresholds_of(_clinic_id(plan)).single_dose_cap_mg
            if needs_cosignature(fixed_dose_mg=fixed, cap_mg=cap) and not terms.over_cap_reason.strip():
                fields["over_cap_reason"] = [f"Above the clinic's cap of {cap} mg: say why."]
                codes.append("over_cap_reason_required")
        if _the_infusion(plan, terms.appointment_id) is None:
            fields["appointment_id"] = ["One infusion of this plan, booked and not yet over."]
    else:
        fields["scope"] = ["Either remaining or one."]
    return (codes[0] if codes else "invalid"), fields


def _check_not_started(appointment: Appointment) -> None:
    started = InfusionRecord.objects.filter(appointment=appointment, started_at__isnull=False).exists()
    if started or appointment.status == AppointmentStatus.IN_PROGRESS:
        raise ClinicalConflictError("This infusion has started: its dose is set.", code="infusion_started")


def plan_doses_follow_orders(plan: TreatmentPlan, *, now: datetime) -> None:
    """The planned dose of each of the plan's records not yet started, under the orders in force."""
    records = InfusionRecord.objects.select_for_update().filter(
        plan=plan, started_at__isnull=True, discharged_at__isnull=True
    )
    for record in records.order_by("pk"):
        dose = session_dose_of(
            plan=plan, appointment_id=record.appointment_id, weight_kg=record.weight_kg, started_at=None
        )
        if (record.dose_mg_per_kg, record.planned_dose_mg) != (dose.dose_mg_per_kg, dose.planned_dose_mg):
            record.dose_mg_per_kg, record.planned_dose_mg = dose.dose_mg_per_kg, dose.planned_dose_mg
            record.updated_at = now
            record.save(update_fields=["dose_mg_per_kg", "planned_dose_mg", "updated_at"])


def dose_order_create(
    *, actor: User, plan_id: UUID, terms: DoseOrderTerms, request_id: str = "", now: datetime | None = None
) -> DoseOrder:
    """A signed dose order (see the module); refusals write nothing."""
    now = now or timezone.now()
    _require_writer(actor)
    with transaction.atomic():
        plan = _locked_plan(plan_id)
        code, fields = _problems(plan, terms)
        if fields:
            raise ClinicalError("The dose order is not complete or not allowed.", code=code, fields=fields)
        appointment = _the_infusion(plan, terms.appointment_id) if terms.scope == DoseOrderScope.ONE else None
        if appointment is not None:
            _check_not_started(appointment)
        fixed = _decimal(terms.fixed_dose_mg) if appointment is not None else None
        cap = thresholds_of(_clinic_id(plan)).single_dose_cap_mg
        order = DoseOrder.objects.create(
            plan=plan,
            scope=terms.scope,
            dose_mg_per_kg=_decimal(terms.dose_mg_per_kg) if appointment is None else None,
            fixed_dose_mg=fixed,
            appointment=appointment,
            reason=terms.reason.strip(),
            over_cap_reason=terms.over_cap_reason.strip(),
            needs_cosignature=needs_cosignature(fixed_dose_mg=fixed, cap_mg=cap),
            signed_by=actor,
            signed_at=now,
        )
        clinical_audit(actor, ClinicalAccess.Action.SIGN, order, request_id=request_id, at=now)
        plan_doses_follow_orders(plan, now=now)
    return order


def _reauthenticate(actor: User, signature: Cosignature) -> None:
    """The co-signer's own password and current second-factor code, given again to sign."""
    missing = {name: ["Required."] for name in ("password", "otp") if not getattr(signature, name).strip()}
    if missing:
        raise ClinicalError("Sign with your password and code.", code="cosignature_required", fields=missing)
    if authenticate(signature.request, username=actor.email, password=signature.password) != actor:
        raise ClinicalError("Your password is not right.", code="password_invalid", fields={"password": ["Not right."]})
    try:
        second_factor_verify(user=actor, code=signature.otp)
    except SecondFactorError:
        raise ClinicalError(
            "Your code is not right, or it was used already.", code="otp_invalid", fields={"otp": ["Not right."]}
        ) from None


def dose_order_cosign(
    *, actor: User, order_id: UUID, signature: Cosignature, request_id: str = "", now: datetime | None = None
) -> DoseOrder:
    """A second clinician co-signs a pending order above the cap; it sets its dose from now."""
    now = now or timezone.now()
    _require_writer(actor)
    order = DoseOrder.objects.filter(pk=order_id).first()
    if order is None:
        raise ClinicalError("No such dose order.", code="not_found", status_code=404)
    if order.signed_by_id == actor.pk:
        raise ClinicalError(
            "A second clinician co-signs: not the order's author.",
            code="cosigner_is_author",
            fields={"cosigner": ["The author cannot co-sign."]},
        )
    if not order.needs_cosignature:
        raise ClinicalConflictError("This order needs no co-signature.", code="cosignature_not_needed")
    _reauthenticate(actor, signature)
    with transaction.atomic():
        plan = _locked_plan(order.plan_id)
        if DoseOrderCosignature.objects.filter(order=order).exists():
            raise ClinicalConflictError("This order is co-signed already.", code="already_cosigned")
        if order.appointment is not None:
            _check_not_started(order.appointment)
        DoseOrderCosignature.objects.create(order=order, cosigned_by=actor, cosigned_at=now)
        clinical_audit(actor, ClinicalAccess.Action.SIGN, order, request_id=request_id, at=now)
        plan_doses_follow_orders(plan, now=now)
    return order


def dose_orders_read(
    *, actor: User, plan_id: UUID, request_id: str = "", now: datetime | None = None
) -> tuple[TreatmentPlan, list[DoseOrder]]:
    """The plan's orders for a nurse or clinician (patients never), each read audited."""
    now = now or timezone.now()
    if actor.role not in DOSE_ORDER_READER_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians read dose orders.")
    plan = TreatmentPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise ClinicalError("No such treatment plan.", code="not_found", status_code=404)
    orders = dose_orders_of_plan(plan_id=plan.pk)
    with transaction.atomic():
        clinical_audit(actor, ClinicalAccess.Action.READ, plan, request_id=request_id, at=now)
        for listed in orders:
            clinical_audit(actor, ClinicalAccess.Action.READ, listed, request_id=request_id, at=now)
    return plan, orders
