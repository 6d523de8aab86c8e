"""A nurse runs an infusion from its session record (/staff/infusions/<appointment id>/): enters
the patient's PHQ-9 for them at check-in, records the weight (the planned dose follows) and a
baseline reading, starts, records a reading past the blood-pressure threshold (the day board
shows the alert until "Record action" is done, and later the readings that fell overdue), is
refused discharge before the recovery time with what is missing listed, and once the recovery
has passed discharges with a fresh reading and the checklist. axe runs on every page; the
record fits a 320 px screen; with JavaScript off its forms still post.

The infusion is booked for the next weekday and the clock moves forward to 8:40 AM that day,
ticking, before the nurse signs in (check-in happens only on the appointment's own day; the live
server runs in this process and sees the same clock). Later the clock moves forward in steps of
14 minutes, the page reloaded after each, so the staff session (15 minutes idle) stays alive."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from booking.models import AppointmentEvent, AppointmentStatus
from booking.services.appointments import appointment_book
from booking.services.lifecycle import appointment_confirm_readiness, appointment_transition
from clinical.models import Alert, InfusionRecord
from core.roles import Role
from scheduling.models import AppointmentType
from tests.browser.conftest import assert_no_sideways_scroll
from tests.clinical.infusion_fixtures import prepare_start
from tests.clinical.plans import active_plan
from tests.factories import UserFactory
from tests.web.clock import LA, weekday_at

pytestmark = pytest.mark.browser

THRESHOLD_ON_THE_BOARD = re.compile("(Blood pressure|Vital signs) past threshold")


@pytest.fixture
def nurse(transactional_db) -> User:
    return UserFactory(role=Role.NURSE, first_name="Nora", last_name="Quinn")


@pytest.fixture
def checked_in_infusion(
    clinic, patient_account, nurse, time_machine: time_machine.TimeMachineFixture
) -> dict[str, Any]:
    """Rosa Martín's first infusion of six at 9:00 on the next weekday, readiness confirmed by
    her, checked in at 8:40 that day (the clock stays there, ticking)."""
    starts_at = weekday_at(1, 9)
    active_plan(patient_account, signed_at=starts_at - timedelta(days=10))
    infusion = appointment_book(
        actor=User.objects.get(email="admin@example.com"),
        patient=patient_account,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        starts_at=starts_at,
    )
    appointment_confirm_readiness(
        actor=patient_account, appointment_id=infusion.pk, driver_arranged=True, fasting_acknowledged=True
    )
    time_machine.move_to(datetime.combine(starts_at.date(), time(8, 40), tzinfo=LA), tick=True)
    appointment_transition(actor=nurse, appointment_id=infusion.pk, action=AppointmentEvent.Action.CHECKED_IN)
    return {"infusion": infusion, "day": starts_at.date()}


def record_vitals(page: Page, systolic: int, diastolic: int, heart_rate: int, spo2: int) -> None:
    page.get_by_label("Systolic pressure (mmHg)").fill(str(systolic))
    page.get_by_label("Diastolic pressure (mmHg)").fill(str(diastolic))
    page.get_by_label("Heart rate (beats per minute)").fill(str(heart_rate))
    page.get_by_label("SpO2 (%)").fill(str(spo2))
    page.get_by_role("button", name="Record vitals").click()


def rosa_on_the_board(page: Page, site: str, day) -> Any:
    page.goto(f"{site}/staff/day/?date={day.isoformat()}")
    return page.get_by_role("row").filter(has_text="Rosa Martín")


def check_the_list(page: Page) -> None:
    page.get_by_label("Alert and oriented").check()
    page.get_by_label("An adult escort is present").check()
    page.get_by_label("Walking steadily").check()


def forms_entered_for_the_patient(page: Page, axe) -> None:
    """At check-in the nurse enters the patient's PHQ-9 for them, item by item."""
    page.get_by_role("link", name="Enter the patient's answers to the PHQ-9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PHQ-9: the patient's answers")
    axe(page)
    questions = page.get_by_role("group")
    expect(questions).to_have_count(10)  # nine items, then the closing "how difficult" question
    for number in range(9):
        questions.nth(number).get_by_label("Several days" if number < 3 else "Not at all").check()
    questions.nth(9).get_by_label("Somewhat difficult").check()
    page.get_by_role("button", name="Record answers").click()
    expect(page.get_by_role("status")).to_contain_text("PHQ-9 answers recorded (total 3).")
    expect(page.get_by_text("Answered: total 3 (minimal), entered by Nora Quinn for the patient")).to_be_visible()
    page.get_by_role("link", name="Enter the patient's answers to the GAD-7").click()
    questions = page.get_by_role("group")
    expect(questions).to_have_count(8)  # the closing question is optional: left out here
    for number in range(7):
        questions.nth(number).get_by_label("Not at all").check()
    page.get_by_role("button", name="Record answers").click()
    expect(page.get_by_role("status")).to_contain_text("GAD-7 answers recorded (total 0).")


def weight_baseline_and_start(page: Page, axe) -> None:
    """Before the start: the weight, and the planned dose it gives; a baseline reading; start."""
    page.get_by_label("Weight (kg)").fill("70.3")
    page.get_by_role("button", name="Record weight").click()
    expect(page.get_by_role("status")).to_contain_text("Weight recorded.")
    expect(page.get_by_text("35.2 mg (0.50 mg/kg \N{MULTIPLICATION SIGN} 70.3 kg)")).to_be_visible()
    page.get_by_label("Reviewed: no change").check()
    page.get_by_role("button", name="Record medication review").click()
    expect(page.get_by_role("status")).to_contain_text("Medication review recorded.")
    record_vitals(page, 124, 78, 72, 98)
    expect(page.get_by_role("status")).to_contain_text("Reading recorded.")
    axe(page)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Infusion started.")
    expect(page.get_by_text("In progress", exact=True)).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="During the infusion")).to_be_visible()
    axe(page)


