"""Rosa signs the treatment consent in Spanish on a phone (320 px), with the keyboard alone: the
consent reads in Spanish, a signature without "Acepto" is refused beside its box and writes
nothing, the signed consent shows on /account/ with its PDF. Every page visited passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from clinical.models import PatientConsent
from tests.browser.conftest import assert_no_sideways_scroll
from tests.browser.steps import tab_to
from tests.clinical.regulated_fixtures import consent_document
from tests.factories import TEST_PASSWORD, PatientFactory

pytestmark = pytest.mark.browser


def test_rosa_signs_the_consent_in_spanish_on_a_phone_with_the_keyboard(browser: Browser, site, axe):
    consent_document(version=1)
    rosa = PatientFactory(first_name="Rosa", last_name="Martínez", language="es")
    context = browser.new_context(
        locale="es-ES", timezone_id="America/Los_Angeles", viewport={"width": 320, "height": 740},
        extra_http_headers={"Accept-Language": "es"},
    )  # fmt: skip
    phone = context.new_page()
    phone.goto(f"{site}/signin/")
    phone.get_by_label("Correo electrónico").fill(rosa.email)
    phone.get_by_label("Contraseña").fill(TEST_PASSWORD)
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Consentimiento para el tratamiento")).to_be_visible()
    axe(phone)
    assert_no_sideways_scroll(phone)

    tab_to(phone, "Leer y firmar el consentimiento")
    phone.keyboard.press("Enter")
    expect(phone.get_by_text("Entiendo el tratamiento, sus riesgos y sus alternativas.")).to_be_visible()
    axe(phone)
    assert_no_sideways_scroll(phone)

    tab_to(phone, "Su nombre completo")
    phone.keyboard.type("Rosa Martínez")
    tab_to(phone, "Firmar el consentimiento")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("alert")).to_contain_text("Marque «Acepto» para firmar.")
    assert PatientConsent.objects.count() == 0
    axe(phone)

    tab_to(phone, "Acepto")
    phone.keyboard.press("Space")
    tab_to(phone, "Firmar el consentimiento")
    phone.keyboard.press("Enter")
    expect(phone.get_by_text("Gracias. Su consentimiento está firmado.")).to_be_visible()
    expect(phone.get_by_role("link", name="Descargar la versión 1 (PDF)")).to_be_visible()
    axe(phone)
    assert_no_sideways_scroll(phone)
    consent = PatientConsent.objects.get(patient=rosa)
    assert (consent.language, consent.method, consent.typed_name) == ("es", "online", "Rosa Martínez")
