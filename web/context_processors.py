"""What every page's layout shows: the clinic's name, address and phone (one query, only when a
template reads them), and the role groups of the signed-in user."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from controlled.rules import STOCK_READER_ROLES
from core.roles import (
    BOOKING_STAFF_ROLES,
    CARE_TEAM_ROLES,
    PLAN_DECIDER_ROLES,
    REPORT_READER_ROLES,
    STAFF_ROLES,
    Role,
)
from scheduling.models import Clinic


def clinic(request: HttpRequest) -> dict[str, Any]:
    return {"clinic": SimpleLazyObject(lambda: Clinic.objects.order_by("pk").first())}


@dataclass(frozen=True)
class RoleGroups:
    """The groups the signed-in user belongs to, for templates (``{% if roles.care_team %}``): the
    same groups the views' role checks name, so a page links to a page exactly when its view lets
    the user in. A template never tests a role by name (``tests/web/test_templates_name_no_role.py``)."""

    patient: bool = False
    staff: bool = False  # every staff page, the calendar feed
    booking_staff: bool = False  # the day board, the patients' pages
    care_team: bool = False  # the clinical record, the plan's dose
    plan_decider: bool = False  # resume a suspended plan, end a plan
    report_reader: bool = False  # the outcome and controlled-substance reports
    controlled_stock_reader: bool = False  # the controlled-substance stock

    @classmethod
    def of(cls, role: str | None) -> "RoleGroups":
        return cls(
            patient=role == Role.PATIENT,
            staff=role in STAFF_ROLES,
            booking_staff=role in BOOKING_STAFF_ROLES,
            care_team=role in CARE_TEAM_ROLES,
            plan_decider=role in PLAN_DECIDER_ROLES,
            report_reader=role in REPORT_READER_ROLES,
            controlled_stock_reader=role in STOCK_READER_ROLES,
        )


def roles(request: HttpRequest) -> dict[str, Any]:
    # Lazy: the user is loaded only when a template asks (an anonymous user has no role).
    return {"roles": SimpleLazyObject(lambda: RoleGroups.of(getattr(request.user, "role", None)))}
