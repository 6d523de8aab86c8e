from collections.abc import Callable

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from booking.management.commands.seed_demo import seed_demo_clinic
from core.roles import Role
from scheduling.models import Clinic, StaffMember
from tests.factories import PatientFactory, UserFactory


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff pages need a session that passed the second factor; a test that skips signing in with
    force_login skips the code too (tests/accounts/otp.py). Sign-in tests go through both steps."""
    from django.test import Client

    from tests.accounts.otp import force_login_with_second_factor

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    """An API client signed in as ``user`` with a real JWT access token."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make


@pytest.fixture
def demo_clinic(db) -> Clinic:
    """The demo clinic of SPEC.md section 2, built by the same code as `seed_demo`."""
    return seed_demo_clinic(password="demo-password-for-tests")


@pytest.fixture
def patient(db) -> User:
    return PatientFactory()


@pytest.fixture
def other_patient(db) -> User:
    return PatientFactory()


def _staff_user(role: str) -> User:
    return UserFactory(role=role, is_staff=role == Role.ADMIN)


@pytest.fixture
def nurse_user(db) -> User:
    return _staff_user(Role.NURSE)


@pytest.fixture
def clinician_user(db) -> User:
    return _staff_user(Role.CLINICIAN)


@pytest.fixture
def therapist_user(db) -> User:
    return _staff_user(Role.THERAPIST)


@pytest.fixture
def admin_user(db) -> User:
    return _staff_user(Role.ADMIN)


def demo_staff(email: str) -> StaffMember:
    return StaffMember.objects.select_related("user").get(user__email=email)
