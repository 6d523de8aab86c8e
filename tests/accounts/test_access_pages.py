"""SPEC.md section 11 on the pages: sign-in with the second factor (enrolment at the first
sign-in, the code step), the lockout's words, idle and absolute session limits, the reset
pages, signing out everywhere, a password change and a patient turning the factor on."""

import re
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from accounts.services.second_factor import totp_secret_base32
from core.roles import Role
from tests.accounts.otp import _django_force_login, enrolled, secret_code, totp_code
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=LA)
NEW_PASSWORD = "amber-willow-compass-77"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def nurse(db) -> User:
    return enrolled(UserFactory(role=Role.NURSE))


def password_step(client: Client, user: User, password: str = TEST_PASSWORD, **extra):
    return client.post("/signin/", {"email": user.email, "password": password, **extra})


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).email if user_id else None


# -- the second factor ---------------------------------------------------------------------------


def test_staff_with_an_app_type_its_code_after_the_password_and_only_then_are_signed_in(client, nurse):
    response = password_step(client, nurse, next="/staff/day/")

    assert response["Location"] == "/signin/code/"
    assert signed_in_as(client) is None
    assert client.get("/staff/day/")["Location"].startswith("/signin/")

    done = client.post("/signin/code/", {"code": totp_code(nurse)})

    assert done["Location"] == "/staff/day/"
    assert signed_in_as(client) == nurse.email
    assert client.get("/staff/day/").status_code == 200


