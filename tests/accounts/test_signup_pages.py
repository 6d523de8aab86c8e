"""Sign-up on the pages: "check your email" for a new and a known email alike; the emailed link
shows a page whose button (a POST, CSRF-checked) starts the account, signs the patient in and takes
them back to where they were (SPEC.md section 11)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=LA)
LINK = re.compile(r"http://testserver(/signup/confirm/[^/\s]+/)")
REVIEW = "/book/review/?type=evaluation&start=2026-12-10T09:00:00-08:00"
PASSWORD = "violet-harbor-lantern-42"


@pytest.fixture(autouse=True)
def frozen_now(time_machine, settings):
    settings.SITE_URL = "http://testserver"
    time_machine.move_to(NOW, tick=False)


def form(**overrides) -> dict:
    return {
        "first_name": "Robin",
        "last_name": "Hale",
        "email": "new@example.com",
        "date_of_birth": "1990-02-14",
        "phone": "(415) 555-0123",
        "password": PASSWORD,
        **overrides,
    }


def link_in(message) -> str:
    (path,) = LINK.findall(message.body)
    return path


def confirmed(client: Client, path: str, password: str = PASSWORD):
    """Open the emailed link, type the password chosen at the sign-up and press the button, as a
    person does (CSRF checked)."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path, {"csrfmiddlewaretoken": page.context["csrf_token"], "password": password})


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).email if user_id else None


def test_a_new_and_a_known_email_see_the_same_pages_and_get_one_email_each(client):
    UserFactory(email="known@example.com", role=Role.PATIENT)

    new = client.post("/signup/", form(next=REVIEW))
    taken = client.post("/signup/", form(email="known@example.com", next=REVIEW))

    assert (new.status_code, new["Location"]) == (302, "/signup/sent/")
    assert (taken.status_code, taken["Location"]) == (302, "/signup/sent/")
    sent = client.get("/signup/sent/")
    assert sent.status_code == 200
    assert sent.templates[0].name == "web/signup_sent.html"
    assert "We have sent you a link to finish creating your account." in sent.content.decode()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["new@example.com"], "Finish creating your account"),
        (["known@example.com"], "Someone tried to create an account with your email"),
    ]
    assert signed_in_as(client) is None
    assert User.objects.get(email="new@example.com").is_active is False


def test_the_link_signs_the_patient_in_and_takes_them_back_to_their_booking(client):
    client.post("/signup/", form(next=REVIEW))

    response = confirmed(Client(enforce_csrf_checks=True), link_in(mail.outbox[0]))

    assert (response.status_code, response["Location"]) == (302, REVIEW)
    opened = Client()
    response = opened.get(link_in(mail.outbox[0]))
    assert response.status_code == 400  # used already
    assert response.templates[0].name == "web/signup_invalid.html"
    assert signed_in_as(opened) is None


def test_the_link_opened_signs_in_the_browser_that_opens_it(client):
    client.post("/signup/", form(next=REVIEW))
    browser = Client()

    confirmed(browser, link_in(mail.outbox[0]))

    assert signed_in_as(browser) == "new@example.com"
    assert browser.get("/account/").status_code == 200


def test_opening_the_link_asks_for_a_button_press_and_changes_nothing(client):
    client.post("/signup/", form(next=REVIEW))
    path = link_in(mail.outbox[0])
    opened = Client()

    for _ in range(2):  # a mail scanner, then the person
        page = opened.get(path)
        assert page.status_code == 200
        assert page.templates[0].name == "web/signup_confirm.html"
        assert "no-store" in page["Cache-Control"]
        html = page.content.decode()
        assert '<button type="submit" class="button">Confirm my account</button>' in html
        assert '<label for="id_password">Password</label>' in html
        assert "The one you chose when you signed up." in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert signed_in_as(opened) is None
        assert User.objects.get().is_active is False

    assert confirmed(opened, path)["Location"] == REVIEW
    assert signed_in_as(opened) == "new@example.com"


