"""In Spanish: a visitor whose browser asks for Spanish books an evaluation end to end without
meeting an English sentence; the language switch turns the pages Spanish, the choice lasts, and a
signed-in patient's choice is stored on their account, so their messages come in Spanish too."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from booking.models import Appointment
from notifications.messages import message_render
from notifications.models import Channel, Kind, OutboxMessage
from scheduling.models import AppointmentType
from tests.browser.steps import (
    DAY_WITH_TIMES,
    SIGN_UP_PASSWORD,
    chosen_start,
    fill_sign_up,
    open_emailed_sign_up_link,
    spanish_label,
)
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.browser

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
SPANISH_LABELS = {
    "First name": "Nombre",
    "Last name": "Apellido",
    "Email": "Correo electrónico",
    "Date of birth": "Fecha de nacimiento",
    "Phone": "Teléfono",
    "Password": "Contraseña",
}
# Proper names a Spanish page shows as they are: the clinic's name and address, and the switch
# back to English (named in its own language).
PROPER_NAMES = ("Harbor View Medical Suite", "1200 Harbor Way, Suite 300, Oakland, CA 94607", "English")
# English a page could show without the catalogue's help: Django's own messages, dates and times.
ENGLISH_WORDS = re.compile(
    r"\b(This field is required|Enter a valid|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|June|July|August|September|October|November|December|AM|PM|Pacific Time)\b"
)


def _catalogue_entries() -> Iterator[tuple[str, str]]:
    """(msgid, msgstr) of each entry of the Spanish catalogue (plurals: each form with its msgstr)."""
    for block in CATALOGUE.read_text().split("\n\n"):
        fields: dict[str, str] = {}
        current = ""
        for line in block.splitlines():
            keyword = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if keyword:
                current = keyword.group(1)
                fields[current] = ast.literal_eval(keyword.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid") and "msgctxt" not in fields:
            yield fields["msgid"], fields.get("msgstr", fields.get("msgstr[0]", ""))
            if "msgid_plural" in fields:
                yield fields["msgid_plural"], fields.get("msgstr[1]", "")


@cache
def english_sentences() -> tuple[str, ...]:
    """The English the templates and views say in whole phrases (three words or more between
    placeholders) and that Spanish says otherwise: none of it may be left on a Spanish page."""
    phrases = set()
    for msgid, msgstr in _catalogue_entries():
        if msgstr == msgid:
            continue
        for piece in re.split(r"%\(\w+\)[sd]|\{\{.*?\}\}", msgid):
            phrase = piece.strip(" :,.")
            if len(phrase.split()) >= 3:
                phrases.add(phrase)
    return tuple(sorted(phrases, key=len, reverse=True))


def english_left_over(page: Page) -> list[str]:
    """The English sentences, dates and times the page's title and visible text still hold."""
    text = f"{page.title()}\n{page.inner_text('body')}"
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    left_over = [phrase for phrase in english_sentences() if phrase in text]
    return left_over + [match.group(0) for match in ENGLISH_WORDS.finditer(text)]


def assert_spanish(page: Page) -> None:
    """The page says it is Spanish and shows no English sentence, date or time."""
    expect(page.locator("html")).to_have_attribute("lang", "es")
    left_over = english_left_over(page)
    assert not left_over, f"{page.url} still says, in English: {left_over}"


def test_the_catalogue_gives_the_check_enough_english_to_look_for():
    sentences = english_sentences()

    assert "Choose a day, then a time. All times are" in sentences
    assert "We hold nothing until you confirm" in " ".join(sentences)
    assert len(sentences) >= 60


@pytest.fixture
def spanish_context(browser: Browser, site) -> Iterator[BrowserContext]:
    context = browser.new_context(
        locale="es-ES", timezone_id="America/Los_Angeles", extra_http_headers={"Accept-Language": "es"}
    )
    yield context
    context.close()


def spanish_and_accessible(page: Page, axe) -> None:
    assert_spanish(page)
    axe(page)


