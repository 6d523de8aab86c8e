"""How each role calls the controlled-substance log's API with input valid for a role allowed to
(tests/test_api_schema.py's CALLS and the route matrix take these): fresh objects where a call
writes (a vial, an infusion under way of a fresh patient), and a fresh witness with their own
authenticator each time (a TOTP code is accepted once)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clinical.services.alerts import count_discrepancy_alert_raise
from clinical.services.infusions import infusion_record_update
from controlled.models import Container, EntryKind, LedgerEntry
from controlled.selectors import containers_open
from controlled.services.infusions import infusion_draw
from controlled.services.stock import container_receive
from core.roles import Role
from tests.accounts.otp import enrolled, totp_code
from tests.clinical.infusion_fixtures import infusion_appointment, start
from tests.factories import TEST_PASSWORD, UserFactory

# (method, url, body)
Request = tuple[str, str, dict[str, Any] | None]
Build = Callable[[Any, str], Request]


def _now() -> datetime:
    return timezone.now()  # the tests freeze it


def witness_body() -> dict[str, str]:
    witness = enrolled(UserFactory(role=Role.NURSE))
    return {"witness_email": witness.email, "witness_password": TEST_PASSWORD, "witness_otp": totp_code(witness)}


def fresh_vial(world: Any) -> Container:
    return container_receive(
        actor=world.users["nurse"],
        product="Ketamine hydrochloride injection, USP",
        lot="API1",
        expires_on=_now().date() + timedelta(days=200),
        concentration_mg_per_ml=Decimal("50.00"),
        volume_ml=Decimal("10.00"),
        received_on=_now().date(),
        supplier="Harbor Medical Supply",
        invoice_number="INV-API",
    )[0]


def under_way(world: Any):
    world.made += 1
    at = _now() - timedelta(minutes=30 + world.made % 20)
    appointment = infusion_appointment(starts_at=at)
    start(appointment, world.users["nurse"], at=at)
    return appointment


def _administration(world: Any, role: str) -> Request:
    nurse = world.users["nurse"]
    appointment = under_way(world)
    infusion_draw(actor=nurse, appointment_id=appointment.pk, container_id=fresh_vial(world).pk, mg=Decimal("40.0"))
    infusion_record_update(
        actor=nurse,
        appointment_id=appointment.pk,
        changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
    )
    return ("POST", f"/api/v1/controlled/infusions/{appointment.pk}/administration/", witness_body())


def _count(world: Any, role: str) -> Request:
    open_ml = [{"container": str(c.pk), "ml": str(c.balance_ml)} for c in containers_open()]
    on_hand = Container.objects.filter(balance_mg__gt=0).count()
    body = {"containers_counted": on_hand, "open_ml": open_ml, **witness_body()}
    return ("POST", "/api/v1/controlled/counts/", body)


def _correction(world: Any, role: str) -> Request:
    receipt = LedgerEntry.objects.get(container=fresh_vial(world), kind=EntryKind.RECEIPT)
    body = {"change_mg": "-10.0", "note": "The vial held 490.0 mg.", **witness_body()}
    return ("POST", f"/api/v1/controlled/entries/{receipt.pk}/corrections/", body)


def _receive(world: Any, role: str) -> Request:
    body = {
        "product": "Ketamine hydrochloride injection, USP",
        "lot": "KX2291",
        "expires_on": (_now().date() + timedelta(days=300)).isoformat(),
        "concentration_mg_per_ml": "50.00",
        "volume_ml": "10.00",
        "received_on": _now().date().isoformat(),
        "supplier": "Harbor Medical Supply",
        "invoice_number": "INV-40112",
        "number": 2,
    }
    return ("POST", "/api/v1/controlled/containers/", body)


def _today() -> str:
    return _now().date().isoformat()


CONTROLLED_CALLS: dict[tuple[str, str], Build] = {
    ("GET", "/api/v1/controlled/containers/"): lambda w, r: ("GET", "/api/v1/controlled/containers/", None),
    ("POST", "/api/v1/controlled/containers/"): _receive,
    ("POST", "/api/v1/controlled/containers/{container_id}/waste/"): lambda w, r: (
        "POST",
        f"/api/v1/controlled/containers/{fresh_vial(w).pk}/waste/",
        {"reason": "damaged", "note": "Cracked vial; wasted into the sink before the witness.", **witness_body()},
    ),
    ("POST", "/api/v1/controlled/entries/{entry_id}/corrections/"): _correction,
    ("GET", "/api/v1/controlled/infusions/{appointment_id}/"): lambda w, r: (
        "GET",
        f"/api/v1/controlled/infusions/{under_way(w).pk}/",
        None,
    ),
    ("POST", "/api/v1/controlled/infusions/{appointment_id}/draws/"): lambda w, r: (
        "POST",
        f"/api/v1/controlled/infusions/{under_way(w).pk}/draws/",
        {"container": str(fresh_vial(w).pk), "mg": "35.0"},
    ),
    ("POST", "/api/v1/controlled/infusions/{appointment_id}/administration/"): _administration,
    ("GET", "/api/v1/controlled/counts/"): lambda w, r: ("GET", f"/api/v1/controlled/counts/?date={_today()}", None),
    ("POST", "/api/v1/controlled/counts/"): _count,
    ("GET", "/api/v1/controlled/report/"): lambda w, r: (
        "GET",
        f"/api/v1/controlled/report/?date_from={_today()}&date_to={_today()}",
        None,
    ),
    ("GET", "/api/v1/controlled/inventory/"): lambda w, r: (
        "GET",
        f"/api/v1/controlled/inventory/?date={_today()}",
        None,
    ),
}


# -- the staff pages (tests/route_world.py's PAGES): form bodies as the pages post them -------------


def _page_witness(prefix: str = "") -> dict[str, str]:
    return {f"{prefix}{name}": value for name, value in witness_body().items()}


def _page_administration(world: Any, role: str) -> Request:
    _method, url, _ = _administration(world, role)
    appointment_id = url.split("/")[-3]
    return ("POST", f"/staff/controlled/infusions/{appointment_id}/administration/", _page_witness("administration-"))


def _page_count(world: Any, role: str) -> Request:
    body: dict[str, Any] = {"containers_counted": Container.objects.filter(balance_mg__gt=0).count()}
    body |= {f"ml_{c.pk}": str(c.balance_ml) for c in containers_open()}
    return ("POST", "/staff/controlled/count/", body | _page_witness())


def _page_resolve(world: Any, role: str) -> Request:
    alert = count_discrepancy_alert_raise(reasons=["container_number"], at=_now())
    return ("POST", f"/staff/controlled/discrepancies/{alert.pk}/resolve/", {f"resolve-{alert.pk}-note": "Recounted."})


CONTROLLED_PAGES: dict[str, Build] = {
    "/staff/controlled/receive/": lambda w, r: (
        "POST",
        "/staff/controlled/receive/",
        _receive(w, r)[2],
    ),
    "/staff/controlled/containers/<uuid:container_id>/waste/": lambda w, r: (
        "POST",
        f"/staff/controlled/containers/{fresh_vial(w).pk}/waste/",
        {"reason": "damaged", "note": "Cracked vial.", **_page_witness()},
    ),
    "/staff/controlled/infusions/<uuid:appointment_id>/": lambda w, r: (
        "GET",
        f"/staff/controlled/infusions/{under_way(w).pk}/",
        None,
    ),
    "/staff/controlled/infusions/<uuid:appointment_id>/draw/": lambda w, r: (
        "POST",
        f"/staff/controlled/infusions/{under_way(w).pk}/draw/",
        {"draw-container": str(fresh_vial(w).pk), "draw-mg": "35.0"},
    ),
    "/staff/controlled/infusions/<uuid:appointment_id>/administration/": _page_administration,
    "/staff/controlled/count/": _page_count,
    "/staff/controlled/discrepancies/<uuid:alert_id>/resolve/": _page_resolve,
    "/staff/controlled/report/": lambda w, r: (
        "GET",
        f"/staff/controlled/report/?date_from={_today()}&date_to={_today()}",
        None,
    ),
    "/staff/controlled/inventory/": lambda w, r: ("GET", f"/staff/controlled/inventory/?date={_today()}", None),
}
# The pages whose builder serves their GET too.
CONTROLLED_PAGE_GETS = {
    "/staff/controlled/containers/<uuid:container_id>/waste/",
    "/staff/controlled/infusions/<uuid:appointment_id>/",
    "/staff/controlled/report/",
    "/staff/controlled/inventory/",
}
