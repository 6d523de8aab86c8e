"""Accounts made or edited in the Django admin keep their email the way sign-up does (trimmed,
lower-case), so a person has one account and it can sign in; a duplicate that differs only in
case is refused with a clear error (issue 18, item 14)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from core.roles import Role
from tests.accounts.otp import enrolled
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/accounts/user/add/"
# The patient profile inline's management form, with no profile (staff have none).
NO_PROFILE = {
    "patient_profile-TOTAL_FORMS": "0",
    "patient_profile-INITIAL_FORMS": "0",
    "patient_profile-MIN_NUM_FORMS": "0",
    "patient_profile-MAX_NUM_FORMS": "1",
}
DUPLICATE = "An account with this email already exists (emails are compared without regard to case)."


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(enrolled(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)))
    return client


def added(client: Client, email: str):
    return client.post(
        ADD,
        {
            "email": email,
            "first_name": "Nora",
            "last_name": "Quinn",
            "role": Role.NURSE,
            "password1": "a-long-and-uncommon-passphrase-9",
            "password2": "a-long-and-uncommon-passphrase-9",
            **NO_PROFILE,
        },
    )


def change_form(user: User, **changes: str) -> dict[str, str]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-12-01",
        "date_joined_1": "09:00:00",
        **NO_PROFILE,
        **changes,
    }


def test_a_user_added_as_typed_with_capitals_is_stored_lower_case_and_signs_in(admin_client):
    response = added(admin_client, "  Nurse@Example.com ")

    assert response.status_code == 302
    assert list(User.objects.filter(role=Role.NURSE).values_list("email", flat=True)) == ["nurse@example.com"]
    assert Client().post("/signin/", {"email": "Nurse@Example.com", "password": "a-long-and-uncommon-passphrase-9"})[
        "Location"
    ] == ("/signin/enrol/")


def test_a_second_account_differing_only_in_case_is_refused_with_a_clear_error(admin_client):
    UserFactory(email="nurse@example.com", role=Role.NURSE)

    response = added(admin_client, "NURSE@example.COM")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [DUPLICATE]
    assert User.objects.filter(email__iexact="nurse@example.com").count() == 1


def test_an_email_edited_in_the_admin_is_stored_lower_case_and_may_not_take_anothers(admin_client):
    nurse = UserFactory(email="nurse@example.com", role=Role.NURSE)
    other = UserFactory(email="other@example.com", role=Role.NURSE)
    url = f"/admin/accounts/user/{other.pk}/change/"

    taken = admin_client.post(url, change_form(other, email="Nurse@Example.com"))
    renamed = admin_client.post(url, change_form(other, email="Other.Nurse@Example.com"))

    assert taken.status_code == 200
    assert taken.context["adminform"].form.errors["email"] == [DUPLICATE]
    assert renamed.status_code == 302
    other.refresh_from_db()
    nurse.refresh_from_db()
    assert (other.email, nurse.email) == ("other.nurse@example.com", "nurse@example.com")


def test_the_model_refuses_a_case_variant_of_an_existing_email_on_full_clean():
    UserFactory(email="nurse@example.com", role=Role.NURSE)
    candidate = User(email="Nurse@EXAMPLE.com", first_name="N", last_name="Q", role=Role.NURSE)
    candidate.set_password(TEST_PASSWORD)

    with pytest.raises(ValidationError) as refused:
        candidate.full_clean()

    assert candidate.email == "nurse@example.com"
    assert refused.value.message_dict == {"email": [DUPLICATE]}
