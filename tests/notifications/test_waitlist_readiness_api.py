from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import WaitlistEntry
from booking.services.appointments import appointment_book, appointment_cancel
from core.roles import Role
from notifications.models import Kind, OutboxMessage
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 30, 9, tzinfo=LA)
START = datetime(2026, 12, 3, 10, tzinfo=LA)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(demo_clinic):
    return UserFactory(role=Role.ADMIN)


def book(desk, patient, code="evaluation", start=START):
    return appointment_book(
        actor=desk, patient=patient, appointment_type=AppointmentType.objects.get(code=code), starts_at=start, now=NOW
    )


def join(client, **body):
    payload = {"type": "evaluation", "date_from": "2026-12-01", "date_to": "2026-12-10", **body}
    return client.post("/api/v1/waitlist/", payload, format="json")


def test_a_patient_joins_the_waitlist(demo_clinic, patient, client_for):
    response = join(client_for(patient))

    assert response.status_code == 201
    assert response.json()["status"] == "waiting"
    assert WaitlistEntry.objects.get().patient == patient


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"date_to": "2026-11-29"}, "invalid_date_range"),
        ({"date_from": "2026-11-01"}, "outside_booking_window"),
        ({"type": "nothing"}, "unknown_appointment_type"),
        ({"date_from": "soon"}, "invalid"),
    ],
)
def test_bad_waitlist_requests_are_400_and_write_nothing(demo_clinic, patient, client_for, body, code):
    response = join(client_for(patient), **body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert WaitlistEntry.objects.count() == 0


@pytest.mark.parametrize("role", ["nurse", "clinician", "therapist", "admin"])
def test_only_patients_join_the_waitlist(demo_clinic, client_for, role):
    response = join(client_for(UserFactory(role=role)))

    assert response.status_code == 403
    assert WaitlistEntry.objects.count() == 0


def test_a_cancellation_offers_the_freed_time_to_the_earliest_waiting_patients(demo_clinic, desk, client_for):
    holder = PatientFactory()
    appointment = book(desk, holder)
    waiting = [PatientFactory() for _ in range(4)]
    for second, patient in enumerate(waiting, start=1):
        with time_machine.travel(NOW + timedelta(seconds=second), tick=False):  # who came first counts
            assert join(client_for(patient)).status_code == 201
    late_range = PatientFactory()
    join(client_for(late_range), date_from="2026-12-05", date_to="2026-12-10")

    appointment_cancel(actor=desk, appointment_id=appointment.pk, reason="ill", now=NOW)

    offers = OutboxMessage.objects.filter(kind=Kind.WAITLIST_OFFER).order_by("id")
    assert [o.patient_id for o in offers] == [p.pk for p in waiting[:3]]
    assert all(o.appointment_id == appointment.pk and o.regarding_start == START for o in offers)


def test_a_patient_confirms_readiness_and_the_schedule_shows_it(demo_clinic, desk, patient, client_for, nurse_user):
    active_plan(patient, signed_at=NOW - timedelta(days=1))
    infusion = book(desk, patient, code="infusion")
    other = PatientFactory()
    active_plan(other, signed_at=NOW - timedelta(days=1))
    unconfirmed = book(desk, other, code="infusion", start=START + timedelta(hours=1))

    response = client_for(patient).post(
        f"/api/v1/appointments/{infusion.pk}/readiness/",
        {"driver_arranged": True, "fasting_acknowledged": True},
        format="json",
    )

    assert response.status_code == 200
    schedule = client_for(nurse_user).get("/api/v1/schedule/?date=2026-12-03").json()["appointments"]
    readiness = {row["id"]: row["readiness"] for row in schedule}
    assert readiness[str(infusion.pk)]["driver_arranged"] is True
    assert readiness[str(unconfirmed.pk)] == {
        "driver_arranged": False,
        "fasting_acknowledged": False,
        "confirmed_at": None,
    }


@pytest.mark.parametrize(("who", "status_code"), [("other_patient", 404), ("nurse", 403), ("anonymous", 401)])
def test_only_the_patient_confirms_their_readiness(
    demo_clinic, desk, patient, client_for, api_client, who, status_code
):
    appointment = book(desk, patient)
    client = (
        api_client
        if who == "anonymous"
        else client_for(PatientFactory() if who == "other_patient" else UserFactory(role=who))
    )

    response = client.post(
        f"/api/v1/appointments/{appointment.pk}/readiness/",
        {"driver_arranged": True, "fasting_acknowledged": True},
        format="json",
    )

    assert response.status_code == status_code
    appointment.refresh_from_db()
    assert appointment.readiness_confirmed_at is None


@pytest.mark.parametrize(
    ("role", "status_code"), [("nurse", 200), ("admin", 200), ("therapist", 200), ("patient", 403)]
)
def test_staff_read_the_outbox_rows_of_an_appointment(demo_clinic, desk, patient, client_for, role, status_code):
    appointment = book(desk, patient)
    viewer = patient if role == "patient" else UserFactory(role=role)

    response = client_for(viewer).get(f"/api/v1/appointments/{appointment.pk}/notifications/")

    assert response.status_code == status_code
    if status_code == 200:
        kinds = sorted(row["kind"] for row in response.json())
        assert kinds == ["confirmation", "reminder_24h", "reminder_2h"]


def test_a_patient_opts_in_to_text_messages_and_staff_cannot(demo_clinic, patient, client_for, nurse_user):
    client = client_for(patient)

    assert client.get("/api/v1/me/contact-preferences/").json() == {"email_enabled": True, "sms_enabled": False}
    response = client.patch("/api/v1/me/contact-preferences/", {"sms_enabled": True}, format="json")

    assert response.json() == {"email_enabled": True, "sms_enabled": True}
    assert client_for(nurse_user).get("/api/v1/me/contact-preferences/").status_code == 403
    assert client.patch("/api/v1/me/contact-preferences/", {"sms_enabled": "maybe"}, format="json").status_code == 400
