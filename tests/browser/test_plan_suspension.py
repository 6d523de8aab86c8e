"""A positive pregnancy test suspended Ana's plan (SPEC.md section 12); a clinician opens her chart,
reads why, and resumes the plan with the keyboard alone, then reads the status. axe runs on every
page visited; a small screen does not scroll sideways."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import User
from booking.models import Appointment
from clinical.models import PlanStatus, TreatmentPlan
from core.roles import Role
from tests.browser.conftest import assert_no_sideways_scroll
from tests.browser.steps import tab_to
from tests.clinical.infusion_fixtures import CHECK_IN
from tests.clinical.pregnancy_fixtures import plan_of, suspended_infusion
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.browser

NOTICE = "Plan suspended after a positive pregnancy test on Monday, December 7, 2026."


@pytest.fixture
def clinician(transactional_db) -> User:
    return UserFactory(role=Role.CLINICIAN, first_name="Cleo", last_name="Park")


@pytest.fixture
def suspended(clinic, time_machine: time_machine.TimeMachineFixture) -> Appointment:
    """Ana's infusion this morning; the nurse's positive test suspended her plan."""
    time_machine.move_to(CHECK_IN, tick=True)
    nurse = UserFactory(role=Role.NURSE)
    return suspended_infusion(nurse, PatientFactory(first_name="Ana", last_name="Ruiz"))


def test_a_clinician_resumes_a_suspended_plan_from_the_chart_with_the_keyboard(
    page: Page, site, sign_in, axe, clinician, suspended
):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, clinician)
    page.goto(f"{site}/staff/patients/{suspended.patient_id}/")
    expect(page.get_by_text(NOTICE)).to_be_visible()
    axe(page)
    assert_no_sideways_scroll(page)

    tab_to(page, "Resume the plan")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Plan resumed: infusions can be booked and started again.")
    expect(page.get_by_text("Plan suspended")).to_have_count(0)
    axe(page)
    assert_no_sideways_scroll(page)
    assert TreatmentPlan.objects.get(pk=plan_of(suspended)).status == PlanStatus.ACTIVE