def a_reading_past_the_threshold_until_its_action(page: Page, site: str, axe, nurse: User, on_day: dict) -> None:
    """A reading past the blood-pressure threshold: an alert on the record and the board until
    the nurse records the action taken."""
    record_vitals(page, 186, 100, 90, 97)
    expect(page.get_by_role("status")).to_contain_text("Blood pressure past threshold: record the action taken.")
    alerts = page.get_by_role("region", name="Alerts", exact=True)
    expect(alerts).to_contain_text("Blood pressure past threshold")
    expect(alerts).to_contain_text("Systolic at or above 180")
    expect(page.get_by_role("row").filter(has_text="186/100 mmHg")).to_contain_text(
        "Past threshold: Systolic at or above 180"
    )
    axe(page)

    rosa = rosa_on_the_board(page, site, on_day["day"])
    expect(rosa).to_contain_text(THRESHOLD_ON_THE_BOARD)
    axe(page)
    page.get_by_role("link", name="Open session record for Rosa Martín, 9:00 AM").click()
    page.get_by_label("Infusion continued").check()
    page.get_by_role("button", name=re.compile("^Record action")).click()
    expect(page.get_by_role("status")).to_contain_text("Action recorded.")
    expect(page.get_by_text("No open alert.")).to_be_visible()
    alert = Alert.objects.get(appointment=on_day["infusion"])
    assert (alert.action, alert.resolved_by_id) == ("continued", nurse.pk)
    rosa = rosa_on_the_board(page, site, on_day["day"])
    expect(rosa).not_to_contain_text(THRESHOLD_ON_THE_BOARD)
    axe(page)


def test_a_nurse_runs_an_infusion_from_baseline_to_discharge(
    page: Page, site, sign_in, axe, nurse, checked_in_infusion, time_machine: time_machine.TimeMachineFixture
):
    infusion = checked_in_infusion["infusion"]
    record_url = f"{site}/staff/infusions/{infusion.pk}/"
    sign_in(page, nurse)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(record_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Infusion session record")
    expect(page).to_have_title(re.compile(r"^Infusion session record · "))
    expect(page.get_by_text("Infusion 1 of 6")).to_be_visible()
    expect(page.get_by_text("0.50 mg/kg IV")).to_be_visible()
    axe(page)
    forms_entered_for_the_patient(page, axe)
    weight_baseline_and_start(page, axe)

    time_machine.move_to(timezone.now() + timedelta(minutes=11), tick=True)
    page.reload()
    a_reading_past_the_threshold_until_its_action(page, site, axe, nurse, checked_in_infusion)

    # The dose given, then a discharge asked for too early: refused, with what is missing.
    page.goto(record_url)
    page.get_by_label("Dose given (mg)").fill("35.2")
    page.get_by_role("button", name="Record dose given").click()
    expect(page.get_by_role("status")).to_contain_text("Dose given recorded.")
    check_the_list(page)
    page.get_by_role("button", name="Discharge").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(
        re.compile(r"The recovery time has not passed yet: discharge from \d+:\d\d [AP]M\.")
    )
    axe(page)
    record = InfusionRecord.objects.get(appointment=infusion)
    assert record.discharged_at is None
    assert record.started_at is not None
    recovered_at = record.started_at + timedelta(minutes=50 + 40)

    # Forward past the recovery, 14 minutes at a time (the page reloaded each time); the board
    # shows the readings that fell overdue meanwhile.
    time_machine.move_to(timezone.now() + timedelta(minutes=14), tick=True)
    rosa = rosa_on_the_board(page, site, checked_in_infusion["day"])
    expect(rosa).to_contain_text("Vitals overdue")
    while timezone.now() < recovered_at + timedelta(minutes=1):
        time_machine.move_to(timezone.now() + timedelta(minutes=14), tick=True)
        page.goto(record_url)

    record_vitals(page, 118, 76, 70, 98)
    expect(page.get_by_role("status")).to_contain_text("Reading recorded.")
    check_the_list(page)
    page.get_by_role("button", name="Discharge").click()
    expect(page.get_by_role("status")).to_contain_text("Discharged. The infusion is completed.")
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    axe(page)
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.COMPLETED

    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_sideways_scroll(page)
    axe(page)


def test_without_javascript_the_record_takes_a_reading_and_refuses_an_early_start(
    browser: Browser, site, sign_in, nurse, checked_in_infusion
):
    """axe cannot run with JavaScript off; the same page is checked with it on above."""
    context = browser.new_context(java_script_enabled=False, locale="en-US", timezone_id="America/Los_Angeles")
    page = context.new_page()
    sign_in(page, nurse)
    prepare_start(checked_in_infusion["infusion"], nurse, at=timezone.now())  # weight, medications, forms
    page.goto(f"{site}/staff/infusions/{checked_in_infusion['infusion'].pk}/")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "No baseline reading in the last 15 minutes: record vitals first."
    )
    record_vitals(page, 121, 79, 70, 99)
    expect(page.get_by_role("status")).to_contain_text("Reading recorded.")
    expect(page.get_by_role("row").filter(has_text="121/79 mmHg")).to_contain_text("No")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Infusion started.")
    context.close()
