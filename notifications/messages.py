"""What a message says: the minimum (first name, local date and time, the neutral clinic name,
address, phone and links). Never the treatment, a diagnosis or a screening value: the templates
receive nothing that could carry them (no appointment type, no evaluation).

Each message is written in the patient's stored language (``User.language``): the templates of
that language (``templates/notifications/<language>/``; English at the top level), dates and
times in that language with the clinic's zone named. The language is switched on only while the
message is rendered (``translation.override``), so the caller's language never changes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, Engine
from django.utils import dateformat, translation
from django.utils.translation import gettext, pgettext

from notifications.models import ALERT_KINDS, Channel, Kind, OutboxMessage

TEMPLATES = Path(__file__).parent / "templates" / "notifications"

# Plain text, so no HTML escaping: "O'Brien" stays "O'Brien".
_ENGINE = Engine(dirs=[str(TEMPLATES)], autoescape=False)

# The zones a clinic may be in, named in words (translated through the catalogue).
ZONE_NAMES = {"America/Los_Angeles": "Pacific Time"}


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


@cache
def _template_languages() -> frozenset[str]:
    """The languages with their own message templates (English is the top level)."""
    return frozenset(path.name for path in TEMPLATES.iterdir() if path.is_dir())


def message_language(message: OutboxMessage) -> str:
    """The language the message is written in: the patient's stored language when the product
    offers it and it has message templates; otherwise the default (English), wording and dates alike."""
    language = getattr(message.patient, "language", "") or settings.LANGUAGE_CODE
    if language in dict(settings.LANGUAGES) and language in _template_languages():
        return language
    return settings.LANGUAGE_CODE


def _template_name(language: str, name: str) -> str:
    """The language's own template (English, the default, is the top level)."""
    return f"{language}/{name}" if language in _template_languages() else name


def _zone_name(zone: ZoneInfo) -> str:
    english = ZONE_NAMES.get(str(zone))
    return gettext(english) if english else str(zone)


def _day(day: date) -> str:
    """ "Thursday, December 3" / "jueves, 3 de diciembre" (the active language)."""
    return dateformat.format(day, pgettext("date format: weekday, month and day", "l, F j"))


def _clock(local: datetime) -> str:
    """ "9:30 AM" / "9:30" (the active language)."""
    return dateformat.format(local, pgettext("time format: hour and minute", "g:i A"))


def _context(message: OutboxMessage) -> dict[str, Any]:
    """The template's values, in the active language."""
    appointment = message.appointment
    assert appointment is not None
    clinic = appointment.appointment_type.clinic
    local = (message.regarding_start or appointment.starts_at).astimezone(clinic.zone)
    site = settings.SITE_URL.rstrip("/")
    zone = _zone_name(clinic.zone)
    return {
        "first_name": message.patient.first_name,
        # "Thursday, December 3 at 9:30 AM Pacific Time" / "jueves, 3 de diciembre a las 9:30, hora del Pacífico"
        "when": gettext("%(day)s at %(time)s %(zone)s")
        % {"day": _day(local.date()), "time": _clock(local), "zone": zone},
        "when_date": _day(local.date()),
        "when_time": _clock(local),
        "zone": zone,
        "clinic_name": clinic.name,
        "clinic_address": clinic.address,
        "clinic_phone": clinic.phone,
        "manage_url": f"{site}/appointments/{appointment.pk}",
        "readiness_url": f"{site}/appointments/{appointment.pk}/readiness",
        "booking_url": f"{site}/book",
        "account_url": f"{site}/account",
    }


def _letter_context(message: OutboxMessage) -> dict[str, Any]:
    """A letter's email names the clinic only: never the patient, nor anything of the record."""
    appointment = message.appointment
    assert appointment is not None
    clinic = appointment.appointment_type.clinic
    return {"clinic_name": clinic.name, "clinic_address": clinic.address, "clinic_phone": clinic.phone}


def _alert_context(message: OutboxMessage) -> dict[str, Any]:
    """A clinician's alert message: a link to the staff pages, and nothing of the patient."""
    return {"staff_url": f"{settings.SITE_URL.rstrip('/')}/staff/"}


def _context_of(message: OutboxMessage) -> dict[str, Any]:
    if message.kind in ALERT_KINDS:
        return _alert_context(message)
    if message.kind == Kind.PROVIDER_LETTER:
        return _letter_context(message)
    return _context(message)


def message_context(message: OutboxMessage) -> dict[str, Any]:
    """The template's values, in the patient's language."""
    with translation.override(message_language(message)):
        return _context_of(message)


def _render(language: str, name: str, context: Context) -> str:
    return _ENGINE.get_template(_template_name(language, name)).render(context).strip()


def message_render(message: OutboxMessage) -> RenderedMessage:
    language = message_language(message)
    with translation.override(language):
        context = Context(_context_of(message))
        body_text = _render(language, f"{message.kind}.{message.channel}.txt", context)
        subject = _render(language, f"{message.kind}.subject.txt", context) if message.channel == Channel.EMAIL else ""
    if message.channel == Channel.SMS:
        body_text = sms_text(body_text)
    return RenderedMessage(subject=subject, body=body_text)


# GSM 03.38: the characters a text message carries at 160 a segment (7 bits each). Any other
# character makes the whole message UCS-2, at 70 a segment.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")  # two septets each
# Typographic quotes, dashes, ellipsis and no-break space, as plain ASCII.
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


def sms_text(text: str) -> str:
    """A text message kept to GSM 03.38 where it can be: an accented letter outside it loses its
    accent ("Pacífico" -> "Pacifico"; "é", "ñ", "ü", "¿", "¡" stay), typographic punctuation becomes
    plain. A character with no GSM form (another script, an emoji) is kept as it is."""
    out = []
    for char in text.translate(_PUNCTUATION):
        if char in GSM_BASIC or char in GSM_EXTENDED:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        out.append(base if base and all(c in GSM_BASIC for c in base) else char)
    return "".join(out)


def sms_septets(text: str) -> int | None:
    """The length of a GSM 03.38 message in septets; None when it needs UCS-2."""
    if any(c not in GSM_BASIC and c not in GSM_EXTENDED for c in text):
        return None
    return sum(2 if c in GSM_EXTENDED else 1 for c in text)
