"""Two nurses drawing from the last 50 mg of one vial at the same moment (real threads against the
real database; PostgreSQL in CI's second run and with DATABASE_URL): exactly one succeeds and the
balance never goes below zero. The control run removes the guard (tests/controlled/race.py) and
shows the race it prevents: both succeed and the balance goes negative."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from controlled.models import Container, LedgerEntry
from controlled.services.infusions import infusion_draw
from core.roles import Role
from tests.booking.race import race
from tests.controlled.fixtures import staff, under_way, vial
from tests.controlled.race import guard_off

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("during")]

DRAW = Decimal("40.0")


@pytest.fixture
def last_50_mg(demo_clinic):
    """A vial with 50.0 mg left, and two nurses each with an infusion under way."""
    nurses = [staff(Role.NURSE), staff(Role.NURSE)]
    container = vial(nurses[0], concentration_mg_per_ml=Decimal("10.00"), volume_ml=Decimal("5.00"))
    infusions = [under_way(nurse) for nurse in nurses]
    return container, list(zip(nurses, infusions, strict=True))


def draws(last_50_mg):
    container, pairs = last_50_mg
    return [
        (
            lambda nurse=nurse, infusion=infusion: infusion_draw(
                actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=DRAW
            )
        )
        for nurse, infusion in pairs
    ]


def books(container: Container) -> tuple[Decimal, Decimal]:
    """The container's balance, and what its receipt less its draws says it should be."""
    balance = Container.objects.values_list("balance_mg", flat=True).get(pk=container.pk)
    drawn = LedgerEntry.objects.filter(container=container, kind="draw").aggregate(total=Sum("quantity_mg"))["total"]
    return balance, container.content_mg - (drawn or 0)


def test_two_nurses_drawing_the_last_50_mg_at_once_exactly_one_succeeds(last_50_mg):
    container, _ = last_50_mg

    outcomes = race(draws(last_50_mg))

    assert outcomes == {"ok": 1, "insufficient_stock": 1}
    assert books(container) == (Decimal("10.0"), Decimal("10.0"))
    assert LedgerEntry.objects.filter(kind="draw").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's writers never overlap (IMMEDIATE)")
def test_control_without_the_guard_both_draw_and_the_balance_goes_negative(last_50_mg, monkeypatch):
    container, _ = last_50_mg

    with guard_off(monkeypatch, parties=2):
        outcomes = race(draws(last_50_mg))
        balance, expected = books(container)
        assert outcomes == {"ok": 2}
        assert balance == expected == Decimal("-30.0")
