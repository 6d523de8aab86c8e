"""Sign-up over the API never tells whether an email has an account (SPEC.md section 11): one
answer, one email (a link to finish a new account, or a note to the owner of an existing one), and
the link works once, for 24 hours, for its own account only."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail

from accounts.models import PatientProfile, User
from accounts.services import patient_register
from core.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=LA)

REGISTER = "/api/v1/auth/register/"
CONFIRM = "/api/v1/auth/register/confirm/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
ASKED = {
    "detail": "Check your email: we have sent you a link to finish creating your account. It works once, for 24 hours."
}
LINK = re.compile(r"http://testserver/signup/confirm/([^/\s]+)/")
OWNERS_PASSWORD = "violet-harbor-lantern-42"


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "http://testserver"


def sign_up(**overrides) -> dict:
    return {
        "email": "New.Patient@Example.COM",
        "password": "violet-harbor-lantern-42",
        "first_name": "Robin",
        "last_name": "Hale",
        "date_of_birth": "1990-02-14",
        "phone": "(415) 555-0123",
        **overrides,
    }


def confirm(api_client, token: str, password: str = OWNERS_PASSWORD):
    return api_client.post(CONFIRM, {"token": token, "password": password}, format="json")


def token_in(message) -> str:
    (token,) = LINK.findall(message.body)
    return token


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == code
    return body


@pytest.fixture
def known(db) -> User:
    return UserFactory(email="known@example.com", first_name="Kim", role=Role.PATIENT)


# -- one answer ----------------------------------------------------------------------------------


def test_a_new_and_a_known_email_get_the_same_answer_and_one_email_each(api_client, known, site_url):
    new = api_client.post(REGISTER, sign_up(email="new@example.com"), format="json")
    taken = api_client.post(REGISTER, sign_up(email="KNOWN@example.com"), format="json")

    assert (new.status_code, new.json()) == (202, ASKED)
    assert (taken.status_code, taken.content) == (new.status_code, new.content)
    assert taken.headers["Content-Type"] == new.headers["Content-Type"]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["new@example.com"], "Finish creating your account"),
        (["known@example.com"], "Someone tried to create an account with your email"),
    ]
    assert "violet-harbor-lantern-42" not in new.content.decode()


def test_a_new_email_gets_an_inactive_account_and_a_link_valid_for_24_hours(api_client, site_url):
    api_client.post(REGISTER, sign_up(), format="json")

    user = User.objects.get()
    assert (user.email, user.role, user.is_active, user.awaiting_confirmation) == (
        "new.patient@example.com",
        Role.PATIENT,
        False,
        True,
    )
    assert user.check_password("violet-harbor-lantern-42")
    assert PatientProfile.objects.get(user=user).phone == "+14155550123"
    (message,) = mail.outbox
    assert message.body.startswith("Hello Robin,\n\nTo finish creating your account at the clinic, open this link")
    assert "within 24 hours" in message.body
    assert token_in(message)


def test_a_known_email_creates_nothing_and_changes_nothing(api_client, known, site_url):
    password_before = known.password

    api_client.post(REGISTER, sign_up(email="known@example.com", first_name="Mallory"), format="json")

    assert User.objects.count() == 1
    assert PatientProfile.objects.count() == 0
    known.refresh_from_db()
    assert (known.first_name, known.password, known.is_active) == ("Kim", password_before, True)
    (message,) = mail.outbox
    assert message.to == ["known@example.com"]
    assert "Hello Kim," in message.body
    assert "http://testserver/signin/" in message.body
    assert "http://testserver/password-reset/" in message.body
    assert not LINK.search(str(message.body))


def test_a_refused_sign_up_reads_the_same_for_a_known_email(api_client, known):
    new = api_client.post(REGISTER, sign_up(email="new@example.com", password="password"), format="json")
    taken = api_client.post(REGISTER, sign_up(email="known@example.com", password="password"), format="json")

    assert_error(new, 400, "weak_password")
    assert (taken.status_code, taken.json()) == (new.status_code, new.json())
    assert mail.outbox == []
    assert User.objects.count() == 1


def test_the_emails_speak_the_request_language_for_a_new_account_and_the_account_language_otherwise(
    api_client, site_url
):
    UserFactory(email="known@example.com", first_name="Kim", language="es")

    api_client.post(REGISTER, sign_up(email="nueva@example.com"), format="json", HTTP_ACCEPT_LANGUAGE="es")
    api_client.post(REGISTER, sign_up(email="known@example.com"), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert User.objects.get(email="nueva@example.com").language == "es"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["nueva@example.com"], "Termine de crear su cuenta"),
        (["known@example.com"], "Alguien intentó crear una cuenta con su correo electrónico"),
    ]
    assert mail.outbox[0].body.startswith("Hola, Robin:\n\nPara terminar de crear su cuenta")
    assert "en las próximas 24 horas" in mail.outbox[0].body


# Someone who is not the mailbox's holder signs up first with its address.
INTRUDER = {
    "first_name": "Mallory",
    "last_name": "Stone",
    "password": "mallory-chose-this-99",
    "phone": "(415) 555-0199",
    "date_of_birth": "1970-01-01",
}


def test_the_owners_sign_up_after_an_intruders_starts_afresh_with_the_owners_details(api_client, site_url):
    api_client.post(REGISTER, sign_up(**INTRUDER), format="json")

    again = api_client.post(REGISTER, sign_up(), format="json")

    assert (again.status_code, again.json()) == (202, ASKED)
    assert (User.objects.count(), PatientProfile.objects.count()) == (1, 1)
    intruders, owners = mail.outbox
    assert [m.subject for m in mail.outbox] == ["Finish creating your account"] * 2
    assert owners.body.startswith("Hello Robin,")
    # The earlier link no longer works; the owner's activates the owner's details.
    assert_error(confirm(api_client, token_in(intruders)), 400, "invalid_link")
    assert confirm(api_client, token_in(owners)).status_code == 200
    user = User.objects.select_related("patient_profile").get()
    profile = user.patient_profile
    assert (user.first_name, user.last_name, user.is_active) == ("Robin", "Hale", True)
    assert (profile.phone, profile.date_of_birth.isoformat()) == ("+14155550123", "1990-02-14")
    assert "mallory" not in profile.search_text
    intruder = {"email": "new.patient@example.com", "password": INTRUDER["password"]}
    owner = {"email": "new.patient@example.com", "password": "violet-harbor-lantern-42"}
    assert_error(api_client.post(TOKEN, intruder, format="json"), 401, "no_active_account")
    assert api_client.post(TOKEN, owner, format="json").status_code == 200


def test_once_opened_the_other_links_of_the_address_no_longer_work(api_client, site_url):
    api_client.post(REGISTER, sign_up(), format="json")
    api_client.post(REGISTER, sign_up(first_name="Robyn"), format="json")
    first, second = mail.outbox

    assert confirm(api_client, token_in(second)).status_code == 200

    assert_error(confirm(api_client, token_in(first)), 400, "invalid_link")
    assert_error(confirm(api_client, token_in(second)), 400, "invalid_link")
    assert User.objects.get().first_name == "Robyn"


def test_a_sign_up_in_another_language_restarts_the_account_in_it(api_client, site_url):
    api_client.post(REGISTER, sign_up(**INTRUDER), format="json", HTTP_ACCEPT_LANGUAGE="en")

    api_client.post(REGISTER, sign_up(), format="json", HTTP_ACCEPT_LANGUAGE="es")

    assert User.objects.get().language == "es"
    assert mail.outbox[1].subject == "Termine de crear su cuenta"


def test_an_intruders_sign_up_after_the_owners_is_not_started_by_the_owners_mailbox(api_client, site_url):
    """Issue 18: the newest link reaches the owner's mailbox even when the intruder signed up last;
    opening it must not start the intruder's account with the intruder's password."""
    api_client.post(REGISTER, sign_up(), format="json")  # the owner, password A
    api_client.post(REGISTER, sign_up(**INTRUDER), format="json")  # the intruder, password B
    owners_first, newest = mail.outbox
    assert newest.to == ["new.patient@example.com"]  # in the owner's mailbox, not the intruder's

    refused = confirm(api_client, token_in(newest), OWNERS_PASSWORD)

    body = assert_error(refused, 400, "signup_password_mismatch")
    assert body["detail"] == (
        "This link belongs to a different sign-up, or the password is not the one chosen with it. "
        "Sign up again to get a new link."
    )
    assert body["fields"] == {"password": ["Not the password chosen with this link."]}
    user = User.objects.get()
    assert (user.is_active, user.awaiting_confirmation, user.first_name) == (False, True, "Mallory")
    assert_error(confirm(api_client, token_in(owners_first)), 400, "invalid_link")
    # The intruder, without the link, cannot start the account nor sign in.
    assert_error(confirm(api_client, "garbage", INTRUDER["password"]), 400, "invalid_link")
    intruder = {"email": "new.patient@example.com", "password": INTRUDER["password"]}
    assert_error(api_client.post(TOKEN, intruder, format="json"), 401, "no_active_account")
    # The owner signs up again and confirms with A: the owner's account, password A only.
    api_client.post(REGISTER, sign_up(), format="json")
    assert confirm(api_client, token_in(mail.outbox[-1]), OWNERS_PASSWORD).status_code == 200
    user = User.objects.select_related("patient_profile").get()
    assert (user.first_name, user.last_name, user.is_active, user.awaiting_confirmation) == (
        "Robin",
        "Hale",
        True,
        False,
    )
    assert (user.patient_profile.phone, user.patient_profile.date_of_birth.isoformat()) == (
        "+14155550123",
        "1990-02-14",
    )
    assert (user.check_password(OWNERS_PASSWORD), user.check_password(INTRUDER["password"])) == (True, False)
    assert_error(api_client.post(TOKEN, intruder, format="json"), 401, "no_active_account")
    owner = {"email": "new.patient@example.com", "password": OWNERS_PASSWORD}
    assert api_client.post(TOKEN, owner, format="json").status_code == 200


def test_the_password_chosen_with_the_link_confirms_it_after_a_wrong_one(api_client, site_url):
    api_client.post(REGISTER, sign_up(), format="json")
    token = token_in(mail.outbox[0])

    assert_error(confirm(api_client, token, "not-the-one-i-chose-1"), 400, "signup_password_mismatch")
    assert User.objects.get().is_active is False
    assert AccessAttempt.objects.get().failures_since_start == 1

    assert confirm(api_client, token).status_code == 200
    assert (User.objects.get().is_active, AccessAttempt.objects.count()) == (True, 0)


def test_wrong_passwords_at_the_link_lock_the_email_like_failed_sign_ins(api_client, site_url):
    api_client.post(REGISTER, sign_up(), format="json")
    token = token_in(mail.outbox[0])
    for attempt in range(5):
        assert_error(confirm(api_client, token, f"guess-number-{attempt}"), 400, "signup_password_mismatch")

    locked = confirm(api_client, token)

    body = assert_error(locked, 429, "account_locked")
    assert body["fields"] == {"retry_at": ["2026-12-08T18:15:00+00:00"]}
    assert locked["Retry-After"] == "900"
    assert (User.objects.get().is_active, User.objects.get().awaiting_confirmation) == (False, True)
    owner = {"email": "new.patient@example.com", "password": OWNERS_PASSWORD}
    assert_error(api_client.post(TOKEN, owner, format="json"), 429, "account_locked")


def test_the_link_without_a_password_is_a_400_that_changes_nothing(api_client, site_url):
    api_client.post(REGISTER, sign_up(), format="json")

    response = api_client.post(CONFIRM, {"token": token_in(mail.outbox[0])}, format="json")

    body = assert_error(response, 400, "invalid")
    assert body["fields"] == {"password": ["This field is required."]}
    assert User.objects.get().is_active is False


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Every password hash made (the suite's hasher is MD5PasswordHasher, settings/test.py)."""
    made: list[str] = []
    encode = MD5PasswordHasher.encode

    def counted(self, password, salt):
        made.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted)
    return made


