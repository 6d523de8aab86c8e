"""A nurse runs the day from the day board: sees each visit in its room with "infusion k of N"
and readiness, checks a patient in and starts the visit (the API then shows the new status),
is told in words why a no-show before the start time is refused, and sees a booking made
elsewhere appear without reloading; the refresh answers 304 while nothing changes. The keyboard
alone reaches every button; every page visited passes axe; no sideways scrolling at 320 px.

An appointment is checked in only on its own clinic day: the visits are booked for next Monday
and the clock then moves to 8:00 AM that day (forward only, with the clock ticking, before the
nurse signs in: the live server runs in this process and sees the same clock; moving it back
would leave the browser holding a session cookie that expired in its own time)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, Page, Response, expect

from accounts.models import User
from booking.models import Appointment, AppointmentStatus
from booking.services.appointments import appointment_book
from booking.services.lifecycle import appointment_confirm_readiness
from core.roles import Role
from scheduling.models import AppointmentType
from tests.browser.conftest import assert_no_sideways_scroll
from tests.clinical.plans import active_plan
from tests.factories import PatientFactory, UserFactory
from tests.web.clock import LA, clinic_today

pytestmark = pytest.mark.browser

STEP_BUTTON = re.compile(r"^(Check in|Start|Complete|No-show) ")


def next_monday() -> date:
    today = clinic_today()
    return today + timedelta(days=7 - today.weekday())


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LA)


def book(patient: User, code: str, starts_at: datetime) -> Appointment:
    front_desk = User.objects.get(email="admin@example.com")
    return appointment_book(
        actor=front_desk, patient=patient, appointment_type=AppointmentType.objects.get(code=code), starts_at=starts_at
    )


@pytest.fixture
def day_of_visits(clinic, patient_account) -> dict[str, Any]:
    """Next Monday: Rosa Martín's first infusion of six at 9:00 (driver confirmed, fasting not),
    Leo Brandt's evaluation at 10:00."""
    day = next_monday()
    active_plan(patient_account, signed_at=at(day, 8) - timedelta(days=10))
    infusion = book(patient_account, "infusion", at(day, 9))
    appointment_confirm_readiness(
        actor=patient_account, appointment_id=infusion.pk, driver_arranged=True, fasting_acknowledged=False
    )
    evaluation = book(PatientFactory(first_name="Leo", last_name="Brandt"), "evaluation", at(day, 10))
    return {"day": day, "infusion": infusion, "evaluation": evaluation}


@pytest.fixture
def on_the_day(day_of_visits, time_machine: time_machine.TimeMachineFixture) -> dict[str, Any]:
    """The clock at 8:00 AM Pacific Time on the visits' day, ticking."""
    time_machine.move_to(at(day_of_visits["day"], 8), tick=True)
    return day_of_visits


@pytest.fixture
def nurse(transactional_db) -> User:
    return UserFactory(role=Role.NURSE, first_name="Nora", last_name="Quinn")


def open_board(page: Page, site: str, sign_in, nurse: User, day: date) -> None:
    sign_in(page, nurse)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # signed in
    page.goto(f"{site}/staff/day/?date={day.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Day board: {day:%A, %B} {day.day}, {day.year}")


def test_a_nurse_checks_a_patient_in_and_starts_the_visit(
    page: Page, site, sign_in, axe, nurse, on_the_day, client_for
):
    infusion: Appointment = on_the_day["infusion"]
    evaluation: Appointment = on_the_day["evaluation"]
    assert infusion.room is not None
    assert evaluation.room is not None
    open_board(page, site, sign_in, nurse, on_the_day["day"])
    expect(page.get_by_text("All times are Pacific Time.").first).to_be_visible()
    axe(page)

    infusion_room = page.get_by_role("rowgroup", name=f"{infusion.room.name} (Infusion room)")
    rosa = infusion_room.get_by_role("row").filter(has_text="Rosa Martín")
    expect(rosa).to_contain_text("9:00 AM")
    expect(rosa).to_contain_text("infusion 1 of 6")
    expect(rosa).to_contain_text("0.50 mg/kg IV")
    expect(rosa).to_contain_text("Driver: arranged")
    expect(rosa).to_contain_text("Fasting: not confirmed")
    expect(rosa).to_contain_text("Booked")
    consult_room = page.get_by_role("rowgroup", name=f"{evaluation.room.name} (Consult room)")
    leo = consult_room.get_by_role("row").filter(has_text="Leo Brandt")
    expect(leo).to_contain_text("10:00 AM")
    expect(leo).to_contain_text("Ketamine Therapy Evaluation")
    expect(leo).to_contain_text("Not needed")
    expect(page.get_by_role("rowgroup", name="Infusion 6 (Infusion room)")).to_contain_text(
        "No appointments in this room."
    )

    page.get_by_role("button", name="Check in Rosa Martín, 9:00 AM").click()
    expect(page.get_by_role("status").filter(has_text="Rosa Martín: checked in.")).to_be_visible()
    expect(rosa).to_contain_text("Checked in")
    expect(rosa.get_by_role("link", name="Open session record for Rosa Martín, 9:00 AM")).to_be_visible()
    axe(page)
    # An infusion starts from its session record, once a baseline reading and readiness are in:
    # the board's "Start" says what is missing and changes nothing.
    page.get_by_role("button", name="Start Rosa Martín, 9:00 AM").click()
    expect(page.get_by_role("status").filter(has_text="Nothing was changed:")).to_contain_text("baseline")
    expect(rosa).to_contain_text("Checked in")
    axe(page)

    page.get_by_role("button", name="Check in Leo Brandt, 10:00 AM").click()
    expect(page.get_by_role("status").filter(has_text="Leo Brandt: checked in.")).to_be_visible()
    page.get_by_role("button", name="Start Leo Brandt, 10:00 AM").click()
    expect(page.get_by_role("status").filter(has_text="Leo Brandt: started.")).to_be_visible()
    expect(leo).to_contain_text("In progress")
    expect(page.get_by_role("button", name="Complete Leo Brandt, 10:00 AM")).to_be_visible()
    axe(page)

    api = client_for(nurse).get(f"/api/v1/appointments/{evaluation.pk}/")
    assert api.status_code == 200
    assert api.json()["status"] == "in_progress"
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.CHECKED_IN


