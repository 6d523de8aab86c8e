"""Signing in with the second factor, as a person does it: a new staff member adds the account to
their app at the first sign-in, keeps the recovery codes, and next time types the app's code; a
patient who forgot the password resets it by the emailed link. Axe on every page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.roles import Role
from tests.accounts.otp import secret_code, totp_code
from tests.browser.conftest import assert_no_sideways_scroll, follow_link
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_a_new_nurse_sets_up_the_app_then_signs_in_with_its_code(page: Page, site, axe):
    nurse = UserFactory(role=Role.NURSE, first_name="Nora", last_name="Quinn")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{site}/signin/")
    page.get_by_label("Email").fill(nurse.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to add this account to your authenticator app")).to_be_visible()
    axe(page)
    assert_no_sideways_scroll(page)
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is not right")
    axe(page)
    secret = page.get_by_label("Secret key").input_value()
    page.get_by_label("Code", exact=True).fill(secret_code(secret))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    axe(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(re.compile(r"/staff/"))

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site}/signin/")
    page.get_by_label("Email").fill(nurse.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    axe(page)
    page.get_by_label("Code", exact=True).fill(totp_code(nurse))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/staff/"))


def test_a_patient_resets_a_forgotten_password_by_the_emailed_link(page: Page, site, patient_account, axe):
    page.goto(f"{site}/signin/")
    follow_link(page, page.get_by_role("link", name="Forgot your password?"))
    axe(page)
    page.get_by_label("Email").fill(patient_account.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    axe(page)

    (message,) = mail.outbox
    link = re.search(r"http://127\.0\.0\.1:8000(/password-reset/\S+/)", str(message.body))
    assert link is not None
    page.goto(f"{site}{link.group(1)}")
    axe(page)
    page.get_by_label("New password").fill("amber-willow-compass-77")
    page.get_by_role("button", name="Change password").click()

    expect(page.get_by_text("Your password is changed. Sign in with the new one.")).to_be_visible()
    page.get_by_label("Email").fill(patient_account.email)
    page.get_by_label("Password").fill("amber-willow-compass-77")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/"))
    page.goto(f"{site}/account/security/")
    expect(page.get_by_role("heading", name="Security", exact=True)).to_be_visible()
    axe(page)

    page.goto(f"{site}{link.group(1)}")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    axe(page)