@pytest.mark.parametrize("existing", ["none", "awaiting", "active", "deactivated"])
def test_every_sign_up_costs_one_password_hash_and_one_email(api_client, site_url, hashes, existing):
    if existing == "awaiting":
        api_client.post(REGISTER, sign_up(**INTRUDER), format="json")
    elif existing != "none":
        UserFactory(email="new.patient@example.com", is_active=existing == "active")
    hashes.clear()
    mail.outbox.clear()

    response = api_client.post(REGISTER, sign_up(), format="json")

    assert (response.status_code, response.json()) == (202, ASKED)
    assert (hashes, len(mail.outbox)) == (["violet-harbor-lantern-42"], 1)


def test_a_deactivated_account_is_not_reopened_by_signing_up(api_client, site_url):
    gone = UserFactory(email="gone@example.com", is_active=False)

    response = api_client.post(REGISTER, sign_up(email="gone@example.com"), format="json")

    assert (response.status_code, response.json()) == (202, ASKED)
    gone.refresh_from_db()
    assert (gone.is_active, User.objects.count()) == (False, 1)
    assert [m.subject for m in mail.outbox] == ["Someone tried to create an account with your email"]


# -- the link ------------------------------------------------------------------------------------


def test_the_link_activates_the_account_and_gives_tokens_that_work(api_client, site_url):
    api_client.post(REGISTER, sign_up(), format="json")

    response = confirm(api_client, token_in(mail.outbox[0]))

    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"access", "refresh"}
    user = User.objects.get()
    assert (user.is_active, user.awaiting_confirmation) == (True, False)
    me = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert (me.status_code, me.json()["email"]) == (200, "new.patient@example.com")


