"""The front desk finds a patient by part of the name, whatever the accents and the case, opens
the chart, and books an evaluation for them inside the 12-hour online notice window (staff may);
the appointment is in the database at once. Every page visited passes axe; no patient name in a
page title or a URL.

The live server runs on the real clock, so the test first makes the next hours bookable: the
demo clinic and its clinicians work all day today and tomorrow (local days), which guarantees an
open evaluation time less than 12 hours away whatever the hour the test runs.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.services import patient_register
from booking.availability import availability_for
from booking.models import Appointment, AppointmentStatus
from core.roles import Role
from scheduling.models import AppointmentType, Clinic, ClinicHours, WorkingHours
from tests.browser.conftest import assert_no_sideways_scroll, follow_link
from tests.factories import UserFactory
from tests.web.clock import LA, clinic_today
from web import timefmt

pytestmark = pytest.mark.browser

NOTICE_WINDOW = timedelta(hours=12)
SEARCH_LABEL = "Name, email, phone or date of birth"


@pytest.fixture
def rosa(transactional_db) -> User:
    return patient_register(
        email="rosa.martin@example.org",
        password="a-long-enough-password-42",
        first_name="Rosa",
        last_name="Martín",
        date_of_birth=date(1985, 6, 1),
        phone="+14155550123",
        today=clinic_today(),
    )


@pytest.fixture
def front_desk(transactional_db) -> User:
    return UserFactory(role=Role.ADMIN, first_name="Fran", last_name="Desk")


def open_all_day(clinic: Clinic, days: list[date]) -> None:
    """The clinic and its clinicians at work all day on these local days' weekdays."""
    all_day = {"opens_at": time(0), "closes_at": time(23, 45)}
    for weekday in {day.weekday() for day in days}:
        ClinicHours.objects.filter(clinic=clinic, weekday=weekday).delete()
        ClinicHours.objects.create(clinic=clinic, weekday=weekday, **all_day)
        clinicians = WorkingHours.objects.filter(staff__user__role=Role.CLINICIAN)
        staff_ids = set(clinicians.values_list("staff_id", flat=True))
        WorkingHours.objects.filter(staff_id__in=staff_ids, weekday=weekday).delete()
        for staff_id in staff_ids:
            WorkingHours.objects.create(
                staff_id=staff_id, weekday=weekday, starts_at=all_day["opens_at"], ends_at=all_day["closes_at"]
            )


def first_start_inside_the_notice_window(rosa: User) -> datetime:
    """The first open evaluation time at least 30 minutes away (time to click) for staff."""
    today = clinic_today()
    now = timezone.now()
    slots = availability_for(
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        first_day=today,
        last_day=today + timedelta(days=1),
        patient_id=rosa.pk,
        online=False,
    )
    soon = [slot.start for slot in slots if now + timedelta(minutes=30) <= slot.start < now + NOTICE_WINDOW]
    assert soon, "the clinic was opened all day today and tomorrow, yet no time is open in the next 12 hours"
    return soon[0]


def test_the_front_desk_finds_a_patient_and_books_inside_the_notice_window(
    page: Page, site, clinic, sign_in, axe, rosa, front_desk
):
    today = clinic_today()
    open_all_day(clinic, [today, today + timedelta(days=1)])
    start = first_start_inside_the_notice_window(rosa)
    local = start.astimezone(LA)

    sign_in(page, front_desk)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # signed in
    page.goto(f"{site}/staff/patients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a patient")
    axe(page)

    for query in ("martí", "MARTI"):
        page.get_by_label(SEARCH_LABEL).fill(query)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name="1 patient found")).to_be_visible()
        expect(page.get_by_role("link", name="Rosa Martín")).to_be_visible()
        assert query.lower() not in page.url.lower()  # the search posts: no name in the address
        axe(page)
    assert_no_sideways_scroll(page)

    page.get_by_role("link", name="Rosa Martín").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Martín")
    assert page.url == f"{site}/staff/patients/{rosa.pk}/"
    assert "Mart" not in page.title()
    axe(page)

    follow_link(page, page.get_by_role("link", name="Book an appointment"))
    axe(page)
    page.get_by_role("link", name="Ketamine Therapy Evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book Ketamine Therapy Evaluation for Rosa Martín")
    axe(page)

    day_name = re.compile("^" + re.escape(timefmt.day_label(local.date())) + r": \d+ times? available$")
    page.get_by_role("link", name=day_name).click()
    expect(page.locator("#times")).to_be_focused()
    axe(page)
    page.get_by_role("link", name=timefmt.time_label(start, LA), exact=True).click()

    expect(page.get_by_role("heading", name="Check the booking")).to_be_visible()
    expect(page.get_by_text(timefmt.time_label(start, LA))).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("status")).to_contain_text(
        f"Booked: Ketamine Therapy Evaluation, {timefmt.time_label(start, LA)}."
    )
    assert page.url == f"{site}/staff/patients/{rosa.pk}/#upcoming"
    booked = Appointment.objects.get(patient=rosa)
    assert (booked.starts_at, booked.status, booked.booked_by_id) == (start, AppointmentStatus.BOOKED, front_desk.pk)
    assert booked.starts_at - timezone.now() < NOTICE_WINDOW  # too soon online: a staff-only booking
    expect(page.get_by_role("link", name=re.compile("^Cancel appointment"))).to_be_visible()
    axe(page)
