"""Reads of dose orders (SPEC.md section 12): the orders in force of a plan, the planned dose of
one infusion under them, and the plan's list of orders. A read never writes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from clinical.dose_order_rules import OrderInForce, SessionDose, session_dose
from clinical.models import DoseOrder, TreatmentPlan


def orders_in_force(*, plan_id: UUID) -> list[OrderInForce]:
    """The plan's orders that set a dose: every order not waiting for a co-signature."""
    rows = DoseOrder.objects.filter(plan_id=plan_id).select_related("cosignature")
    in_force = []
    for order in rows:
        cosignature = getattr(order, "cosignature", None)
        if order.needs_cosignature and cosignature is None:
            continue  # pending: sets no dose
        in_force.append(
            OrderInForce(
                order_id=order.pk,
                in_force_at=cosignature.cosigned_at if cosignature is not None else order.signed_at,
                dose_mg_per_kg=order.dose_mg_per_kg,
                fixed_dose_mg=order.fixed_dose_mg,
                appointment_id=order.appointment_id,
            )
        )
    return in_force


def session_dose_of(
    *, plan: TreatmentPlan, appointment_id: UUID, weight_kg: Decimal | None, started_at: datetime | None
) -> SessionDose:
    """The planned dose of one infusion of the plan: the latest order covering it, else the plan's."""
    return session_dose(
        plan_dose_mg_per_kg=plan.dose_mg_per_kg,
        weight_kg=weight_kg,
        orders=orders_in_force(plan_id=plan.pk),
        appointment_id=appointment_id,
        started_at=started_at,
    )


def cosigned_order_covers(*, appointment_id: UUID, planned_dose_mg: Decimal) -> bool:
    """Whether a co-signed fixed dose sets exactly this planned dose for the infusion (the start
    gate then lets a dose above the cap through)."""
    return DoseOrder.objects.filter(
        appointment_id=appointment_id,
        needs_cosignature=True,
        cosignature__isnull=False,
        fixed_dose_mg=planned_dose_mg,
    ).exists()


def dose_orders_of_plan(*, plan_id: UUID) -> list[DoseOrder]:
    """The plan's orders, oldest first, with their authors, co-signatures and infusions."""
    return list(
        DoseOrder.objects.filter(plan_id=plan_id)
        .select_related("signed_by", "cosignature__cosigned_by", "appointment")
        .order_by("signed_at", "id")
    )
