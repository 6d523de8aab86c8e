"""What a person does on the pages, written once for the browser tests."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from django.core import mail
from playwright.sync_api import Locator, Page

from accounts.models import User
from accounts.services.second_factor import second_factor_required
from tests.accounts.otp import secret_code, totp_code

SIGN_UP_PASSWORD = "quiet-harbor-lantern-42"  # what fill_sign_up chooses; the link's page asks for it again
DAY_WITH_TIMES = re.compile(r"\d+ (times|time) available|\d+ (horarios|horario) disponibles?")


def pass_second_factor(page: Page, user: User) -> None:
    """After the password: staff (and patients who turned it on) type the code of their app, or on
    a first sign-in add the account to the app from the secret shown, confirm, and keep the
    recovery codes. The code is computed as an authenticator app would (tests/accounts/otp.py)."""
    if not second_factor_required(user=user):
        return
    page.wait_for_url(re.compile(r"/signin/(code|enrol)/"))
    if "/signin/enrol/" in page.url:
        secret = page.get_by_label("Secret key").input_value()
        page.get_by_label("Code", exact=True).fill(secret_code(secret))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="I have kept them: continue").click()
        return
    page.get_by_label("Code", exact=True).fill(totp_code(user))
    page.get_by_role("button", name="Continue").click()


def chosen_start(time_link: Locator) -> datetime:
    """The instant a time link books (from its review address)."""
    href = time_link.get_attribute("href") or ""
    return datetime.fromisoformat(parse_qs(urlparse(href).query)["start"][0])


def tab_to(page: Page, name: str | re.Pattern[str], *, presses: int = 200) -> None:
    """Move focus with the Tab key alone until the focused element's name matches ``name``."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; if (!e) return '';"
            " const id = e.getAttribute('aria-labelledby');"
            " const label = e.labels && e.labels.length ? e.labels[0].innerText : '';"
            " return e.getAttribute('aria-label') || label || (id ? document.getElementById(id).innerText : '')"
            " || e.innerText || e.value || ''; }"
        )
        text = " ".join(str(focused).split())
        if name.search(text) if isinstance(name, re.Pattern) else name == text:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def fill_sign_up(page: Page, *, email: str, labels: dict[str, str] | None = None) -> None:
    names = labels or {
        "First name": "First name",
        "Last name": "Last name",
        "Email": "Email",
        "Date of birth": "Date of birth",
        "Phone": "Phone",
        "Password": "Password",
    }
    page.get_by_label(names["First name"], exact=True).fill("Lucía")
    page.get_by_label(names["Last name"], exact=True).fill("Núñez")
    page.get_by_label(names["Email"], exact=True).fill(email)
    page.get_by_label(names["Date of birth"], exact=True).fill("1986-04-12")
    page.get_by_label(names["Phone"], exact=True).fill("(415) 555-0142")
    page.get_by_label(names["Password"], exact=True).fill(SIGN_UP_PASSWORD)


def open_emailed_sign_up_link(page: Page, site: str, *, email: str) -> None:
    """Open the link that finishes an account, as its owner would from their inbox (its page
    then asks for the password chosen at the sign-up and a button press): the live server runs in
    the test's process, so the in-memory outbox it sends to is this one."""
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    found = re.search(r"/signup/confirm/[^/\s]+/", str(message.body))
    assert found is not None, message.body
    page.goto(site + found.group(0))


def pacific_label(instant: datetime) -> str:
    """How the pages name an instant: "Monday, November 30, 2026 at 9:00 AM Pacific Time"."""
    local = instant.astimezone(ZoneInfo("America/Los_Angeles"))
    clock = f"{int(local.strftime('%I'))}:{local:%M %p}"
    return f"{local:%A, %B} {local.day}, {local.year} at {clock} Pacific Time"


SPANISH_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
SPANISH_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def spanish_label(instant: datetime) -> str:
    """How a Spanish page names an instant: "lunes, 30 de noviembre de 2026 a las 9:00, hora del Pacífico"."""
    local = instant.astimezone(ZoneInfo("America/Los_Angeles"))
    day = f"{SPANISH_WEEKDAYS[local.weekday()]}, {local.day} de {SPANISH_MONTHS[local.month - 1]} de {local.year}"
    return f"{day} a las {local.hour}:{local:%M}, hora del Pacífico"
