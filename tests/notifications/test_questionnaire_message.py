"""The "short check-in form" message: written when an infusion is booked, due when its
questionnaires open (72 hours before), neutral, in the patient's language, with the account link;
a cancelled or moved infusion's message is not sent (SPEC.md sections 5 and 10)."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail

from booking.services.appointments import appointment_cancel, appointment_reschedule
from clinical.models import Questionnaire
from clinical.services.questionnaires import questionnaire_answer
from core.roles import Role
from notifications.models import Channel, ContactPreference, Kind, OutboxMessage, Status
from notifications.services import outbox_due_ids, outbox_send
from tests.clinical.questionnaire_fixtures import BOOKED_AT, GAD7_CALM, LA, PHQ9_CALM, START, book_infusion, plan_of
from tests.factories import UserFactory
from tests.notifications.test_messages import FORBIDDEN

pytestmark = pytest.mark.django_db

OPENS = datetime(2026, 12, 4, 10, tzinfo=LA)  # START - 72 h
MOVED_TO = datetime(2026, 12, 9, 10, tzinfo=LA)
MOVED_OPENS = datetime(2026, 12, 6, 10, tzinfo=LA)
TEMPLATES = Path(__file__).resolve().parents[2] / "notifications" / "templates" / "notifications"
# Beyond the words no message may carry: nothing that says what the form is about.
NOT_NEUTRAL = re.compile(
    r"questionnaire|cuestionario|mood|[aá]nimo|anxi|ansiedad|self-harm|suicid|harm|treatment|tratamiento|"
    r"therap|terap|medic|scor|puntua|nurse|enfermer|clinician",
    re.I,
)


@pytest.fixture
def infusion(demo_clinic, patient):
    patient.first_name = "Dana"
    patient.save(update_fields=["first_name"])
    plan_of(patient)
    return book_infusion(patient, starts_at=START, now=BOOKED_AT)


def questionnaire_rows(appointment, channel=Channel.EMAIL):
    return list(
        OutboxMessage.objects.filter(appointment=appointment, kind=Kind.QUESTIONNAIRE, channel=channel)
        .order_by("id")
        .values_list("due_at", "regarding_start", "status")
    )


def send_due(now):
    return {outbox_send(message_id=message_id, now=now) for message_id in outbox_due_ids(now=now)}


def form_mails():
    return [m for m in mail.outbox if "short form" in m.subject or "breve formulario" in m.subject]


def test_the_templates_are_neutral_in_both_languages():
    paths = sorted(TEMPLATES.glob("questionnaire.*.txt")) + sorted((TEMPLATES / "es").glob("questionnaire.*.txt"))

    assert [path.name for path in paths] == [
        "questionnaire.email.txt",
        "questionnaire.sms.txt",
        "questionnaire.subject.txt",
    ] * 2
    for path in paths:
        text = path.read_text()
        assert not FORBIDDEN.search(text), path
        assert not NOT_NEUTRAL.search(text), path
        assert "{{ account_url }}" in text or path.name.endswith("subject.txt"), path


def test_booking_an_infusion_writes_the_message_due_when_the_form_opens(infusion):
    assert questionnaire_rows(infusion) == [(OPENS, START, Status.PENDING)]
    assert set(Questionnaire.objects.filter(appointment=infusion).values_list("opens_at", flat=True)) == {OPENS}


def test_it_is_sent_at_72_hours_in_english_with_the_account_link(infusion):
    with time_machine.travel(OPENS - timedelta(minutes=1), tick=False):
        send_due(OPENS - timedelta(minutes=1))  # the confirmation goes; the form's message waits
        assert form_mails() == []
        assert questionnaire_rows(infusion) == [(OPENS, START, Status.PENDING)]

    with time_machine.travel(OPENS, tick=False):
        send_due(OPENS)

    [sent] = form_mails()
    assert sent.to == [infusion.patient.email]
    assert sent.subject == "A short form to fill in before your visit on Monday, December 7"
    assert sent.body == (
        "Hello Dana,\n\n"
        "You have a short check-in form to fill in before your next visit at Harbor View Medical Suite on "
        "Monday, December 7 at 10:00 AM Pacific Time. It takes about five minutes.\n\n"
        "Please fill it in from your account: http://127.0.0.1:8000/account\n\n"
        f"{infusion.appointment_type.clinic.address}\n"
        f"Questions? Call us on {infusion.appointment_type.clinic.phone}."
    )
    assert not FORBIDDEN.search(sent.subject + sent.body)
    assert questionnaire_rows(infusion) == [(OPENS, START, Status.SENT)]


def test_a_spanish_speaking_patient_gets_it_in_spanish_also_by_text(demo_clinic, patient):
    patient.first_name, patient.language = "Dana", "es"
    patient.save(update_fields=["first_name", "language"])
    ContactPreference.objects.create(user=patient, email_enabled=True, sms_enabled=True)
    plan_of(patient)
    infusion = book_infusion(patient, starts_at=START, now=BOOKED_AT)
    sms = OutboxMessage.objects.get(appointment=infusion, kind=Kind.QUESTIONNAIRE, channel=Channel.SMS)

    with time_machine.travel(OPENS, tick=False):
        send_due(OPENS)

    [sent] = form_mails()
    assert sent.subject == "Un breve formulario antes de su cita del lunes, 7 de diciembre"
    assert sent.body.startswith(
        "Hola, Dana:\n\nTiene un breve formulario que completar antes de su próxima cita en Harbor View Medical "
        "Suite el lunes, 7 de diciembre a las 10:00, hora del Pacífico."
    )
    assert "Complételo desde su cuenta: http://127.0.0.1:8000/account" in sent.body
    sms.refresh_from_db()
    assert (sms.status, sms.due_at) == (Status.SENT, OPENS)


def test_booked_inside_the_72_hours_it_is_due_at_once(demo_clinic, patient):
    plan_of(patient)
    now = START - timedelta(hours=30)

    infusion = book_infusion(patient, starts_at=START, now=now)

    assert questionnaire_rows(infusion) == [(now, START, Status.PENDING)]


def test_a_cancelled_infusion_closes_the_form_and_its_message_is_not_sent(infusion, patient):
    cancelled_at = OPENS - timedelta(hours=5)
    appointment_cancel(actor=patient, appointment_id=infusion.pk, reason="Away.", now=cancelled_at)

    with time_machine.travel(OPENS, tick=False):
        send_due(OPENS)

    assert form_mails() == []
    assert questionnaire_rows(infusion) == [(OPENS, START, Status.CANCELLED)]
    assert set(Questionnaire.objects.filter(appointment=infusion).values_list("closed_at", flat=True)) == {cancelled_at}


def test_a_moved_infusion_sends_only_the_new_times_message(infusion):
    moved_at = BOOKED_AT + timedelta(hours=2)
    appointment_reschedule(
        actor=UserFactory(role=Role.ADMIN), appointment_id=infusion.pk, starts_at=MOVED_TO, now=moved_at
    )

    assert questionnaire_rows(infusion) == [
        (OPENS, START, Status.CANCELLED),
        (MOVED_OPENS, MOVED_TO, Status.PENDING),
    ]
    with time_machine.travel(OPENS, tick=False):
        send_due(OPENS)
    assert form_mails() == []

    with time_machine.travel(MOVED_OPENS, tick=False):
        send_due(MOVED_OPENS)
    [sent] = form_mails()
    assert "Wednesday, December 9 at 10:00 AM Pacific Time" in sent.body
    assert set(
        Questionnaire.objects.filter(appointment=infusion, closed_at__isnull=True).values_list("opens_at", flat=True)
    ) == {MOVED_OPENS}


def test_a_message_whose_forms_are_all_answered_already_is_not_sent(demo_clinic, patient):
    plan_of(patient)
    now = START - timedelta(hours=30)
    infusion = book_infusion(patient, starts_at=START, now=now)
    for kind, items in (("phq9", PHQ9_CALM), ("gad7", GAD7_CALM)):
        questionnaire = Questionnaire.objects.get(appointment=infusion, kind=kind)
        questionnaire_answer(actor=patient, questionnaire_id=questionnaire.pk, items=items, now=now)

    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        send_due(now + timedelta(minutes=1))

    assert form_mails() == []
    assert questionnaire_rows(infusion) == [(now, START, Status.CANCELLED)]
