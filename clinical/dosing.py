"""Dose arithmetic and the plan's dose terms (SPEC.md sections 4 and 10): pure functions, no database.

- The planned dose: the mg/kg times the weight, to 0.1 mg, halves rounded up.
- The clinic's dose limits per route (its admin sets them; defaults IV 0.1-1.0 mg/kg, IM 0.1-1.0
  mg/kg): a plan's mg/kg lies within its route's range, both ends included.
- Infusion minutes: an IV infusion runs 20 to 120 minutes, 40 when not said; an IM injection has
  none. The rate in mg/min is the planned dose over the minutes, to 0.01 mg/min.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from clinical.models.evaluations import Route

TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
IV_MINUTES_RANGE = (20, 120)
IV_MINUTES_DEFAULT = 40


@dataclass(frozen=True)
class DoseRange:
    """A route's mg/kg limits, both included."""

    lowest: Decimal
    highest: Decimal

    def allows(self, dose_mg_per_kg: Decimal) -> bool:
        return self.lowest <= dose_mg_per_kg <= self.highest

    def words(self) -> str:
        return f"{self.lowest:.2f} to {self.highest:.2f} mg/kg"


DoseLimits = Mapping[str, DoseRange]  # route -> its range


def planned_dose(*, dose_mg_per_kg: Decimal, weight_kg: Decimal) -> Decimal:
    """The mg/kg times the weight, to 0.1 mg, halves rounded up (0.5 mg/kg times 70.3 kg = 35.2 mg)."""
    return (Decimal(dose_mg_per_kg) * Decimal(weight_kg)).quantize(TENTH, rounding=ROUND_HALF_UP)


def infusion_rate_mg_per_min(*, dose_mg: Decimal, minutes: int) -> Decimal:
    """The dose over the minutes, to 0.01 mg/min, halves rounded up (35.0 mg over 40 minutes = 0.88)."""
    return (Decimal(dose_mg) / Decimal(minutes)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PlanRate:
    dose_mg: Decimal
    minutes: int
    mg_per_min: Decimal


def plan_rate(
    *, dose_mg_per_kg: Decimal | None, weight_kg: Decimal | None, route: str, minutes: int | None
) -> PlanRate | None:
    """An IV plan's dose at a weight, over its minutes; None when a term is missing or for IM."""
    if route != Route.IV or dose_mg_per_kg is None or weight_kg is None or not minutes:
        return None
    dose_mg = planned_dose(dose_mg_per_kg=dose_mg_per_kg, weight_kg=weight_kg)
    return PlanRate(dose_mg, minutes, infusion_rate_mg_per_min(dose_mg=dose_mg, minutes=minutes))


def plan_rate_mg_per_min(
    *, dose_mg_per_kg: Decimal | None, weight_kg: Decimal | None, route: str, minutes: int | None
) -> Decimal | None:
    """The rate of ``plan_rate`` alone."""
    rate = plan_rate(dose_mg_per_kg=dose_mg_per_kg, weight_kg=weight_kg, route=route, minutes=minutes)
    return None if rate is None else rate.mg_per_min


def dose_problems(*, route: str, dose_mg_per_kg: Decimal | None, limits: DoseLimits) -> dict[str, list[str]]:
    """The plan's dose outside its route's range (``plan.dose_mg_per_kg``); empty when inside, or
    while the dose or the route is not chosen yet."""
    allowed = limits.get(route)
    if dose_mg_per_kg is None or allowed is None or allowed.allows(Decimal(dose_mg_per_kg)):
        return {}
    return {"plan.dose_mg_per_kg": [f"For {route}, the clinic's dose is {allowed.words()}."]}


def infusion_minutes_for(*, route: str, minutes: int | None) -> int | None:
    """The minutes a plan keeps: none for IM, 40 for IV when not said."""
    if route == Route.IM:
        return None
    if route == Route.IV and minutes is None:
        return IV_MINUTES_DEFAULT
    return minutes


def infusion_minutes_problems(*, route: str, minutes: int | None) -> dict[str, list[str]]:
    """Minutes given for an IM injection (``plan.infusion_minutes``); their 20-120 range is a
    plain range (``IV_MINUTES_RANGE``), checked with the plan's others."""
    if minutes is not None and route == Route.IM:
        return {"plan.infusion_minutes": ["Not for an IM injection: leave it empty."]}
    return {}
