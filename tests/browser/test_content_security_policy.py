"""The content security policy refuses nothing the pages do (SPEC.md section 9 "Safe"): a patient
books through the day picker and opens their account and security page (the QR image), a nurse
watches the day board refresh itself through htmx, and the API docs and the admin sign-in load;
no `securitypolicyviolation` event fires and the console reports no policy error.

The listener is an init script Playwright injects, which the page's policy does not govern."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from accounts.models import User
from booking.services.appointments import appointment_book
from core.roles import Role
from scheduling.models import AppointmentType
from tests.browser.steps import DAY_WITH_TIMES, pass_second_factor
from tests.factories import TEST_PASSWORD, UserFactory
from tests.web.clock import LA, clinic_today

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    [event.violatedDirective, event.blockedURI, event.sourceFile, event.lineNumber, event.sample].join(" | ")
  );
});
"""
# The day board asks for fresh rows every 15 seconds (hx-trigger="every 15s").
BOARD_REFRESH_SECONDS = 15


class PolicyWatch:
    """Violations seen by the page's listener (read before each navigation ends the document) and
    policy errors printed to the console."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.visited: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{message.type}: {message.text}")

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.__cspViolations")
        self.visited.append(self.page.url)
        assert violations == [], f"{self.page.url}: {violations}"
        assert self.console == [], f"{self.page.url}: {self.console}"


def next_monday() -> date:
    today = clinic_today()
    return today + timedelta(days=7 - today.weekday())


def test_a_patient_books_and_reads_their_account_with_no_policy_violation(page: Page, site, patient_account, sign_in):
    watch = PolicyWatch(page)

    page.goto(site)
    expect(page.get_by_role("link", name="Book an evaluation")).to_be_visible()
    watch.assert_clean()
    page.get_by_role("link", name="Book an evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ketamine Therapy Evaluation")
    watch.assert_clean()
    page.get_by_role("link", name=DAY_WITH_TIMES).first.click()
    expect(page.locator("#times")).to_be_focused()
    expect(page.get_by_role("link", name=re.compile(r"Pacific Time$")).first).to_be_visible()
    watch.assert_clean()

    sign_in(page, patient_account)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {patient_account.first_name}")
    watch.assert_clean()
    page.goto(f"{site}/account/security/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    watch.assert_clean()

    assert len(watch.visited) == 5


def test_a_nurse_watches_the_day_board_refresh_with_no_policy_violation(page: Page, site, clinic, patient_account):
    day = next_monday()
    front_desk = User.objects.get(email="admin@example.com")
    appointment_book(
        actor=front_desk,
        patient=patient_account,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime.combine(day, time(10), tzinfo=LA),
    )
    nurse = UserFactory(role=Role.NURSE, first_name="Nora")
    watch = PolicyWatch(page)
    page.goto(f"{site}/signin/")
    page.get_by_label("Email").fill(nurse.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    pass_second_factor(page, nurse)
    page.wait_for_url(re.compile(r"/staff/"))
    watch.assert_clean()

    page.goto(f"{site}/staff/day/?date={day.isoformat()}")
    expect(page.get_by_text(patient_account.last_name).first).to_be_visible()
    watch.assert_clean()
    # htmx swaps in the refreshed board: its own requests and swaps stay inside the policy.
    with page.expect_response(
        lambda r: "/staff/day/" in r.url and r.request.headers.get("hx-request") == "true",
        timeout=(BOARD_REFRESH_SECONDS + 10) * 1000,
    ) as refresh:
        page.wait_for_timeout(BOARD_REFRESH_SECONDS * 1000)
    assert refresh.value.status in (200, 304)
    page.wait_for_timeout(500)
    expect(page.get_by_text(patient_account.last_name).first).to_be_visible()
    watch.assert_clean()


def test_the_api_docs_load_with_no_policy_violation(page: Page, site):
    watch = PolicyWatch(page)

    page.goto(f"{site}/api/docs/")
    expect(page.get_by_text("Clinic booking and evaluation API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    watch.assert_clean()


def test_the_admin_loads_with_no_policy_violation(page: Page, site, sign_in):
    admin = User.objects.get(email="admin@example.com")
    admin.set_password(TEST_PASSWORD)  # the demo's own password is not the tests' one
    admin.save(update_fields=["password"])
    watch = PolicyWatch(page)

    sign_in(page, admin)
    page.wait_for_url(re.compile(r"/staff/"))
    for path in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{admin.pk}/change/"):
        page.goto(f"{site}{path}")
        expect(page.locator("#content")).to_be_visible()
        watch.assert_clean()
