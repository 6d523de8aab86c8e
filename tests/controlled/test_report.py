"""The log's report and inventory (SPEC.md section 12) on a fixed data set, every figure computed
by hand:

Monday December 7: vials A and B (500.0 mg each, 50 mg/mL x 10 mL) and C (100.0 mg, 100 mg/mL x
1 mL, expiring that day) received; infusion 1 draws 40.0 mg from A, is given 35.0, 5.0 wasted.
Tuesday December 8: infusion 2 draws 70.0 mg from A, corrected (+5.0: 65.0 was drawn), is given
60.0, 5.0 wasted; the expired C is wasted whole (100.0).

  Dec 7 to 8: received 1100.0, drawn 110.0, administered 95.0, wasted not given 10.0, stock
  wasted 100.0, corrections +5.0; opening 0.0, closing A 395.0 + B 500.0 + C 0.0 = 895.0
  (0 + 1100 - 110 - 100 + 5 = 895).
  Dec 8 alone: opening A 460.0 + B 500.0 + C 100.0 = 1060.0; closing 895.0
  (1060 - 70 - 100 + 5 = 895).
  Inventory at the close of Dec 7: A 460.0 mg (9.20 mL, open), B 500.0 (sealed), C 100.0 (1.00
  mL, sealed): 1060.0 mg. At the close of Dec 8: A 395.0 (7.90 mL), B 500.0: 895.0 mg.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from controlled.errors import ControlledError
from controlled.report import controlled_inventory, controlled_report
from controlled.services.infusions import infusion_administration_record, infusion_draw
from controlled.services.stock import container_waste, entry_correct
from tests.controlled.fixtures import DURING, START, dose_given, signature, under_way, vial

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY = date(2026, 12, 7), date(2026, 12, 8)


@pytest.fixture
def two_days(nurse, witness, demo_clinic):
    with time_machine.travel(DURING, tick=True):
        a = vial(nurse, lot="A")
        b = vial(nurse, lot="B")
        c = vial(
            nurse, lot="C", expires_on=MONDAY, concentration_mg_per_ml=Decimal("100.00"), volume_ml=Decimal("1.00")
        )
        first = under_way(nurse)
        infusion_draw(actor=nurse, appointment_id=first.pk, container_id=a.pk, mg=Decimal("40.0"))
        dose_given(nurse, first, "35.0")
        infusion_administration_record(actor=nurse, appointment_id=first.pk, witness=signature(witness))
    with time_machine.travel(DURING + timedelta(days=1), tick=True):
        second = under_way(nurse, at=START + timedelta(days=1))
        draw = infusion_draw(actor=nurse, appointment_id=second.pk, container_id=a.pk, mg=Decimal("70.0"))
        entry_correct(
            actor=nurse,
            entry_id=draw.pk,
            change_mg=Decimal("5.0"),
            note="65.0 mg was drawn.",
            witness=signature(witness),
        )
        dose_given(nurse, second, "60.0", weight="140.0")
        infusion_administration_record(actor=nurse, appointment_id=second.pk, witness=signature(witness))
        container_waste(
            actor=nurse,
            container_id=c.pk,
            reason="expired",
            note="To the reverse distributor.",
            witness=signature(witness),
        )
    return {"a": a, "b": b, "c": c, "patients": {first.patient_id, second.patient_id}}


def figures(report) -> dict[str, Decimal]:
    totals = report.totals
    return {
        "received": totals.received_mg,
        "drawn": totals.drawn_mg,
        "administered": totals.administered_mg,
        "wasted_not_given": totals.wasted_not_given_mg,
        "wasted_stock": totals.wasted_stock_mg,
        "corrections": totals.corrections_mg,
        "opening": totals.opening_mg,
        "closing": totals.closing_mg,
    }


def test_the_report_of_both_days_adds_up_as_by_hand(two_days):
    report = controlled_report(date_from=MONDAY, date_to=TUESDAY)

    assert figures(report) == {
        "received": Decimal("1100.0"),
        "drawn": Decimal("110.0"),
        "administered": Decimal("95.0"),
        "wasted_not_given": Decimal("10.0"),
        "wasted_stock": Decimal("100.0"),
        "corrections": Decimal("5.0"),
        "opening": Decimal("0.0"),
        "closing": Decimal("895.0"),
    }
    assert report.totals.balanced
    assert [(row.container.lot, row.opening_mg, row.closing_mg) for row in report.balances] == [
        ("A", Decimal("0.0"), Decimal("395.0")),
        ("B", Decimal("0.0"), Decimal("500.0")),
        ("C", Decimal("0.0"), Decimal("0.0")),
    ]
    assert [entry.kind for entry in report.entries] == [
        "receipt", "receipt", "receipt", "draw", "administration", "waste",
        "draw", "correction", "administration", "waste", "waste",
    ]  # fmt: skip
    assert set(report.patient_ids) == two_days["patients"]


def test_the_report_of_the_second_day_opens_with_the_first_days_close(two_days):
    report = controlled_report(date_from=TUESDAY, date_to=TUESDAY)

    assert figures(report) == {
        "received": Decimal("0.0"),
        "drawn": Decimal("70.0"),
        "administered": Decimal("60.0"),
        "wasted_not_given": Decimal("5.0"),
        "wasted_stock": Decimal("100.0"),
        "corrections": Decimal("5.0"),
        "opening": Decimal("1060.0"),
        "closing": Decimal("895.0"),
    }
    assert report.totals.balanced


def test_the_inventory_as_of_each_day_at_its_close(two_days):
    monday = controlled_inventory(on=MONDAY)
    tuesday = controlled_inventory(on=TUESDAY)

    assert [(row.container.lot, row.balance_mg, row.balance_ml, row.sealed) for row in monday.rows] == [
        ("A", Decimal("460.0"), Decimal("9.20"), False),
        ("B", Decimal("500.0"), Decimal("10.00"), True),
        ("C", Decimal("100.0"), Decimal("1.00"), True),
    ]
    assert monday.total_mg == Decimal("1060.0")
    assert [(row.container.lot, row.balance_mg, row.balance_ml) for row in tuesday.rows] == [
        ("A", Decimal("395.0"), Decimal("7.90")),
        ("B", Decimal("500.0"), Decimal("10.00")),
    ]
    assert tuesday.total_mg == Decimal("895.0")
    assert controlled_inventory(on=MONDAY - timedelta(days=1)).rows == []


@pytest.mark.parametrize(
    ("date_from", "date_to", "code"),
    [(TUESDAY, MONDAY, "invalid_date_range"), (MONDAY, MONDAY + timedelta(days=366), "date_range_too_long")],
)
def test_the_range_is_checked(date_from, date_to, code, db):
    with pytest.raises(ControlledError) as refused:
        controlled_report(date_from=date_from, date_to=date_to)
    assert refused.value.code == code
