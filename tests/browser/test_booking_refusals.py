"""What a patient sees when the clinic says no: a time taken meanwhile, a staff page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from booking.models import Appointment
from booking.services.appointments import appointment_book
from core.roles import Role
from scheduling.models import AppointmentType
from tests.browser.conftest import follow_link
from tests.browser.steps import chosen_start, pacific_label
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.browser
DAY_WITH_MANY_TIMES = re.compile(r"\b([5-9]|\d{2,}) times available")


def _take_every_place_at(start) -> None:
    """Other patients fill every clinician and consult room at ``start`` (booked by the front desk)."""
    desk = UserFactory(role=Role.ADMIN)
    evaluation = AppointmentType.objects.select_related("clinic").get(code="evaluation")
    for _ in range(2):  # the demo clinic: 2 clinicians, 2 consult rooms
        appointment_book(actor=desk, patient=PatientFactory(), appointment_type=evaluation, starts_at=start)


def test_a_time_taken_between_choosing_and_confirming_gives_a_message_and_fresh_times(
    page: Page, site, patient_account, sign_in, axe
):
    sign_in(page, patient_account)
    page.goto(f"{site}/book/")
    # A day with times to spare: late in the day, today may have only the times the two bookings
    # below take (an evaluation at one start also blocks its neighbours), and no fresh time is left.
    follow_link(page, page.get_by_role("link", name=DAY_WITH_MANY_TIMES).first)
    time_link = page.get_by_role("link", name=re.compile(r"Pacific Time$")).first
    start = chosen_start(time_link)
    time_link.click()
    expect(page.get_by_role("button", name="Confirm booking")).to_be_visible()

    _take_every_place_at(start)
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("status")).to_contain_text("Sorry, that time has just been taken")
    expect(page.locator("#times")).to_be_visible()
    expect(page.get_by_role("link", name=pacific_label(start))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"Pacific Time$")).first).to_be_visible()
    axe(page)
    assert not Appointment.objects.filter(patient=patient_account).exists()


def test_a_staff_page_opened_by_a_patient_is_refused(page: Page, site, patient_account, sign_in, axe):
    sign_in(page, patient_account)
    response = page.goto(f"{site}/staff/")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    axe(page)
