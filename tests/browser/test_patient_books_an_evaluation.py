"""An anonymous visitor books an evaluation end to end: with the mouse, with the keyboard
alone and with JavaScript switched off; and a time taken meanwhile gives fresh times."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from booking.models import Appointment
from tests.browser.conftest import assert_no_sideways_scroll, follow_link
from tests.browser.steps import (
    DAY_WITH_TIMES,
    SIGN_UP_PASSWORD,
    chosen_start,
    fill_sign_up,
    open_emailed_sign_up_link,
    pacific_label,
    tab_to,
)

pytestmark = pytest.mark.browser


def _first_day(page: Page):
    return page.get_by_role("link", name=DAY_WITH_TIMES).first


def _first_time(page: Page):
    return page.get_by_role("link", name=re.compile(r"Pacific Time$")).first


def test_an_anonymous_visitor_books_an_evaluation_with_a_new_account(page: Page, site, axe):
    page.goto(site)
    axe(page)
    page.get_by_role("link", name="Book an evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ketamine Therapy Evaluation")
    axe(page)

    _first_day(page).click()
    times = page.locator("#times")
    expect(times).to_be_focused()
    axe(page)
    time_link = _first_time(page)
    start = chosen_start(time_link)
    time_link.click()

    expect(page.get_by_role("heading", name="Check your booking")).to_be_visible()
    expect(page.get_by_text(pacific_label(start), exact=True)).to_be_visible()
    axe(page)
    follow_link(page, page.get_by_role("link", name="Create an account"))
    axe(page)
    fill_sign_up(page, email="lucia@example.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    axe(page)

    open_emailed_sign_up_link(page, site, email="lucia@example.com")
    expect(page.get_by_role("heading", name="Finish creating your account")).to_be_visible()
    axe(page)
    page.get_by_label("Password", exact=True).fill(SIGN_UP_PASSWORD)
    page.get_by_role("button", name="Confirm my account").click()
    expect(page.get_by_role("heading", name="Check your booking")).to_be_visible()
    expect(page.get_by_text(pacific_label(start), exact=True)).to_be_visible()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    axe(page)

    booked = Appointment.objects.get(patient__email="lucia@example.com")
    assert booked.starts_at == start
    assert booked.appointment_type.code == "evaluation"
    assert booked.status == "booked"


def test_the_same_booking_with_the_keyboard_alone(page: Page, site, axe):
    page.goto(site)
    tab_to(page, "Book an evaluation")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book/"))
    tab_to(page, DAY_WITH_TIMES)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"day="))
    expect(page.locator("#times")).to_be_focused()
    tab_to(page, re.compile(r"Pacific Time$"))
    start = chosen_start(page.locator(":focus"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book/review/\?type="))
    tab_to(page, "Create an account")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/signup/\?"))
    axe(page)
    for label, value in [
        ("First name", "Ana"),
        ("Last name", "Keyes"),
        ("Email", "ana.keys@example.com"),
        ("Date of birth", None),
        ("Phone", "4155550177"),
        ("Password", SIGN_UP_PASSWORD),
    ]:
        tab_to(page, re.compile(rf"^{label}"))
        if value is None:  # a date field takes its parts as typed digits
            page.keyboard.type("04121986")
        else:
            page.keyboard.type(value)
    tab_to(page, "Create account")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/signup/sent/"))
    open_emailed_sign_up_link(page, site, email="ana.keys@example.com")
    tab_to(page, re.compile(r"^Password"))
    page.keyboard.type(SIGN_UP_PASSWORD)
    tab_to(page, "Confirm my account")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book/review/\?type="))
    tab_to(page, "Confirm booking")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    axe(page)
    assert Appointment.objects.get(patient__email="ana.keys@example.com").starts_at == start


def test_the_same_booking_with_javascript_switched_off(browser: Browser, site):
    # No axe here: it runs as a script, and this page has none (the same pages are checked above).
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(f"{site}/book/")
    _first_day(page).click()
    time_link = _first_time(page)
    start = chosen_start(time_link)
    time_link.click()
    page.get_by_role("link", name="Create an account").click()
    fill_sign_up(page, email="no.script@example.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    open_emailed_sign_up_link(page, site, email="no.script@example.com")
    page.get_by_label("Password", exact=True).fill(SIGN_UP_PASSWORD)
    page.get_by_role("button", name="Confirm my account").click()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    assert Appointment.objects.get(patient__email="no.script@example.com").starts_at == start
    context.close()


def test_at_320_pixels_nothing_scrolls_sideways(page: Page, site, axe):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site)
    assert_no_sideways_scroll(page)
    page.goto(f"{site}/book/")
    follow_link(page, _first_day(page))
    assert_no_sideways_scroll(page)
    axe(page)
    follow_link(page, _first_time(page))
    assert_no_sideways_scroll(page)
    follow_link(page, page.get_by_role("link", name="Create an account"))
    assert_no_sideways_scroll(page)
