"""Every template of every kind, on every channel and in every language, carries the minimum and
never names the treatment, a diagnosis or a screening value."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail

from notifications.channels import channel_deliver
from notifications.messages import message_render, sms_septets
from notifications.models import ALERT_KINDS, PATIENT_KINDS, Channel, Kind, OutboxMessage

pytestmark = pytest.mark.django_db

# In English and in Spanish (accented or not: a text message drops the accents GSM lacks).
FORBIDDEN = re.compile(
    r"ketamin|infusi[oó]n|evaluat|evaluaci[oó]n|valoraci[oó]n|psychiatr|psiqui[aá]tr|depress|depresi[oó]n|"
    r"addict|adicci[oó]n|adict[oa]|screening|cribado|tamizaje|detecci[oó]n|diagnos|diagn[oó]stic|"
    r"phq|gad-?7|c-?ssrs|madrs|ham-?d|columbia",
    re.I,
)
TEMPLATES = Path(__file__).resolve().parents[2] / "notifications" / "templates" / "notifications"
LANGUAGES = ("en", "es")


def test_no_template_in_any_language_names_the_treatment_or_a_screening():
    templates = sorted(TEMPLATES.rglob("*.txt"))

    assert {path.parent.name for path in templates} == {"notifications", "es"}
    for path in templates:
        assert not FORBIDDEN.search(path.read_text()), path


def test_every_english_template_has_its_spanish_one_and_no_other():
    english = {path.name for path in TEMPLATES.glob("*.txt")}
    spanish = {path.name for path in (TEMPLATES / "es").glob("*.txt")}

    assert spanish == english
    # Email, text message and subject of each kind to the patient and of each alert's message to a
    # clinician; email and subject of a provider's letter.
    assert len(english) == len(PATIENT_KINDS) * 3 + len(ALERT_KINDS) * 3 + 2


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PATIENT_KINDS)
@pytest.mark.parametrize("channel", list(Channel))
def test_every_message_carries_the_minimum_and_nothing_clinical(infusion_with_history, kind, channel, language):
    patient = infusion_with_history.patient
    patient.language = language
    patient.save(update_fields=["language"])
    message = OutboxMessage.objects.create(
        patient=patient,
        appointment=infusion_with_history,
        kind=kind,
        channel=channel,
        regarding_start=infusion_with_history.starts_at,
        due_at=infusion_with_history.starts_at - timedelta(days=1),
    )

    rendered = message_render(message)
    text = f"{rendered.subject}\n{rendered.body}"

    assert not FORBIDDEN.search(text), text
    for value in ("23", "17", "141", "93", "88", "recovery", "recuperación", "recuperacion", "candidate", "candidato"):
        assert not re.search(rf"\b{value}\b", text, re.I), (value, text)
    assert "Dana" in text
    assert "Harbor View Medical Suite" in text
    assert "{{" not in text
    assert "}}" not in text
    if kind not in (Kind.RESULT_READY,):
        time = {"en": "9:30 AM Pacific Time", "es": "9:30, hora del Pac"}[language]
        assert time in text
    if channel == Channel.EMAIL:
        assert rendered.subject
    else:
        septets = sms_septets(rendered.body)
        assert septets is not None, f"not GSM 03.38: {rendered.body}"
        assert septets <= 2 * 153, "two SMS segments at most"


def test_the_preparation_notice_gives_the_four_instructions_and_the_readiness_link(infusion_with_history):
    message = OutboxMessage.objects.create(
        patient=infusion_with_history.patient,
        appointment=infusion_with_history,
        kind=Kind.PREPARATION,
        channel=Channel.EMAIL,
        regarding_start=infusion_with_history.starts_at,
        due_at=infusion_with_history.starts_at - timedelta(hours=48),
    )

    body = message_render(message).body

    assert "4 hours" in body
    assert "drive you home" in body
    assert "24 hours" in body
    assert "15 minutes early" in body
    assert f"/appointments/{infusion_with_history.pk}/readiness" in body


def test_a_confirmation_email_carries_a_calendar_file_with_neutral_wording(infusion_with_history):
    message = OutboxMessage.objects.create(
        patient=infusion_with_history.patient,
        appointment=infusion_with_history,
        kind=Kind.CONFIRMATION,
        channel=Channel.EMAIL,
        regarding_start=infusion_with_history.starts_at,
        due_at=infusion_with_history.starts_at - timedelta(days=2),
    )

    channel_deliver(message, message_render(message), handover=lambda: True)

    (email,) = mail.outbox
    assert email.to == [infusion_with_history.patient.email]
    (name, content, mimetype) = email.attachments[0]
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    calendar = content.decode() if isinstance(content, bytes) else content
    assert "DTSTART:20261203T173000Z" in calendar
    assert "SUMMARY:Appointment at Harbor View Medical Suite" in calendar
    unfolded = calendar.replace("\r\n ", "")
    assert "DESCRIPTION:Thursday\\, December 3 at 9:30 AM Pacific Time. Questions or changes: +15105550142." in unfolded
    assert not FORBIDDEN.search(calendar)