def test_a_press_from_another_site_without_the_pages_csrf_token_changes_nothing(client):
    client.post("/signup/", form())
    path = link_in(mail.outbox[0])
    elsewhere = Client(enforce_csrf_checks=True)

    response = elsewhere.post(path)

    assert response.status_code == 403
    assert signed_in_as(elsewhere) is None
    assert User.objects.get().is_active is False
    assert confirmed(Client(enforce_csrf_checks=True), path).status_code == 302


def test_the_links_page_speaks_spanish(client):
    client.post("/signup/", form(), HTTP_ACCEPT_LANGUAGE="es")

    page = Client().get(link_in(mail.outbox[0]), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '<button type="submit" class="button">Confirmar mi cuenta</button>' in page
    assert '<label for="id_password">Contraseña</label>' in page
    assert "La que eligió al registrarse." in page
    assert "<h1>Termine de crear su cuenta</h1>" in page


def test_a_garbage_link_shows_the_page_that_says_it_does_not_work(client):
    for response in (client.get("/signup/confirm/garbage/"), client.post("/signup/confirm/garbage/")):
        assert response.status_code == 400
        assert response.templates[0].name == "web/signup_invalid.html"
    assert signed_in_as(client) is None


def test_the_owners_sign_up_after_an_intruders_links_the_owners_details(client):
    client.post("/signup/", form(first_name="Mallory", password="mallory-chose-this-99"))
    client.post("/signup/", form())
    intruders, owners = (link_in(message) for message in mail.outbox)

    assert Client().get(intruders).status_code == 400
    browser = Client()
    confirmed(browser, owners)

    assert signed_in_as(browser) == "new@example.com"
    assert User.objects.get().first_name == "Robin"
    assert (
        Client().post("/signin/", {"email": "new@example.com", "password": "mallory-chose-this-99"}).status_code == 200
    )
    assert Client().post("/signin/", {"email": "new@example.com", "password": PASSWORD})["Location"] == "/account/"


MISMATCH = (
    "This link belongs to a different sign-up, or the password is not the one chosen with it. "
    "Sign up again to get a new link."
)


def test_the_owners_typed_password_does_not_start_an_intruders_later_sign_up(client):
    client.post("/signup/", form())  # the owner
    client.post("/signup/", form(first_name="Mallory", password="mallory-chose-this-99"))  # the intruder
    browser = Client(enforce_csrf_checks=True)

    response = confirmed(browser, link_in(mail.outbox[-1]), PASSWORD)

    assert response.status_code == 200
    assert response.templates[0].name == "web/signup_confirm.html"
    assert MISMATCH in response.content.decode()
    assert signed_in_as(browser) is None
    user = User.objects.get()
    assert (user.is_active, user.awaiting_confirmation, user.first_name) == (False, True, "Mallory")
    client.post("/signup/", form())  # the owner again: a fresh link, the owner's details
    assert confirmed(browser, link_in(mail.outbox[-1]), PASSWORD)["Location"] == "/account/"
    assert (User.objects.get().first_name, signed_in_as(browser)) == ("Robin", "new@example.com")


def test_wrong_passwords_at_the_links_page_lock_the_email(client):
    client.post("/signup/", form())
    path = link_in(mail.outbox[0])
    for attempt in range(5):
        assert MISMATCH in confirmed(Client(), path, f"guess-number-{attempt}").content.decode()

    locked = confirmed(Client(), path, PASSWORD)

    assert locked.status_code == 429
    assert "Too many tries. For your safety this account is locked. Try again after 10:15" in locked.content.decode()
    assert User.objects.get().is_active is False


def test_the_button_without_a_password_asks_for_it(client):
    client.post("/signup/", form())

    response = confirmed(Client(), link_in(mail.outbox[0]), "")

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert User.objects.get().is_active is False


def test_without_a_next_the_link_lands_on_the_account_and_a_foreign_next_is_dropped(client):
    client.post("/signup/", form(next="https://elsewhere.example/steal"))

    response = confirmed(client, link_in(mail.outbox[0]))

    assert response["Location"] == "/account/"


def test_a_link_older_than_24_hours_does_not_work_and_signs_nobody_in(client, time_machine):
    client.post("/signup/", form())
    time_machine.move_to(NOW + timedelta(hours=24, seconds=1), tick=False)

    response = client.get(link_in(mail.outbox[0]))
    pressed = client.post(link_in(mail.outbox[0]))

    assert response.status_code == pressed.status_code == 400
    assert signed_in_as(client) is None
    assert User.objects.get().is_active is False


def test_an_unconfirmed_account_cannot_sign_in_and_reads_as_a_wrong_password(client):
    client.post("/signup/", form())

    right = client.post("/signin/", {"email": "new@example.com", "password": PASSWORD})
    wrong = Client().post("/signin/", {"email": "nobody@example.com", "password": PASSWORD})

    assert right.status_code == wrong.status_code == 200
    message = "The email or the password is not right. Check both and try again."
    assert message in right.content.decode()
    assert message in wrong.content.decode()
    assert signed_in_as(client) is None


def test_the_form_refuses_the_same_way_for_a_known_email(client):
    UserFactory(email="known@example.com", role=Role.PATIENT)

    new = client.post("/signup/", form(password="password"))
    taken = client.post("/signup/", form(email="known@example.com", password="password"))

    assert new.status_code == taken.status_code == 200
    stronger = "Choose a stronger password: at least 8 characters, not only numbers, not a common one."
    assert stronger in new.content.decode()
    assert stronger in taken.content.decode()
    assert mail.outbox == []


def test_a_spanish_page_makes_a_spanish_account_and_a_spanish_email(client):
    response = client.post("/signup/", form(), HTTP_ACCEPT_LANGUAGE="es")

    assert response["Location"] == "/signup/sent/"
    assert "Le enviamos un enlace" in client.get("/signup/sent/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert User.objects.get().language == "es"
    assert mail.outbox[0].subject == "Termine de crear su cuenta"


@pytest.fixture
def auth_rate_two_per_minute(monkeypatch):
    """The "auth" rate at 2 a minute (DRF binds the rates at import: the class attribute is patched)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "auth": "2/minute"})
    cache.clear()
    yield
    cache.clear()


def test_the_sign_up_page_limits_tries_from_one_address(client, auth_rate_two_per_minute):
    for number in range(2):
        assert client.post("/signup/", form(email=f"try{number}@example.com"))["Location"] == "/signup/sent/"

    response = client.post("/signup/", form(email="third@example.com"))

    assert response.status_code == 429
    assert "Too many tries from this network. Wait a minute and try again." in response.content.decode()
    assert not User.objects.filter(email="third@example.com").exists()
    assert len(mail.outbox) == 2


def test_one_submit_names_every_wrong_field_keeps_what_was_typed_but_the_password_and_writes_nothing(client):
    sent = form(first_name="", phone="555", date_of_birth="2030-01-01", password="12345678")

    page = client.post("/signup/", sent)

    errors = page.context["form"].errors
    assert set(errors) == {"first_name", "phone", "date_of_birth", "password"}
    assert errors["phone"] == ["Enter a phone number we can call, for example (415) 555-0123."]
    assert errors["date_of_birth"] == ["The date of birth must be in the past."]
    html = page.content.decode()
    for kept in ('value="Hale"', 'value="new@example.com"', 'value="555"', 'value="2030-01-01"'):
        assert kept in html
    assert "12345678" not in html
    assert (User.objects.count(), len(mail.outbox)) == (0, 0)


def test_details_the_form_reads_are_all_judged_by_the_service_at_once(client):
    page = client.post("/signup/", form(phone="555", password="12345678"))

    assert set(page.context["form"].errors) == {"phone", "password"}
    assert User.objects.count() == 0
