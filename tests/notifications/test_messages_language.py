"""Messages come in the patient's stored language: Spanish wording and Spanish dates with the
clinic's zone named, English otherwise; the language is switched on only while rendering."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from accounts.services import user_set_language
from booking.models import Appointment
from notifications.channels import channel_deliver
from notifications.messages import message_render, sms_text
from notifications.models import PATIENT_KINDS, Channel, Kind, OutboxMessage
from notifications.services import outbox_send
from tests.notifications.support import BOOKED_AT, row
from tests.notifications.test_messages import FORBIDDEN

pytestmark = pytest.mark.django_db

# The infusion of ``infusion_with_history``: Thursday, December 3, 2026 at 9:30 AM Pacific Time.
WHEN_ES = "jueves, 3 de diciembre a las 9:30, hora del Pacífico"
DAY_ES = "jueves, 3 de diciembre"
# What a text message says of it: GSM 03.38 has no "í".
WHEN_ES_SMS = "jueves, 3 de diciembre a las 9:30, hora del Pacifico"
ENGLISH_LEFT_OVER = ("Hello", "Hi ", "Thursday", "December", " AM", "Pacific Time", " at ", "your ", " appointment")

SPANISH_SUBJECTS = {
    Kind.CONFIRMATION: f"Su cita del {DAY_ES} está reservada",
    Kind.REMINDER_24H: f"Recordatorio: su cita de mañana, {DAY_ES}",
    Kind.REMINDER_2H: "Le esperamos hoy a las 9:30, hora del Pacífico",
    Kind.PREPARATION: f"Cómo prepararse para su visita del {DAY_ES}",
    Kind.CANCELLATION: f"Se canceló su cita del {DAY_ES}",
    Kind.RESCHEDULE: f"Su cita cambió al {DAY_ES}",
    Kind.RESULT_READY: "Tiene un mensaje nuevo de Harbor View Medical Suite",
    Kind.WAITLIST_OFFER: f"Se abrió un horario el {DAY_ES}",
    Kind.QUESTIONNAIRE: f"Un breve formulario antes de su cita del {DAY_ES}",
}


def _message(appointment: Appointment, kind: str, channel: str) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        patient=appointment.patient,
        appointment=appointment,
        kind=kind,
        channel=channel,
        regarding_start=appointment.starts_at,
        due_at=appointment.starts_at - timedelta(days=1),
    )
    return OutboxMessage.objects.select_related("patient").get(pk=message.pk)


@pytest.fixture
def spanish_infusion(infusion_with_history):
    user_set_language(user_id=infusion_with_history.patient.pk, language="es")
    return infusion_with_history


@time_machine.travel("2026-12-02T09:30:00-08:00", tick=False)
@pytest.mark.parametrize("kind", PATIENT_KINDS)
def test_each_email_in_spanish_gives_the_spanish_date_and_zone(spanish_infusion, kind):
    rendered = message_render(_message(spanish_infusion, kind, Channel.EMAIL))

    assert rendered.subject == SPANISH_SUBJECTS[kind]
    assert rendered.body.startswith("Hola, Dana:\n\n")
    if kind == Kind.REMINDER_2H:
        assert "hoy a las 9:30, hora del Pacífico, en Harbor View Medical Suite" in rendered.body
    elif kind != Kind.RESULT_READY:
        assert WHEN_ES in rendered.body
    for english in ENGLISH_LEFT_OVER:
        assert english not in f"{rendered.subject}\n{rendered.body}", english
    assert not FORBIDDEN.search(f"{rendered.subject}\n{rendered.body}")


@time_machine.travel("2026-12-02T09:30:00-08:00", tick=False)
@pytest.mark.parametrize("kind", PATIENT_KINDS)
def test_each_text_message_in_spanish_gives_the_spanish_date_in_gsm_characters(spanish_infusion, kind):
    rendered = message_render(_message(spanish_infusion, kind, Channel.SMS))

    assert rendered.subject == ""
    assert rendered.body.startswith("Harbor View Medical Suite: Hola, Dana. ")
    if kind == Kind.REMINDER_2H:
        assert "hoy a las 9:30, hora del Pacifico, en 1200 Harbor Way" in rendered.body
    elif kind != Kind.RESULT_READY:
        assert WHEN_ES_SMS in rendered.body
    for english in ENGLISH_LEFT_OVER:
        assert english not in rendered.body, english


@time_machine.travel("2026-12-01T09:30:00-08:00", tick=False)
def test_a_spanish_confirmation_reads_in_full(spanish_infusion):
    appointment = spanish_infusion
    email = message_render(_message(appointment, Kind.CONFIRMATION, Channel.EMAIL))
    sms = message_render(_message(appointment, Kind.CONFIRMATION, Channel.SMS))

    manage_url = f"http://127.0.0.1:8000/appointments/{appointment.pk}"
    assert email.body == (
        "Hola, Dana:\n\n"
        f"Su cita en Harbor View Medical Suite está reservada para el {WHEN_ES}.\n\n"
        "Harbor View Medical Suite\n"
        "1200 Harbor Way, Suite 300, Oakland, CA 94607\n"
        "+15105550142\n\n"
        f"Para ver o cambiar su cita: {manage_url}\n"
        "Con el archivo de calendario adjunto puede agregarla a su calendario."
    )
    assert sms.body == (
        f"Harbor View Medical Suite: Hola, Dana. Su cita esta reservada para el {WHEN_ES_SMS}. "
        f"Detalles: {manage_url} Preguntas: +15105550142"
    )


@time_machine.travel("2026-12-01T09:30:00-08:00", tick=False)
def test_english_keeps_its_wording_and_names_the_zone(infusion_with_history):
    appointment = infusion_with_history
    assert appointment.patient.language == "en"

    email = message_render(_message(appointment, Kind.CONFIRMATION, Channel.EMAIL))

    assert email.subject == "Your appointment on Thursday, December 3 is booked"
    assert email.body == (
        "Hello Dana,\n\n"
        "Your appointment at Harbor View Medical Suite is booked for Thursday, December 3 at 9:30 AM Pacific Time.\n\n"
        "Harbor View Medical Suite\n"
        "1200 Harbor Way, Suite 300, Oakland, CA 94607\n"
        "+15105550142\n\n"
        f"See or change your appointment: http://127.0.0.1:8000/appointments/{appointment.pk}\n"
        "The calendar file attached adds it to your calendar."
    )


def test_the_language_is_the_one_stored_on_the_patient_when_the_message_is_rendered(infusion_with_history):
    message = _message(infusion_with_history, Kind.REMINDER_24H, Channel.EMAIL)
    patient_id = infusion_with_history.patient.pk

    user_set_language(user_id=patient_id, language="es")
    spanish = message_render(OutboxMessage.objects.get(pk=message.pk))
    user_set_language(user_id=patient_id, language="en")
    english = message_render(OutboxMessage.objects.get(pk=message.pk))

    assert spanish.subject == f"Recordatorio: su cita de mañana, {DAY_ES}"
    assert english.subject == "Reminder: your appointment tomorrow, Thursday, December 3"


@pytest.mark.parametrize(("page_language", "patient_language"), [("en", "es"), ("es", "en")])
def test_the_language_never_leaks_to_the_caller(infusion_with_history, page_language, patient_language):
    user_set_language(user_id=infusion_with_history.patient.pk, language=patient_language)
    message = _message(infusion_with_history, Kind.CONFIRMATION, Channel.EMAIL)

    with translation.override(page_language):
        rendered = message_render(message)
        channel_deliver(message, rendered, handover=lambda: True)
        assert translation.get_language() == page_language

    greeting = {"en": "Hello Dana,", "es": "Hola, Dana:"}[patient_language]
    assert rendered.body.startswith(greeting)


def test_a_language_without_templates_gets_the_whole_message_in_english(infusion_with_history, settings):
    settings.LANGUAGES = [*settings.LANGUAGES, ("fr", "Français")]
    patient = infusion_with_history.patient
    type(patient).objects.filter(pk=patient.pk).update(language="fr")

    rendered = message_render(_message(infusion_with_history, Kind.CONFIRMATION, Channel.EMAIL))

    assert rendered.subject == "Your appointment on Thursday, December 3 is booked"
    assert "Thursday, December 3 at 9:30 AM Pacific Time" in rendered.body


def test_a_spanish_confirmation_email_carries_a_spanish_calendar_file(spanish_infusion):
    message = _message(spanish_infusion, Kind.CONFIRMATION, Channel.EMAIL)

    channel_deliver(message, message_render(message), handover=lambda: True)

    (email,) = mail.outbox
    assert email.subject == SPANISH_SUBJECTS[Kind.CONFIRMATION]
    (name, content, mimetype) = email.attachments[0]
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    calendar = (content.decode() if isinstance(content, bytes) else content).replace("\r\n ", "")
    assert "DTSTART:20261203T173000Z" in calendar
    assert "SUMMARY:Cita en Harbor View Medical Suite" in calendar
    description = (
        "DESCRIPTION:jueves\\, 3 de diciembre a las 9:30\\, hora del Pacífico. Preguntas o cambios: +15105550142."
    )
    assert description in calendar
    assert not FORBIDDEN.search(calendar)


@time_machine.travel(BOOKED_AT, tick=False)
def test_a_booking_of_a_spanish_speaking_patient_sends_the_confirmation_in_spanish(appointment):
    user_set_language(user_id=appointment.patient.pk, language="es")

    assert outbox_send(message_id=row(appointment, Kind.CONFIRMATION).pk, now=BOOKED_AT) == "sent"

    (email,) = mail.outbox
    assert email.subject == "Su cita del viernes, 4 de diciembre está reservada"
    assert "viernes, 4 de diciembre a las 10:00, hora del Pacífico" in email.body
    assert translation.get_language() == "en"


def test_a_text_message_keeps_to_gsm_characters_where_it_can():
    spanish = sms_text("Pacífico, miércoles, ¿mañana? ¡Sí! Güero, Ñandú")
    assert spanish == "Pacifico, miércoles, ¿mañana? ¡Si! Güero, Ñandu"
    assert sms_text("It\u2019s \u201cfine\u201d \u2013 really\u2026") == 'It\'s "fine" - really...'
    assert sms_text("Zoë 🙂 李") == "Zoe 🙂 李"
