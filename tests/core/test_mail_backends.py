"""Messages in development: the demo mailbox keeps them; without it they are logged at DEBUG only
(a body carries names and links); a Celery worker's stray output is DEBUG too."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, send_mail

from core.dev_mailbox import EMAIL, SMS, mailbox_messages
from notifications.sms import MailboxSmsBackend


def test_without_the_mailbox_an_email_is_logged_at_debug_and_nowhere_above(settings, caplog):
    settings.EMAIL_BACKEND = "core.mail_backends.DebugLogEmailBackend"
    caplog.set_level(logging.DEBUG)

    send_mail("Finish creating your account", "Open http://127.0.0.1:8000/x/", None, ["robin@example.com"])

    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            "core.mail_backends",
            logging.DEBUG,
            "email to robin@example.com: Finish creating your account\nOpen http://127.0.0.1:8000/x/",
        )
    ]


def test_a_workers_stray_output_is_logged_at_debug():
    assert settings.CELERY_WORKER_REDIRECT_STDOUTS_LEVEL == "DEBUG"


def test_the_mailbox_keeps_an_email_with_its_message_id_and_attachment_names(settings, tmp_path):
    settings.DEV_MAILBOX_DIR = str(tmp_path)
    settings.EMAIL_BACKEND = "core.mail_backends.MailboxEmailBackend"
    email = EmailMessage("Confirmed", "See you.", to=["a@example.com"], headers={"Message-ID": "<outbox-7@clinic>"})
    email.attach("appointment.ics", b"BEGIN:VCALENDAR", "text/calendar")

    assert email.send() == 1

    (kept,) = mailbox_messages(folder=tmp_path)
    assert (kept.channel, kept.to, kept.subject, kept.body, kept.message_id, kept.attachments) == (
        EMAIL,
        ("a@example.com",),
        "Confirmed",
        "See you.",
        "<outbox-7@clinic>",
        ("appointment.ics",),
    )


def test_the_mailbox_keeps_a_text_message_only_once_handed_over(settings, tmp_path):
    settings.DEV_MAILBOX_DIR = str(tmp_path)
    backend = MailboxSmsBackend()

    refused = backend.send(to="+14155550123", body="Not this one", handover=lambda: False)
    provider_id = backend.send(to="+14155550123", body="Reply YES", handover=lambda: True)

    assert refused is None
    (kept,) = mailbox_messages(folder=tmp_path)
    assert (kept.channel, kept.to, kept.body, kept.message_id) == (SMS, ("+14155550123",), "Reply YES", provider_id)
