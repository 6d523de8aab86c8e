"""Browser tests: pytest-playwright drives Debian's Chromium against a live server on the test
database (SQLite by default, PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

from accounts.models import User
from booking.management.commands.seed_demo import seed_demo_clinic
from scheduling.models import Clinic
from tests.browser.steps import pass_second_factor
from tests.factories import TEST_PASSWORD, PatientFactory

CHROMIUM = "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# there (fixtures, checks of what was written) are plain synchronous calls, not async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium (as root).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "en-US", "timezone_id": "America/Los_Angeles"}


@pytest.fixture
def clinic(transactional_db) -> Clinic:
    return seed_demo_clinic(password="demo-password-for-tests")


@pytest.fixture
def site(live_server, clinic) -> str:
    return live_server.url


@pytest.fixture
def patient_account(transactional_db) -> User:
    return PatientFactory(first_name="Rosa", last_name="Martín")


@pytest.fixture
def sign_in(site) -> Callable[[Page, User], None]:
    def go(page: Page, user: User) -> None:
        page.goto(f"{site}/signin/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        pass_second_factor(page, user)

    return go


class AxeCheck:
    """Runs axe-core (bundled by axe-playwright-python) on each page a test visits."""

    def __init__(self) -> None:
        self._axe = Axe()
        self.pages_checked: list[str] = []

    def __call__(self, page: Page) -> None:
        page.wait_for_load_state("load")
        results = self._axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        self.pages_checked.append(page.url)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.fixture
def axe() -> Iterator[AxeCheck]:
    check = AxeCheck()
    yield check
    assert check.pages_checked, "a browser test must run axe on the pages it visits"


def follow_link(page: Page, link: Locator) -> None:
    """Click a link and wait until its page has loaded, so that what follows reads the new page
    and never a document half-replaced (a read then finds no documentElement)."""
    href = link.get_attribute("href") or ""
    link.click()
    page.wait_for_url(lambda url: url.endswith(href))
    page.wait_for_load_state("load")


def assert_no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
