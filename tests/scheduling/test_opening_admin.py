"""The extra opening in the admin: a date, its blocks and the staff on duty picked in a multi-select."""

from datetime import date, time

import pytest
from django.test import Client
from django.urls import reverse

from core.roles import Role
from scheduling.models import ClinicOpening
from tests.factories import ClinicFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = "admin:scheduling_clinicopening_add"


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def clinic():
    clinic = ClinicFactory()
    clinic.nurse = StaffMemberFactory(
        clinic=clinic, user=UserFactory(role=Role.NURSE, first_name="Priya", last_name="Shah")
    )
    clinic.clinician = StaffMemberFactory(
        clinic=clinic, user=UserFactory(role=Role.CLINICIAN, first_name="Maya", last_name="Okafor")
    )
    return clinic


def form_data(clinic, day: str, blocks: list[tuple[str, str]], staff) -> dict:
    data = {
        "clinic": clinic.pk,
        "opens_on": day,
        "staff": [str(member.pk) for member in staff],
        "reason": "Saturday clinic",
        "hours-TOTAL_FORMS": str(len(blocks)),
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for index, (opens, closes) in enumerate(blocks):
        data[f"hours-{index}-opens_at"] = opens
        data[f"hours-{index}-closes_at"] = closes
    return data


def test_the_add_page_lists_the_staff_in_a_multi_select_with_their_roles(admin_client, clinic):
    page = admin_client.get(reverse(ADD))

    assert page.status_code == 200
    staff_field = page.context["adminform"].form.fields["staff"]
    assert staff_field.widget.widget.allow_multiple_selected  # inside the admin's "add another" wrapper
    assert sorted(label for _, label in staff_field.choices) == ["Maya Okafor (Clinician)", "Priya Shah (Nurse)"]
    assert b'<select name="staff" ' in page.content


def test_an_admin_opens_a_saturday_with_two_blocks_and_two_staff(admin_client, clinic):
    response = admin_client.post(
        reverse(ADD),
        form_data(clinic, "2026-12-05", [("10:00", "12:00"), ("13:00", "14:00")], [clinic.nurse, clinic.clinician]),
    )

    assert response.status_code == 302
    opening = ClinicOpening.objects.get()
    assert opening.opens_on == date(2026, 12, 5)
    assert [(block.opens_at, block.closes_at) for block in opening.hours.all()] == [
        (time(10), time(12)),
        (time(13), time(14)),
    ]
    assert set(opening.staff.all()) == {clinic.nurse, clinic.clinician}
    listed = admin_client.get(reverse("admin:scheduling_clinicopening_changelist")).content.decode()
    assert "10:00-12:00, 13:00-14:00" in listed
    assert "Maya Okafor, Priya Shah" in listed


@pytest.mark.parametrize(
    ("day", "blocks", "message"),
    [
        ("2026-12-05", [("10:00", "12:00"), ("11:00", "14:00")], "The blocks 10:00-12:00 and 11:00-14:00 overlap."),
        ("2026-12-05", [], "An opening needs at least one block of hours."),
        ("2026-12-05", [("14:00", "10:00")], "The block 14:00-10:00 must close after it opens, on the same day."),
        (
            "2026-03-08",
            [("02:30", "06:00")],
            "02:30 does not exist on 2026-03-08 in America/Los_Angeles: the clocks go forward.",
        ),
    ],
)
def test_the_admin_refuses_blocks_that_make_no_sense_and_saves_nothing(admin_client, clinic, day, blocks, message):
    response = admin_client.post(reverse(ADD), form_data(clinic, day, blocks, [clinic.nurse]))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ClinicOpening.objects.exists()


def test_the_admin_refuses_staff_of_another_clinic(admin_client, clinic):
    stranger = StaffMemberFactory(clinic=ClinicFactory(name="Elsewhere"), user=UserFactory(role=Role.NURSE))

    response = admin_client.post(reverse(ADD), form_data(clinic, "2026-12-05", [("10:00", "14:00")], [stranger]))

    assert response.status_code == 200
    assert "Only staff of this clinic can be on duty." in response.content.decode()
    assert not ClinicOpening.objects.exists()
