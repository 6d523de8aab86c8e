"""An infusion's ketamine through the services (SPEC.md section 12): the draw, the administration
from the session record's dose given, the witnessed waste of the rest; exact decimals throughout."""

from __future__ import annotations

from decimal import Decimal

import pytest

from controlled.errors import ControlledError
from controlled.models import Container, EntryKind, LedgerEntry, WasteReason
from controlled.selectors import infusion_ketamine, stock_on_hand
from controlled.services.infusions import infusion_administration_record, infusion_draw
from tests.controlled.fixtures import DAY, dose_given, signature, under_way, vial

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during")]


def entries() -> list[tuple[str, Decimal, Decimal, Decimal]]:
    return list(LedgerEntry.objects.order_by("id").values_list("kind", "quantity_mg", "change_mg", "balance_after_mg"))


def test_draw_35_from_a_500_mg_vial_give_35_and_nothing_is_wasted(nurse, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("35.0"))
    dose_given(nurse, infusion, "35.0")

    done = infusion_administration_record(actor=nurse, appointment_id=infusion.pk)  # no witness needed

    assert (done.given_mg, done.wasted_mg) == (Decimal("35.0"), Decimal("0.0"))
    assert entries() == [
        ("receipt", Decimal("500.0"), Decimal("500.0"), Decimal("500.0")),
        ("draw", Decimal("35.0"), Decimal("-35.0"), Decimal("465.0")),
        ("administration", Decimal("35.0"), Decimal("0.0"), Decimal("465.0")),
    ]
    container.refresh_from_db()
    assert container.balance_mg == Decimal("465.0")
    [row] = stock_on_hand(today=DAY)
    assert (row.balance_ml, row.sealed) == (Decimal("9.30"), False)
    assert LedgerEntry.objects.get(kind="administration").patient_id == infusion.patient_id


def test_draw_40_give_35_and_the_5_left_is_wasted_before_a_witness(nurse, witness, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))
    dose_given(nurse, infusion, "35.0")
    assert infusion_ketamine(appointment_id=infusion.pk).waste_due_mg == Decimal("5.0")

    done = infusion_administration_record(actor=nurse, appointment_id=infusion.pk, witness=signature(witness))

    assert (done.given_mg, done.wasted_mg) == (Decimal("35.0"), Decimal("5.0"))
    assert entries()[1:] == [
        ("draw", Decimal("40.0"), Decimal("-40.0"), Decimal("460.0")),
        ("administration", Decimal("35.0"), Decimal("0.0"), Decimal("460.0")),
        ("waste", Decimal("5.0"), Decimal("0.0"), Decimal("460.0")),
    ]
    waste = LedgerEntry.objects.get(kind=EntryKind.WASTE)
    assert (waste.actor, waste.witness, waste.waste_reason) == (nurse, witness, WasteReason.NOT_GIVEN)
    assert Container.objects.get().balance_mg == Decimal("460.0")
    shown = infusion_ketamine(appointment_id=infusion.pk)
    assert (shown.drawn_mg, shown.given_mg, shown.wasted_mg, shown.reconciled) == (
        Decimal("40.0"),
        Decimal("35.0"),
        Decimal("5.0"),
        True,
    )


def test_a_draw_that_would_take_the_balance_below_zero_is_refused_and_writes_nothing(nurse, demo_clinic):
    container = vial(nurse, concentration_mg_per_ml=Decimal("10.00"), volume_ml=Decimal("5.00"))  # 50.0 mg
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("20.0"))
    before = entries()

    with pytest.raises(ControlledError) as refused:
        infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("30.1"))

    assert (refused.value.code, refused.value.status_code) == ("insufficient_stock", 409)
    assert entries() == before
    assert Container.objects.get().balance_mg == Decimal("30.0")
    # The last 30.0 mg exactly is allowed: the balance reaches zero, never below.
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("30.0"))
    assert Container.objects.get().balance_mg == Decimal("0.0")


