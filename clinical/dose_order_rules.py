"""Dose orders (SPEC.md section 12): pure rules, no database.

A clinician orders, within an active plan, either a new mg/kg for the infusions not yet started
(``remaining``; inside the route's limits) or a fixed dose in mg for one infusion (``one``). A fixed
dose above the clinic's single-dose cap needs a reason and a second clinician's co-signature; until
co-signed it is pending and sets no dose. The planned dose of a session follows the latest order
in force that covers it; the signed plan itself never changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from clinical.dosing import planned_dose
from core.roles import Role

DOSE_ORDER_WRITER_ROLES = (Role.CLINICIAN,)  # who writes and co-signs an order
DOSE_ORDER_READER_ROLES = (Role.NURSE, Role.CLINICIAN)  # who reads them (patients never)
FIXED_DOSE_MG_RANGE = (Decimal("0.1"), Decimal("9999.9"))  # more than nothing; the column's width


class DoseOrderScope:
    REMAINING = "remaining"  # a new mg/kg for the infusions not yet started
    ONE = "one"  # a fixed mg for one infusion

    choices = ((REMAINING, "New mg/kg for the remaining infusions"), (ONE, "Fixed mg for one infusion"))
    values = (REMAINING, ONE)


@dataclass(frozen=True)
class OrderInForce:
    """An order that sets a dose: signed, and co-signed when it needed to be."""

    order_id: UUID
    in_force_at: datetime  # its signature, or its co-signature when it needed one
    dose_mg_per_kg: Decimal | None
    fixed_dose_mg: Decimal | None
    appointment_id: UUID | None  # the one infusion of a fixed dose


@dataclass(frozen=True)
class SessionDose:
    dose_mg_per_kg: Decimal | None  # None for a fixed dose
    planned_dose_mg: Decimal | None  # None while the weight is missing (mg/kg doses)
    order_id: UUID | None  # the order it follows (None: the signed plan)


def needs_cosignature(*, fixed_dose_mg: Decimal | None, cap_mg: Decimal) -> bool:
    """A fixed dose above the cap (the cap itself is allowed)."""
    return fixed_dose_mg is not None and Decimal(fixed_dose_mg) > Decimal(cap_mg)


def order_covers(order: OrderInForce, *, appointment_id: UUID, started_at: datetime | None) -> bool:
    """A fixed dose covers its infusion; a new mg/kg covers every infusion not started before it
    came in force."""
    if order.fixed_dose_mg is not None:
        return order.appointment_id == appointment_id
    return started_at is None or started_at > order.in_force_at


def session_dose(
    *,
    plan_dose_mg_per_kg: Decimal | None,
    weight_kg: Decimal | None,
    orders: Iterable[OrderInForce],
    appointment_id: UUID,
    started_at: datetime | None,
) -> SessionDose:
    """The planned dose of one infusion: the latest order in force covering it, else the plan."""
    covering = [o for o in orders if order_covers(o, appointment_id=appointment_id, started_at=started_at)]
    latest = max(covering, key=lambda o: o.in_force_at, default=None)
    if latest is not None and latest.fixed_dose_mg is not None:
        # The weight is measured on the day all the same: no planned dose before it.
        fixed = Decimal(latest.fixed_dose_mg) if weight_kg is not None else None
        return SessionDose(None, fixed, latest.order_id)
    mg_per_kg = latest.dose_mg_per_kg if latest is not None else plan_dose_mg_per_kg
    if mg_per_kg is None or weight_kg is None:
        return SessionDose(mg_per_kg, None, latest.order_id if latest else None)
    dose = planned_dose(dose_mg_per_kg=mg_per_kg, weight_kg=weight_kg)
    return SessionDose(Decimal(mg_per_kg), dose, latest.order_id if latest else None)
