"""/staff/patients/: finding a patient (accents, case, word beginnings, email, phone digits, the
date of birth written two ways) with one query whatever the number of matches, who may search,
and the chart's actions on the patient's behalf: book inside the online notice window, move and
cancel, through the services the API calls (a refusal in words, nothing written)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import PatientProfile, User
from accounts.selectors import patient_search
from accounts.services import patient_register, patient_search_text_refresh
from booking.models import Appointment, AppointmentStatus
from booking.services.appointments import appointment_book
from core.roles import Role
from scheduling.models import AppointmentType
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2026, 12, 7)
TODAY = date(2026, 11, 29)


def register(first_name: str, last_name: str, *, email: str, born: date, phone: str) -> User:
    return patient_register(
        email=email,
        password="a-long-enough-password-42",
        first_name=first_name,
        last_name=last_name,
        date_of_birth=born,
        phone=phone,
        today=TODAY,
    )


@pytest.fixture
def rosa() -> User:
    return register("Rosa", "Martín", email="rosa.m@example.org", born=date(1985, 6, 1), phone="(415) 555-0123")


@pytest.fixture
def others() -> list[User]:
    return [
        register("José", "Álvarez-Peña", email="jap@example.net", born=date(1990, 1, 2), phone="+1 510 555 0100"),
        register("Martha", "Lee", email="mlee@example.com", born=date(1970, 3, 4), phone="+1 650 555 0111"),
        register("Ann", "Smartin", email="ann@example.com", born=date(1985, 6, 2), phone="+1 707 555 0199"),
    ]


def names(query: str) -> list[str]:
    return [match.full_name for match in patient_search(query=query)]


@pytest.mark.parametrize("query", ["mart", "MARTIN", "martín", "Martí", "MARTI", "rosa mar", "ROSA", "  rosa  "])
def test_a_name_is_found_by_any_case_accent_and_word_beginning(rosa, others, query):
    assert "Rosa Martín" in names(query)


def test_a_search_matches_word_beginnings_only_and_every_word_of_the_query(rosa, others):
    assert names("mart") == ["Martha Lee", "Rosa Martín"]  # not Smartin: "mart" is inside that word
    assert names("rosa lee") == []
    assert names("tin") == []


def test_an_accent_typed_finds_a_name_stored_with_or_without_it(rosa, others):
    assert names("jose") == ["José Álvarez-Peña"]
    assert names("ALVAREZ") == ["José Álvarez-Peña"]
    assert names("pena") == ["José Álvarez-Peña"]  # a part of a hyphenated name
    assert names("álvarez-peña") == ["José Álvarez-Peña"]


def test_an_email_is_found_by_its_beginning(rosa, others):
    assert names("rosa.m@") == ["Rosa Martín"]
    assert names("ROSA.M@EXAMPLE.ORG") == ["Rosa Martín"]
    assert names("example.org") == []


@pytest.mark.parametrize("query", ["415555", "4155550123", "(415) 555-0123", "+1 415 555 0123", "1415555"])
def test_a_phone_number_is_found_by_its_digits(rosa, others, query):
    assert names(query) == ["Rosa Martín"]


@pytest.mark.parametrize("query", ["1985-06-01", "06/01/1985", "6/1/1985"])
def test_a_date_of_birth_is_found_in_either_form(rosa, others, query):
    assert names(query) == ["Rosa Martín"]


def test_an_empty_query_or_a_date_that_does_not_exist_finds_nobody(rosa, others):
    assert names("") == []
    assert names("   ") == []
    assert names("02/30/1985") == []


def test_staff_and_inactive_accounts_are_not_found(rosa):
    UserFactory(role=Role.NURSE, first_name="Rosa", last_name="Martín")
    gone = register("Rosa", "Martinez", email="gone@example.org", born=date(1980, 1, 1), phone="+14155550999")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    assert names("rosa") == ["Rosa Martín"]


def test_a_patient_changed_elsewhere_is_found_once_their_search_column_is_refreshed():
    made = PatientFactory(first_name="Sam", last_name="Tester")
    User.objects.filter(pk=made.pk).update(first_name="Élodie", last_name="Núñez")  # as a raw edit would
    assert names("elodie") == []
    patient_search_text_refresh(user_id=made.pk)
    assert names("elodie nunez") == ["Élodie Núñez"]
    assert PatientProfile.objects.get(user=made).search_text.startswith(" elodie nunez user")


def test_the_search_costs_one_query_whatever_the_number_of_matches(rosa):
    with CaptureQueriesContext(connection) as one:
        assert len(patient_search(query="rosa")) == 1
    for n in range(15):
        register("Rosa", f"Number{n}", email=f"rosa{n}@example.org", born=date(1980, 1, 1), phone="+14155550100")
    with CaptureQueriesContext(connection) as sixteen:
        assert len(patient_search(query="rosa")) == 16
    assert len(one) == len(sixteen) == 1


# -- the pages -------------------------------------------------------------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def title_of(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN, Role.ADMIN])
def test_booking_staff_find_a_patient_and_open_the_chart(rosa, others, role):
    client = signed_in(UserFactory(role=role))
    response = client.get("/staff/patients/", {"q": "MARTI"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rosa Martín" in html
    assert "1985-06-01" in html
    assert "rosa.m@example.org" in html
    assert "Martha Lee" not in html
    assert "Mart" not in title_of(html)
    assert f'href="/staff/patients/{rosa.pk}/"' in html
    # The page's own form posts: what is typed never lands in a URL.
    posted = client.post("/staff/patients/", {"q": "06/01/1985"})
    assert posted.status_code == 200
    assert "Rosa Martín" in posted.content.decode()
    chart = client.get(f"/staff/patients/{rosa.pk}/")
    assert chart.status_code == 200
    assert "Martín" not in title_of(chart.content.decode())


def test_the_search_page_refuses_an_empty_query_in_words(rosa):
    response = signed_in(UserFactory(role=Role.ADMIN)).post("/staff/patients/", {"q": ""})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.PATIENT, Role.THERAPIST])
def test_patients_and_therapists_may_not_search_or_open_a_chart(rosa, role):
    client = signed_in(UserFactory(role=role))
    assert client.get("/staff/patients/", {"q": "rosa"}).status_code == 403
    assert client.get(f"/staff/patients/{rosa.pk}/").status_code == 403
    assert client.get(f"/staff/patients/{rosa.pk}/book/").status_code == 403


def test_a_chart_of_an_unknown_patient_or_of_staff_answers_404():
    client = signed_in(UserFactory(role=Role.ADMIN))
    assert client.get(f"/staff/patients/{UUID(int=7)}/").status_code == 404
    assert client.get(f"/staff/patients/{UserFactory(role=Role.NURSE).pk}/").status_code == 404


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


@pytest.fixture
def front_desk(demo_clinic) -> User:
    return User.objects.get(email="admin@example.com")


def test_the_front_desk_books_an_evaluation_inside_the_notice_window(demo_clinic, front_desk, rosa):
    client = signed_in(front_desk)
    with time_machine.travel(at(8), tick=False):
        days = client.get(f"/staff/patients/{rosa.pk}/book/", {"type": "evaluation", "day": MONDAY.isoformat()})
        html = days.content.decode()
        assert days.status_code == 200
        # 10:00 today, two hours away: too soon online, open to staff.
        assert 'aria-label="Monday, December 7, 2026 at 10:00 AM Pacific Time"' in html
        review = client.get(
            f"/staff/patients/{rosa.pk}/book/review/", {"type": "evaluation", "start": at(10).isoformat()}
        )
        assert "Confirm booking" in review.content.decode()
        done = client.post(
            f"/staff/patients/{rosa.pk}/book/confirm/", {"type": "evaluation", "start": at(10).isoformat()}
        )
    assert done.status_code == 302
    assert done["Location"] == f"/staff/patients/{rosa.pk}/#upcoming"
    booked = Appointment.objects.get(patient=rosa)
    assert (booked.starts_at, booked.status, booked.booked_by) == (at(10), AppointmentStatus.BOOKED, front_desk)


def test_a_refused_booking_says_why_and_writes_nothing(demo_clinic, front_desk, rosa):
    evaluation = AppointmentType.objects.get(code="evaluation")
    appointment_book(actor=front_desk, patient=rosa, appointment_type=evaluation, starts_at=at(10))
    client = signed_in(front_desk)
    with time_machine.travel(at(8), tick=False):
        refused = client.post(
            f"/staff/patients/{rosa.pk}/book/confirm/",
            {"type": "evaluation", "start": at(11).isoformat()},
            follow=True,
        )
    assert "Nothing was booked:" in refused.content.decode()
    assert Appointment.objects.filter(patient=rosa).count() == 1


def test_the_front_desk_moves_and_cancels_an_appointment_from_the_chart(demo_clinic, front_desk, rosa):
    evaluation = AppointmentType.objects.get(code="evaluation")
    client = signed_in(front_desk)
    with time_machine.travel(at(8), tick=False):
        appointment = appointment_book(actor=front_desk, patient=rosa, appointment_type=evaluation, starts_at=at(10))
        chart = client.get(f"/staff/patients/{rosa.pk}/").content.decode()
        assert f"/staff/patients/{rosa.pk}/appointments/{appointment.pk}/move/" in chart
        move_page = client.get(
            f"/staff/patients/{rosa.pk}/appointments/{appointment.pk}/move/", {"day": MONDAY.isoformat()}
        ).content.decode()
        assert "Monday, December 7, 2026 at 9:00 AM Pacific Time" in move_page  # inside the notice window
        assert 'aria-label="Monday, December 7, 2026 at 10:00 AM Pacific Time"' not in move_page  # where it is
        moved = client.post(
            f"/staff/patients/{rosa.pk}/appointments/{appointment.pk}/move/confirm/", {"start": at(9).isoformat()}
        )
        assert moved.status_code == 302
        appointment.refresh_from_db()
        assert appointment.starts_at == at(9)
        confirm = client.get(f"/staff/patients/{rosa.pk}/appointments/{appointment.pk}/cancel/").content.decode()
        assert "late cancellation" in confirm
        cancelled = client.post(
            f"/staff/patients/{rosa.pk}/appointments/{appointment.pk}/cancel/", {"reason": "Called in sick"}
        )
    assert cancelled.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.is_late_cancellation) == (AppointmentStatus.CANCELLED, True)


def test_another_patients_appointment_is_not_reached_through_a_chart(demo_clinic, front_desk, rosa, others):
    evaluation = AppointmentType.objects.get(code="evaluation")
    with time_machine.travel(at(8), tick=False):
        theirs = appointment_book(actor=front_desk, patient=others[0], appointment_type=evaluation, starts_at=at(10))
        client = signed_in(front_desk)
        assert client.get(f"/staff/patients/{rosa.pk}/appointments/{theirs.pk}/cancel/").status_code == 404
        assert client.get(f"/staff/patients/{rosa.pk}/appointments/{theirs.pk}/move/").status_code == 404


def test_the_search_page_costs_the_same_queries_for_one_match_or_many(rosa):
    client = signed_in(UserFactory(role=Role.NURSE))
    client.get("/")  # the session's first request records when it began (accounts.middleware): not the search's cost
    with CaptureQueriesContext(connection) as one:
        assert client.post("/staff/patients/", {"q": "rosa"}).status_code == 200
    for n in range(15):
        register("Rosa", f"Number{n}", email=f"rosa{n}@example.org", born=date(1980, 1, 1), phone="+14155550100")
    with CaptureQueriesContext(connection) as sixteen:
        assert "16 patients found" in client.post("/staff/patients/", {"q": "rosa"}).content.decode()
    assert len(one) == len(sixteen)
