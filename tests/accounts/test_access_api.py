"""SPEC.md section 11 over the API: the second factor on the token endpoint, the lockout, logout,
ending every session and token, and the password reset."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from accounts.services.access import user_deactivate
from accounts.services.second_factor import recovery_codes_replace
from core.roles import Role
from tests.accounts.otp import enrolled, totp_code
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=LA)
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
RESET = "/api/v1/auth/password-reset/"
RESET_CONFIRM = "/api/v1/auth/password-reset/confirm/"
ME = "/api/v1/me/"
NEW_PASSWORD = "amber-willow-compass-77"


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def nurse(db) -> User:
    return enrolled(UserFactory(role=Role.NURSE, email="nurse.one@example.com"))


def token(client: APIClient, email: str, password: str = TEST_PASSWORD, **extra):
    return client.post(TOKEN, {"email": email, "password": password, **extra}, format="json")


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == code
    return body


# -- the second factor on the token endpoint ---------------------------------------------------


def test_staff_without_a_code_get_401_otp_required_and_no_token(api_client, nurse):
    response = token(api_client, nurse.email)

    body = assert_error(response, 401, "otp_required")
    assert body["fields"] == {"otp": ["Required for this account."]}
    assert OutstandingToken.objects.count() == 0


def test_staff_with_the_apps_code_get_a_token_pair_that_signs_in(api_client, nurse):
    response = token(api_client, nurse.email, otp=totp_code(nurse))

    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"access", "refresh"}
    assert bearer(response.json()["access"]).get(ME).json()["email"] == "nurse.one@example.com"


def test_a_code_is_accepted_once_and_refused_the_second_time(api_client, nurse):
    code = totp_code(nurse)

    first = token(api_client, nurse.email, otp=code)
    second = token(api_client, nurse.email, otp=code)

    assert first.status_code == 200
    assert_error(second, 401, "otp_invalid")
    assert OutstandingToken.objects.count() == 1


def test_a_wrong_code_gives_401_otp_invalid(api_client, nurse):
    right = totp_code(nurse)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    assert_error(token(api_client, nurse.email, otp=wrong), 401, "otp_invalid")
    assert OutstandingToken.objects.count() == 0


def test_a_recovery_code_works_once(api_client, nurse):
    codes = recovery_codes_replace(user=nurse)

    first = token(api_client, nurse.email, otp=codes[0].upper())
    second = token(api_client, nurse.email, otp=codes[0])

    assert first.status_code == 200
    assert_error(second, 401, "otp_invalid")
    assert StaticToken.objects.filter(device__user=nurse).count() == 9


def test_a_wrong_password_is_refused_before_the_code_is_asked_for(api_client, nurse):
    assert_error(token(api_client, nurse.email, "not-the-password"), 401, "no_active_account")


def test_a_patient_needs_no_code_until_they_turn_it_on(api_client, patient):
    assert token(api_client, patient.email).status_code == 200

    enrolled(patient)

    assert_error(token(api_client, patient.email), 401, "otp_required")
    assert token(api_client, patient.email, otp=totp_code(patient)).status_code == 200


def test_staff_never_enrolled_cannot_get_a_token_without_a_code(api_client):
    therapist = UserFactory(role=Role.THERAPIST)

    assert_error(token(api_client, therapist.email), 401, "otp_required")
    assert_error(token(api_client, therapist.email, otp="123456"), 401, "otp_invalid")
    assert not TOTPDevice.objects.filter(user=therapist).exists()


# -- lockout ---------------------------------------------------------------------------------------


def fail(client: APIClient, email: str, times: int, address: str = "203.0.113.5") -> list[int]:
    return [token(client, email, "wrong-password", REMOTE_ADDR=address).status_code for _ in range(times)]


def test_the_sixth_wrong_password_within_15_minutes_is_429_account_locked(api_client, patient):
    assert fail(api_client, patient.email, 5) == [401, 401, 401, 401, 401]

    response = token(api_client, patient.email, "wrong-password")

    body = assert_error(response, 429, "account_locked")
    assert body["fields"] == {"retry_at": ["2026-12-08T18:15:00+00:00"]}
    assert response["Retry-After"] == "900"


def test_the_right_password_is_refused_until_the_lock_ends_from_a_second_address(time_machine, patient):
    fail(APIClient(), patient.email, 5, address="203.0.113.5")
    other_address = APIClient(REMOTE_ADDR="198.51.100.7")

    time_machine.move_to(NOW + timedelta(minutes=14, seconds=59), tick=False)
    locked = token(other_address, patient.email)
    assert_error(locked, 429, "account_locked")
    assert locked["Retry-After"] == "1"

    time_machine.move_to(NOW + timedelta(minutes=15, seconds=1), tick=False)
    assert token(other_address, patient.email).status_code == 200


def test_failures_spread_over_more_than_15_minutes_do_not_lock(time_machine, api_client, patient):
    fail(api_client, patient.email, 4)
    time_machine.move_to(NOW + timedelta(minutes=16), tick=False)

    assert fail(api_client, patient.email, 1) == [401]
    assert token(api_client, patient.email).status_code == 200


def test_an_unknown_email_is_locked_alike_so_the_answers_reveal_nothing(api_client):
    assert fail(api_client, "nobody@example.com", 5) == [401, 401, 401, 401, 401]

    assert_error(token(api_client, "nobody@example.com", "wrong-password"), 429, "account_locked")


def test_the_lock_is_per_account_other_accounts_from_the_same_address_sign_in(api_client, patient, other_patient):
    fail(api_client, patient.email, 5)

    assert token(api_client, other_patient.email).status_code == 200


def test_wrong_codes_count_as_failed_sign_ins(api_client, nurse):
    for _ in range(5):
        assert_error(token(api_client, nurse.email, otp="000000"), 401, "otp_invalid")

    assert_error(token(api_client, nurse.email, otp=totp_code(nurse)), 429, "account_locked")


def test_a_sign_in_clears_earlier_failures(api_client, patient):
    fail(api_client, patient.email, 4)
    assert token(api_client, patient.email).status_code == 200

    assert fail(api_client, patient.email, 4) == [401, 401, 401, 401]
    assert token(api_client, patient.email).status_code == 200


def test_failed_sign_ins_are_recorded_under_the_email_typed_in_lower_case(api_client, patient):
    token(api_client, patient.email.upper(), "wrong-password")

    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [(patient.email, 1)]


# -- logout and ending everything -----------------------------------------------------------


def pair(client: APIClient, user: User) -> dict:
    response = token(client, user.email)
    assert response.status_code == 200
    return response.json()


def test_after_logout_the_refresh_token_is_refused(api_client, patient):
    tokens = pair(api_client, patient)

    assert api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 200

    assert_error(api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json"), 401, "token_not_valid")
    assert_error(api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json"), 401, "token_not_valid")
    assert BlacklistedToken.objects.count() == 1


def test_logout_keeps_the_other_sessions_of_the_account(api_client, patient):
    one, two = pair(api_client, patient), pair(api_client, patient)

    api_client.post(LOGOUT, {"refresh": one["refresh"]}, format="json")

    assert api_client.post(REFRESH, {"refresh": two["refresh"]}, format="json").status_code == 200


def test_logout_everywhere_ends_every_token_of_the_account(api_client, patient):
    one, two = pair(api_client, patient), pair(api_client, patient)

    response = api_client.post(LOGOUT, {"refresh": one["refresh"], "everywhere": True}, format="json")

    assert response.status_code == 200
    assert_error(api_client.post(REFRESH, {"refresh": two["refresh"]}, format="json"), 401, "token_not_valid")
    assert_error(bearer(two["access"]).get(ME), 401, "token_revoked")


def test_logout_with_a_garbage_token_gives_401_and_revokes_nothing(api_client):
    assert_error(api_client.post(LOGOUT, {"refresh": "garbage"}, format="json"), 401, "token_not_valid")
    assert BlacklistedToken.objects.count() == 0


def test_after_deactivation_access_and_refresh_tokens_and_page_sessions_are_refused(api_client, client, patient):
    tokens = pair(api_client, patient)
    client.force_login(patient)
    assert client.get("/account/").status_code == 200

    user_deactivate(user_id=patient.pk)

    assert_error(bearer(tokens["access"]).get(ME), 401, "user_inactive")
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert client.get("/account/")["Location"].startswith("/signin/")


def test_the_admins_deactivate_action_ends_everything(api_client, client, patient):
    tokens = pair(api_client, patient)
    client.force_login(enrolled(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)))

    response = client.post("/admin/accounts/user/", {"action": "deactivate", "_selected_action": [patient.pk]})

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.is_active, patient.session_generation) == (False, 1)
    assert BlacklistedToken.objects.filter(token__user=patient).count() == 1
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_unticking_active_in_the_admin_ends_everything(api_client, rf, patient):
    tokens = pair(api_client, patient)
    model_admin = admin.site._registry[User]
    patient.is_active = False

    model_admin.save_model(rf.post("/"), patient, SimpleNamespace(changed_data=["is_active"]), True)

    patient.refresh_from_db()
    assert (patient.is_active, patient.session_generation) == (False, 1)
    assert_error(bearer(tokens["access"]).get(ME), 401, "user_inactive")
    assert BlacklistedToken.objects.filter(token__user=patient).count() == 1


# -- password reset ---------------------------------------------------------------------------------


def link_parts(user: User) -> dict:
    return {"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


def test_asking_for_a_reset_answers_alike_for_known_and_unknown_emails(api_client, patient):
    known = api_client.post(RESET, {"email": patient.email}, format="json")
    unknown = api_client.post(RESET, {"email": "nobody@example.com"}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    # Each address gets one email (tests/accounts/test_password_reset_work.py: after the same work).
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([patient.email], "Reset your password"),
        (["nobody@example.com"], "No account with this email"),
    ]


def test_the_emailed_link_is_in_the_patients_language(api_client):
    patient = PatientFactory(language="es", first_name="Lucía")

    api_client.post(RESET, {"email": patient.email}, format="json")

    (message,) = mail.outbox
    assert message.subject == "Restablezca su contraseña"
    assert message.body.startswith("Hola, Lucía:")
    assert "http://127.0.0.1:8000/password-reset/" in message.body


def test_a_reset_link_works_once_and_ends_every_session(api_client, patient):
    tokens = pair(api_client, patient)
    parts = link_parts(patient)

    first = api_client.post(RESET_CONFIRM, {**parts, "new_password": NEW_PASSWORD}, format="json")
    second = api_client.post(RESET_CONFIRM, {**parts, "new_password": "another-" + NEW_PASSWORD}, format="json")

    assert first.status_code == 200
    assert_error(second, 400, "invalid_link")
    patient.refresh_from_db()
    assert patient.check_password(NEW_PASSWORD)
    assert_error(bearer(tokens["access"]).get(ME), 401, "token_revoked")
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert token(api_client, patient.email, NEW_PASSWORD).status_code == 200


def test_a_reset_link_does_not_work_after_an_hour(api_client, patient, time_machine):
    parts = link_parts(patient)

    time_machine.move_to(NOW + timedelta(hours=1, seconds=1), tick=False)
    response = api_client.post(RESET_CONFIRM, {**parts, "new_password": NEW_PASSWORD}, format="json")

    assert_error(response, 400, "invalid_link")
    patient.refresh_from_db()
    assert patient.check_password(TEST_PASSWORD)


def test_a_reset_link_works_just_before_the_hour_ends(api_client, patient, time_machine):
    parts = link_parts(patient)

    time_machine.move_to(NOW + timedelta(minutes=59), tick=False)

    assert api_client.post(RESET_CONFIRM, {**parts, "new_password": NEW_PASSWORD}, format="json").status_code == 200


def test_a_weak_new_password_is_refused_and_the_link_still_works(api_client, patient):
    parts = link_parts(patient)

    weak = api_client.post(RESET_CONFIRM, {**parts, "new_password": "12345678"}, format="json")

    assert_error(weak, 400, "weak_password")
    assert api_client.post(RESET_CONFIRM, {**parts, "new_password": NEW_PASSWORD}, format="json").status_code == 200


def test_a_forged_or_cut_link_gives_400_invalid_link(api_client, patient):
    parts = link_parts(patient)

    for uid, link_token in [("garbage", parts["token"]), (parts["uid"], "1-abc"), ("", "")]:
        response = api_client.post(
            RESET_CONFIRM, {"uid": uid, "token": link_token, "new_password": NEW_PASSWORD}, format="json"
        )
        assert response.status_code == 400
    patient.refresh_from_db()
    assert patient.check_password(TEST_PASSWORD)


def test_a_password_set_by_an_admin_ends_every_token_of_the_account(api_client, client, patient):
    tokens = pair(api_client, patient)
    client.force_login(enrolled(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)))

    response = client.post(
        f"/admin/accounts/user/{patient.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert_error(bearer(tokens["access"]).get(ME), 401, "token_revoked")
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
