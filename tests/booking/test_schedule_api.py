from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import AppointmentStatus
from booking.services.appointments import appointment_book
from scheduling.models import AppointmentType, Room, StaffMember
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
DAY = "2026-12-03"


def _fill_day(count: int, *, first_index: int = 0) -> None:
    """``count`` infusions on DAY with patients, nurses and, where one is free, a room.

    Six rooms hold at most six infusions every two hours (the database refuses overlaps), so
    beyond those the rows carry no room; every row still has its own patient and a nurse.
    """
    infusion = AppointmentType.objects.get(code="infusion")
    rooms = list(Room.objects.filter(kind="infusion").order_by("name"))
    nurses = list(StaffMember.objects.filter(user__role="nurse"))
    first = datetime.combine(datetime.fromisoformat(DAY).date(), time(8), tzinfo=LA)
    for index in range(first_index, first_index + count):
        slot, room_index = divmod(index, len(rooms))
        AppointmentFactory(
            appointment_type=infusion,
            patient=PatientFactory(),
            starts_at=first + timedelta(hours=2 * slot) if slot < 5 else first + timedelta(minutes=index % 40 * 15),
            room=rooms[room_index] if slot < 5 else None,
            nurse=nurses[index % len(nurses)],
        )


def _schedule(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/schedule/?date={DAY}")
    assert response.status_code == 200, response.json()
    return response.json(), len(queries)


def test_the_schedule_costs_the_same_queries_for_ten_and_two_hundred_appointments(demo_clinic, client_for, nurse_user):
    client = client_for(nurse_user)
    _fill_day(10)
    small, small_queries = _schedule(client)
    _fill_day(190, first_index=10)
    large, large_queries = _schedule(client)

    assert len(small["appointments"]) == 10
    assert len(large["appointments"]) == 200
    assert small_queries == large_queries <= 5


def test_the_schedule_lists_the_days_non_cancelled_appointments_by_start(demo_clinic, client_for, nurse_user):
    _fill_day(3)
    AppointmentFactory(
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime(2026, 12, 3, 7, 0, tzinfo=LA),
        status=AppointmentStatus.CANCELLED,
    )
    AppointmentFactory(  # the next day: not on this schedule
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime(2026, 12, 4, 9, 0, tzinfo=LA),
    )

    body, _ = _schedule(client_for(nurse_user))

    starts = [row["start"] for row in body["appointments"]]
    assert starts == ["2026-12-03T08:00:00-08:00"] * 3
    assert [row["room"] for row in body["appointments"]] == ["Infusion 1", "Infusion 2", "Infusion 3"]
    first = body["appointments"][0]
    assert first["type"] == "infusion"
    assert first["room"] == "Infusion 1"
    assert first["patient"]["name"].startswith("Sam ")
    assert first["nurse"]["name"]
    assert body["timezone"] == "America/Los_Angeles"


@pytest.mark.parametrize(
    ("role", "status_code"),
    [("patient", 403), ("nurse", 200), ("clinician", 200), ("therapist", 200), ("admin", 200)],
)
def test_the_schedule_by_role(demo_clinic, client_for, role, status_code, request):
    user = request.getfixturevalue("patient" if role == "patient" else f"{role}_user")

    response = client_for(user).get(f"/api/v1/schedule/?date={DAY}")

    assert response.status_code == status_code
    if status_code == 403:
        assert response.json()["code"] == "permission_denied"


def test_the_schedule_refuses_anonymous_and_bad_dates(demo_clinic, api_client, client_for, nurse_user):
    assert api_client.get(f"/api/v1/schedule/?date={DAY}").status_code == 401
    response = client_for(nurse_user).get("/api/v1/schedule/?date=12/03/2026")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_schedule_numbers_plan_infusions_and_shows_the_dose_to_the_care_team(
    demo_clinic, client_for, patient, nurse_user, admin_user
):
    infusion = AppointmentType.objects.get(code="infusion")
    desk = UserFactory(role="admin")
    now = datetime(2026, 11, 30, 8, tzinfo=LA)
    active_plan(patient, signed_at=now - timedelta(days=1), infusions_planned=6, min_days_between=1)
    for day in (1, 3, 4):  # Tuesday, Thursday (the schedule's day), Friday
        appointment_book(
            actor=desk,
            patient=patient,
            appointment_type=infusion,
            starts_at=datetime(2026, 12, day, 10, tzinfo=LA),
            now=now,
        )

    nurse_view, _ = _schedule(client_for(nurse_user))
    desk_view, _ = _schedule(client_for(admin_user))

    (row,) = nurse_view["appointments"]
    assert row["plan"] == {"session_number": 2, "sessions_planned": 6, "dose_mg_per_kg": "0.50", "route": "IV"}
    assert desk_view["appointments"][0]["plan"] == {"session_number": 2, "sessions_planned": 6}