def test_a_wrong_code_is_refused_beside_the_field_and_signs_nobody_in(client, nurse):
    password_step(client, nurse)

    response = client.post("/signin/code/", {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["The code is not right, or it was used already. Type the code your app shows now."]
    }
    assert signed_in_as(client) is None


def test_a_code_used_once_is_refused_on_a_second_sign_in(client, nurse):
    code = totp_code(nurse)
    password_step(client, nurse)
    client.post("/signin/code/", {"code": code})
    other = Client()
    password_step(other, nurse)

    response = other.post("/signin/code/", {"code": code})

    assert response.status_code == 200
    assert signed_in_as(other) is None


def test_a_recovery_code_signs_in_once(client, nurse):
    code = StaticToken.objects.filter(device__user=nurse).values_list("token", flat=True).first()
    password_step(client, nurse)
    assert client.post("/signin/code/", {"code": code})["Location"] == "/staff/"

    other = Client()
    password_step(other, nurse)
    assert other.post("/signin/code/", {"code": code}).status_code == 200
    assert signed_in_as(other) is None


def test_at_their_first_sign_in_staff_add_the_app_confirm_a_code_and_see_recovery_codes_once(client):
    therapist = UserFactory(role=Role.THERAPIST)

    assert password_step(client, therapist)["Location"] == "/signin/enrol/"
    page = client.get("/signin/enrol/")
    secret = page.context["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert secret in page.content.decode()
    qr = client.get("/signin/enrol/qr.svg")
    assert (qr.status_code, qr["Content-Type"]) == (200, "image/svg+xml")
    assert qr.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')  # a browser draws nothing without it
    assert client.get("/staff/").status_code == 302  # nobody is signed in yet

    confirmed = client.post("/signin/enrol/", {"code": secret_code(secret)})

    assert confirmed["Location"] == "/signin/recovery-codes/"
    codes = client.get("/signin/recovery-codes/")
    assert len(codes.context["codes"]) == 10
    assert codes.context["continue_to"] == "/staff/"
    assert client.get("/signin/recovery-codes/")["Location"] == "/account/security/"  # shown once
    device = TOTPDevice.objects.get(user=therapist)
    assert device.confirmed
    assert totp_secret_base32(device=device) == secret
    assert signed_in_as(client) == therapist.email


def test_a_wrong_code_at_enrolment_confirms_nothing(client):
    therapist = UserFactory(role=Role.THERAPIST)
    password_step(client, therapist)
    client.get("/signin/enrol/")

    response = client.post("/signin/enrol/", {"code": "000000"})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=therapist, confirmed=True).exists()
    assert signed_in_as(client) is None


def test_the_code_step_expires_after_five_minutes(client, nurse, time_machine):
    password_step(client, nurse)

    time_machine.move_to(NOW + timedelta(minutes=5, seconds=1), tick=False)

    assert client.post("/signin/code/", {"code": totp_code(nurse)})["Location"] == "/signin/"
    assert signed_in_as(client) is None


def test_a_staff_session_that_skipped_the_code_opens_no_staff_page(client, nurse):
    _django_force_login(client, nurse)  # signed in without the second factor

    assert client.get("/staff/day/")["Location"].startswith("/signin/")
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == "/signin/?next=/admin/"


def test_the_admin_sign_in_is_the_clinics_own(client):
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/signin/?next=/admin/"


def test_patients_sign_in_without_a_code_until_they_turn_it_on(client, patient):
    assert password_step(client, patient)["Location"] == "/account/"
    assert signed_in_as(client) == patient.email


# -- lockout ---------------------------------------------------------------------------------------


def test_the_page_says_when_to_try_again_once_an_account_is_locked(client, patient):
    for _ in range(5):
        wrong = password_step(client, patient, "wrong-password")
        assert wrong.status_code == 200
        assert wrong.context["form"].non_field_errors() == [
            "The email or the password is not right. Check both and try again."
        ]

    locked = password_step(Client(REMOTE_ADDR="198.51.100.7"), patient)

    assert locked.status_code == 429
    assert locked.context["form"].non_field_errors() == [
        "Too many tries. For your safety this account is locked. Try again after 10:15 AM Pacific Time."
    ]
    assert "Try again after 10:15 AM Pacific Time." in locked.content.decode()


def test_an_unknown_email_gets_the_same_words_as_a_wrong_password(client):
    response = client.post("/signin/", {"email": "nobody@example.com", "password": "whatever-it-is"})

    assert response.context["form"].non_field_errors() == [
        "The email or the password is not right. Check both and try again."
    ]


# -- idle and absolute limits ----------------------------------------------------------------------


def sign_in_staff(client: Client, user: User) -> None:
    password_step(client, user)
    assert client.post("/signin/code/", {"code": totp_code(user)}).status_code == 302


def test_an_idle_staff_session_is_signed_out_at_15_minutes_and_not_at_14(client, nurse, time_machine):
    sign_in_staff(client, nurse)

    time_machine.move_to(NOW + timedelta(minutes=14), tick=False)
    assert client.get("/staff/day/").status_code == 200

    time_machine.move_to(NOW + timedelta(minutes=28, seconds=59), tick=False)
    assert client.get("/staff/day/").status_code == 200

    time_machine.move_to(NOW + timedelta(minutes=43, seconds=59), tick=False)
    response = client.get("/staff/day/")
    assert response["Location"].startswith("/signin/")
    assert signed_in_as(client) is None


def test_an_idle_patient_session_lasts_30_minutes(client, patient, time_machine):
    password_step(client, patient)

    time_machine.move_to(NOW + timedelta(minutes=29), tick=False)
    assert client.get("/account/").status_code == 200

    time_machine.move_to(NOW + timedelta(minutes=59), tick=False)
    assert client.get("/account/")["Location"].startswith("/signin/")


def test_a_busy_session_still_ends_after_12_hours(client, patient, time_machine):
    password_step(client, patient)
    for minutes in range(20, 12 * 60, 20):
        time_machine.move_to(NOW + timedelta(minutes=minutes), tick=False)
        assert client.get("/account/").status_code == 200, minutes

    time_machine.move_to(NOW + timedelta(hours=12), tick=False)
    assert client.get("/account/")["Location"].startswith("/signin/")


def test_a_page_refreshing_itself_does_not_keep_a_session_alive(client, nurse, time_machine):
    sign_in_staff(client, nurse)
    for minutes in (5, 10, 14):
        time_machine.move_to(NOW + timedelta(minutes=minutes), tick=False)
        assert client.get("/staff/day/", headers={"X-Background-Refresh": "1"}).status_code == 200

    time_machine.move_to(NOW + timedelta(minutes=15), tick=False)
    assert client.get("/staff/day/")["Location"].startswith("/signin/")


# -- ending sessions -------------------------------------------------------------------------------


def api_refresh_token(user: User) -> str:
    """A refresh token of the account from the API's token endpoint, as its app holds one."""
    response = APIClient().post(TOKEN, {"email": user.email, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    refresh: str = response.json()["refresh"]
    return refresh


def refreshed(refresh: str) -> tuple[int, str | None]:
    response = APIClient().post(REFRESH, {"refresh": refresh}, format="json")
    return response.status_code, response.json().get("code")


def test_signing_out_on_the_pages_ends_the_accounts_api_refresh_tokens(client, patient):
    phone, tablet = api_refresh_token(patient), api_refresh_token(patient)
    somebody_else = api_refresh_token(UserFactory())
    password_step(client, patient)

    response = client.post("/signout/")

    assert response["Location"] == "/"
    assert signed_in_as(client) is None
    assert refreshed(phone) == refreshed(tablet) == (401, "token_not_valid")
    assert refreshed(somebody_else)[0] == 200


def test_signing_out_when_not_signed_in_ends_nothing(client, patient):
    phone = api_refresh_token(patient)

    assert client.post("/signout/")["Location"] == "/"

    assert refreshed(phone)[0] == 200


def test_sign_out_everywhere_ends_every_session_of_the_account(client, patient):
    password_step(client, patient)
    laptop = Client()
    password_step(laptop, patient)

    response = client.post("/signout/everywhere/")

    assert response["Location"] == "/signin/?ended=1"
    assert laptop.get("/account/")["Location"].startswith("/signin/")
    assert client.get("/account/")["Location"].startswith("/signin/")


def test_a_password_change_ends_every_session(client, patient):
    password_step(client, patient)
    laptop = Client()
    password_step(laptop, patient)

    response = client.post(
        "/account/security/",
        {"action": "password", "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert response["Location"] == "/signin/?changed=1"
    assert laptop.get("/account/")["Location"].startswith("/signin/")
    patient.refresh_from_db()
    assert patient.check_password(NEW_PASSWORD)


def test_a_password_change_needs_the_current_password(client, patient):
    password_step(client, patient)

    response = client.post(
        "/account/security/", {"action": "password", "current_password": "wrong", "new_password": NEW_PASSWORD}
    )

    assert response.context["password_form"].errors == {"current_password": ["The current password is not right."]}
    patient.refresh_from_db()
    assert patient.check_password(TEST_PASSWORD)


def password_change(client: Client, current: str):
    return client.post(
        "/account/security/", {"action": "password", "current_password": current, "new_password": NEW_PASSWORD}
    )


def test_guesses_at_the_current_password_meet_the_lock_after_five(client, patient):
    password_step(client, patient)

    guesses = [password_change(client, f"guess-{number}") for number in range(5)]
    right = password_change(client, TEST_PASSWORD)

    assert [guess.status_code for guess in guesses] == [200] * 5
    assert right.status_code == 429
    locked = "Too many tries. For your safety this account is locked. Try again after 10:15 AM Pacific Time."
    assert right.context["password_form"].errors == {"current_password": [locked]}
    patient.refresh_from_db()
    assert patient.check_password(TEST_PASSWORD)
    # The guesses count as failed sign-ins of the account: it is locked everywhere for 15 minutes.
    assert "locked" in password_step(Client(), patient).content.decode()


def test_the_password_changes_again_once_the_lock_ends(client, patient, time_machine):
    password_step(client, patient)
    for number in range(5):
        password_change(client, f"guess-{number}")

    time_machine.move_to(NOW + timedelta(minutes=15, seconds=1), tick=False)
    response = password_change(client, TEST_PASSWORD)

    assert response["Location"] == "/signin/?changed=1"
    patient.refresh_from_db()
    assert patient.check_password(NEW_PASSWORD)


# -- the reset pages -------------------------------------------------------------------------------


def reset_link(client: Client, email: str) -> str:
    assert client.post("/password-reset/", {"email": email})["Location"] == "/password-reset/sent/"
    (message,) = mail.outbox
    found = re.search(r"http://127\.0\.0\.1:8000(/password-reset/\S+/)", str(message.body))
    assert found is not None
    return found.group(1)


def test_asking_for_a_reset_leads_to_the_same_page_for_unknown_emails(client):
    response = client.post("/password-reset/", {"email": "nobody@example.com"}, HTTP_ACCEPT_LANGUAGE="es")

    assert response["Location"] == "/password-reset/sent/"
    # The address gets a note that no account uses it (the same work as a link), in the page's language.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["nobody@example.com"], "No hay ninguna cuenta con este correo electrónico")
    ]


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(client, patient):
    laptop = Client()
    password_step(laptop, patient)
    link = reset_link(client, patient.email)

    assert client.get(link).status_code == 200
    assert client.post(link, {"new_password": NEW_PASSWORD})["Location"] == "/signin/?reset=1"

    assert client.get(link).status_code == 400
    assert laptop.get("/account/")["Location"].startswith("/signin/")
    assert password_step(Client(), patient, NEW_PASSWORD)["Location"] == "/account/"


def test_a_reset_link_does_not_work_after_an_hour(client, patient, time_machine):
    link = reset_link(client, patient.email)

    time_machine.move_to(NOW + timedelta(hours=1, seconds=1), tick=False)
    response = client.post(link, {"new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    patient.refresh_from_db()
    assert patient.check_password(TEST_PASSWORD)


# -- a patient turns the factor on ----------------------------------------------------------------


def test_a_patient_turns_the_second_factor_on_and_then_signs_in_with_a_code(client, patient):
    password_step(client, patient)
    page = client.get("/account/security/")
    secret = page.context["secret"]
    assert client.get("/account/security/qr.svg")["Content-Type"] == "image/svg+xml"

    turned_on = client.post("/account/security/", {"action": "enable", "code": secret_code(secret)})

    assert turned_on["Location"] == "/signin/recovery-codes/"
    assert len(client.get("/signin/recovery-codes/").context["codes"]) == 10
    other = Client()
    assert password_step(other, patient)["Location"] == "/signin/code/"
    assert other.post("/signin/code/", {"code": totp_code(patient)})["Location"] == "/account/"


def test_staff_cannot_turn_the_factor_off(client, nurse):
    sign_in_staff(client, nurse)

    response = client.post("/account/security/", {"action": "disable", "code": totp_code(nurse)})

    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).count() == 1


# -- the demo seed ---------------------------------------------------------------------------------


def test_seed_demo_prints_each_staff_login_with_its_totp_secret(db):
    out = StringIO()

    call_command("seed_demo", stdout=out)

    lines = out.getvalue().splitlines()
    staff_lines = [line.strip() for line in lines if " totp: " in line]
    assert [line.split(" totp: ")[0] for line in staff_lines] == [
        "admin@example.com",
        "clinician@example.com",
        "clinician2@example.com",
        "nurse@example.com",
        "nurse2@example.com",
        "nurse3@example.com",
        "therapist@example.com",
    ]
    for line in staff_lines:
        email, secret = line.split(" totp: ")
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        assert secret == totp_secret_base32(device=device)
    assert "  patient@example.com" in lines


# -- the per-address limit and what the lockout keeps --------------------------------------------


@pytest.fixture
def auth_rate_two_per_minute(monkeypatch):
    """The "auth" rate at 2 a minute (DRF binds the rates at import: the class attribute is patched)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "auth": "2/minute"})
    cache.clear()
    yield
    cache.clear()


def test_the_sign_in_page_limits_tries_from_one_address_whatever_the_account(client, auth_rate_two_per_minute):
    for number in range(2):
        assert client.post("/signin/", {"email": f"guess{number}@example.com", "password": "x"}).status_code == 200

    response = client.post("/signin/", {"email": "guess3@example.com", "password": "x"})

    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == [
        "Too many tries from this network. Wait a minute and try again."
    ]
    assert AccessAttempt.objects.count() == 2  # the third was not even tried


def test_the_lockouts_records_keep_no_password_or_code(client, nurse):
    password_step(client, nurse, "a-wrong-password")
    password_step(client, nurse)
    client.post("/signin/code/", {"code": "000000"})

    kept = "\n".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "a-wrong-password" not in kept
    assert "000000" not in kept
    assert "code=********************" in kept
