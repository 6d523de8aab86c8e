from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import Appointment
from booking.services.appointments import appointment_book
from clinical.errors import ClinicalConflictError
from clinical.services.series import treatment_plan_book_series
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=LA)
MONDAY = date(2026, 12, 7)


@pytest.fixture
def desk(demo_clinic):
    return UserFactory(role=Role.ADMIN)


def local(appointments):
    return [a.starts_at.astimezone(LA).strftime("%a %m-%d %H:%M") for a in appointments]


def test_a_feasible_plan_books_every_remaining_infusion_at_the_preferred_time(desk, patient):
    plan = active_plan(
        patient, signed_at=NOW - timedelta(days=1), infusions_planned=6, min_days_between=2, window_days=21
    )

    booked = treatment_plan_book_series(
        actor=desk, plan_id=plan.pk, start_date=MONDAY, preferred_time=time(10), now=NOW
    )

    # Every second weekday; Sunday the 13th is closed, so the fourth moves to Monday.
    assert local(booked) == [
        "Mon 12-07 10:00",
        "Wed 12-09 10:00",
        "Fri 12-11 10:00",
        "Mon 12-14 10:00",
        "Wed 12-16 10:00",
        "Fri 12-18 10:00",
    ]
    assert {a.treatment_plan_id for a in booked} == {plan.pk}
    assert all(a.room is not None and a.nurse is not None for a in booked)


def test_the_series_books_only_what_remains_around_existing_infusions(desk, patient):
    plan = active_plan(
        patient, signed_at=NOW - timedelta(days=1), infusions_planned=4, min_days_between=2, window_days=21
    )
    infusion = AppointmentType.objects.get(code="infusion")
    appointment_book(
        actor=desk,
        patient=patient,
        appointment_type=infusion,
        starts_at=datetime.combine(MONDAY, time(9), tzinfo=LA),
        now=NOW,
    )

    booked = treatment_plan_book_series(
        actor=desk, plan_id=plan.pk, start_date=MONDAY, preferred_time=time(14), now=NOW
    )

    assert local(booked) == ["Wed 12-09 14:00", "Fri 12-11 14:00", "Mon 12-14 14:00"]
    assert Appointment.objects.filter(treatment_plan=plan).count() == 4


def test_the_nearest_open_time_is_taken_when_the_preferred_one_is_not_free(desk, patient):
    plan = active_plan(patient, signed_at=NOW - timedelta(days=1), infusions_planned=1)

    # Infusions need the clinician on duty (09-17) for infusion and recovery: 07:00 is not possible.
    booked = treatment_plan_book_series(actor=desk, plan_id=plan.pk, start_date=MONDAY, preferred_time=time(7), now=NOW)

    assert local(booked) == ["Mon 12-07 09:00"]


def test_an_infeasible_plan_books_nothing(desk, patient):
    # Six infusions two days apart need eleven days; a seven-day window holds four at most.
    plan = active_plan(
        patient, signed_at=NOW - timedelta(days=1), infusions_planned=6, min_days_between=2, window_days=7
    )

    with pytest.raises(ClinicalConflictError) as refused:
        treatment_plan_book_series(actor=desk, plan_id=plan.pk, start_date=MONDAY, preferred_time=time(10), now=NOW)

    assert refused.value.code == "series_infeasible"
    assert Appointment.objects.filter(treatment_plan=plan).count() == 0


def test_a_plan_with_nothing_left_is_exhausted(desk, patient):
    plan = active_plan(patient, signed_at=NOW - timedelta(days=1), infusions_planned=1)
    treatment_plan_book_series(actor=desk, plan_id=plan.pk, start_date=MONDAY, preferred_time=time(10), now=NOW)

    with pytest.raises(ClinicalConflictError) as refused:
        treatment_plan_book_series(actor=desk, plan_id=plan.pk, start_date=MONDAY, preferred_time=time(10), now=NOW)

    assert refused.value.code == "plan_exhausted"


# -- the API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status_code"),
    [("owner", 201), ("other_patient", 404), ("nurse", 201), ("clinician", 201), ("therapist", 403), ("admin", 201)],
)
def test_book_series_by_role(request, client_for, patient, other_patient, demo_clinic, role, status_code):
    plan = active_plan(patient, signed_at=NOW - timedelta(days=1), infusions_planned=2)
    user = {"owner": patient, "other_patient": other_patient}.get(role) or request.getfixturevalue(f"{role}_user")

    with time_machine.travel(NOW, tick=False):
        response = client_for(user).post(
            f"/api/v1/treatment-plans/{plan.pk}/book-series/",
            {"start_date": MONDAY.isoformat(), "preferred_time": "10:00"},
            format="json",
        )

    assert response.status_code == status_code, response.json()
    booked = Appointment.objects.filter(treatment_plan=plan).count()
    assert booked == (2 if status_code == 201 else 0)
    if status_code == 201:
        assert [row["start"] for row in response.json()] == ["2026-12-07T10:00:00-08:00", "2026-12-09T10:00:00-08:00"]


def test_book_series_refuses_bad_input_and_books_nothing(client_for, patient, demo_clinic):
    plan = active_plan(patient, signed_at=NOW - timedelta(days=1))
    bodies = [
        {"start_date": "next week", "preferred_time": "10:00"},
        {"start_date": "2026-12-07", "preferred_time": "25:00"},
        {},
    ]

    with time_machine.travel(NOW, tick=False):
        client = client_for(patient)
        for body in bodies:
            response = client.post(f"/api/v1/treatment-plans/{plan.pk}/book-series/", body, format="json")
            assert response.status_code == 400
            assert response.json()["code"] == "invalid"
    assert Appointment.objects.filter(treatment_plan=plan).count() == 0