def test_a_spanish_speaking_visitor_books_an_evaluation_in_spanish(spanish_context, site, axe):
    page = spanish_context.new_page()
    page.goto(site)
    spanish_and_accessible(page, axe)

    page.get_by_role("link", name="Reservar una evaluación").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reservar: Evaluación para terapia con ketamina")
    spanish_and_accessible(page, axe)

    day = page.get_by_role("link", name=DAY_WITH_TIMES).first
    expect(day).to_have_accessible_name(re.compile(r"^\w+, \d+ de \w+: \d+ horarios? disponibles?$"))
    day.click()
    expect(page.locator("#times")).to_be_focused()
    expect(page.get_by_role("heading", name=re.compile(r"^Horarios del \w+, \d+ de \w+$"))).to_be_visible()
    spanish_and_accessible(page, axe)

    time_link = page.get_by_role("link", name=re.compile(r"a las \d+:\d\d, hora del Pacífico$")).first
    start = chosen_start(time_link)
    time_link.click()
    expect(page.get_by_role("heading", name="Revise su reserva")).to_be_visible()
    expect(page.get_by_text(spanish_label(start), exact=True)).to_be_visible()
    spanish_and_accessible(page, axe)

    page.get_by_role("link", name="Crear una cuenta").click()
    expect(page.get_by_role("heading", name="Crear una cuenta")).to_be_visible()
    spanish_and_accessible(page, axe)
    page.get_by_role("button", name="Crear cuenta").click()  # nothing filled in: the errors, in Spanish
    expect(page.get_by_role("alert")).to_contain_text("Hay un problema")
    expect(page.get_by_role("alert")).to_contain_text("Nombre: Este campo es requerido.")
    spanish_and_accessible(page, axe)
    fill_sign_up(page, email="lucia.es@example.com", labels=SPANISH_LABELS)
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.get_by_role("heading", name="Revise su correo electrónico")).to_be_visible()
    spanish_and_accessible(page, axe)

    open_emailed_sign_up_link(page, site, email="lucia.es@example.com")
    expect(page.get_by_role("heading", name="Termine de crear su cuenta")).to_be_visible()
    spanish_and_accessible(page, axe)
    page.get_by_label("Contraseña", exact=True).fill(SIGN_UP_PASSWORD)
    page.get_by_role("button", name="Confirmar mi cuenta").click()
    expect(page.get_by_role("heading", name="Revise su reserva")).to_be_visible()
    expect(page.get_by_text(spanish_label(start), exact=True)).to_be_visible()
    assert_spanish(page)
    page.get_by_role("button", name="Confirmar la reserva").click()
    expect(page.get_by_role("heading", name="Su cita está reservada")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Su cita está reservada.")
    expect(page.get_by_role("link", name="Agregar al calendario (.ics)")).to_be_visible()
    spanish_and_accessible(page, axe)

    booked = Appointment.objects.get(patient__email="lucia.es@example.com")
    assert (booked.starts_at, booked.appointment_type.code, booked.status) == (start, "evaluation", "booked")
    assert booked.patient.language == "es"


def test_the_language_switch_turns_the_pages_spanish_and_the_choice_lasts(page: Page, site, axe):
    page.goto(site)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Book an evaluation")).to_be_visible()
    # The check finds English where there is English.
    assert "In a crisis, call or text 988 (Suicide and Crisis Lifeline) or 911" in english_left_over(page)
    assert "Pacific Time" in english_left_over(page)

    page.get_by_role("button", name="Español").click()

    expect(page.get_by_role("link", name="Reservar una evaluación")).to_be_visible()
    assert_spanish(page)
    axe(page)
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Reservar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reservar: Evaluación para terapia con ketamina")
    assert_spanish(page)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book: Ketamine Therapy Evaluation")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_signed_in_patient_who_switches_to_spanish_gets_spanish_pages_and_messages(
    page: Page, site, axe, sign_in, patient_account: User, clinic
):
    appointment = AppointmentFactory(
        patient=patient_account,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("America/Los_Angeles")),
    )
    sign_in(page, patient_account)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Rosa")

    page.get_by_role("button", name="Español").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Rosa")
    assert_spanish(page)
    axe(page)
    patient_account.refresh_from_db()
    assert patient_account.language == "es"
    page.get_by_role("link", name="Reservar", exact=True).click()
    assert_spanish(page)

    reminder = OutboxMessage.objects.create(
        patient=patient_account,
        appointment=appointment,
        kind=Kind.REMINDER_24H,
        channel=Channel.EMAIL,
        regarding_start=appointment.starts_at,
        due_at=appointment.starts_at - timedelta(days=1),
    )
    rendered = message_render(OutboxMessage.objects.get(pk=reminder.pk))
    assert rendered.subject == "Recordatorio: su cita de mañana, martes, 1 de diciembre"
    assert "el martes, 1 de diciembre a las 9:00, hora del Pacífico" in rendered.body
