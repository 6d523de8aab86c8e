"""Malformed or far dates in the pages' addresses and forms (issue 18): a clear 400 page or the
form again with the refusal beside its field, never a 500 (the parsing is bounded in one place,
core/input_bounds.py and web/query.py; tests/test_bad_input_routes.py walks every route)."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from booking.models import Appointment, AppointmentEvent
from booking.services.appointments import appointment_book
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 30, 9, tzinfo=LA)
MONTH_13 = "2026-13-09T10:00:00-08:00"  # the issue's
FAR = "9999-12-31T23:00:00-12:00"
BAD_STARTS = [MONTH_13, FAR, "0001-01-01T00:00:00+14:00", "2026-12-09T10:00:00", "next week"]
BAD_VALUE_WORDS = "A date or time in the address is not one we can use."


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def signed_in(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def assert_bad_value_page(response: Any) -> None:
    assert response.status_code == 400
    assert BAD_VALUE_WORDS in text_of(response)


@pytest.fixture
def booked(demo_clinic) -> Appointment:
    patient = PatientFactory()
    return appointment_book(
        actor=UserFactory(role=Role.ADMIN),
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime(2026, 12, 3, 10, tzinfo=LA),
    )


@pytest.mark.parametrize("start", BAD_STARTS)
def test_the_booking_review_answers_a_bad_start_with_a_400_page_even_anonymously(demo_clinic, start):
    response = Client(raise_request_exception=False).get(
        "/book/review/?" + urlencode({"type": "evaluation", "start": start})
    )
    assert_bad_value_page(response)


@pytest.mark.parametrize("start", BAD_STARTS)
def test_every_review_and_confirmation_answers_a_bad_start_with_a_400_page_and_writes_nothing(booked, start):
    patient, nurse = booked.patient, UserFactory(role=Role.NURSE)
    mine, staff = signed_in(patient), signed_in(nurse)
    query = urlencode({"start": start})
    staff_base = f"/staff/patients/{patient.pk}"
    events = AppointmentEvent.objects.count()

    booking = {"type": "evaluation", "start": start}
    assert_bad_value_page(signed_in(PatientFactory()).post("/book/confirm/", booking))
    assert_bad_value_page(mine.get(f"/appointments/{booked.pk}/reschedule/review/?{query}"))
    assert_bad_value_page(mine.post(f"/appointments/{booked.pk}/reschedule/confirm/", {"start": start}))
    assert_bad_value_page(staff.get(f"{staff_base}/book/review/?type=evaluation&{query}"))
    assert_bad_value_page(staff.post(f"{staff_base}/book/confirm/", {"type": "evaluation", "start": start}))
    assert_bad_value_page(staff.get(f"{staff_base}/appointments/{booked.pk}/move/review/?{query}"))
    assert_bad_value_page(staff.post(f"{staff_base}/appointments/{booked.pk}/move/confirm/", {"start": start}))
    assert AppointmentEvent.objects.count() == events


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_the_day_board_refuses_a_far_date_beside_the_date_field(demo_clinic, day):
    response = signed_in(UserFactory(role=Role.NURSE)).get(f"/staff/day/?date={day}")

    assert response.status_code == 400
    assert "Enter a date from 1900-01-01 to 2999-12-31." in text_of(response)


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02"), ("2026-13-01", "2026-12-01")],
)
def test_the_outcome_report_refuses_far_or_impossible_dates_beside_their_fields(demo_clinic, date_from, date_to):
    query = urlencode({"date_from": date_from, "date_to": date_to})
    response = signed_in(UserFactory(role=Role.CLINICIAN)).get(f"/staff/reports/outcomes/?{query}")

    assert response.status_code == 400
    words = text_of(response)
    assert "Enter a date from 1900-01-01 to 2999-12-31." in words or "Enter a real date" in words


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_patients_series_form_refuses_a_far_first_day(demo_clinic, day):
    patient = PatientFactory()
    active_plan(patient, signed_at=NOW.replace(day=27, month=11))

    response = signed_in(patient).post(
        "/account/series/", {"start_date": day, "preferred_time": "10:00", "confirm": "1"}
    )

    assert response.status_code == 200  # the form again, with the refusal beside the field
    assert "Enter a date from 1900-01-01 to 2999-12-31." in text_of(response)
