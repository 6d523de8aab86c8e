"""A patient answers their check-in before an infusion on /account/, on a phone (320 px) with the
mouse and the keyboard, and in Spanish. An answer above 0 to the PHQ-9's item 9 reaches the care
team: the nurse's day board shows the alert, the infusion does not start, a clinician acknowledges
the answer on their home page with a note, and then it starts. Every page visited passes axe.

The live server runs in this process: the clock travels (forward only) to a weekday morning in
clinic hours, so the infusion is on today's board and the staff are on duty."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from accounts.models import User
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.models import Alert, AlertKind, Questionnaire
from clinical.services.infusions import infusion_record_update, infusion_vitals_record
from core.roles import Role
from tests.browser.conftest import assert_no_sideways_scroll
from tests.browser.steps import tab_to
from tests.browser.test_spanish import assert_spanish
from tests.clinical.plans import active_plan
from tests.clinical.questionnaire_fixtures import book_infusion
from tests.clinical.regulated_fixtures import consented
from tests.factories import UserFactory
from tests.web.clock import weekday_at

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 320, "height": 740}


@pytest.fixture
def morning(clinic) -> Iterator[datetime]:
    """8:45 Pacific Time on the next weekday, the clock running from there."""
    moment = weekday_at(1, 8, 45)
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def infusion(morning, patient_account) -> Appointment:
    """An infusion at 9:30 booked through booking's service: its PHQ-9 and GAD-7 are open."""
    active_plan(patient_account, signed_at=morning - timedelta(days=7))
    return book_infusion(patient_account, starts_at=morning + timedelta(minutes=45), now=morning)


def _context(browser: Browser, *, language: str = "en", viewport: ViewportSize | None = None) -> BrowserContext:
    return browser.new_context(
        locale="es-ES" if language == "es" else "en-US",
        timezone_id="America/Los_Angeles",
        viewport=viewport or {"width": 1280, "height": 900},
        extra_http_headers={"Accept-Language": language},
    )


@pytest.fixture
def nurse(transactional_db) -> User:
    return UserFactory(role=Role.NURSE, first_name="Nora", last_name="Quinn")


@pytest.fixture
def clinician(transactional_db) -> User:
    return UserFactory(role=Role.CLINICIAN, first_name="Cyrus", last_name="Vale")


def _group(page: Page, number: int) -> Locator:
    return page.get_by_role("group", name=re.compile(rf"^{number}\. "))


def _answer_with_mouse_and_keyboard(phone: Page, axe) -> None:
    """Items 1 to 8 with the mouse (a tap on the answer's words), item 9 with the keyboard: Tab
    into its group, the arrow key moves to "Several days"; then Tab to "Continue" and Enter."""
    for number, answer in enumerate(["Several days", "More than half the days", "Several days", "Nearly every day"]):
        _group(phone, number + 1).get_by_text(answer, exact=True).click()
    for number in range(5, 9):
        _group(phone, number).get_by_text("Not at all", exact=True).click()
    phone.keyboard.press("Tab")
    expect(_group(phone, 9).get_by_label("Not at all")).to_be_focused()
    phone.keyboard.press("ArrowDown")
    expect(_group(phone, 9).get_by_label("Several days")).to_be_checked()
    tab_to(phone, "Continue")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(phone.get_by_text("Nothing is sent until you choose “Send answers”.")).to_be_visible()
    axe(phone)
    assert_no_sideways_scroll(phone)


