"""The rough edges a new user hit (issue 19), each walked through as a person does, axe on every
page and the patient's pages at 320 px (screenshots in the test's output folder)."""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import User
from booking.models import Appointment, AppointmentStatus
from clinical.services.evaluations import evaluation_create, evaluation_update
from core.roles import Role
from scheduling.models import AppointmentType
from tests.browser.conftest import assert_no_sideways_scroll
from tests.clinical.plans import active_plan
from tests.conftest import demo_staff
from tests.factories import TEST_PASSWORD, AppointmentFactory, PatientFactory, UserFactory
from tests.web.clock import in_hours, weekday_at

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 320, "height": 640}
SCREENSHOTS = Path(tempfile.gettempdir()) / "rough-edges"  # one file per test: safe under xdist
SCREENSHOTS.mkdir(exist_ok=True)


def _type(code: str) -> AppointmentType:
    return AppointmentType.objects.get(code=code)


def _on_a_phone(page: Page, axe, name: str) -> None:
    """The page at 320 px: no sideways scroll, axe clean, and a screenshot to look at."""
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    axe(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-320.png"), full_page=True)


def _staff(email: str) -> User:
    user = demo_staff(email).user
    user.set_password(TEST_PASSWORD)
    user.save(update_fields=["password"])
    return user


# -- a visitor ----------------------------------------------------------------------------------


def test_sign_up_names_every_wrong_field_at_once_and_keeps_all_but_the_password(page: Page, site, axe):
    page.goto(f"{site}/signup/")
    page.get_by_label("Last name", exact=True).fill("Núñez")
    page.get_by_label("Email", exact=True).fill("lucia@example.com")
    page.get_by_label("Date of birth", exact=True).fill("2030-01-01")
    page.get_by_label("Phone", exact=True).fill("555")
    page.get_by_label("Password", exact=True).fill("12345678")
    page.get_by_role("button", name="Create account").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("listitem")).to_have_count(4)
    for field in ("First name", "Date of birth", "Phone", "Password"):
        expect(summary.get_by_role("link", name=re.compile(f"^{field}:"))).to_be_visible()
    expect(page.get_by_label("Last name", exact=True)).to_have_value("Núñez")
    expect(page.get_by_label("Date of birth", exact=True)).to_have_value("2030-01-01")
    expect(page.get_by_label("Phone", exact=True)).to_have_value("555")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    _on_a_phone(page, axe, "signup-refused")
    assert not User.objects.filter(email="lucia@example.com").exists()


def test_the_date_of_birth_hint_names_a_date_not_a_format_the_box_does_not_show(page: Page, site, axe):
    page.goto(f"{site}/signup/")

    date_box = page.get_by_label("Date of birth", exact=True)
    expect(date_box).to_have_attribute("type", "date")  # the browser shows mm/dd/yyyy here (en-US)
    expect(page.get_by_text("For example June 1, 1985.")).to_be_visible()
    expect(page.get_by_text("1985-06-01")).to_have_count(0)
    axe(page)


def test_phone_numbers_read_as_people_write_them(page: Page, site, axe):
    page.goto(f"{site}/")

    expect(page.get_by_role("link", name="(510) 555-0142").first).to_have_attribute("href", "tel:+15105550142")
    expect(page.get_by_text("+15105550142")).to_have_count(0)
    axe(page)


def test_the_api_docs_pass_axe(page: Page, site, axe):
    page.goto(f"{site}/api/docs/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name=re.compile(r"^GET ")).first).to_be_visible()
    axe(page)

    page.get_by_role("button", name=re.compile(r"^GET ")).first.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    axe(page)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / "api-docs-320.png"))


