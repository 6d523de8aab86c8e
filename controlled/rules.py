"""The arithmetic and the roles of the controlled-substance log (SPEC.md section 12), with no
database access: exact decimals throughout, never floats.

- Milligrams are kept to 0.1 mg and millilitres to 0.01 mL. A container holds its concentration
  (mg/mL) times its volume (mL), which must come out exact to 0.1 mg (a 500 mg / 10 mL vial holds
  500.0 mg). The balance is kept in mg, the unit the record accounts in; the mL of a balance is
  the mg divided by the concentration, to 0.01 mL half up (that is what a count can read).
- An infusion's dose given is taken from its draws in the order they were drawn; what each draw
  holds beyond its share was drawn and not given: wasted, with a witness.
- A count agrees with the book when it finds the number of containers the book has on hand and,
  in each open container, the mL its balance makes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from core.roles import STAFF_ROLES, Role

MG = Decimal("0.1")
ML = Decimal("0.01")
ZERO = Decimal("0.0")
# A container's concentration and volume: above zero, to 0.01, below 1000 (ketamine comes as 10,
# 50 and 100 mg/mL in vials of a few mL); so a content always fits the ledger's columns.
MAX_CONCENTRATION_MG_PER_ML = Decimal("999.99")
MAX_VOLUME_ML = Decimal("999.99")

# Who may read the stock, witness and resolve (SPEC.md section 12); the care team keeps the log
# (core.roles.CARE_TEAM_ROLES), report readers read its report (core.roles.REPORT_READER_ROLES).
STOCK_READER_ROLES = (Role.NURSE, Role.CLINICIAN, Role.ADMIN)  # the stock list names no patient
WITNESS_ROLES = STAFF_ROLES
RESOLVER_ROLES = (Role.CLINICIAN,)  # a count discrepancy is resolved by a clinician, with a note

# Why a count disagrees (the alert's reasons).
CONTAINER_NUMBER = "container_number"
OPEN_VOLUME = "open_volume"

Key = TypeVar("Key")


def is_exact(value: Decimal, step: Decimal) -> bool:
    """``value`` is a whole number of ``step`` (35.0 mg is, 35.05 mg is not)."""
    return value == value.quantize(step)


def content_mg(*, concentration_mg_per_ml: Decimal, volume_ml: Decimal) -> Decimal | None:
    """What a container holds in mg, or None when it is not exact to 0.1 mg."""
    content = concentration_mg_per_ml * volume_ml
    return content.quantize(MG) if is_exact(content, MG) else None


def ml_of(*, mg: Decimal, concentration_mg_per_ml: Decimal) -> Decimal:
    """The volume that holds ``mg`` at this concentration, to 0.01 mL half up."""
    return (mg / concentration_mg_per_ml).quantize(ML, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DrawShare:
    """One draw of an infusion: what was drawn, what of it was given, what is left to waste."""

    draw_id: int
    drawn_mg: Decimal
    given_mg: Decimal

    @property
    def wasted_mg(self) -> Decimal:
        return self.drawn_mg - self.given_mg


def dose_split(*, draws: Sequence[tuple[int, Decimal]], given_mg: Decimal) -> list[DrawShare]:
    """The dose given taken from ``draws`` ((id, mg drawn) in the order drawn), first draws first.
    The caller refuses a dose above the total drawn; here it would be left unallocated."""
    left = given_mg
    shares = []
    for draw_id, drawn_mg in draws:
        given = min(left, drawn_mg)
        left -= given
        shares.append(DrawShare(draw_id=draw_id, drawn_mg=drawn_mg, given_mg=given))
    return shares


def count_disagreements(
    *,
    containers_expected: int,
    containers_counted: int,
    open_ml_expected: Mapping[Key, Decimal],
    open_ml_counted: Mapping[Key, Decimal],
) -> list[str]:
    """Why a count disagrees with the book (empty: it agrees). An open container the book has and
    the count left out counts as a disagreement of its volume."""
    reasons = []
    if containers_counted != containers_expected:
        reasons.append(CONTAINER_NUMBER)
    if any(open_ml_counted.get(key) != expected for key, expected in open_ml_expected.items()):
        reasons.append(OPEN_VOLUME)
    return reasons
