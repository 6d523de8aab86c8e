"""A clinician's section-10 pages in a browser: acknowledges a self-harm answer from their home
("Alerts to review", a note and "Acknowledge"), reads a plan's outcome and its server-drawn
chart on the patient's chart, and reads and downloads the outcome report. axe runs on every
page; each fits a 320 px screen without sideways scrolling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from clinical.models import Alert
from clinical.services.questionnaires import questionnaire_answer
from core.roles import Role
from tests.browser.conftest import assert_no_sideways_scroll
from tests.clinical.questionnaire_fixtures import START, answered, infusion_with_questionnaires, plan_of
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.browser

CHART_WORDS = (
    "PHQ-9 from 15 at evaluation to 4 at session 2 (Wednesday, December 9); "
    + "GAD-7 from 10 at evaluation to 2 at session 1 (Monday, December 7)."
)


@pytest.fixture
def clinician(transactional_db) -> User:
    return UserFactory(role=Role.CLINICIAN, first_name="Ines", last_name="Okafor")


@pytest.fixture
def outcomes(clinic) -> dict[str, object]:
    """Ana Ruiz: baseline PHQ-9 15 and GAD-7 10, then 8 and 2 at session 1, 4 at session 2
    (December 2026). Leo Brandt: a PHQ-9 with item 9 above 0, not yet acknowledged."""
    plan = plan_of(PatientFactory(first_name="Ana", last_name="Ruiz"))
    _, phq9_1, gad7_1 = infusion_with_questionnaires(plan, starts_at=START, status="completed")
    _, phq9_2, _ = infusion_with_questionnaires(plan, starts_at=START + timedelta(days=2), status="completed")
    answered(phq9_1, [1, 1, 1, 1, 1, 1, 1, 1, 0], at=START - timedelta(hours=2))
    answered(gad7_1, [1, 1, 0, 0, 0, 0, 0], at=START - timedelta(hours=2))
    answered(phq9_2, [1, 1, 1, 1, 0, 0, 0, 0, 0], at=START + timedelta(days=2, hours=-2))
    other = plan_of(PatientFactory(first_name="Leo", last_name="Brandt"))
    _, phq9, _ = infusion_with_questionnaires(other, starts_at=START + timedelta(days=1))
    questionnaire_answer(actor=other.patient, questionnaire_id=phq9.pk, items=[1] * 9, now=START)
    return {"plan": plan, "alert": Alert.objects.get(kind="self_harm")}


def test_a_clinician_acknowledges_a_self_harm_answer_from_home(page: Page, site, sign_in, axe, clinician, outcomes):
    sign_in(page, clinician)
    queue = page.get_by_role("region", name="Alerts to review")
    expect(queue).to_contain_text("Leo Brandt")
    expect(queue).to_contain_text("Self-harm answer — clinician review")
    axe(page)
    page.get_by_role("button", name="Acknowledge the answer of Leo Brandt").click()
    expect(page.get_by_role("alert")).to_contain_text("Note: Write a note saying what was done.")
    axe(page)
    page.get_by_label("Note").fill("Called Leo: safe, plan agreed with him.")
    page.get_by_role("button", name="Acknowledge the answer of Leo Brandt").click()
    expect(page.get_by_role("status")).to_contain_text("Acknowledged: Leo Brandt's answer raised")
    expect(queue).to_contain_text("No alert is waiting for review.")
    axe(page)
    alert = outcomes["alert"]
    assert isinstance(alert, Alert)
    alert.refresh_from_db()
    assert (alert.resolved_by_id, alert.note) == (clinician.pk, "Called Leo: safe, plan agreed with him.")
    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_sideways_scroll(page)


def test_a_clinician_reads_the_outcome_chart_and_the_report(page: Page, site, sign_in, axe, clinician, outcomes):
    plan = outcomes["plan"]
    sign_in(page, clinician)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{site}/staff/patients/{plan.patient.pk}/")
    # The baseline is session 1's check-in (8), before the first infusion: below 10, no remission.
    expect(page.get_by_text("Down 50.0%")).to_be_visible()
    expect(page.get_by_text("Not applicable: the baseline is below 10")).to_be_visible()
    chart = page.get_by_role("img", name="PHQ-9 and GAD-7 scores by session")
    expect(chart).to_be_visible()
    expect(chart).to_have_accessible_description(CHART_WORDS)
    table = page.get_by_role("table", name="PHQ-9 and GAD-7 scores by session (table)")
    expect(table.get_by_role("row", name="Session 2 (Wednesday, December 9) 4 Not answered")).to_be_visible()
    axe(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_sideways_scroll(page)
    axe(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Outcome report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome report")
    axe(page)
    page.get_by_label("From").fill("2026-11-01")
    page.get_by_label("To", exact=True).fill("2026-12-31")
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("heading", name="Sunday, November 1, 2026 to Thursday, December 31, 2026")).to_be_visible()
    expect(
        page.get_by_role("table", name="Plans and infusions").get_by_role("row", name="Plans started 2")
    ).to_be_visible()
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of this report").click()
    assert download.value.suggested_filename == "outcomes-2026-11-01-2026-12-31.csv"
    with open(download.value.path(), encoding="utf-8", newline="") as csv_file:
        lines = csv_file.read().split("\r\n")
    assert lines[:5] == [
        "figure,value",
        "date_from,2026-11-01",
        "date_to,2026-12-31",
        "time_zone,America/Los_Angeles",
        "plans_started,2",
    ]
    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_sideways_scroll(page)
    axe(page)
