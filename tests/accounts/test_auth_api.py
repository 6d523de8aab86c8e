"""Sign-up, tokens and the signed-in user's own profile, over HTTP."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import PatientProfile, User
from core.roles import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=LA)

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


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


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


# -- register -------------------------------------------------------------------------------


# Accepted sign-ups (one answer for known and unknown emails) are in test_signup_api.py.


@pytest.mark.parametrize("password", ["password", "12345678901", "short"])
def test_registering_with_a_weak_password_gives_400_and_creates_nobody(api_client, password):
    response = api_client.post(REGISTER, sign_up(password=password), format="json")

    body = assert_error(response, 400, "weak_password")
    assert list(body["fields"]) == ["password"]
    assert body["fields"]["password"]
    assert User.objects.count() == 0
    assert PatientProfile.objects.count() == 0


def test_registering_with_a_password_like_the_email_is_weak(api_client):
    response = api_client.post(
        REGISTER, sign_up(email="robinhale1990@example.com", password="robinhale1990"), format="json"
    )

    assert_error(response, 400, "weak_password")
    assert User.objects.count() == 0


@pytest.mark.parametrize("phone", ["12345", "not a phone", "+1 415 555 01"])
def test_registering_with_an_invalid_phone_gives_400_invalid_phone_and_creates_nobody(api_client, phone):
    response = api_client.post(REGISTER, sign_up(phone=phone), format="json")

    body = assert_error(response, 400, "invalid_phone")
    assert list(body["fields"]) == ["phone"]
    assert User.objects.count() == 0


@pytest.mark.parametrize("date_of_birth", ["2026-12-09", "2030-01-01", "2026-12-08"])
def test_registering_with_a_date_of_birth_not_in_the_past_gives_400_and_creates_nobody(api_client, date_of_birth):
    response = api_client.post(REGISTER, sign_up(date_of_birth=date_of_birth), format="json")

    body = assert_error(response, 400, "invalid_date_of_birth")
    assert body["fields"] == {"date_of_birth": ["Must lie in the past."]}
    assert User.objects.count() == 0


def test_the_date_of_birth_is_compared_with_the_clinics_date_not_utcs(api_client, demo_clinic, time_machine):
    # 20:00 in Los Angeles on the 8th is already the 9th in UTC.
    time_machine.move_to(datetime(2026, 12, 8, 20, 0, tzinfo=LA), tick=False)

    response = api_client.post(REGISTER, sign_up(date_of_birth="2026-12-08"), format="json")

    assert_error(response, 400, "invalid_date_of_birth")
    assert User.objects.filter(role=Role.PATIENT, email="new.patient@example.com").count() == 0


def test_registering_with_yesterday_as_date_of_birth_is_accepted(api_client):
    response = api_client.post(REGISTER, sign_up(date_of_birth="2026-12-07"), format="json")

    assert response.status_code == 202, response.json()
    profile = PatientProfile.objects.get(user__email="new.patient@example.com")
    assert profile.date_of_birth.isoformat() == "2026-12-07"


def test_registering_with_missing_fields_names_each_of_them(api_client):
    response = api_client.post(REGISTER, {"email": "someone@example.com"}, format="json")

    body = assert_error(response, 400, "invalid")
    assert body["fields"] == {
        "password": ["This field is required."],
        "first_name": ["This field is required."],
        "last_name": ["This field is required."],
        "date_of_birth": ["This field is required."],
        "phone": ["This field is required."],
    }
    assert User.objects.count() == 0


def test_registering_with_a_malformed_email_and_date_names_both_fields(api_client):
    response = api_client.post(REGISTER, sign_up(email="not-an-email", date_of_birth="14/02/1990"), format="json")

    body = assert_error(response, 400, "invalid")
    assert set(body["fields"]) == {"email", "date_of_birth"}
    assert User.objects.count() == 0


def test_registering_with_a_malformed_json_body_gives_400_malformed_request(api_client):
    response = api_client.post(REGISTER, data='{"email": "a@example.com",', content_type="application/json")

    body = assert_error(response, 400, "malformed_request")
    assert body["fields"] == {}
    assert User.objects.count() == 0


# -- tokens ---------------------------------------------------------------------------------


def test_a_token_pair_is_issued_for_the_right_email_and_password(api_client, patient):
    response = api_client.post(TOKEN, {"email": patient.email, "password": TEST_PASSWORD}, format="json")

    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"access", "refresh"}
    assert AccessToken(response.json()["access"])["user_id"] == str(patient.pk)


def test_a_token_request_with_the_wrong_password_gives_401_in_the_error_shape(api_client, patient):
    response = api_client.post(TOKEN, {"email": patient.email, "password": "not-the-password"}, format="json")

    body = assert_error(response, 401, "no_active_account")
    assert body["fields"] == {}
    assert "access" not in body


def test_a_token_request_for_an_unknown_email_gives_401(api_client):
    response = api_client.post(TOKEN, {"email": "nobody@example.com", "password": TEST_PASSWORD}, format="json")

    assert_error(response, 401, "no_active_account")


def test_a_token_request_for_a_deactivated_user_gives_401(api_client, patient):
    patient.is_active = False
    patient.save(update_fields=["is_active"])

    response = api_client.post(TOKEN, {"email": patient.email, "password": TEST_PASSWORD}, format="json")

    assert_error(response, 401, "no_active_account")


def test_a_refresh_token_buys_a_new_pair_whose_access_token_signs_in(api_client, patient):
    pair = api_client.post(TOKEN, {"email": patient.email, "password": TEST_PASSWORD}, format="json").json()

    response = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"access", "refresh"}
    assert response.json()["refresh"] != pair["refresh"]
    me = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.status_code == 200
    assert me.json()["id"] == str(patient.pk)


def test_an_access_token_is_not_accepted_as_a_refresh_token(api_client, patient):
    pair = api_client.post(TOKEN, {"email": patient.email, "password": TEST_PASSWORD}, format="json").json()

    response = api_client.post(REFRESH, {"refresh": pair["access"]}, format="json")

    assert_error(response, 401, "token_not_valid")


def test_a_garbage_refresh_token_gives_401(api_client):
    response = api_client.post(REFRESH, {"refresh": "garbage"}, format="json")

    assert_error(response, 401, "token_not_valid")


def test_an_access_token_expires_after_ten_minutes(api_client, patient, time_machine):
    pair = api_client.post(TOKEN, {"email": patient.email, "password": TEST_PASSWORD}, format="json").json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {pair['access']}"}
    time_machine.move_to(datetime(2026, 12, 8, 10, 9, 59, tzinfo=LA), tick=False)
    assert api_client.get(ME, **auth).status_code == 200

    time_machine.move_to(datetime(2026, 12, 8, 10, 10, 1, tzinfo=LA), tick=False)

    assert_error(api_client.get(ME, **auth), 401, "token_not_valid")


# -- me -------------------------------------------------------------------------------------


def test_me_returns_a_patients_own_profile(client_for, patient):
    response = client_for(patient).get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(patient.pk),
        "email": patient.email,
        "first_name": "Sam",
        "last_name": patient.last_name,
        "role": "patient",
        "date_of_birth": "1985-06-01",
        "phone": "+14155550123",
    }


@pytest.mark.parametrize(
    ("fixture", "role"),
    [
        ("patient", "patient"),
        ("nurse_user", "nurse"),
        ("clinician_user", "clinician"),
        ("therapist_user", "therapist"),
        ("admin_user", "admin"),
    ],
)
def test_me_reports_the_role_of_every_kind_of_user(client_for, request, fixture, role):
    user = request.getfixturevalue(fixture)

    response = client_for(user).get(ME)

    assert response.status_code == 200
    assert response.json()["role"] == role
    assert response.json()["id"] == str(user.pk)
    assert response.json()["email"] == user.email


def test_me_for_staff_has_no_patient_details(client_for, nurse_user):
    body = client_for(nurse_user).get(ME).json()

    assert body["date_of_birth"] is None
    assert body["phone"] is None


def test_me_without_a_token_gives_401_not_authenticated(api_client):
    body = assert_error(api_client.get(ME), 401, "not_authenticated")

    assert body["fields"] == {}


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer garbage", "token_not_valid"),
        ("Bearer a.b.c", "token_not_valid"),
        ("Bearer ", "authentication_failed"),
        ("Bearer two parts", "authentication_failed"),
    ],
)
def test_me_with_a_garbage_bearer_token_gives_401(api_client, header, code):
    body = assert_error(api_client.get(ME, HTTP_AUTHORIZATION=header), 401, code)

    assert body["fields"] == {}


def test_me_with_another_auth_scheme_is_treated_as_anonymous(api_client):
    assert_error(api_client.get(ME, HTTP_AUTHORIZATION="Token abc"), 401, "not_authenticated")


def test_me_with_a_refresh_token_as_bearer_gives_401(api_client, patient):
    pair = api_client.post(TOKEN, {"email": patient.email, "password": TEST_PASSWORD}, format="json").json()

    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {pair['refresh']}")

    assert_error(response, 401, "token_not_valid")


# -- throttling -----------------------------------------------------------------------------


@pytest.fixture
def auth_rate_two_per_minute(monkeypatch):
    """The "auth" scope at 2 requests a minute.

    DRF binds ``SimpleRateThrottle.THROTTLE_RATES`` to the settings dict once, at import, so
    ``override_settings(REST_FRAMEWORK=...)`` does not reach it; the class attribute is patched.
    """
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "auth": "2/minute"})
    cache.clear()
    yield
    cache.clear()


def test_the_third_token_request_in_a_minute_is_throttled(api_client, patient, auth_rate_two_per_minute):
    credentials = {"email": patient.email, "password": TEST_PASSWORD}
    assert api_client.post(TOKEN, credentials, format="json").status_code == 200
    assert api_client.post(TOKEN, credentials, format="json").status_code == 200

    response = api_client.post(TOKEN, credentials, format="json")

    assert response.status_code == 429
    assert response.json() == {
        "code": "throttled",
        "detail": "Request was throttled. Expected available in 60 seconds.",
        "fields": {},
    }
    assert response["Retry-After"] == "60"


def test_failed_sign_ins_and_sign_ups_count_against_the_same_auth_limit(api_client, auth_rate_two_per_minute):
    assert api_client.post(TOKEN, {"email": "x@example.com", "password": "wrong"}, format="json").status_code == 401
    assert api_client.post(REGISTER, sign_up(password="password"), format="json").status_code == 400

    response = api_client.post(REGISTER, sign_up(), format="json")

    assert_error(response, 429, "throttled")
    assert User.objects.count() == 0


def test_token_requests_are_allowed_again_after_a_minute(api_client, patient, auth_rate_two_per_minute, time_machine):
    credentials = {"email": patient.email, "password": TEST_PASSWORD}
    for _ in range(2):
        assert api_client.post(TOKEN, credentials, format="json").status_code == 200
    assert api_client.post(TOKEN, credentials, format="json").status_code == 429

    time_machine.move_to(datetime(2026, 12, 8, 10, 1, 1, tzinfo=LA), tick=False)

    assert api_client.post(TOKEN, credentials, format="json").status_code == 200
