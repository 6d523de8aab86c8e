"""The demo mailbox of `make run` (/dev/mail/): every email and text message, newest first, links
clickable; the "check your email" pages point at it while it is on; 404 while it is off."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.mail import send_mail

from core.dev_mailbox import EMAIL, SMS, mailbox_keep, mailbox_messages

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
SITE = "http://127.0.0.1:8123"
HINT = '<a href="/dev/mail/">Open the demo mailbox at /dev/mail/</a>'
CONFIRM_LINK = re.compile(r'<a href="(http://127\.0\.0\.1:8123/signup/confirm/[^"/]+/)"')


@pytest.fixture
def mailbox_on(settings, tmp_path):
    settings.DEV_MAILBOX_DIR = str(tmp_path / "mailbox")
    settings.EMAIL_BACKEND = "core.mail_backends.MailboxEmailBackend"
    settings.SMS_BACKEND = "notifications.sms.MailboxSmsBackend"
    settings.SITE_URL = SITE
    return tmp_path / "mailbox"


def sign_up(client) -> None:
    answer = client.post(
        "/signup/",
        {
            "first_name": "Robin",
            "last_name": "Hale",
            "email": "new@example.com",
            "date_of_birth": "1990-02-14",
            "phone": "(415) 555-0123",
            "password": "violet-harbor-lantern-42",
        },
    )
    assert (answer.status_code, answer["Location"]) == (302, "/signup/sent/")


def test_the_demo_mailbox_is_not_there_when_it_is_off(client, settings):
    assert settings.DEV_MAILBOX_DIR == ""

    assert client.get("/dev/mail/").status_code == 404
    assert HINT not in client.get("/signup/sent/").content.decode()
    assert HINT not in client.get("/password-reset/sent/").content.decode()


def test_a_sign_up_email_waits_in_the_demo_mailbox_with_its_link_to_this_server(client, mailbox_on):
    sign_up(client)

    sent_page = client.get("/signup/sent/").content.decode()
    assert '<p class="notice">Running the demo? ' + HINT + "</p>" in sent_page
    mailbox = client.get("/dev/mail/")
    page = mailbox.content.decode()
    assert mailbox.status_code == 200
    assert '<h2 id="message-1">Finish creating your account</h2>' in page
    assert "<dd>new@example.com</dd>" in page
    (link,) = CONFIRM_LINK.findall(page)
    (kept,) = mailbox_messages(folder=mailbox_on)
    assert link in kept.body
    assert client.get(link.removeprefix(SITE)).status_code == 200  # the link's page asks for the password
    confirmed = client.post(link.removeprefix(SITE), {"password": "violet-harbor-lantern-42"})
    assert (confirmed.status_code, confirmed["Location"]) == (302, "/account/")


def test_the_password_reset_page_points_at_the_demo_mailbox(client, mailbox_on):
    assert HINT in client.get("/password-reset/sent/").content.decode()


def test_the_hint_is_in_spanish_for_a_spanish_reader(client, mailbox_on, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = client.get("/signup/sent/").content.decode()

    assert (
        '<p class="notice">¿Está probando la demo? '
        '<a href="/dev/mail/">Abra el buzón de la demo en /dev/mail/</a></p>' in page
    )


def test_the_mailbox_shows_emails_and_text_messages_newest_first(client, mailbox_on):
    with time_machine.travel(datetime(2026, 12, 8, 9, 0, tzinfo=LA), tick=False):
        send_mail("Your appointment", "See you soon.", None, ["first@example.com"])
    with time_machine.travel(datetime(2026, 12, 8, 9, 5, tzinfo=LA), tick=False):
        mailbox_keep(folder=mailbox_on, channel=SMS, to=["+14155550123"], body="Reply at https://example.com/x")

    page = client.get("/dev/mail/").content.decode()

    assert [(m.channel, m.to) for m in mailbox_messages(folder=mailbox_on)] == [
        (SMS, ("+14155550123",)),
        (EMAIL, ("first@example.com",)),
    ]
    assert page.index('<h2 id="message-1">Text message</h2>') < page.index('<h2 id="message-2">Your appointment</h2>')
    assert "<dd>Tuesday, December 8, 2026 at 9:05 AM Pacific Time</dd>" in page
    assert '<a href="https://example.com/x" rel="nofollow">https://example.com/x</a>' in page


def test_a_half_written_or_foreign_file_is_not_shown(client, mailbox_on):
    mailbox_keep(folder=mailbox_on, channel=EMAIL, to=["a@example.com"], subject="Kept", body="Hello")
    (mailbox_on / ".99999999999999999999-x.json.tmp").write_text('{"channel": "email"')
    (mailbox_on / "99999999999999999999-y.json").write_text("not json")

    assert [m.subject for m in mailbox_messages(folder=mailbox_on)] == ["Kept"]
    assert client.get("/dev/mail/").status_code == 200
