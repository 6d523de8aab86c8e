"""A patient reads the letters the clinic sent their referring doctor, on a phone (320 px): from
/account/ they follow the link to their letters, see the letter (after what, the day, to whom) and
download its PDF, the one the doctor received. In Spanish for a Spanish-speaking patient. axe runs
on every page visited; nothing scrolls sideways."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from clinical.services.letters import letter_write
from core.roles import Role
from tests.browser.conftest import assert_no_sideways_scroll, follow_link
from tests.clinical.letter_fixtures import evaluation_with_provider
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = pytest.mark.browser

# What the patient reads, in each language: the link on /account/, the page's heading, the kind of
# letter and the name of its download link.
WORDS = {
    "en": ("Email", "Password", "See the letters to your doctor", "Letters to your doctor",
           "Letter after your evaluation", "Download PDF"),
    "es": ("Correo electrónico", "Contraseña", "Ver las cartas a su médico", "Cartas a su médico",
           "Carta después de su evaluación", "Descargar PDF"),
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_patient_finds_the_letter_to_their_doctor_on_a_phone(browser: Browser, site, axe, language):
    email_label, password_label, link_name, heading, kind, download_name = WORDS[language]
    patient = PatientFactory(first_name="Rosa", last_name="Martínez", language=language)
    evaluation = evaluation_with_provider(patient, signed_at=timezone.now() - timedelta(days=2))
    letter = letter_write(
        actor=UserFactory(role=Role.CLINICIAN),
        evaluation_id=evaluation.pk,
        kind="evaluation",
        recommendations="Continue sertraline 100 mg.",
    )
    context = browser.new_context(
        locale="es-ES" if language == "es" else "en-US", timezone_id="America/Los_Angeles",
        viewport={"width": 320, "height": 740}, extra_http_headers={"Accept-Language": language},
    )  # fmt: skip
    phone = context.new_page()
    phone.goto(f"{site}/signin/")
    phone.get_by_label(email_label).fill(patient.email)
    phone.get_by_label(password_label).fill(TEST_PASSWORD)
    phone.keyboard.press("Enter")
    phone.wait_for_url(f"{site}/account/")
    expect(phone.get_by_role("heading", name=heading)).to_be_visible()
    axe(phone)
    assert_no_sideways_scroll(phone)

    follow_link(phone, phone.get_by_role("link", name=link_name))
    expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
    expect(phone.get_by_text(kind, exact=True)).to_be_visible()
    expect(phone.get_by_text("Dr. Ngozi Okafor")).to_be_visible()
    axe(phone)
    assert_no_sideways_scroll(phone)

    with phone.expect_download() as download:
        phone.get_by_role("link", name=re.compile(f"^{download_name}")).click()
    assert Path(download.value.path()).read_bytes() == bytes(letter.pdf)
    context.close()
