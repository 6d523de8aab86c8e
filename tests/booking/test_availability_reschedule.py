"""``GET /availability/?reschedule=<id>``: the search for moving one booked appointment treats its
own time as free and leaves it out of the patient's limits, so a patient who holds their one
evaluation can see where to move it; and it reveals nothing about other patients' appointments."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import AppointmentStatus
from booking.services.appointments import appointment_book, appointment_cancel
from core.roles import Role
from scheduling.calendar_version import forget_snapshots
from scheduling.models import AppointmentType
from tests.booking.test_availability_api import MAX_QUERIES, WEDNESDAY, assert_error, local_times, search
from tests.clinical.plans import active_plan
from tests.factories import UserFactory
from tests.scheduling.conftest import at, quarter_hours

pytestmark = pytest.mark.django_db

NOW = at(date(2026, 12, 1), 12)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def book(patient, code: str, starts_at: datetime):
    return appointment_book(
        actor=UserFactory(role=Role.ADMIN),
        patient=patient,
        appointment_type=AppointmentType.objects.get(code=code),
        starts_at=starts_at,
        now=NOW,
    )


@pytest.fixture
def evaluation(demo_clinic, patient):
    """The patient's one future evaluation (the type allows one), Wednesday at 10:00."""
    return book(patient, "evaluation", at(WEDNESDAY, 10))


def test_a_patient_holding_their_one_evaluation_sees_where_to_move_it(client_for, patient, evaluation):
    client = client_for(patient)

    assert search(client, "evaluation", WEDNESDAY).json()["slots"] == []  # at the type's limit

    moving = search(client, "evaluation", WEDNESDAY, reschedule=str(evaluation.pk))

    assert moving.status_code == 200
    # Its own 10:00 is free for it; the other clinician is free all day as well.
    assert local_times(moving) == quarter_hours("09:00", "16:00")


def test_every_start_the_reschedule_search_offers_the_reschedule_accepts(client_for, patient, evaluation):
    client = client_for(patient)
    offered = search(client, "evaluation", WEDNESDAY, WEDNESDAY + timedelta(days=1), reschedule=str(evaluation.pk))
    starts = [slot["start"] for slot in offered.json()["slots"]]

    moved = client.post(f"/api/v1/appointments/{evaluation.pk}/reschedule/", {"start": starts[-1]}, format="json")

    assert moved.status_code == 200, moved.json()
    evaluation.refresh_from_db()
    assert evaluation.starts_at == datetime.fromisoformat(starts[-1])


def test_the_patients_other_appointments_still_block_the_reschedule_search(client_for, patient, evaluation):
    active_plan(patient, signed_at=NOW - timedelta(days=1))
    book(patient, "infusion", at(WEDNESDAY, 13))  # until 14:30 with recovery

    moving = search(client_for(patient), "evaluation", WEDNESDAY, reschedule=str(evaluation.pk))

    times = local_times(moving)  # an hour's evaluation may end at 13:00 or begin at 14:30
    assert "12:15" not in times
    assert "14:15" not in times
    assert "12:00" in times
    assert "14:30" in times


def test_moving_an_infusion_ignores_it_for_the_plans_spacing_and_count(client_for, patient, demo_clinic):
    active_plan(patient, signed_at=NOW - timedelta(days=1), infusions_planned=2, min_days_between=2)
    first = book(patient, "infusion", at(WEDNESDAY, 10))
    book(patient, "infusion", at(WEDNESDAY + timedelta(days=2), 10))  # Friday: the plan is full
    client = client_for(patient)
    week = (WEDNESDAY - timedelta(days=2), WEDNESDAY + timedelta(days=6))  # Monday 7 to Tuesday 15

    plain = search(client, "infusion", *week)
    moving = search(client, "infusion", *week, reschedule=str(first.pk))

    assert plain.json()["slots"] == []  # both sessions booked
    days = {slot["start"][:10] for slot in moving.json()["slots"]}
    # Not within 2 days of Friday's infusion; Wednesday itself (two days before) is fine.
    assert days == {"2026-12-07", "2026-12-08", "2026-12-09", "2026-12-14", "2026-12-15"}


def test_staff_moving_a_patients_visit_see_what_that_patient_can_take(client_for, patient, evaluation, nurse_user):
    active_plan(patient, signed_at=NOW - timedelta(days=1))
    book(patient, "infusion", at(WEDNESDAY, 13))

    moving = search(client_for(nurse_user), "evaluation", WEDNESDAY, reschedule=str(evaluation.pk))

    assert moving.status_code == 200
    assert "13:00" not in local_times(moving)
    assert "10:00" in local_times(moving)


def test_another_patients_appointment_is_unknown_like_a_missing_one(client_for, other_patient, evaluation):
    client = client_for(other_patient)

    theirs = search(client, "evaluation", WEDNESDAY, reschedule=str(evaluation.pk))
    missing = search(client, "evaluation", WEDNESDAY, reschedule="00000000-0000-4000-8000-000000000000")

    assert_error(theirs, 400, "unknown_appointment")
    assert theirs.json() == missing.json()


def test_a_cancelled_appointment_cannot_be_moved(client_for, patient, evaluation):
    appointment_cancel(actor=patient, appointment_id=evaluation.pk, reason="", now=NOW)
    assert type(evaluation).objects.get(pk=evaluation.pk).status == AppointmentStatus.CANCELLED

    assert_error(
        search(client_for(patient), "evaluation", WEDNESDAY, reschedule=str(evaluation.pk)), 400, "unknown_appointment"
    )


def test_the_type_must_be_the_appointments_own(client_for, patient, evaluation):
    response = search(client_for(patient), "infusion", WEDNESDAY, reschedule=str(evaluation.pk))

    body = assert_error(response, 400, "appointment_type_mismatch")
    assert list(body["fields"]) == ["reschedule"]


def test_a_reschedule_search_needs_a_signed_in_user_and_a_valid_id(api_client, client_for, patient, evaluation):
    assert search(api_client, "evaluation", WEDNESDAY, reschedule=str(evaluation.pk)).status_code == 401
    body = assert_error(search(client_for(patient), "evaluation", WEDNESDAY, reschedule="nope"), 400, "invalid")
    assert list(body["fields"]) == ["reschedule"]


@pytest.mark.parametrize("code", ["evaluation", "infusion"])
def test_a_reschedule_search_costs_no_more_queries_than_a_plain_one(client_for, patient, demo_clinic, code):
    active_plan(patient, signed_at=NOW - timedelta(days=1), infusions_planned=6)
    held = book(patient, code, at(WEDNESDAY, 10))
    book(patient, "infusion" if code == "evaluation" else "evaluation", at(WEDNESDAY + timedelta(days=1), 10))
    client = client_for(patient)
    client.get("/api/v1/me/")  # the first request of a client loads what later ones find ready

    # Priced with a cold calendar cache (the worst case); a cached calendar only saves queries.
    forget_snapshots()
    with CaptureQueriesContext(connection) as one_day:
        assert search(client, code, WEDNESDAY, reschedule=str(held.pk)).status_code == 200
    forget_snapshots()
    with CaptureQueriesContext(connection) as month:
        response = search(client, code, WEDNESDAY, WEDNESDAY + timedelta(days=29), reschedule=str(held.pk))

    assert response.status_code == 200
    assert response.json()["slots"]
    assert len(one_day.captured_queries) == len(month.captured_queries) <= MAX_QUERIES