def test_the_link_works_once(api_client, site_url):
    api_client.post(REGISTER, sign_up(), format="json")
    token = token_in(mail.outbox[0])
    assert confirm(api_client, token).status_code == 200

    response = confirm(api_client, token)

    assert_error(response, 400, "invalid_link")


def test_the_link_works_until_24_hours_and_not_after(api_client, site_url, time_machine):
    api_client.post(REGISTER, sign_up(email="late@example.com"), format="json")
    api_client.post(REGISTER, sign_up(email="in.time@example.com"), format="json")
    late, in_time = (token_in(m) for m in mail.outbox)

    time_machine.move_to(NOW + timedelta(hours=24), tick=False)
    assert confirm(api_client, in_time).status_code == 200
    time_machine.move_to(NOW + timedelta(hours=24, seconds=1), tick=False)
    response = confirm(api_client, late)

    assert_error(response, 400, "invalid_link")
    late_user = User.objects.get(email="late@example.com")
    assert (late_user.is_active, late_user.awaiting_confirmation) == (False, True)


def test_a_link_opens_only_its_own_account(api_client, site_url):
    api_client.post(REGISTER, sign_up(email="a@example.com"), format="json")
    api_client.post(REGISTER, sign_up(email="b@example.com"), format="json")
    token_a = token_in(mail.outbox[0])
    b = User.objects.get(email="b@example.com")
    # An altered token (as one naming another account would be) fails its signature.
    payload, rest = token_a.split(":", 1)
    forged = payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB") + ":" + rest

    assert_error(confirm(api_client, forged), 400, "invalid_link")
    assert confirm(api_client, token_a).status_code == 200

    b.refresh_from_db()
    assert (b.is_active, User.objects.get(email="a@example.com").is_active) == (False, True)


