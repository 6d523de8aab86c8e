"""Reads of patients in the Django admin are in the patient-data access log (issue 18, SPEC.md
section 11), as the pages' and the API's are: the user list and a patient's page (date of birth,
phone), their history and password page, the appointment list and page, the outbox, the session
records. One row per page naming exactly the patients it shows; none for a page showing none."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from booking.models import Appointment
from booking.services.appointments import appointment_book
from clinical.models import InfusionRecord
from core.models import PatientDataAccess
from core.roles import Role
from notifications.models import OutboxMessage
from scheduling.models import AppointmentType
from tests.accounts.otp import enrolled
from tests.clinical.infusion_fixtures import infusion_appointment, start
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 30, 9, tzinfo=LA)
REQUEST_ID = "admin-read-test-0001"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def superuser() -> Any:
    return enrolled(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client(headers={"X-Request-ID": REQUEST_ID})
    client.force_login(superuser)
    return client


@pytest.fixture
def two_booked(demo_clinic, superuser) -> list[Appointment]:
    evaluation = AppointmentType.objects.get(code="evaluation")
    return [
        appointment_book(
            actor=superuser,
            patient=PatientFactory(),
            appointment_type=evaluation,
            starts_at=datetime(2026, 12, 3, hour, tzinfo=LA),
        )
        for hour in (10, 14)
    ]


def read_by(client: Client, url: str, actor: Any) -> list[tuple[str, set[str]]]:
    """GET ``url``: the access rows it wrote, as (what, patients)."""
    PatientDataAccess.objects.all().delete()
    assert client.get(url).status_code == 200
    rows = list(PatientDataAccess.objects.all())
    for row in rows:
        assert (row.actor_id, row.actor_role, row.request_id) == (actor.pk, Role.ADMIN, REQUEST_ID)
    return [(row.what, set(row.patient_ids)) for row in rows]


def ids(*users: Any) -> set[str]:
    return {str(user.pk) for user in users}


def test_a_patients_page_in_the_admin_with_date_of_birth_and_phone_is_a_logged_read(admin_client, superuser):
    patient = PatientFactory()
    page = reverse("admin:accounts_user_change", args=[patient.pk])

    assert read_by(admin_client, page, superuser) == [("admin:accounts_user_change", ids(patient))]
    history = reverse("admin:accounts_user_history", args=[patient.pk])
    assert read_by(admin_client, history, superuser) == [("admin:accounts_user_history", ids(patient))]
    password = reverse("admin:auth_user_password_change", args=[patient.pk])
    assert read_by(admin_client, password, superuser) == [("admin:auth_user_password_change", ids(patient))]


def test_the_user_list_logs_the_patients_it_shows_and_a_staff_members_page_logs_nothing(admin_client, superuser):
    patients = [PatientFactory(), PatientFactory()]
    nurse = UserFactory(role=Role.NURSE)

    listed = read_by(admin_client, reverse("admin:accounts_user_changelist"), superuser)
    staff_page = read_by(admin_client, reverse("admin:accounts_user_change", args=[nurse.pk]), superuser)

    assert listed == [("admin:accounts_user_changelist", ids(*patients))]
    assert staff_page == []


def test_the_appointment_list_and_page_are_logged_reads(admin_client, superuser, two_booked):
    first, second = two_booked

    listed = read_by(admin_client, reverse("admin:booking_appointment_changelist"), superuser)
    page = read_by(admin_client, reverse("admin:booking_appointment_change", args=[first.pk]), superuser)
    cancel = read_by(admin_client, reverse("admin:booking_appointment_cancel", args=[first.pk]), superuser)

    assert listed == [("admin:booking_appointment_changelist", ids(first.patient, second.patient))]
    assert page == [("admin:booking_appointment_change", ids(first.patient))]
    assert cancel == [("admin:booking_appointment_cancel", ids(first.patient))]


def test_the_outbox_and_the_session_records_are_logged_reads(admin_client, superuser, two_booked, nurse_user):
    message = OutboxMessage.objects.filter(appointment=two_booked[0]).earliest("id")
    infusion = infusion_appointment()
    record: InfusionRecord = start(infusion, nurse_user)

    outbox = read_by(admin_client, reverse("admin:notifications_outboxmessage_changelist"), superuser)
    one_message = read_by(
        admin_client, reverse("admin:notifications_outboxmessage_change", args=[message.pk]), superuser
    )
    one_record = read_by(admin_client, reverse("admin:clinical_infusionrecord_change", args=[record.pk]), superuser)

    assert outbox == [("admin:notifications_outboxmessage_changelist", ids(*(a.patient for a in two_booked)))]
    assert one_message == [("admin:notifications_outboxmessage_change", ids(two_booked[0].patient))]
    assert one_record == [("admin:clinical_infusionrecord_change", ids(infusion.patient))]


def test_an_empty_list_logs_nothing(admin_client, superuser, demo_clinic):
    assert read_by(admin_client, reverse("admin:booking_appointment_changelist"), superuser) == []


def test_the_staff_account_autocomplete_never_lists_patients(admin_client, superuser, demo_clinic):
    patient = PatientFactory(last_name="Zebrafish")
    nurse = UserFactory(role=Role.NURSE, last_name="Zebrafinch")
    query = {"app_label": "scheduling", "model_name": "staffmember", "field_name": "user", "term": "Zebra"}

    found = admin_client.get(reverse("admin:autocomplete"), query).json()["results"]

    assert [result["id"] for result in found] == [str(nurse.pk)]
    assert str(patient.pk) not in str(found)
