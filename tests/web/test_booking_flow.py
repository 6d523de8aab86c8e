"""The booking flow is written once (web/booking_flow/) and bound to two audiences by the URL
files; a service's refusal reaches a page through one mapping (web/refusals.py)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from django.test import Client
from django.urls import resolve

from booking.services.appointments import appointment_book, appointment_cancel
from core.errors import DomainError
from core.roles import Role
from scheduling.models import AppointmentType
from tests.factories import UserFactory
from tests.web.clock import clinic_today, weekday_at
from web.booking_flow.audience import PATIENT, STAFF_FOR_PATIENT
from web.refusals import refusal_words

pytestmark = pytest.mark.django_db

PATIENT_ID, APPOINTMENT_ID = UUID(int=1), UUID(int=2)
STAFF_BASE = f"/staff/patients/{PATIENT_ID}"
# Each step's address for the patient, and for staff booking for that patient.
STEPS = [
    ("/book/", f"{STAFF_BASE}/book/"),
    ("/book/review/", f"{STAFF_BASE}/book/review/"),
    ("/book/confirm/", f"{STAFF_BASE}/book/confirm/"),
    (f"/appointments/{APPOINTMENT_ID}/reschedule/", f"{STAFF_BASE}/appointments/{APPOINTMENT_ID}/move/"),
    (f"/appointments/{APPOINTMENT_ID}/reschedule/review/", f"{STAFF_BASE}/appointments/{APPOINTMENT_ID}/move/review/"),
    (
        f"/appointments/{APPOINTMENT_ID}/reschedule/confirm/",
        f"{STAFF_BASE}/appointments/{APPOINTMENT_ID}/move/confirm/",
    ),
    (f"/appointments/{APPOINTMENT_ID}/cancel/", f"{STAFF_BASE}/appointments/{APPOINTMENT_ID}/cancel/"),
]


@pytest.mark.parametrize(("patient_path", "staff_path"), STEPS)
def test_each_step_is_one_view_bound_to_each_audience(patient_path, staff_path):
    for_patient, for_staff = resolve(patient_path).func, resolve(staff_path).func
    assert for_patient.view_class is for_staff.view_class  # type: ignore[attr-defined]
    assert for_patient.view_initkwargs == {"audience": PATIENT}  # type: ignore[attr-defined]
    assert for_staff.view_initkwargs == {"audience": STAFF_FOR_PATIENT}  # type: ignore[attr-defined]


def test_a_chosen_day_without_times_says_so_where_its_times_would_be(demo_clinic):
    today = clinic_today()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)  # closed, inside the four weeks

    html = Client().get("/book/", {"type": "evaluation", "day": saturday.isoformat()}).content.decode()

    assert 'id="times"' in html  # where a refused time's "here are the times" leads
    assert "There are no open times on this day. Please choose another day." in html


def test_staff_moving_a_cancelled_appointment_are_told_why_once_and_sent_back_to_the_chart(demo_clinic, patient):
    desk = UserFactory(role=Role.ADMIN)
    evaluation = AppointmentType.objects.get(code="evaluation")
    start = weekday_at(3, 10)
    appointment = appointment_book(actor=desk, patient=patient, appointment_type=evaluation, starts_at=start)
    appointment_cancel(actor=desk, appointment_id=appointment.pk, reason="")
    client = Client()
    client.force_login(desk)

    moved = client.post(
        f"/staff/patients/{patient.pk}/appointments/{appointment.pk}/move/confirm/",
        {"start": weekday_at(3, 11).isoformat()},
    )

    assert moved.status_code == 302
    assert moved["Location"] == f"/staff/patients/{patient.pk}/"
    said = [str(message) for message in moved.wsgi_request._messages]  # type: ignore[attr-defined]
    assert len(said) == 1
    assert said[0].startswith("This appointment cannot be moved: ")


def test_a_refusal_reads_the_pages_words_then_its_default_then_the_services_detail():
    error = DomainError("The service's words.", code="slot_unavailable")

    assert refusal_words(error) == "The service's words."
    assert refusal_words(error, {"other": "Not this."}) == "The service's words."
    assert refusal_words(error, {"other": "Not this."}, default="The page's general words.") == (
        "The page's general words."
    )
    assert refusal_words(error, {"slot_unavailable": "Taken on %(day)s."}, day="Monday") == "Taken on Monday."