def test_the_dose_is_taken_from_two_draws_first_draw_first(nurse, witness, demo_clinic):
    last_of_one = vial(nurse, concentration_mg_per_ml=Decimal("10.00"), volume_ml=Decimal("2.00"))  # 20.0 mg
    next_one = vial(nurse, lot="KX2300")
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=last_of_one.pk, mg=Decimal("20.0"))
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=next_one.pk, mg=Decimal("20.0"))
    dose_given(nurse, infusion, "35.0")

    infusion_administration_record(actor=nurse, appointment_id=infusion.pk, witness=signature(witness))

    uses = LedgerEntry.objects.filter(kind__in=["administration", "waste"]).order_by("id")
    assert [(use.container_id, use.kind, use.quantity_mg) for use in uses] == [
        (last_of_one.pk, "administration", Decimal("20.0")),
        (next_one.pk, "administration", Decimal("15.0")),
        (next_one.pk, "waste", Decimal("5.0")),
    ]


def test_a_waste_needs_a_witness_and_nothing_is_written_without_one(nurse, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))
    dose_given(nurse, infusion, "35.0")
    before = entries()

    with pytest.raises(ControlledError) as refused:
        infusion_administration_record(actor=nurse, appointment_id=infusion.pk)

    assert refused.value.code == "witness_required"
    assert set(refused.value.fields) == {"witness_email", "witness_password", "witness_otp"}
    assert entries() == before


def test_the_dose_given_is_never_more_than_drawn(nurse, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("30.0"))
    dose_given(nurse, infusion, "35.0")

    with pytest.raises(ControlledError) as refused:
        infusion_administration_record(actor=nurse, appointment_id=infusion.pk)

    assert refused.value.code == "dose_above_drawn"
    assert LedgerEntry.objects.filter(kind="administration").count() == 0


def test_no_administration_before_the_dose_given_nor_twice_nor_a_draw_after_it(nurse, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("35.0"))
    with pytest.raises(ControlledError) as no_dose:
        infusion_administration_record(actor=nurse, appointment_id=infusion.pk)
    assert no_dose.value.code == "dose_given_missing"
    dose_given(nurse, infusion, "35.0")
    infusion_administration_record(actor=nurse, appointment_id=infusion.pk)

    with pytest.raises(ControlledError) as again:
        infusion_administration_record(actor=nurse, appointment_id=infusion.pk)
    with pytest.raises(ControlledError) as late_draw:
        infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("5.0"))

    assert (again.value.code, late_draw.value.code) == ("infusion_reconciled", "infusion_reconciled")
    assert LedgerEntry.objects.filter(kind="administration").count() == 1


def test_an_expired_vial_is_not_drawn_from(nurse, demo_clinic):
    container = vial(nurse, expires_on=DAY.replace(day=6), received_on=DAY.replace(day=1))
    infusion = under_way(nurse)

    with pytest.raises(ControlledError) as refused:
        infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("35.0"))

    assert refused.value.code == "container_expired"
    assert Container.objects.get().balance_mg == Decimal("500.0")


@pytest.mark.parametrize("mg", ["0.0", "35.05", "-5.0"])
def test_a_draw_is_a_positive_quantity_to_a_tenth_of_a_milligram(nurse, demo_clinic, mg):
    container = vial(nurse)
    infusion = under_way(nurse)
    with pytest.raises(ControlledError) as refused:
        infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal(mg))
    assert refused.value.code == "quantity_not_exact"


def test_only_nurses_and_clinicians_draw(nurse, demo_clinic, admin_user, patient):
    container = vial(nurse)
    infusion = under_way(nurse)
    for someone in (admin_user, patient):
        with pytest.raises(ControlledError) as refused:
            infusion_draw(actor=someone, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("5.0"))
        assert refused.value.status_code == 403
    assert LedgerEntry.objects.filter(kind="draw").count() == 0
