"""Creating an account as a person does it: the sign-up form, the emailed link, the password
chosen at the sign-up typed on the link's page, the button. Axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.browser.steps import SIGN_UP_PASSWORD, fill_sign_up, open_emailed_sign_up_link

pytestmark = pytest.mark.browser


def test_a_visitor_signs_up_opens_the_link_types_the_password_and_is_in(page: Page, site, axe):
    page.goto(f"{site}/signup/")
    axe(page)
    fill_sign_up(page, email="robin.new@example.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    axe(page)

    open_emailed_sign_up_link(page, site, email="robin.new@example.com")
    expect(page.get_by_role("heading", name="Finish creating your account")).to_be_visible()
    axe(page)
    page.get_by_label("Password", exact=True).fill(SIGN_UP_PASSWORD)
    page.get_by_role("button", name="Confirm my account").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    axe(page)
    user = User.objects.get(email="robin.new@example.com")
    assert (user.is_active, user.awaiting_confirmation) == (True, False)


def test_a_password_not_chosen_with_the_link_is_refused_and_the_right_one_then_works(page: Page, site, axe):
    page.goto(f"{site}/signup/")
    fill_sign_up(page, email="robin.typo@example.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    open_emailed_sign_up_link(page, site, email="robin.typo@example.com")

    page.get_by_label("Password", exact=True).fill("not-the-one-i-chose-1")
    page.get_by_role("button", name="Confirm my account").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "This link belongs to a different sign-up, or the password is not the one chosen with it. "
        "Sign up again to get a new link."
    )
    axe(page)
    assert User.objects.get(email="robin.typo@example.com").is_active is False
    page.get_by_label("Password", exact=True).fill(SIGN_UP_PASSWORD)
    page.get_by_role("button", name="Confirm my account").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
    assert User.objects.get(email="robin.typo@example.com").is_active is True
