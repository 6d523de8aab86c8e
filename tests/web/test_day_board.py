"""The nurses' day board (/staff/day/) without a browser: who may see it, what it costs in
queries, its conditional refresh (ETag, 304), and a lifecycle step through its buttons, done and
refused (in words, nothing changed)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from itertools import cycle
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from clinical.models import TreatmentPlan
from core.roles import Role
from scheduling.models import AppointmentType, Room, RoomKind, StaffMember
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory, PatientFactory
from tests.web.clock import weekday_at

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
DAY = date(2026, 12, 7)  # a Monday
HX = {"HX-Request": "true"}
# The session, the user, the second factor's device (django-otp checks it on every staff
# request), then the board: the clinic, its rooms, the day's rows, the plan numbering, and
# section 10's one (session records, readings, questionnaires, alerts: clinical/board.py).
# SPEC.md section 9: at most 8.
QUERIES_FULL_PAGE = 8
QUERIES_REFRESH = 8
QUERIES_NOT_MODIFIED = 7  # the refresh answered 304: the board is read, nothing rendered or logged


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def board_url(day: date) -> str:
    return f"/staff/day/?date={day.isoformat()}"


def fill_day(day: date, count: int) -> None:
    """``count`` appointments on ``day``: one booked visit per room (different patients, so no
    resource is held twice, PostgreSQL's guards included), the rest recorded as no-shows spread
    over the rooms; every other one an infusion of a plan, with a nurse."""
    types = {t.code: t for t in AppointmentType.objects.all()}
    rooms = {kind: cycle(Room.objects.filter(kind=kind).order_by("name")) for kind in RoomKind.values}
    nurses = cycle(StaffMember.objects.filter(user__role=Role.NURSE).order_by("user__email"))
    planned = [PatientFactory() for _ in range(4)]
    plans = cycle(active_plan(patient, signed_at=datetime(2026, 11, 2, 12, tzinfo=LA)) for patient in planned)
    room_count = Room.objects.count()
    for n in range(count):
        booked = n < room_count
        starts_at = datetime.combine(day, time(8), tzinfo=LA) + timedelta(minutes=15 * (n % 36))
        if n % 2:
            plan: TreatmentPlan = next(plans)
            values: dict[str, Any] = {
                "appointment_type": types["infusion"],
                "room": next(rooms[RoomKind.INFUSION]),
                "nurse": next(nurses),
                "treatment_plan": plan,
                "patient": PatientFactory() if booked else plan.patient,
            }
        else:
            values = {
                "appointment_type": types["evaluation"],
                "room": next(rooms[RoomKind.CONSULT]),
                "patient": PatientFactory() if booked else planned[n % len(planned)],
            }
        if booked:  # one booked visit per room, at its own time
            starts_at = datetime.combine(day, time(8), tzinfo=LA) + timedelta(hours=n)
            values.pop("treatment_plan", None)
        status = AppointmentStatus.BOOKED if booked else AppointmentStatus.NO_SHOW
        AppointmentFactory(starts_at=starts_at, status=status, **values)


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN, Role.ADMIN])
def test_the_people_who_run_the_day_see_the_board(demo_clinic, role, request):
    user = request.getfixturevalue(f"{role}_user")
    response = signed_in(user).get(board_url(DAY))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Day board: Monday, December 7, 2026" in html
    assert "All times are Pacific Time." in html


@pytest.mark.parametrize("role", ["patient", "therapist_user"])
def test_patients_and_therapists_are_refused(demo_clinic, role, request):
    user = request.getfixturevalue(role)
    assert signed_in(user).get(board_url(DAY)).status_code == 403
    assert signed_in(user).get(board_url(DAY), headers=HX).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(demo_clinic):
    response = Client().get(board_url(DAY))
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/staff/day/%3Fdate%3D2026-12-07"


def test_a_patient_may_not_post_a_step(demo_clinic, patient):
    appointment = AppointmentFactory(
        patient=patient, appointment_type=AppointmentType.objects.get(code="evaluation"), starts_at=weekday_at(3, 10)
    )
    response = signed_in(patient).post(f"/staff/day/appointments/{appointment.pk}/check-in/", {"date": "2026-12-07"})
    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_every_room_shows_even_empty_ones_infusion_rooms_first(demo_clinic, nurse_user):
    html = signed_in(nurse_user).get(board_url(DAY)).content.decode()
    rooms = re.findall(r'scope="rowgroup" colspan="9" id="room-\d+">([^<]+) <span', html)
    assert rooms == [f"Infusion {n}" for n in range(1, 7)] + ["Consult 1", "Consult 2"]
    assert html.count("No appointments in this room.") == 8


def test_a_row_shows_time_patient_plan_dose_nurse_status_and_readiness(demo_clinic, nurse_user, admin_user):
    patient = PatientFactory(first_name="Rosa", last_name="Martín")
    plan = active_plan(patient, signed_at=datetime(2026, 11, 2, 12, tzinfo=LA))
    nurse = StaffMember.objects.get(user__email="nurse@example.com")
    AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        treatment_plan=plan,
        room=Room.objects.get(name="Infusion 2"),
        nurse=nurse,
        starts_at=datetime(2026, 12, 7, 9, tzinfo=LA),
        driver_arranged=True,
    )
    html = signed_in(nurse_user).get(board_url(DAY)).content.decode()
    assert '9:00 AM<span class="visually-hidden"> Pacific Time</span>' in html
    assert "Rosa Martín" in html
    assert "infusion 1 of 6" in html
    assert "0.50 mg/kg IV" in html
    assert "Priya Shah" in html
    assert "Driver: arranged" in html
    assert "Fasting: not confirmed" in html
    assert 'aria-label="Check in Rosa Martín, 9:00 AM"' in html
    assert 'aria-label="No-show Rosa Martín, 9:00 AM"' in html
    assert 'aria-label="Start Rosa Martín' not in html
    admin_html = signed_in(admin_user).get(board_url(DAY)).content.decode()
    assert "infusion 1 of 6" in admin_html
    assert "mg/kg" not in admin_html  # the dose is for the care team


@pytest.mark.parametrize("headers", [{}, HX], ids=["full page", "refresh"])
def test_the_board_costs_the_same_queries_with_10_and_200_appointments(
    demo_clinic, nurse_user, headers: dict[str, str]
):
    client = signed_in(nurse_user)
    client.get("/")  # the session's first request records when it began (accounts.middleware): not the board's cost
    counts = []
    for day, count in ((DAY, 10), (DAY + timedelta(days=1), 200)):
        fill_day(day, count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(board_url(day), headers=headers)
        assert response.status_code == 200
        assert response.content.decode().count("data-appointment=") == count
        counts.append(len(queries))
    expected = QUERIES_REFRESH if headers else QUERIES_FULL_PAGE
    assert counts == [expected, expected]


def test_the_304_refresh_costs_the_same_queries_with_10_and_200_appointments(demo_clinic, nurse_user):
    client = signed_in(nurse_user)
    client.get("/")  # the session's first request records when it began (accounts.middleware): not the board's cost
    counts = []
    for day, count in ((DAY, 10), (DAY + timedelta(days=1), 200)):
        fill_day(day, count)
        etag = client.get(board_url(day), headers=HX)["ETag"]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(board_url(day), headers={**HX, "If-None-Match": etag})
        assert response.status_code == 304
        counts.append(len(queries))
    assert counts == [QUERIES_NOT_MODIFIED, QUERIES_NOT_MODIFIED]


def test_the_refresh_answers_304_until_something_changes(demo_clinic, nurse_user):
    appointment = AppointmentFactory(
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        room=Room.objects.get(name="Consult 1"),
        starts_at=datetime(2026, 12, 7, 10, tzinfo=LA),
    )
    client = signed_in(nurse_user)
    first = client.get(board_url(DAY), headers=HX)
    assert first.status_code == 200
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}-dose"', etag)
    assert "<html" not in first.content.decode()  # the fragment alone
    assert 'id="board-caption"' in first.content.decode()

    again = client.get(board_url(DAY), headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""

    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CHECKED_IN)
    changed = client.get(board_url(DAY), headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert ">Checked in<" in changed.content.decode()


def test_the_full_page_names_its_etag_for_the_refresh_but_is_never_answered_304(demo_clinic, nurse_user):
    client = signed_in(nurse_user)
    page = client.get(board_url(DAY))
    etag = client.get(board_url(DAY), headers=HX)["ETag"]
    assert f'data-etag="&quot;{etag.strip(chr(34))}&quot;"' in page.content.decode()
    assert "ETag" not in page
    assert client.get(board_url(DAY), headers={"If-None-Match": etag}).status_code == 200


def test_a_step_goes_through_the_service_and_comes_back_to_the_board(demo_clinic, nurse_user):
    patient = PatientFactory(first_name="Rosa", last_name="Martín")
    appointment = AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        room=Room.objects.get(name="Consult 1"),
        starts_at=weekday_at(3, 10),
    )
    day = appointment.starts_at.astimezone(LA).date().isoformat()
    # An appointment is checked in only on its own clinic day: the clock goes there, the nurse signs in.
    with time_machine.travel(appointment.starts_at - timedelta(minutes=20), tick=False):
        client = signed_in(nurse_user)
        response = client.post(f"/staff/day/appointments/{appointment.pk}/check-in/", {"date": day}, follow=True)
    assert response.redirect_chain == [(f"/staff/day/?date={day}", 302)]
    assert "Rosa Martín: checked in." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    event = appointment.events.get()
    assert (event.action, event.actor_id) == (AppointmentEvent.Action.CHECKED_IN, nurse_user.pk)


def test_a_refused_step_changes_nothing_and_says_why(demo_clinic, nurse_user):
    appointment = AppointmentFactory(
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        room=Room.objects.get(name="Consult 1"),
        starts_at=weekday_at(3, 10),
    )
    day = appointment.starts_at.astimezone(LA).date().isoformat()
    before = Appointment.objects.values().get(pk=appointment.pk)
    response = signed_in(nurse_user).post(
        f"/staff/day/appointments/{appointment.pk}/no-show/", {"date": day}, follow=True
    )
    assert response.redirect_chain == [(f"/staff/day/?date={day}", 302)]
    assert (
        '<p class="message message-error">Nothing was changed: A no-show can be recorded only after the start time.</p>'
        in response.content.decode()
    )
    assert Appointment.objects.values().get(pk=appointment.pk) == before
    assert not appointment.events.exists()


def test_an_unknown_step_or_a_bad_date_is_refused_in_words(demo_clinic, nurse_user):
    client = signed_in(nurse_user)
    appointment = AppointmentFactory(
        appointment_type=AppointmentType.objects.get(code="evaluation"), starts_at=weekday_at(3, 10)
    )
    assert client.post(f"/staff/day/appointments/{appointment.pk}/cancel/").status_code == 404
    response = client.get("/staff/day/?date=2026-13-40")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert "Enter a valid date." in response.content.decode()
