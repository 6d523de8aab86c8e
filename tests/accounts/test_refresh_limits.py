"""The API's refresh tokens follow SPEC.md section 11's session limits (issue 18, item 7): a
refresh token left unused for 15 minutes (staff) or 30 (patients) is refused, and so is any after
12 hours from the sign-in, however busy. Each refresh gives a new refresh token (the one used is
refused from then on) carrying the time of the sign-in."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import jwt
import pytest
import time_machine
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from core.roles import Role
from tests.accounts.otp import enrolled, totp_code
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
SIGNED_IN = datetime(2026, 12, 8, 8, 0, tzinfo=LA)
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"


@pytest.fixture
def nurse(db) -> User:
    return enrolled(UserFactory(role=Role.NURSE))


def signed_in(user: User, **extra: str) -> dict[str, str]:
    with time_machine.travel(SIGNED_IN, tick=False):
        response = APIClient().post(TOKEN, {"email": user.email, "password": TEST_PASSWORD, **extra}, format="json")
    assert response.status_code == 200, response.json()
    pair: dict[str, str] = response.json()
    return pair


def staff_signed_in(nurse: User) -> dict[str, str]:
    with time_machine.travel(SIGNED_IN, tick=False):
        code = totp_code(nurse)
    return signed_in(nurse, otp=code)


def refresh_at(refresh: str, at: datetime) -> tuple[int, dict[str, str]]:
    with time_machine.travel(at, tick=False):
        response = APIClient().post(REFRESH, {"refresh": refresh}, format="json")
    return response.status_code, response.json()


def claims(token: str) -> dict:
    decoded: dict = jwt.decode(token, options={"verify_signature": False})
    return decoded


def refused(answer: tuple[int, dict[str, str]]) -> bool:
    status, body = answer
    return status == 401 and body["code"] == "token_not_valid" and set(body) == {"code", "detail", "fields"}


def test_a_staff_refresh_token_works_until_15_minutes_unused_and_not_at_15(nurse):
    pair = staff_signed_in(nurse)

    assert refused(refresh_at(pair["refresh"], SIGNED_IN + timedelta(minutes=15)))
    status, renewed = refresh_at(pair["refresh"], SIGNED_IN + timedelta(minutes=14, seconds=59))

    assert status == 200
    assert set(renewed) == {"access", "refresh"}
    later = SIGNED_IN + timedelta(minutes=14, seconds=59)
    assert refused(refresh_at(renewed["refresh"], later + timedelta(minutes=15)))
    assert refresh_at(renewed["refresh"], later + timedelta(minutes=14, seconds=59))[0] == 200


def test_a_patient_refresh_token_lasts_30_minutes_unused(patient):
    pair = signed_in(patient)

    assert refused(refresh_at(pair["refresh"], SIGNED_IN + timedelta(minutes=30)))
    assert refresh_at(pair["refresh"], SIGNED_IN + timedelta(minutes=29, seconds=59))[0] == 200


def test_a_busy_staff_session_ends_12_hours_after_the_sign_in(nurse):
    refresh = staff_signed_in(nurse)["refresh"]
    at = SIGNED_IN
    while at + timedelta(minutes=14) < SIGNED_IN + timedelta(hours=12):
        at += timedelta(minutes=14)
        status, renewed = refresh_at(refresh, at)
        assert status == 200, (at, renewed)
        refresh = renewed["refresh"]
    last = SIGNED_IN + timedelta(hours=11, minutes=59, seconds=59)
    status, renewed = refresh_at(refresh, last)
    assert status == 200
    # Nothing it gives outlives the 12 hours, the access token included.
    end = int((SIGNED_IN + timedelta(hours=12)).timestamp())
    assert claims(renewed["refresh"])["exp"] == claims(renewed["access"])["exp"] == end
    with time_machine.travel(SIGNED_IN + timedelta(hours=12), tick=False):
        me = APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {renewed['access']}")
    assert me.status_code == 401

    assert refused(refresh_at(renewed["refresh"], SIGNED_IN + timedelta(hours=12)))


def test_a_busy_patient_session_ends_12_hours_after_the_sign_in_too(patient):
    refresh = signed_in(patient)["refresh"]
    for step in range(1, 25):  # every 29 minutes, for 11 h 36 min
        status, renewed = refresh_at(refresh, SIGNED_IN + timedelta(minutes=29 * step))
        assert status == 200
        refresh = renewed["refresh"]

    assert refresh_at(refresh, SIGNED_IN + timedelta(hours=11, minutes=59, seconds=59))[0] == 200
    assert refused(refresh_at(refresh, SIGNED_IN + timedelta(hours=12)))


def test_the_sign_in_time_travels_with_every_new_refresh_token(patient):
    first = signed_in(patient)["refresh"]
    _, second = refresh_at(first, SIGNED_IN + timedelta(minutes=20))
    _, third = refresh_at(second["refresh"], SIGNED_IN + timedelta(minutes=40))

    start = int(SIGNED_IN.timestamp())
    assert [claims(token)["auth_time"] for token in (first, second["refresh"], third["refresh"])] == [start] * 3
    assert claims(third["refresh"])["iat"] == int((SIGNED_IN + timedelta(minutes=40)).timestamp())
    assert claims(third["refresh"])["exp"] == int((SIGNED_IN + timedelta(minutes=70)).timestamp())


def test_a_used_refresh_token_is_refused_and_each_one_is_recorded(patient):
    first = signed_in(patient)["refresh"]
    assert refresh_at(first, SIGNED_IN + timedelta(minutes=1))[0] == 200

    assert refused(refresh_at(first, SIGNED_IN + timedelta(minutes=2)))
    assert OutstandingToken.objects.filter(user=patient).count() == 2
    assert list(BlacklistedToken.objects.values_list("token__jti", flat=True)) == [claims(first)["jti"]]


def test_a_refresh_token_made_before_these_limits_is_held_to_them(patient):
    """A token of the earlier kind: no sign-in time, a day's lifetime, never renewed."""
    from rest_framework_simplejwt.tokens import RefreshToken

    with time_machine.travel(SIGNED_IN, tick=False):
        old = str(RefreshToken.for_user(patient))

    assert refused(refresh_at(old, SIGNED_IN + timedelta(minutes=31)))
    assert refresh_at(old, SIGNED_IN + timedelta(minutes=29))[0] == 200


def test_the_limits_are_those_of_the_role_the_account_has_at_the_refresh():
    promoted, unchanged = PatientFactory(), PatientFactory()
    promoted_pair, unchanged_pair = signed_in(promoted), signed_in(unchanged)
    User.objects.filter(pk=promoted.pk).update(role=Role.NURSE)

    assert refused(refresh_at(unchanged_pair["refresh"], SIGNED_IN + timedelta(minutes=30)))
    assert refused(refresh_at(promoted_pair["refresh"], SIGNED_IN + timedelta(minutes=15)))
    status, renewed = refresh_at(promoted_pair["refresh"], SIGNED_IN + timedelta(minutes=10))
    assert status == 200
    assert claims(renewed["refresh"])["exp"] == int((SIGNED_IN + timedelta(minutes=25)).timestamp())
