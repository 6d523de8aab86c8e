"""The controlled-substance log in the browser, with the keyboard alone (SPEC.md section 12): a
nurse draws 40.0 mg for Rosa Martín's infusion, the session record says 35.0 mg were given, and
the 5.0 mg left are wasted before a second nurse who signs on the same screen with her own
password and code; then the day's count by the two of them, after which the day board says it is
done. axe runs on every page visited; a small screen does not scroll sideways.

The infusion is on the next weekday; the clock moves to 9:20 AM that day, ticking (the live
server runs in this process and sees the same clock), with the infusion started at 9:00."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import User
from clinical.services.infusions import infusion_record_update
from controlled.models import Container, DailyCount, LedgerEntry
from controlled.services.stock import container_receive
from core.roles import Role
from tests.accounts.otp import enrolled, totp_code
from tests.browser.conftest import assert_no_sideways_scroll
from tests.browser.steps import tab_to
from tests.clinical.infusion_fixtures import infusion_appointment, start
from tests.factories import TEST_PASSWORD, UserFactory
from tests.web.clock import LA, weekday_at

pytestmark = pytest.mark.browser


@pytest.fixture
def nurse(transactional_db) -> User:
    return UserFactory(role=Role.NURSE, first_name="Nora", last_name="Quinn")


@pytest.fixture
def witness(transactional_db) -> User:
    return enrolled(UserFactory(role=Role.NURSE, first_name="Wes", last_name="Ito"))


@pytest.fixture
def on_the_day(clinic, patient_account, nurse, time_machine: time_machine.TimeMachineFixture) -> dict[str, Any]:
    """A 500 mg / 10 mL vial on the shelf; Rosa's infusion started at 9:00; the clock at 9:20."""
    starts_at = weekday_at(1, 9)
    time_machine.move_to(datetime.combine(starts_at.date(), time(8, 30), tzinfo=LA), tick=True)
    container = container_receive(
        actor=nurse,
        product="Ketamine hydrochloride injection, USP",
        lot="KX2291",
        expires_on=starts_at.date() + timedelta(days=200),
        concentration_mg_per_ml=Decimal("50.00"),
        volume_ml=Decimal("10.00"),
        received_on=starts_at.date(),
        supplier="Harbor Medical Supply",
        invoice_number="INV-40112",
    )[0]
    infusion = infusion_appointment(patient_account, starts_at=starts_at)
    start(infusion, nurse, at=starts_at)
    time_machine.move_to(starts_at + timedelta(minutes=20), tick=True)
    return {"infusion": infusion, "container": container, "day": starts_at.date()}


def press(page: Page, name: str | re.Pattern[str]) -> None:
    tab_to(page, name)
    page.keyboard.press("Enter")


def type_into(page: Page, label: str, text: str) -> None:
    tab_to(page, label)
    page.keyboard.type(text)


def sign_as_witness(page: Page, witness: User) -> None:
    type_into(page, "Witness email", witness.email)
    type_into(page, "Witness password", TEST_PASSWORD)
    type_into(page, "Witness code", totp_code(witness))


def test_a_draw_and_a_witnessed_waste_with_the_keyboard_alone(
    page: Page, site, sign_in, axe, nurse, witness, on_the_day
):
    infusion = on_the_day["infusion"]
    sign_in(page, nurse)
    page.goto(f"{site}/staff/infusions/{infusion.pk}/")
    press(page, "Ketamine drawn, given and wasted")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ketamine for this infusion")
    expect(page).to_have_title(re.compile(r"^Ketamine for an infusion · "))  # no patient name in the title
    axe(page)

    tab_to(page, "Container")
    page.keyboard.press("ArrowDown")  # the one vial on the shelf
    type_into(page, "Drawn (mg)", "40.0")
    press(page, "Record draw")
    expect(page.get_by_role("status")).to_contain_text("Draw recorded: 40.0 mg; 460.0 mg left in it.")
    expect(page.get_by_text("Record the dose given on the session record first")).to_be_visible()
    axe(page)

    # The nurse records the dose given on the session record (its own tests drive that page).
    infusion_record_update(
        actor=nurse,
        appointment_id=infusion.pk,
        changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
    )
    page.reload()
    expect(page.get_by_text("Given 35.0 mg of 40.0 mg drawn: 5.0 mg to waste.")).to_be_visible()
    sign_as_witness(page, witness)
    press(page, "Record administration and waste")

    expect(page.get_by_role("status")).to_contain_text(
        "Administration recorded: 35.0 mg given; 5.0 mg wasted, witnessed."
    )
    expect(page.get_by_text("Wasted: 5.0 mg (lot KX2291) by Nora Quinn, witnessed by Wes Ito")).to_be_visible()
    axe(page)
    assert list(LedgerEntry.objects.order_by("id").values_list("kind", "quantity_mg", "witness")) == [
        ("receipt", Decimal("500.0"), None),
        ("draw", Decimal("40.0"), None),
        ("administration", Decimal("35.0"), None),
        ("waste", Decimal("5.0"), witness.pk),
    ]
    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_sideways_scroll(page)
    axe(page)


def test_the_daily_count_with_the_keyboard_alone_and_the_board_says_it_is_done(
    page: Page, site, sign_in, axe, nurse, witness, on_the_day
):
    sign_in(page, nurse)
    page.goto(f"{site}/staff/day/?date={on_the_day['day'].isoformat()}")
    expect(page.get_by_text(re.compile(r"Controlled-substance count on .*: due"))).to_be_visible()
    axe(page)
    press(page, "Controlled substances")
    expect(page.get_by_role("heading", level=1)).to_have_text("Controlled substances")
    axe(page)
    press(page, "Record today's count")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Count for")
    axe(page)

    # A wrong code first: the summary names it, the field says why, nothing is written.
    type_into(page, "Containers on the shelf", "1")
    type_into(page, "Witness email", witness.email)
    type_into(page, "Witness password", TEST_PASSWORD)
    type_into(page, "Witness code", "000000")
    press(page, "Record count")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Witness code: The witness's code is not right, or it was used already.")
    axe(page)
    assert DailyCount.objects.count() == 0

    type_into(page, "Witness password", TEST_PASSWORD)  # a password is never sent back to the page
    tab_to(page, "Witness code")
    page.keyboard.press("Control+A")
    page.keyboard.type(totp_code(witness))
    press(page, "Record count")
    expect(page.get_by_role("status")).to_contain_text("Count recorded: it agrees with the book.")
    expect(page.get_by_text(re.compile("witnessed by Wes Ito: agrees with the book"))).to_be_visible()
    axe(page)
    count = DailyCount.objects.get()
    assert (count.counted_by, count.witness, count.containers_counted, count.reasons) == (nurse, witness, 1, [])
    assert Container.objects.get().balance_mg == Decimal("500.0")

    page.goto(f"{site}/staff/day/?date={on_the_day['day'].isoformat()}")
    expect(page.get_by_text(re.compile(r"Controlled-substance count on .*: done"))).to_be_visible()
    axe(page)
