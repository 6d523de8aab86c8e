"""Stock in and out (receipts, the waste of expired or damaged vials, corrections) and the daily
count by two staff, whose disagreement with the book raises an alert that a clinician resolves."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from clinical.models import Alert, AlertKind
from clinical.services.alerts import alert_acknowledge
from controlled.errors import ControlledError
from controlled.models import Container, CountLine, DailyCount, LedgerEntry
from controlled.selectors import count_status
from controlled.services.counts import daily_count_record
from controlled.services.infusions import infusion_draw
from controlled.services.stock import container_receive, container_waste, entry_correct
from core.errors import DomainError
from tests.controlled.fixtures import DAY, DURING, signature, under_way, vial

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during")]


def test_a_box_of_vials_is_received_as_containers_each_with_its_receipt(nurse, demo_clinic):
    first = vial(nurse, number=3)
    containers = Container.objects.filter(invoice_number="INV-40112")
    assert containers.count() == 3
    assert {(c.content_mg, c.balance_mg, c.received_by_id) for c in containers} == {
        (Decimal("500.0"), Decimal("500.0"), nurse.pk)
    }
    assert LedgerEntry.objects.filter(kind="receipt").count() == 3
    assert first.product == "Ketamine hydrochloride injection, USP"


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ({"concentration_mg_per_ml": Decimal("33.33"), "volume_ml": Decimal("3.33")}, "content_not_exact"),
        ({"received_on": DAY + timedelta(days=1)}, "received_on_in_future"),
        ({"expires_on": DAY - timedelta(days=1)}, "expired_on_receipt"),
        ({"volume_ml": Decimal("0.00")}, "invalid"),
    ],
)
def test_a_receipt_is_refused_when_its_figures_do_not_hold(nurse, demo_clinic, terms, code):
    with pytest.raises(ControlledError) as refused:
        vial(nurse, **terms)
    assert refused.value.code == code
    assert Container.objects.count() == 0


def test_an_expired_vial_is_wasted_whole_before_a_witness(nurse, witness, demo_clinic):
    container = vial(nurse, expires_on=DAY - timedelta(days=1), received_on=DAY - timedelta(days=30))

    waste = container_waste(
        actor=nurse,
        container_id=container.pk,
        reason="expired",
        note="Held for the reverse distributor.",
        witness=signature(witness),
    )

    assert (waste.quantity_mg, waste.change_mg, waste.balance_after_mg) == (
        Decimal("500.0"),
        Decimal("-500.0"),
        Decimal("0.0"),
    )
    assert (waste.witness, waste.waste_reason) == (witness, "expired")
    assert Container.objects.get().balance_mg == Decimal("0.0")
    with pytest.raises(ControlledError) as again:
        container_waste(actor=nurse, container_id=container.pk, reason="damaged", note="x", witness=signature(witness))
    assert again.value.code == "container_empty"


def test_a_correction_is_a_new_entry_naming_the_wrong_one(nurse, witness, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    draw = infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))

    correction = entry_correct(
        actor=nurse,
        entry_id=draw.pk,
        change_mg=Decimal("5.0"),
        note="35.0 mg was drawn, not 40.0.",
        witness=signature(witness),
    )

    assert (correction.kind, correction.corrects, correction.change_mg, correction.balance_after_mg) == (
        "correction",
        draw,
        Decimal("5.0"),
        Decimal("465.0"),
    )
    draw.refresh_from_db()
    assert draw.quantity_mg == Decimal("40.0")  # the wrong entry stays as it was written
    with pytest.raises(ControlledError) as too_much:
        entry_correct(actor=nurse, entry_id=draw.pk, change_mg=Decimal("-465.1"), note="x", witness=signature(witness))
    assert too_much.value.code == "insufficient_stock"


def open_vial(nurse, *, drawn: str) -> Container:
    container = vial(nurse, lot="OPEN1")
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal(drawn))
    return container


def test_a_count_that_agrees_raises_nothing_and_the_day_is_counted(nurse, witness, demo_clinic):
    opened = open_vial(nurse, drawn="35.0")  # 465.0 mg left: 9.30 mL
    vial(nurse, number=2, lot="SEALED")
    assert not count_status(day=DAY).done

    count = daily_count_record(
        actor=nurse, containers_counted=3, open_ml={opened.pk: Decimal("9.30")}, witness=signature(witness)
    )

    assert (count.counted_on, count.containers_expected, count.reasons, count.alert) == (DAY, 3, [], None)
    assert list(CountLine.objects.values_list("container_id", "ml_counted", "ml_expected", "balance_mg")) == [
        (opened.pk, Decimal("9.30"), Decimal("9.30"), Decimal("465.0"))
    ]
    status = count_status(day=DAY)
    assert (status.done, status.open_discrepancies) == (True, [])


def test_a_count_that_disagrees_raises_an_alert_until_a_clinician_resolves_it(nurse, witness, clinician, demo_clinic):
    opened = open_vial(nurse, drawn="35.0")

    count = daily_count_record(
        actor=nurse, containers_counted=2, open_ml={opened.pk: Decimal("9.10")}, witness=signature(witness)
    )

    assert count.reasons == ["container_number", "open_volume"]
    alert = Alert.objects.get()
    assert (alert.kind, alert.patient, alert.appointment, alert.reasons) == (
        AlertKind.COUNT_DISCREPANCY,
        None,
        None,
        ["container_number", "open_volume"],
    )
    assert count_status(day=DAY).open_discrepancies == [alert]
    with pytest.raises(DomainError) as nurse_refused:  # a nurse may not resolve it
        alert_acknowledge(actor=nurse, alert_id=alert.pk, note="Recounted.")
    assert nurse_refused.value.status_code == 403
    with pytest.raises(DomainError) as no_note:
        alert_acknowledge(actor=clinician, alert_id=alert.pk, note=" ")
    assert no_note.value.code == "note_required"

    alert_acknowledge(actor=clinician, alert_id=alert.pk, note="A vial was in the fridge; recounted, it agrees.")

    assert count_status(day=DAY).open_discrepancies == []


def test_a_count_names_every_open_container_left_out(nurse, witness, demo_clinic):
    open_vial(nurse, drawn="10.0")
    with pytest.raises(ControlledError) as refused:
        daily_count_record(actor=nurse, containers_counted=1, open_ml={}, witness=signature(witness))
    assert refused.value.code == "open_container_missing"
    assert DailyCount.objects.count() == 0


def test_the_counter_cannot_witness_their_own_count(nurse, demo_clinic):
    opened = open_vial(nurse, drawn="10.0")
    with pytest.raises(ControlledError) as refused:
        daily_count_record(
            actor=nurse, containers_counted=1, open_ml={opened.pk: Decimal("9.80")}, witness=signature(nurse)
        )
    assert refused.value.code == "witness_same_person"
    assert DailyCount.objects.count() == 0


def test_a_100_mg_per_ml_vial_of_5_ml_holds_500_mg(nurse, demo_clinic):
    container_receive(
        actor=nurse,
        product="Ketamine hydrochloride injection, USP",
        lot="L1",
        expires_on=DAY + timedelta(days=200),
        concentration_mg_per_ml=Decimal("100.00"),
        volume_ml=Decimal("5.00"),
        received_on=DAY,
        supplier="Harbor Medical Supply",
        invoice_number="INV-2",
        now=DURING,
    )
    assert Container.objects.get().content_mg == Decimal("500.0")