def _patient_sends_a_self_harm_answer(phone: Page, axe, patient: User, phq9: Questionnaire) -> None:
    expect(phone.get_by_role("heading", name="Check-ins before your sessions")).to_be_visible()
    axe(phone)
    assert_no_sideways_scroll(phone)
    phone.get_by_role("link", name="Answer How you have been feeling").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("How you have been feeling")
    expect(phone).to_have_title(re.compile(r"^Your check-in ·"))
    axe(phone)
    assert_no_sideways_scroll(phone)
    _answer_with_mouse_and_keyboard(phone, axe)
    phq9.refresh_from_db()
    assert phq9.answered_at is None  # nothing is sent before "Send answers"
    phone.get_by_role("button", name="Send answers").click()

    expect(phone.get_by_role("status")).to_have_text("Thank you. Your answers are sent to your care team.")
    expect(phone.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    expect(phone.get_by_text(re.compile("^A member of your care team will contact you soon"))).to_be_visible()
    expect(phone.get_by_text("In a crisis, call or text 988 (Suicide and Crisis Lifeline) or 911.")).to_be_visible()
    expect(phone.get_by_text("Your total is 8 out of 27, in the mild range.")).to_be_visible()
    axe(phone)
    assert_no_sideways_scroll(phone)
    phq9.refresh_from_db()
    assert (phq9.items, phq9.total, phq9.answered_by, phq9.on_behalf) == (
        [1, 2, 1, 3, 0, 0, 0, 0, 1],
        8,
        patient,
        False,
    )


def _nurse_is_refused_the_start(board: Page, site: str, axe, patient: User) -> None:
    board.goto(f"{site}/staff/day/")
    row = board.locator("tr", has_text=patient.full_name)
    expect(row.get_by_text("Self-harm answer — clinician review")).to_be_visible()
    axe(board)
    row.get_by_role("link", name=re.compile("^Open session record")).click()
    board.get_by_role("button", name="Start", exact=True).click()
    expect(board.get_by_role("alert")).to_contain_text(
        "A clinician has not yet acknowledged the patient's self-harm answer."
    )
    axe(board)


def _clinician_acknowledges(page: Page, site: str, axe, patient: User) -> None:
    page.goto(f"{site}/staff/")
    queue = page.get_by_role("region", name="Alerts to review")
    expect(queue.get_by_text(patient.full_name, exact=True)).to_be_visible()
    axe(page)
    queue.get_by_label("Note").fill("Called the patient: safe, plan agreed for today's session.")
    queue.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(page.get_by_text("No alert is waiting for review.")).to_be_visible()
    axe(page)


def test_a_patient_answers_on_a_phone_and_a_self_harm_answer_holds_the_start_until_a_clinician_acknowledges_it(
    browser: Browser, site, sign_in, axe, patient_account, infusion, nurse, clinician
):
    phq9 = Questionnaire.objects.get(appointment=infusion, kind="phq9")
    phone = _context(browser, viewport=PHONE).new_page()
    sign_in(phone, patient_account)
    _patient_sends_a_self_harm_answer(phone, axe, patient_account, phq9)
    alert = Alert.objects.get(kind=AlertKind.SELF_HARM)
    assert (alert.questionnaire, alert.appointment, alert.resolved_at) == (phq9, infusion, None)
    # The other form of the same visit is one click on: no self-harm question in it.
    phone.get_by_role("link", name="Answer the next check-in").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Worry and nerves")
    for number in range(1, 8):
        _group(phone, number).get_by_text("Several days", exact=True).click()
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("button", name="Send answers").click()
    expect(phone.get_by_text("Your total is 7 out of 21, in the mild range.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Thank you for telling us")).to_have_count(0)
    axe(phone)

    # The nurse checks the patient in, records readiness and a baseline: only the answer holds the start.
    appointment_transition(actor=nurse, appointment_id=infusion.pk, action=AppointmentEvent.Action.CHECKED_IN)
    Appointment.objects.filter(pk=infusion.pk).update(driver_arranged=True, fasting_acknowledged=True)
    infusion_record_update(
        actor=nurse,
        appointment_id=infusion.pk,
        changes={"weight_kg": Decimal("70.0"), "medications_review": "no_change"},
    )
    infusion_vitals_record(actor=nurse, appointment_id=infusion.pk, systolic=124, diastolic=78, heart_rate=72, spo2=98)
    consented(patient_account, at=infusion.starts_at - timedelta(days=1))  # the treatment consent on file
    board = _context(browser).new_page()
    sign_in(board, nurse)
    _nurse_is_refused_the_start(board, site, axe, patient_account)
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.CHECKED_IN

    clinician_page = _context(browser).new_page()
    sign_in(clinician_page, clinician)
    _clinician_acknowledges(clinician_page, site, axe, patient_account)
    alert.refresh_from_db()
    assert (alert.resolved_by, alert.note) == (clinician, "Called the patient: safe, plan agreed for today's session.")

    board.goto(f"{site}/staff/day/")
    row = board.locator("tr", has_text=patient_account.full_name)
    expect(row.get_by_text("Forms answered")).to_be_visible()
    expect(row.get_by_text("Self-harm answer — clinician review")).to_have_count(0)
    row.get_by_role("link", name=re.compile("^Open session record")).click()
    board.get_by_role("button", name="Start", exact=True).click()
    expect(board.get_by_role("button", name="Start", exact=True)).to_have_count(0)
    expect(board.get_by_role("alert")).to_have_count(0)
    axe(board)
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.IN_PROGRESS

    # The patient never reads the clinician's note.
    phone.goto(f"{site}/account/questionnaires/{phq9.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("How you have been feeling")
    assert "plan agreed" not in phone.content()
    axe(phone)


def test_a_spanish_speaking_patient_answers_in_spanish(browser: Browser, site, axe, patient_account, infusion):
    patient_account.language = "es"
    patient_account.save(update_fields=["language"])
    gad7 = Questionnaire.objects.get(appointment=infusion, kind="gad7")
    page = _context(browser, language="es", viewport=PHONE).new_page()
    page.goto(f"{site}/signin/")
    page.get_by_label("Correo electrónico").fill(patient_account.email)
    page.get_by_label("Contraseña").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name="Cuestionarios antes de sus sesiones")).to_be_visible()
    assert_spanish(page)
    axe(page)

    page.get_by_role("link", name="Responder Nervios y preocupación").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nervios y preocupación")
    assert_spanish(page)
    page.get_by_role("button", name="Continuar").click()  # nothing chosen yet
    expect(page.get_by_role("alert")).to_contain_text("Elija una respuesta para la pregunta 1.")
    assert_spanish(page)
    axe(page)
    for number in range(1, 8):
        _group(page, number).get_by_text("Varios días" if number % 2 else "Ningún día", exact=True).click()
    page.get_by_role("button", name="Continuar").click()

    expect(page.get_by_role("heading", name="Revise sus respuestas")).to_be_visible()
    assert_spanish(page)
    axe(page)
    page.get_by_role("button", name="Enviar respuestas").click()

    expect(page.get_by_role("status")).to_have_text("Gracias. Sus respuestas se enviaron a su equipo de atención.")
    expect(page.get_by_text("Su total es 4 de 21, en el rango más bajo.")).to_be_visible()
    expect(page.get_by_role("heading", name="Gracias por contárnoslo")).to_have_count(0)
    assert_spanish(page)
    axe(page)
    assert_no_sideways_scroll(page)
    gad7.refresh_from_db()
    assert (gad7.items, gad7.total) == ([1, 0, 1, 0, 1, 0, 1], 4)
    assert not Alert.objects.exists()
