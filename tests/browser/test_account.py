"""A patient manages their visits from their account: cancels (late inside 24 hours), moves a
visit to another time, confirms readiness for an infusion, books the whole series, and reads the
outcome of their evaluation in plain words. Every page visited passes axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from booking.models import Appointment, AppointmentStatus
from clinical.models import Decision
from scheduling.models import AppointmentType
from tests.browser.conftest import assert_no_sideways_scroll, follow_link
from tests.browser.steps import DAY_WITH_TIMES, chosen_start, pacific_label
from tests.clinical.plans import active_plan, signed_evaluation
from tests.factories import TEST_PASSWORD, AppointmentFactory, PatientFactory
from tests.web.clock import clinic_today, in_hours, weekday_at

pytestmark = pytest.mark.browser


def _type(code: str) -> AppointmentType:
    return AppointmentType.objects.get(code=code)


def _signed_in(page: Page, sign_in, patient) -> None:
    sign_in(page, patient)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {patient.first_name}")


def test_a_patient_cancels_inside_24_hours_and_it_is_recorded_late(page: Page, site, patient_account, sign_in, axe):
    soon = AppointmentFactory(patient=patient_account, appointment_type=_type("evaluation"), starts_at=in_hours(6))
    _signed_in(page, sign_in, patient_account)
    axe(page)

    page.get_by_role("link", name="Ketamine Therapy Evaluation").click()
    expect(page.get_by_text(pacific_label(soon.starts_at), exact=True)).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Cancel appointment").click()

    expect(page.get_by_role("heading", name="Cancel this appointment?")).to_be_visible()
    expect(page.get_by_role("heading", name="Late cancellation")).to_be_visible()
    expect(page.get_by_text("it is recorded as a late cancellation")).to_be_visible()
    axe(page)
    page.get_by_label("Reason (optional)").fill("Something came up at work")
    page.get_by_role("button", name="Cancel appointment").click()

    expect(page.get_by_role("heading", name="This appointment is cancelled")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "Your appointment is cancelled. It is recorded as a late cancellation."
    )
    axe(page)
    soon.refresh_from_db()
    assert (soon.status, soon.is_late_cancellation) == (AppointmentStatus.CANCELLED, True)
    assert soon.events.get(action="cancelled").reason == "Something came up at work"


def test_with_javascript_off_a_cancellation_days_ahead_is_not_late(browser: Browser, site, patient_account, axe):
    later = AppointmentFactory(
        patient=patient_account, appointment_type=_type("evaluation"), starts_at=weekday_at(3, 10)
    )
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    # Without scripts, expect() cannot poll the page: each step waits for its page to load first.
    page.goto(f"{site}/signin/")
    page.get_by_label("Email").fill(patient_account.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/account/")
    page.get_by_role("link", name="Ketamine Therapy Evaluation").click()
    page.wait_for_url(f"{site}/appointments/{later.pk}/")
    page.get_by_role("link", name="Cancel appointment").click()
    page.wait_for_url(f"{site}/appointments/{later.pk}/cancel/")

    assert page.get_by_role("heading", name="Cancel this appointment?").is_visible()
    assert page.get_by_role("heading", name="Late cancellation").count() == 0
    page.get_by_role("button", name="Cancel appointment").click()
    page.wait_for_url(f"{site}/appointments/{later.pk}/")

    assert page.get_by_role("heading", name="This appointment is cancelled").is_visible()
    later.refresh_from_db()
    assert (later.status, later.is_late_cancellation) == (AppointmentStatus.CANCELLED, False)

    # axe is itself a script (it stalls where scripts are off): it checks the pages in a second
    # window of the same session with scripts on.
    checker = browser.new_context(storage_state=context.storage_state(), locale="en-US").new_page()
    for path in ("/account/", f"/appointments/{later.pk}/", f"/appointments/{later.pk}/cancel/"):
        checker.goto(f"{site}{path}")
        axe(checker)
    checker.context.close()
    context.close()


def test_a_patient_moves_an_appointment_to_another_time(page: Page, site, patient_account, sign_in, axe):
    booked = AppointmentFactory(
        patient=patient_account, appointment_type=_type("evaluation"), starts_at=weekday_at(3, 10)
    )
    _signed_in(page, sign_in, patient_account)
    page.get_by_role("link", name="Ketamine Therapy Evaluation").click()
    page.get_by_role("link", name="Reschedule").click()

    expect(page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    axe(page)
    page.get_by_role("link", name=DAY_WITH_TIMES).first.click()
    expect(page.locator("#times")).to_be_focused()
    axe(page)
    time_link = page.get_by_role("link", name=re.compile(r"Pacific Time$")).first
    new_start = chosen_start(time_link)
    time_link.click()

    expect(page.get_by_role("heading", name="Check your new time")).to_be_visible()
    expect(page.get_by_text(pacific_label(new_start), exact=True)).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Confirm new time").click()

    expect(page.get_by_role("status")).to_have_text(f"Your appointment is moved to {pacific_label(new_start)}.")
    axe(page)
    moved = Appointment.objects.get(pk=booked.pk)
    assert (moved.starts_at, moved.status) == (new_start, AppointmentStatus.BOOKED)
    assert new_start != weekday_at(3, 10)
    assert Appointment.objects.filter(patient=patient_account).count() == 1


def test_a_patient_confirms_readiness_for_an_infusion(page: Page, site, patient_account, sign_in, axe):
    plan = active_plan(patient_account, signed_at=timezone.now() - timedelta(days=2))
    infusion = AppointmentFactory(
        patient=patient_account, appointment_type=_type("infusion"), treatment_plan=plan, starts_at=weekday_at(2, 10)
    )
    _signed_in(page, sign_in, patient_account)
    page.get_by_role("link", name="Infusion session").click()

    expect(page.get_by_role("heading", name="Ready for the day?")).to_be_visible()
    axe(page)
    page.get_by_label("An adult will drive me home").check()
    page.get_by_label("I have read the fasting instructions").check()
    page.get_by_role("button", name="Confirm I am ready").click()

    expect(page.get_by_text(re.compile(r"^You told us on .+ Pacific Time:$"))).to_be_visible()
    expect(page.get_by_text("An adult will drive you home.")).to_be_visible()
    expect(page.get_by_role("button", name="Update my answers")).to_be_visible()
    axe(page)
    infusion.refresh_from_db()
    assert infusion.driver_arranged
    assert infusion.fasting_acknowledged
    assert infusion.readiness_confirmed_at is not None


def test_a_patient_reads_their_outcome_and_books_the_whole_series(page: Page, site, patient_account, sign_in, axe):
    active_plan(patient_account, signed_at=timezone.now() - timedelta(days=1), infusions_planned=3)
    _signed_in(page, sign_in, patient_account)

    expect(page.get_by_text("You can go ahead: book your treatment sessions when it suits you.")).to_be_visible()
    expect(page.get_by_text("Infusion sessions: 3 planned, 0 booked, 0 done.")).to_be_visible()
    expect(page.get_by_role("link", name="Book one infusion")).to_have_attribute("href", "/book/?type=infusion")
    expect(page.get_by_role("link", name="Book an integration session")).to_be_visible()
    page.get_by_role("link", name="Book the whole series").click()

    expect(page.get_by_role("heading", name="Book the whole series")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Continue").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("link", name="First day: Enter the first day for your sessions.")).to_be_visible()
    axe(page)
    first_day = clinic_today() + timedelta(days=2)
    page.get_by_label("First day").fill(first_day.isoformat())
    page.get_by_label("Preferred time of day").fill("10:00")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check your answers before booking")).to_be_visible()
    expect(page.get_by_text("10:00 AM Pacific Time")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Book the series").click()

    expect(page.get_by_role("heading", name="Your sessions are booked")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Infusion session")).to_have_count(3)
    axe(page)
    booked = Appointment.objects.filter(patient=patient_account, appointment_type__code="infusion")
    assert booked.count() == 3
    assert all(a.status == AppointmentStatus.BOOKED and a.treatment_plan_id for a in booked)
    for appointment in booked:
        expect(page.get_by_role("listitem").filter(has_text=pacific_label(appointment.starts_at))).to_be_visible()

    page.get_by_role("link", name="Back to your account").click()
    expect(page.get_by_text("Infusion sessions: 3 planned, 3 booked, 0 done.")).to_be_visible()
    expect(page.get_by_role("link", name="Book the whole series")).to_have_count(0)


def test_a_patient_who_is_not_a_candidate_reads_it_in_plain_words(page: Page, site, patient_account, sign_in, axe):
    signed_evaluation(patient_account, decision=Decision.NOT_CANDIDATE, signed_at=timezone.now() - timedelta(days=1))
    _signed_in(page, sign_in, patient_account)

    expect(
        page.get_by_text(
            "This treatment is not the right fit for you. Your clinician will talk with you about other options."
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Book the whole series")).to_have_count(0)
    expect(page.get_by_role("link", name="Book one infusion")).to_have_count(0)
    axe(page)


def test_a_patient_saves_contact_preferences_and_joins_the_waitlist(page: Page, site, patient_account, sign_in, axe):
    _signed_in(page, sign_in, patient_account)
    expect(page.get_by_label("Email", exact=True)).to_be_checked()
    expect(page.get_by_text("Your pages and messages are in English.")).to_be_visible()
    page.get_by_label("Text messages").check()
    page.get_by_role("button", name="Save contact preferences").click()

    expect(page.get_by_role("status")).to_have_text("Your contact preferences are saved.")
    expect(page.get_by_label("Text messages")).to_be_checked()
    assert patient_account.contact_preference.sms_enabled

    follow_link(page, page.get_by_role("link", name="Join the waitlist"))
    axe(page)
    today = clinic_today()
    page.get_by_label("Kind of visit").select_option(label="Ketamine Therapy Evaluation")
    page.get_by_label("Earliest day").fill((today + timedelta(days=3)).isoformat())
    page.get_by_label("Latest day").fill((today + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Join the waitlist").click()

    expect(page.get_by_role("status")).to_contain_text("You are on the waitlist for Ketamine Therapy Evaluation")
    axe(page)
    assert patient_account.waitlist_entries.get().date_to == today + timedelta(days=10)


def test_at_320_pixels_the_account_pages_do_not_scroll_sideways(page: Page, site, sign_in, axe):
    patient = PatientFactory(first_name="Bartholomew-Alexander")
    plan = active_plan(patient, signed_at=timezone.now() - timedelta(days=2))
    infusion = AppointmentFactory(
        patient=patient, appointment_type=_type("infusion"), treatment_plan=plan, starts_at=in_hours(20)
    )
    page.set_viewport_size({"width": 320, "height": 640})
    _signed_in(page, sign_in, patient)
    assert_no_sideways_scroll(page)
    for path in ("", "cancel/", "reschedule/"):
        page.goto(f"{site}/appointments/{infusion.pk}/{path}")
        assert_no_sideways_scroll(page)
    follow_link(page, page.get_by_role("link", name=DAY_WITH_TIMES).first)
    assert_no_sideways_scroll(page)
    page.goto(f"{site}/account/series/")
    assert_no_sideways_scroll(page)
    page.goto(f"{site}/account/waitlist/")
    assert_no_sideways_scroll(page)
    axe(page)
