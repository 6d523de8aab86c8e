"""How each role calls the dose orders API with input valid for a role allowed to
(tests/test_api_schema.py's CALLS and the route matrix take these): a fresh active plan with one
infusion, and for the co-signature a pending order above the cap written by another clinician;
the caller signs with their own password and the current code of their authenticator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from clinical.services.dose_orders import DoseOrderTerms, dose_order_create
from core.roles import Role
from tests.accounts.otp import enrolled, totp_code
from tests.clinical.infusion_fixtures import infusion_appointment
from tests.factories import TEST_PASSWORD, UserFactory

Request = tuple[str, str, dict[str, Any] | None]
Build = Callable[[Any, str], Request]


def _infusion() -> Any:
    return infusion_appointment(starts_at=timezone.now() + timedelta(days=1))


def _pending_order() -> Any:
    infusion = _infusion()
    terms = DoseOrderTerms(
        scope="one",
        fixed_dose_mg="120.0",
        appointment_id=infusion.pk,
        reason="Little response at 0.50 mg/kg.",
        over_cap_reason="Large patient; discussed with the team.",
    )
    author = UserFactory(role=Role.CLINICIAN)
    return dose_order_create(actor=author, plan_id=infusion.treatment_plan_id, terms=terms)


def _cosign(world: Any, role: str) -> Request:
    order = _pending_order()
    user: User | None = world.users.get(role)
    code = totp_code(enrolled(user)) if user is not None and role == "clinician" else "000000"
    return ("POST", f"/api/v1/dose-orders/{order.pk}/cosign/", {"password": TEST_PASSWORD, "otp": code})


def _list(world: Any, role: str) -> Request:
    infusion = _infusion()
    return ("GET", f"/api/v1/treatment-plans/{infusion.treatment_plan_id}/dose-orders/", None)


def _write(world: Any, role: str) -> Request:
    infusion = _infusion()
    body = {"scope": "remaining", "dose_mg_per_kg": "0.60", "reason": "Little response at 0.50 mg/kg."}
    return ("POST", f"/api/v1/treatment-plans/{infusion.treatment_plan_id}/dose-orders/", body)


DOSE_ORDER_CALLS: dict[tuple[str, str], Build] = {
    ("GET", "/api/v1/treatment-plans/{plan_id}/dose-orders/"): _list,
    ("POST", "/api/v1/treatment-plans/{plan_id}/dose-orders/"): _write,
    ("POST", "/api/v1/dose-orders/{order_id}/cosign/"): _cosign,
}


def _page_cosign(world: Any, role: str) -> Request:
    order = _pending_order()
    user: User | None = world.users.get(role)
    code = totp_code(enrolled(user)) if user is not None and role == "clinician" else "000000"
    return ("POST", f"/staff/dose-orders/{order.pk}/cosign/", {"password": TEST_PASSWORD, "otp": code})


def _page_write(world: Any, role: str) -> Request:
    infusion = _infusion()
    body = {"scope": "remaining", "dose_mg_per_kg": "0.60", "reason": "Little response at 0.50 mg/kg."}
    return ("POST", f"/staff/plans/{infusion.treatment_plan_id}/dose-orders/", body)


DOSE_ORDER_PAGES: dict[str, Build] = {
    "/staff/plans/<uuid:plan_id>/dose-orders/": _page_write,
    "/staff/dose-orders/<uuid:order_id>/cosign/": _page_cosign,
}
DOSE_ORDER_PAGE_GETS = {"/staff/plans/<uuid:plan_id>/dose-orders/"}