def test_the_second_factors_qr_code_draws(page: Page, site, axe):
    therapist = UserFactory(role=Role.THERAPIST)
    page.goto(f"{site}/signin/")
    page.get_by_label("Email").fill(therapist.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/signin/enrol/")

    qr = page.get_by_role("img", name="QR code to add this account to your authenticator app")
    expect(qr).to_be_visible()
    # An SVG the browser cannot read as SVG is a broken image: decode() rejects, no natural size.
    assert qr.evaluate("async image => { await image.decode(); return image.naturalWidth; }") > 0
    axe(page)


# -- a patient ----------------------------------------------------------------------------------


def test_a_cancelled_visit_ahead_is_listed_as_cancelled_not_past(page: Page, site, patient_account, sign_in, axe):
    AppointmentFactory(
        patient=patient_account,
        appointment_type=_type("evaluation"),
        starts_at=weekday_at(5, 10),
        status=AppointmentStatus.CANCELLED,
    )
    sign_in(page, patient_account)

    cancelled = page.get_by_role("region", name="Cancelled appointments")
    expect(cancelled.get_by_role("link", name="Ketamine Therapy Evaluation")).to_be_visible()
    expect(page.get_by_role("region", name="Past appointments")).to_contain_text("None yet.")
    expect(page.get_by_role("region", name="Upcoming appointments")).to_contain_text(
        "You have no upcoming appointments."
    )
    _on_a_phone(page, axe, "account-cancelled")


def test_a_patient_with_an_evaluation_booked_is_led_to_it_not_to_empty_weeks(
    page: Page, site, patient_account, sign_in, axe
):
    booked = AppointmentFactory(
        patient=patient_account, appointment_type=_type("evaluation"), starts_at=weekday_at(4, 9)
    )
    sign_in(page, patient_account)

    page.goto(f"{site}/book/?type=evaluation")
    expect(page.get_by_text("There are no open times")).to_have_count(0)
    _on_a_phone(page, axe, "book-already-booked")
    page.get_by_role("link", name="See or move this appointment").click()

    expect(page).to_have_url(f"{site}/appointments/{booked.pk}/")
    expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    axe(page)


def test_tomorrows_driver_and_fasting_question_is_at_the_top_of_the_account(
    page: Page, site, patient_account, sign_in, axe
):
    plan = active_plan(patient_account, signed_at=timezone.now() - timedelta(days=3))
    tomorrow = AppointmentFactory(
        patient=patient_account, appointment_type=_type("infusion"), treatment_plan=plan, starts_at=in_hours(26)
    )
    page.set_viewport_size(PHONE)
    sign_in(page, patient_account)

    confirm = page.get_by_role("link", name="Confirm your driver and fasting")
    expect(confirm).to_be_in_viewport()  # on the first screen of a phone, without scrolling
    _on_a_phone(page, axe, "account-readiness")
    confirm.click()

    expect(page).to_have_url(f"{site}/appointments/{tomorrow.pk}/#readiness")
    page.get_by_label("An adult will drive me home").check()
    page.get_by_label("I have read the fasting instructions").check()
    page.get_by_role("button", name="Confirm I am ready").click()
    page.goto(f"{site}/account/")
    expect(page.get_by_role("link", name="Confirm your driver and fasting")).to_have_count(0)
    axe(page)


def test_a_patient_whose_series_is_done_is_not_told_to_book_sessions(page: Page, site, patient_account, sign_in, axe):
    plan = active_plan(
        patient_account,
        signed_at=timezone.now() - timedelta(days=40),
        infusions_planned=1,
        integration_sessions_planned=0,
    )
    AppointmentFactory(
        patient=patient_account,
        appointment_type=_type("infusion"),
        treatment_plan=plan,
        starts_at=weekday_at(0, 10) - timedelta(days=14),
        status=AppointmentStatus.COMPLETED,
    )
    sign_in(page, patient_account)

    treatment = page.get_by_role("region", name="Your treatment")
    expect(treatment).to_contain_text("Your treatment series is complete: every planned session is done.")
    expect(treatment).not_to_contain_text("book your treatment sessions")
    _on_a_phone(page, axe, "account-series-done")


def test_a_spanish_plan_never_reads_1_reservadas(page: Page, site, sign_in, axe):
    patient = PatientFactory(first_name="Lucía", last_name="Núñez", language="es")
    plan = active_plan(patient, signed_at=timezone.now() - timedelta(days=3))
    AppointmentFactory(
        patient=patient, appointment_type=_type("infusion"), treatment_plan=plan, starts_at=in_hours(24 * 5)
    )
    sign_in(page, patient)

    progress = page.get_by_role("region", name="Su tratamiento")
    expect(progress).to_contain_text("Sesiones de infusión — previstas: 6, reservadas: 1, realizadas: 0.")
    expect(progress).not_to_contain_text("1 reservadas")
    _on_a_phone(page, axe, "account-spanish")


# -- a clinician and a nurse --------------------------------------------------------------------


@pytest.fixture
def clinician(clinic) -> User:
    return _staff("clinician@example.com")


def _visit(clinician: User, *, starts_at, status: str = AppointmentStatus.BOOKED) -> Appointment:
    visit: Appointment = AppointmentFactory(
        patient=PatientFactory(first_name="Rosa", last_name="Martín"),
        appointment_type=_type("evaluation"),
        starts_at=starts_at,
        status=status,
        staff=clinician.staff_member,
    )
    return visit


def test_a_clinician_is_led_to_an_upcoming_evaluation(page: Page, site, sign_in, axe, clinician):
    visit = _visit(clinician, starts_at=weekday_at(2, 10))
    sign_in(page, clinician)

    upcoming = page.get_by_role("region", name="Upcoming evaluations")
    expect(upcoming).to_contain_text("Rosa Martín")
    _on_a_phone(page, axe, "staff-home-upcoming")
    upcoming.get_by_role("button", name="Prepare evaluation for Rosa Martín").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation")
    assert visit.evaluation.clinician == clinician
    axe(page)


def test_the_phq9_total_adds_up_as_items_are_chosen(page: Page, site, sign_in, axe, clinician):
    visit = _visit(clinician, starts_at=timezone.now() - timedelta(minutes=30), status=AppointmentStatus.CHECKED_IN)
    draft = evaluation_create(actor=clinician, appointment_id=visit.pk)
    sign_in(page, clinician)
    page.goto(f"{site}/staff/evaluations/{draft.pk}/")

    page.get_by_text("Enter PHQ-9 item by item").click()
    items = page.locator("details", has_text="Enter PHQ-9 item by item")
    items.get_by_label(re.compile(r"^1\. ")).select_option("2")
    items.get_by_label(re.compile(r"^2\. ")).select_option("3")
    expect(items.get_by_text("Sum of the 2 items answered: 5 (7 to answer).")).to_be_visible()
    for number in range(3, 10):
        items.get_by_label(re.compile(rf"^{number}\. ")).select_option("1" if number < 9 else "0")

    expect(items.get_by_text("All 9 items answered: the total is 11.")).to_be_visible()
    expect(page.get_by_label("PHQ-9 total")).to_have_value("11")
    axe(page)


def test_the_sign_confirmation_names_the_patient_the_decision_and_what_is_missing(
    page: Page, site, sign_in, axe, clinician
):
    visit = _visit(clinician, starts_at=timezone.now() - timedelta(minutes=30), status=AppointmentStatus.CHECKED_IN)
    draft = evaluation_create(actor=clinician, appointment_id=visit.pk)
    evaluation_update(actor=clinician, evaluation_id=draft.pk, changes={"decision": "candidate", "heart_rate": 72})
    sign_in(page, clinician)
    page.goto(f"{site}/staff/evaluations/{draft.pk}/sign/")

    expect(page.get_by_role("heading", name="Sign this evaluation?")).to_be_visible()
    expect(page.get_by_text("Rosa Martín", exact=True)).to_be_visible()
    expect(page.get_by_text("Candidate", exact=True)).to_be_visible()
    missing = page.get_by_role("alert")
    expect(missing.get_by_role("heading")).to_contain_text("Not ready to sign")
    expect(missing).to_contain_text("PHQ-9 total: Required to sign.")
    expect(missing).to_contain_text("Treatment plan: A candidate needs a treatment plan.")
    _on_a_phone(page, axe, "evaluation-sign")


def test_the_chart_links_each_infusion_to_its_session_record(page: Page, site, sign_in, axe):
    nurse = _staff("nurse@example.com")
    patient = PatientFactory(first_name="Rosa", last_name="Martín")
    plan = active_plan(patient, signed_at=timezone.now() - timedelta(days=20))
    done = AppointmentFactory(
        patient=patient,
        appointment_type=_type("infusion"),
        treatment_plan=plan,
        starts_at=weekday_at(0, 10) - timedelta(days=7),
        status=AppointmentStatus.COMPLETED,
    )
    sign_in(page, nurse)
    page.goto(f"{site}/staff/patients/{patient.pk}/")

    past = page.get_by_role("region", name="Past and cancelled appointments")
    expect(past.get_by_role("link", name=re.compile(r"^Session record of "))).to_have_count(1)
    axe(page)
    past.get_by_role("link", name=re.compile(r"^Session record of ")).click()

    expect(page).to_have_url(f"{site}/staff/infusions/{done.pk}/")
    axe(page)
