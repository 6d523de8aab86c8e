"""Dose orders (SPEC.md section 12): inside and outside the route's limits, a fixed dose above the
cap without and with a second clinician's co-signature, the author never co-signing, and the
planned dose of each infusion before and after an order; the plan itself stays as signed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from clinical.errors import ClinicalError
from clinical.models import ClinicalAccess, DoseOrder, DoseOrderCosignature, TreatmentPlan
from clinical.services.dose_orders import dose_order_cosign
from clinical.services.start_gate import start_missing
from core.append_only import AppendOnlyError
from tests.clinical.dose_order_fixtures import clinician, cosignature, order, planned, series, snapshot, weigh
from tests.clinical.infusion_fixtures import START, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_clinic")]


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    """The morning of the first infusion, ticking (codes of the second factor move with it)."""
    with time_machine.travel(START - timedelta(hours=1), tick=True):
        yield


@pytest.fixture
def author():
    return clinician(first_name="Ada", last_name="Author")


@pytest.fixture
def second():
    return clinician(first_name="Sam", last_name="Second")


def refused(**kwargs) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        order(**kwargs)
    return caught.value


def test_a_new_mg_per_kg_sets_the_planned_dose_of_each_infusion_not_yet_started(nurse_user, author):
    first, second_infusion, third = series()
    start(first, nurse_user, at=START)
    weigh(second_infusion, nurse_user, at=START + timedelta(hours=1))
    assert (planned(first), planned(second_infusion), planned(third)) == (Decimal("35.0"), Decimal("35.0"), None)

    written = order(author, first, dose_mg_per_kg="0.60", at=START + timedelta(hours=2))

    # The started infusion keeps its dose; the weighed one follows at once; the next one when weighed.
    assert (planned(first), planned(second_infusion)) == (Decimal("35.0"), Decimal("42.0"))
    weigh(third, nurse_user, kg="80.0", at=START + timedelta(hours=3))
    assert planned(third) == Decimal("48.0")
    plan = TreatmentPlan.objects.get(appointments=first)
    assert plan.dose_mg_per_kg == Decimal("0.50")  # the signed plan stays as signed
    assert ClinicalAccess.objects.filter(object_id=written.pk, action="sign", actor=author).count() == 1


def test_a_fixed_dose_sets_one_infusion_only_and_the_latest_order_covering_it_wins(nurse_user, author):
    first, second_infusion, third = series()
    for at, infusion in enumerate((first, second_infusion, third)):
        weigh(infusion, nurse_user, at=START + timedelta(minutes=at))
    order(author, second_infusion, scope="one", fixed_dose_mg="30.0", appointment_id=second_infusion.pk)
    assert (planned(first), planned(second_infusion), planned(third)) == (
        Decimal("35.0"),
        Decimal("30.0"),
        Decimal("35.0"),
    )
    order(author, first, dose_mg_per_kg="0.40", at=START + timedelta(minutes=5))  # later: covers all three
    assert (planned(first), planned(second_infusion), planned(third)) == (
        Decimal("28.0"),
        Decimal("28.0"),
        Decimal("28.0"),
    )


@pytest.mark.parametrize("dose", ["0.10", "1.00"])
def test_a_new_mg_per_kg_at_the_routes_ends_is_signed(author, dose):
    first, *_ = series()
    assert order(author, first, dose_mg_per_kg=dose).dose_mg_per_kg == Decimal(dose)


@pytest.mark.parametrize("dose", ["0.09", "1.01"])
def test_a_new_mg_per_kg_outside_the_routes_limits_is_refused_and_nothing_is_written(nurse_user, author, dose):
    first, *_ = series()
    weigh(first, nurse_user)
    before = snapshot()
    error = refused(author=author, appointment=first, dose_mg_per_kg=dose)
    assert (error.code, error.fields) == (
        "dose_out_of_range",
        {"dose_mg_per_kg": ["For IV, the clinic's dose is 0.10 to 1.00 mg/kg."]},
    )
    assert snapshot() == before


def test_a_refusal_names_every_reason_at_once(author):
    first, *_ = series()
    error = refused(author=author, appointment=first, dose_mg_per_kg="1.50", reason=" ")
    assert error.code == "dose_out_of_range"
    assert set(error.fields) == {"dose_mg_per_kg", "reason"}


def test_a_nurse_writes_no_dose_order(nurse_user):
    first, *_ = series()
    with pytest.raises(ClinicalError) as caught:
        order(nurse_user, first, dose_mg_per_kg="0.60")
    assert caught.value.status_code == 403
    assert not DoseOrder.objects.exists()


def test_a_fixed_dose_above_the_cap_without_a_reason_is_refused(nurse_user, author):
    first, *_ = series()
    weigh(first, nurse_user)
    before = snapshot()
    error = refused(author=author, appointment=first, scope="one", fixed_dose_mg="100.1", appointment_id=first.pk)
    assert (error.code, error.fields) == (
        "over_cap_reason_required",
        {"over_cap_reason": ["Above the clinic's cap of 100.0 mg: say why."]},
    )
    assert snapshot() == before


def test_a_fixed_dose_at_the_cap_needs_no_cosignature(nurse_user, author):
    first, *_ = series()
    weigh(first, nurse_user)
    written = order(author, first, scope="one", fixed_dose_mg="100.0", appointment_id=first.pk)
    assert written.needs_cosignature is False
    assert planned(first) == Decimal("100.0")


def test_above_the_cap_the_order_waits_for_a_second_clinicians_cosignature(nurse_user, author, second):
    first, *_ = series()
    weigh(first, nurse_user)
    over = dict(scope="one", fixed_dose_mg="110.0", appointment_id=first.pk, over_cap_reason="Large patient.")
    pending = order(author, first, **over)
    assert pending.needs_cosignature is True
    assert planned(first) == Decimal("35.0")  # pending: sets no dose

    dose_order_cosign(
        actor=second, order_id=pending.pk, signature=cosignature(second), now=START - timedelta(minutes=30)
    )

    assert planned(first) == Decimal("110.0")
    assert DoseOrderCosignature.objects.get(order=pending).cosigned_by == second
    assert "dose_within_cap" not in start_missing(appointment=first, now=START)


def test_the_author_cannot_cosign_their_own_order(nurse_user, author):
    first, *_ = series()
    weigh(first, nurse_user)
    over = dict(scope="one", fixed_dose_mg="110.0", appointment_id=first.pk, over_cap_reason="Large patient.")
    pending = order(author, first, **over)
    before = snapshot()
    with pytest.raises(ClinicalError) as caught:
        dose_order_cosign(actor=author, order_id=pending.pk, signature=cosignature(author))
    assert caught.value.code == "cosigner_is_author"
    assert snapshot() == before
    assert planned(first) == Decimal("35.0")
    assert "dose_within_cap" not in start_missing(appointment=first, now=START)  # 35 mg: under the cap


@pytest.mark.parametrize(
    ("password", "otp", "code"), [("wrong-password", None, "password_invalid"), (None, "000000", "otp_invalid")]
)
def test_a_cosignature_needs_the_cosigners_own_password_and_code(nurse_user, author, second, password, otp, code):
    first, *_ = series()
    weigh(first, nurse_user)
    over = dict(scope="one", fixed_dose_mg="110.0", appointment_id=first.pk, over_cap_reason="Large patient.")
    pending = order(author, first, **over)
    before = snapshot()
    signature = cosignature(second, **({"password": password} if password else {}), otp=otp)
    with pytest.raises(ClinicalError) as caught:
        dose_order_cosign(actor=second, order_id=pending.pk, signature=signature)
    assert caught.value.code == code
    assert snapshot() == before


def test_an_order_is_never_changed_nor_deleted(author):
    first, *_ = series()
    written = order(author, first, dose_mg_per_kg="0.60")
    with pytest.raises(AppendOnlyError):
        written.save()
    with pytest.raises(AppendOnlyError):
        DoseOrder.objects.filter(pk=written.pk).update(reason="changed")
    with pytest.raises(AppendOnlyError):
        written.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
@pytest.mark.parametrize("statement", ["UPDATE clinical_doseorder SET reason = 'x'", "DELETE FROM clinical_doseorder"])
def test_raw_sql_cannot_change_an_order_on_postgresql(author, statement):
    first, *_ = series()
    order(author, first, dose_mg_per_kg="0.60")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert DoseOrder.objects.get().reason == "Little response at 0.50 mg/kg."
