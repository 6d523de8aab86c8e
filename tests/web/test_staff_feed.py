"""A staff member's calendar feed (/staff/calendar-feed/ and /calendar/<token>.ics): made with a
URL shown once, valid iCalendar with the clinic's zone named (TZID), right on both sides of the
2026 daylight-saving changes (March 8 and November 1), never a patient's name or a treatment
word, and revocable: a revoked or unknown token answers 404."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from accounts.models import User
from accounts.services.access import user_deactivate
from booking.models import Appointment, StaffCalendarFeed
from booking.services.appointments import appointment_book, appointment_cancel
from booking.services.calendar_feeds import calendar_feed_create, calendar_feed_token_hash
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import PatientFactory, UserFactory
from web.staff.feed import SEPARATOR

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
FORBIDDEN = ("ketamine", "infusion", "evaluation", "psychiatric", "depression", "addiction")
BEFORE_ALL = datetime(2026, 3, 1, 12, tzinfo=LA)
# Fridays and Mondays around the changes (the clinic is closed at weekends).
VISITS = [
    datetime(2026, 3, 6, 9, tzinfo=LA),  # PST, -08:00
    datetime(2026, 3, 9, 9, tzinfo=LA),  # PDT, -07:00
    datetime(2026, 10, 30, 9, tzinfo=LA),  # PDT
    datetime(2026, 11, 2, 9, tzinfo=LA),  # PST
]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def front_desk(demo_clinic) -> User:
    return User.objects.get(email="admin@example.com")


@pytest.fixture
def rosa(db) -> User:
    return PatientFactory(first_name="Rosa", last_name="Martín")


@pytest.fixture
def clinician_visits(demo_clinic, front_desk) -> tuple[User, list[Appointment]]:
    """Four evaluation visits, each with another patient, all with one clinician (the one the
    first booking picked: the others follow it while that clinician is free)."""
    evaluation = AppointmentType.objects.get(code="evaluation")
    booked = []
    for n, starts_at in enumerate(VISITS):
        patient = PatientFactory(first_name="Rosa", last_name=f"Martín{n}")
        booked.append(
            appointment_book(
                actor=front_desk, patient=patient, appointment_type=evaluation, starts_at=starts_at, now=BEFORE_ALL
            )
        )
    staff_ids = {appointment.staff_id for appointment in booked}
    assert len(staff_ids) == 1, "the least-loaded choice spread the visits; pick the clinician explicitly"
    assert booked[0].staff is not None
    return booked[0].staff.user, booked


def feed_of(client: Client, token: str) -> tuple[int, bytes]:
    response = client.get(f"/calendar/{token}.ics")
    return response.status_code, response.content


def test_a_clinicians_feed_is_valid_and_right_across_both_daylight_saving_changes(clinician_visits):
    clinician, booked = clinician_visits
    token = calendar_feed_create(actor=clinician, now=BEFORE_ALL)
    with time_machine.travel(BEFORE_ALL, tick=False):
        status, body = feed_of(Client(), token)  # no session: the token is the key
    assert status == 200
    calendar = Calendar.from_ical(body)
    events = sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))
    assert [event.decoded("dtstart").replace(tzinfo=None) for event in events] == [
        start.replace(tzinfo=None) for start in VISITS
    ]
    assert [event.decoded("dtend").replace(tzinfo=None).time() for event in events] == [time(10)] * 4
    assert [event["dtstart"].params["TZID"] for event in events] == ["America/Los_Angeles"] * 4
    assert [event.decoded("dtstart").utcoffset().total_seconds() / 3600 for event in events] == [-8, -7, -7, -8]
    assert [str(event["uid"]) for event in events] == [f"{a.pk}@clinic-booking" for a in booked]
    consult_rooms = {a.room.name for a in booked if a.room is not None}
    assert {str(event["summary"]) for event in events} <= {f"Visit (R. M.){SEPARATOR}{name}" for name in consult_rooms}
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_the_feed_names_no_patient_and_no_treatment_word(demo_clinic, front_desk, rosa):
    plan_start = datetime(2026, 3, 2, 9, tzinfo=LA)
    active_plan(rosa, signed_at=plan_start)
    infusion = appointment_book(
        actor=front_desk,
        patient=rosa,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        starts_at=VISITS[1],
        now=BEFORE_ALL,
    )
    assert infusion.nurse is not None
    assert infusion.room is not None
    assert "Infusion" in infusion.room.name  # the demo's rooms carry the word: the feed says "Room <id>"
    nurse_token = calendar_feed_create(actor=infusion.nurse.user, now=BEFORE_ALL)
    with time_machine.travel(BEFORE_ALL, tick=False):
        status, body = feed_of(Client(), nurse_token)
    assert status == 200
    text = body.decode().lower()
    for word in (*FORBIDDEN, "rosa", "martín", "martin", rosa.email):
        assert word not in text
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == f"Visit (R. M.){SEPARATOR}Room {infusion.room.pk}"
    # The supervising clinician sees it too.
    assert infusion.supervising_clinician is not None
    clinician_token = calendar_feed_create(actor=infusion.supervising_clinician.user, now=BEFORE_ALL)
    with time_machine.travel(BEFORE_ALL, tick=False):
        status, body = feed_of(Client(), clinician_token)
    assert len(Calendar.from_ical(body).walk("VEVENT")) == 1


def test_past_and_cancelled_visits_leave_the_feed(clinician_visits, front_desk):
    clinician, booked = clinician_visits
    token = calendar_feed_create(actor=clinician, now=BEFORE_ALL)
    appointment_cancel(actor=front_desk, appointment_id=booked[3].pk, reason="", now=BEFORE_ALL)
    with time_machine.travel(datetime(2026, 3, 7, 12, tzinfo=LA), tick=False):
        _, body = feed_of(Client(), token)
    starts = [event.decoded("dtstart") for event in Calendar.from_ical(body).walk("VEVENT")]
    assert starts == [VISITS[1], VISITS[2]]


def test_a_revoked_or_unknown_token_answers_404(clinician_visits):
    clinician, _ = clinician_visits
    client = signed_in(clinician)
    made = client.post("/staff/calendar-feed/", {"action": "create"})
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    match = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", made.content.decode())
    assert match is not None
    token = match.group(1)
    stored = StaffCalendarFeed.objects.get(user=clinician)
    assert stored.token_hash == calendar_feed_token_hash(token) != token
    assert feed_of(Client(), token)[0] == 200
    page = client.get("/staff/calendar-feed/").content.decode()
    assert "A feed is active" in page
    assert token not in page  # shown once
    revoked = client.post("/staff/calendar-feed/", {"action": "revoke"})
    assert revoked.status_code == 302
    assert feed_of(Client(), token)[0] == 404
    assert feed_of(Client(), "not-a-token-at-all")[0] == 404
    assert "You have no active feed" in client.get("/staff/calendar-feed/").content.decode()


def test_a_new_address_turns_the_old_one_off(clinician_visits):
    clinician, _ = clinician_visits
    first = calendar_feed_create(actor=clinician)
    second = calendar_feed_create(actor=clinician)
    assert feed_of(Client(), first)[0] == 404
    assert feed_of(Client(), second)[0] == 200
    assert StaffCalendarFeed.objects.filter(user=clinician, revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN, Role.THERAPIST, Role.ADMIN])
def test_every_staff_role_has_the_feed_page(role):
    assert signed_in(UserFactory(role=role)).get("/staff/calendar-feed/").status_code == 200


def test_patients_have_no_feed(rosa):
    client = signed_in(rosa)
    assert client.get("/staff/calendar-feed/").status_code == 403
    assert client.post("/staff/calendar-feed/", {"action": "create"}).status_code == 403
    assert not StaffCalendarFeed.objects.exists()


def test_deactivating_the_staff_member_ends_their_feed(clinician_visits):
    clinician, _ = clinician_visits
    token = calendar_feed_create(actor=clinician, now=BEFORE_ALL)
    with time_machine.travel(BEFORE_ALL, tick=False):
        assert feed_of(Client(), token)[0] == 200

        user_deactivate(user_id=clinician.pk)

        assert feed_of(Client(), token)[0] == 404


def test_a_feed_ends_when_its_owner_is_made_inactive_in_the_admin_or_no_longer_staff(clinician_visits):
    clinician, _ = clinician_visits
    nurse = UserFactory(role=Role.NURSE)
    first, second = calendar_feed_create(actor=clinician), calendar_feed_create(actor=nurse)

    User.objects.filter(pk=clinician.pk).update(is_active=False)  # as the admin's change form saves it
    User.objects.filter(pk=nurse.pk).update(role=Role.PATIENT)

    assert feed_of(Client(), first)[0] == 404
    assert feed_of(Client(), second)[0] == 404