def test_a_refused_step_says_why_and_changes_nothing(page: Page, site, sign_in, axe, nurse, day_of_visits):
    evaluation: Appointment = day_of_visits["evaluation"]
    open_board(page, site, sign_in, nurse, day_of_visits["day"])
    page.get_by_role("button", name="No-show Leo Brandt, 10:00 AM").click()
    expect(
        page.get_by_role("status").filter(
            has_text="Nothing was changed: A no-show can be recorded only after the start time."
        )
    ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Leo Brandt")).to_contain_text("Booked")
    axe(page)
    evaluation.refresh_from_db()
    assert evaluation.status == AppointmentStatus.BOOKED
    assert list(evaluation.events.values_list("action", flat=True)) == ["booked"]


def test_the_board_picks_up_a_booking_made_elsewhere_and_answers_304_while_nothing_changes(
    page: Page, site, sign_in, axe, nurse, day_of_visits
):
    day = day_of_visits["day"]
    open_board(page, site, sign_in, nurse, day)
    refreshes: list[int] = []

    def record(response: Response) -> None:
        if "/staff/day/" in response.url and response.request.headers.get("hx-request") == "true":
            refreshes.append(response.status)

    page.on("response", record)
    page.evaluate("() => { window.boardWasNotReloaded = true; }")
    axe(page)

    book(PatientFactory(first_name="Kenji", last_name="Watanabe"), "evaluation", at(day, 11))

    kenji = page.get_by_role("row").filter(has_text="Kenji Watanabe")
    expect(kenji).to_be_visible(timeout=20000)
    expect(kenji).to_contain_text("11:00 AM")
    expect(page.get_by_role("status").filter(has_text="Kenji Watanabe, 11:00 AM: new on the board")).to_be_visible()
    assert page.evaluate("() => window.boardWasNotReloaded === true"), "the page was reloaded"
    assert 200 in refreshes

    with page.expect_response(lambda response: "/staff/day/" in response.url and response.status == 304, timeout=20000):
        pass
    assert page.evaluate("() => window.boardWasNotReloaded === true")
    expect(kenji).to_be_visible()
    axe(page)


def test_the_keyboard_reaches_every_button_and_a_phone_does_not_scroll_sideways(
    page: Page, site, sign_in, axe, nurse, on_the_day
):
    open_board(page, site, sign_in, nurse, on_the_day["day"])
    buttons = page.get_by_role("button", name=STEP_BUTTON)
    expected = {buttons.nth(i).get_attribute("aria-label") for i in range(buttons.count())}
    assert expected == {
        "Check in Rosa Martín, 9:00 AM",
        "No-show Rosa Martín, 9:00 AM",
        "Check in Leo Brandt, 10:00 AM",
        "No-show Leo Brandt, 10:00 AM",
    }
    reached: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('aria-label')")
        if label:
            reached.append(label)
        if expected <= set(reached):
            break
    assert reached == [
        "Check in Rosa Martín, 9:00 AM",
        "No-show Rosa Martín, 9:00 AM",
        "Check in Leo Brandt, 10:00 AM",
        "No-show Leo Brandt, 10:00 AM",
    ]

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Leo Brandt: checked in.")).to_be_visible()
    axe(page)

    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_sideways_scroll(page)
    axe(page)


def test_without_javascript_the_board_checks_in_and_moves_between_days(
    browser: Browser, site, sign_in, nurse, on_the_day
):
    """axe cannot run with JavaScript off; the same pages are checked with it on above."""
    day: date = on_the_day["day"]
    context = browser.new_context(java_script_enabled=False, locale="en-US", timezone_id="America/Los_Angeles")
    page = context.new_page()
    open_board(page, site, sign_in, nurse, day)

    page.get_by_role("button", name="Check in Leo Brandt, 10:00 AM").click()
    expect(page.get_by_role("status").filter(has_text="Leo Brandt: checked in.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Leo Brandt")).to_contain_text("Checked in")

    page.get_by_role("link", name=re.compile("^Next day")).click()
    following = day + timedelta(days=1)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Day board: {following:%A, %B} {following.day}, {following.year}"
    )
    expect(page.get_by_role("row").filter(has_text="Leo Brandt")).to_have_count(0)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("row").filter(has_text="Rosa Martín")).to_contain_text("infusion 1 of 6")
    assert page.url.endswith(f"/staff/day/?date={day.isoformat()}")
    context.close()
