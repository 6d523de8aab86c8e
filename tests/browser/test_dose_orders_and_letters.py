"""Dose orders and letters in the browser, with the keyboard alone (SPEC.md section 12): a
clinician signs a new mg/kg for James's remaining infusions on his plan's page, then writes Linda's
letter to her referring provider after her series and finds its PDF on her letters page. axe runs
on every page visited; a small screen does not scroll sideways."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import User
from clinical.models import DoseOrder, Letter, PlanStatus, TreatmentPlan
from core.roles import Role
from tests.browser.conftest import assert_no_sideways_scroll
from tests.browser.steps import tab_to
from tests.clinical.infusion_fixtures import infusion_appointment
from tests.clinical.letter_fixtures import evaluation_with_provider, plan_of
from tests.factories import PatientFactory, UserFactory
from tests.web.clock import weekday_at

pytestmark = pytest.mark.browser


@pytest.fixture
def clinician(transactional_db) -> User:
    return UserFactory(role=Role.CLINICIAN, first_name="Cleo", last_name="Park")


@pytest.fixture
def world(clinic, time_machine: time_machine.TimeMachineFixture) -> dict[str, Any]:
    """James's plan with an infusion booked; Linda's series ended, her evaluation naming her provider."""
    starts_at = weekday_at(1, 9)
    time_machine.move_to(starts_at - timedelta(days=1), tick=True)
    james = infusion_appointment(PatientFactory(first_name="James", last_name="Reed"), starts_at=starts_at)
    linda = evaluation_with_provider(
        PatientFactory(first_name="Linda", last_name="Marsh"), signed_at=starts_at - timedelta(days=30)
    )
    plan = plan_of(linda, signed_at=starts_at - timedelta(days=30))
    TreatmentPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.COMPLETED, ended_at=starts_at - timedelta(days=2))
    return {"plan_id": james.treatment_plan_id, "linda": linda}


def type_into(page: Page, label: str, text: str) -> None:
    tab_to(page, label)
    page.keyboard.type(text)


def test_a_clinician_orders_a_dose_and_writes_a_letter_with_the_keyboard(
    page: Page, site, sign_in, axe, clinician, world
):
    sign_in(page, clinician)
    page.goto(f"{site}/staff/plans/{world['plan_id']}/dose-orders/")
    expect(page.get_by_role("heading", name="Dose orders", exact=True)).to_be_visible()
    axe(page)
    type_into(page, "New dose (mg/kg), for the remaining infusions", "0.60")
    type_into(page, "Reason", "Little response at 0.50 mg/kg.")
    tab_to(page, "Sign the order")
    page.keyboard.press("Enter")
    expect(page.get_by_text("0.60 mg/kg for the remaining infusions")).to_be_visible()
    axe(page)
    assert DoseOrder.objects.get().signed_by == clinician

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{site}/staff/patients/{world['linda'].patient_id}/letters/")
    axe(page)
    assert_no_sideways_scroll(page)
    tab_to(page, re.compile(r"^After the evaluation$"))  # the checked radio of the group
    page.keyboard.press("ArrowDown")  # the group's next: after the series
    type_into(page, "Recommendations, in your words", "Continue sertraline; we are glad to see her again.")
    tab_to(page, "Write and send the letter")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=re.compile("Download the PDF"))).to_be_visible()
    axe(page)
    assert_no_sideways_scroll(page)
    assert Letter.objects.get().kind == "series"