@pytest.mark.parametrize("cut", [1, 10, 40])
def test_a_cut_short_or_garbage_link_gives_400_and_changes_nothing(api_client, site_url, cut):
    api_client.post(REGISTER, sign_up(), format="json")
    token = token_in(mail.outbox[0])

    for bad in (token[:-cut], "garbage", "a:b:c"):
        assert_error(confirm(api_client, bad), 400, "invalid_link")

    assert User.objects.get().is_active is False


# -- an unconfirmed account ----------------------------------------------------------------------


def test_an_unconfirmed_account_gets_no_token_and_the_answer_of_a_wrong_password(api_client, site_url):
    api_client.post(REGISTER, sign_up(), format="json")

    right = api_client.post(
        TOKEN, {"email": "new.patient@example.com", "password": "violet-harbor-lantern-42"}, format="json"
    )
    unknown = api_client.post(
        TOKEN, {"email": "nobody@example.com", "password": "violet-harbor-lantern-42"}, format="json"
    )

    assert_error(right, 401, "no_active_account")
    assert right.json() == unknown.json()


def test_accounts_made_for_a_patient_by_others_are_active_at_once():
    user = patient_register(
        email="desk@example.com",
        password=TEST_PASSWORD,
        first_name="Dana",
        last_name="Desk",
        date_of_birth=datetime(1980, 1, 1).date(),
        phone="+14155550100",
    )

    assert (user.is_active, user.awaiting_confirmation) == (True, False)


@pytest.mark.parametrize("case", ["garbage", "used", "wrong password", "right password"])
def test_every_opening_of_a_link_costs_one_password_hash(api_client, site_url, hashes, case):
    api_client.post(REGISTER, sign_up(), format="json")
    token = token_in(mail.outbox[0])
    if case == "used":
        confirm(api_client, token)
    hashes.clear()

    password = "wrong-1" if case == "wrong password" else OWNERS_PASSWORD
    response = confirm(api_client, "garbage" if case == "garbage" else token, password)

    assert response.status_code == (200 if case == "right password" else 400)
    assert len(hashes) == 1


def test_a_refused_sign_up_names_every_refused_detail_at_once(api_client):
    response = api_client.post(
        REGISTER, sign_up(phone="555", date_of_birth="2030-01-01", password="password"), format="json"
    )

    body = assert_error(response, 400, "invalid_date_of_birth")  # the first refused detail's code
    assert set(body["fields"]) == {"date_of_birth", "phone", "password"}
    assert User.objects.count() == 0
