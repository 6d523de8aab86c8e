"""What the log's services share: the role gate, the checks of a quantity, the clinic's day."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from controlled.errors import ControlledError, ControlledPermissionError
from controlled.rules import MG, is_exact
from core.roles import CARE_TEAM_ROLES
from scheduling.selectors import clinic_zone


def writer_require(actor: User) -> None:
    if actor.role not in CARE_TEAM_ROLES:
        raise ControlledPermissionError("Nurses and clinicians keep the controlled-substance log.")


def mg_require(value: Decimal, *, field: str = "mg") -> None:
    """A positive quantity in whole tenths of a milligram."""
    if value <= 0 or not is_exact(value, MG):
        raise ControlledError(
            "Give a quantity above zero, to 0.1 mg.", code="quantity_not_exact", fields={field: ["To 0.1 mg."]}
        )


def clinic_day(at: datetime) -> date:
    return timezone.localdate(at, timezone=clinic_zone())
