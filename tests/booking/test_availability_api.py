"""GET /api/v1/availability/ over the demo clinic: who sees what, bad input, query counts.

The engine's rules are tested at the service level in tests/scheduling; these tests check the
HTTP edge: permissions, the notice window per audience, parameters and the error shape.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role
from scheduling.models import AppointmentType, OnlineBooking, Room, RoomKind, StaffMember
from tests.conftest import demo_staff
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory
from tests.scheduling.conftest import at, quarter_hours

pytestmark = pytest.mark.django_db

URL = "/api/v1/availability/"
TUESDAY_NOON = at(date(2026, 12, 1), 12)
WEDNESDAY = date(2026, 12, 9)
MAX_QUERIES = 6


def search(client, appointment_type: str, first: date, last: date | None = None, **extra: str):
    params = {"type": appointment_type, "date_from": first.isoformat(), "date_to": (last or first).isoformat(), **extra}
    return client.get(URL, params)


def local_times(response) -> list[str]:
    """Slot starts as 'HH:MM' after checking every start is on the clinic's -08:00 December offset."""
    starts = [slot["start"] for slot in response.json()["slots"]]
    assert all(start.endswith("-08:00") for start in starts)
    return [start[11:16] for start in starts]


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == code
    assert body["detail"]
    return body


@pytest.fixture
def frozen(time_machine):
    """Tuesday 1 December 2026 at noon in Los Angeles: well ahead of the searched days."""
    time_machine.move_to(TUESDAY_NOON, tick=False)


def types(clinic) -> dict[str, AppointmentType]:
    return {t.code: t for t in AppointmentType.objects.filter(clinic=clinic)}


# -- who sees what --------------------------------------------------------------------------


def test_anyone_sees_evaluation_slots_in_clinic_local_time(api_client, demo_clinic, frozen):
    response = search(api_client, "evaluation", WEDNESDAY)

    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "America/Los_Angeles"
    assert body["type"] == "evaluation"
    assert body["slots"][0] == {"start": "2026-12-09T09:00:00-08:00", "end": "2026-12-09T10:00:00-08:00"}
    assert body["slots"][-1] == {"start": "2026-12-09T16:00:00-08:00", "end": "2026-12-09T17:00:00-08:00"}
    assert local_times(response) == quarter_hours("09:00", "16:00")


def test_an_evaluation_search_skips_the_weekend(api_client, demo_clinic, frozen):
    # Friday 11 to Monday 14 December: the clinic is closed on Saturday and Sunday.
    response = search(api_client, "evaluation", date(2026, 12, 11), date(2026, 12, 14))

    days = sorted({slot["start"][:10] for slot in response.json()["slots"]})
    assert days == ["2026-12-11", "2026-12-14"]
    assert len(response.json()["slots"]) == 2 * 29


@pytest.mark.parametrize("appointment_type", ["infusion", "integration"])
def test_anonymous_users_may_not_see_plan_only_types(api_client, demo_clinic, frozen, appointment_type):
    response = search(api_client, appointment_type, WEDNESDAY)

    body = assert_error(response, 401, "not_authenticated")
    assert body["fields"] == {}


def test_a_signed_in_patient_sees_infusion_slots(client_for, patient, demo_clinic, frozen):
    response = search(client_for(patient), "infusion", WEDNESDAY)

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "infusion"
    # 50 minutes of infusion and 40 of recovery while a clinician (09-17) is on duty.
    assert body["slots"][0] == {"start": "2026-12-09T09:00:00-08:00", "end": "2026-12-09T10:30:00-08:00"}
    assert local_times(response) == quarter_hours("09:00", "15:30")


def test_a_signed_in_patient_sees_integration_slots_within_the_therapists_hours(
    client_for, patient, demo_clinic, frozen
):
    response = search(client_for(patient), "integration", WEDNESDAY)

    assert response.status_code == 200
    assert local_times(response) == quarter_hours("10:00", "17:00")
    assert response.json()["slots"][-1] == {"start": "2026-12-09T17:00:00-08:00", "end": "2026-12-09T17:50:00-08:00"}


def test_staff_see_starts_inside_the_notice_window_that_a_patient_does_not(
    api_client, client_for, patient, nurse_user, demo_clinic, time_machine
):
    # Tuesday 22:00: twelve hours of notice reach Wednesday 10:00.
    time_machine.move_to(at(date(2026, 12, 8), 22), tick=False)

    as_patient = search(client_for(patient), "evaluation", WEDNESDAY)
    as_nurse = search(client_for(nurse_user), "evaluation", WEDNESDAY)
    anonymous = search(api_client, "evaluation", WEDNESDAY)

    assert local_times(as_patient) == quarter_hours("10:00", "16:00")
    assert local_times(anonymous) == quarter_hours("10:00", "16:00")
    assert local_times(as_nurse) == quarter_hours("09:00", "16:00")


@pytest.mark.parametrize("fixture", ["nurse_user", "clinician_user", "admin_user", "therapist_user"])
def test_every_staff_role_searches_without_the_notice_window(client_for, request, demo_clinic, time_machine, fixture):
    time_machine.move_to(at(date(2026, 12, 8), 22), tick=False)

    response = search(client_for(request.getfixturevalue(fixture)), "evaluation", WEDNESDAY)

    assert response.status_code == 200
    assert local_times(response)[0] == "09:00"


def test_staff_see_days_beyond_the_sixty_day_online_horizon(api_client, client_for, nurse_user, demo_clinic, frozen):
    # Sixty days after Tuesday 1 December at noon is Saturday 30 January; Monday 1 February is beyond.
    monday = date(2027, 2, 1)

    assert search(api_client, "evaluation", monday).json()["slots"] == []
    assert local_times(search(client_for(nurse_user), "evaluation", monday)) == quarter_hours("09:00", "16:00")


def test_the_online_horizon_ends_at_the_same_time_of_day_sixty_days_on(api_client, demo_clinic, time_machine):
    # From Friday 1 January 2027 at 12:00, sixty days reach Tuesday 2 March at 12:00.
    time_machine.move_to(at(date(2027, 1, 1), 12), tick=False)

    response = search(api_client, "evaluation", date(2027, 3, 2))

    assert local_times(response) == quarter_hours("09:00", "12:00")


def test_a_patient_does_not_see_starts_that_clash_with_their_own_appointment(client_for, patient, demo_clinic, frozen):
    AppointmentFactory(
        patient=patient,
        appointment_type=types(demo_clinic)["integration"],
        starts_at=at(WEDNESDAY, 11),
        staff=demo_staff("therapist@example.com"),
        room=Room.objects.get(name="Consult 1"),
    )

    mine = local_times(search(client_for(patient), "evaluation", WEDNESDAY))
    someone_elses = local_times(search(client_for(PatientFactory()), "evaluation", WEDNESDAY))

    # The integration session holds the patient 11:00-11:50, so an hour may start at 10:00 or at 12:00.
    assert mine == quarter_hours("09:00", "10:00") + quarter_hours("12:00", "16:00")
    assert someone_elses == quarter_hours("09:00", "16:00")


def test_booked_clinicians_and_rooms_remove_starts_for_everyone(api_client, demo_clinic, frozen):
    evaluation = types(demo_clinic)["evaluation"]
    for email, room in [("clinician@example.com", "Consult 1"), ("clinician2@example.com", "Consult 2")]:
        AppointmentFactory(
            appointment_type=evaluation,
            starts_at=at(WEDNESDAY, 10),
            staff=demo_staff(email),
            room=Room.objects.get(name=room),
        )

    response = search(api_client, "evaluation", WEDNESDAY)

    assert local_times(response) == ["09:00", *quarter_hours("11:00", "16:00")]


def test_a_cancelled_appointment_holds_nothing(api_client, demo_clinic, frozen):
    evaluation = types(demo_clinic)["evaluation"]
    for email, room in [("clinician@example.com", "Consult 1"), ("clinician2@example.com", "Consult 2")]:
        AppointmentFactory(
            appointment_type=evaluation,
            starts_at=at(WEDNESDAY, 10),
            staff=demo_staff(email),
            room=Room.objects.get(name=room),
            status="cancelled",
        )

    assert local_times(search(api_client, "evaluation", WEDNESDAY)) == quarter_hours("09:00", "16:00")


def test_the_clinician_filter_shows_only_that_clinicians_free_starts(api_client, demo_clinic, frozen):
    busy = demo_staff("clinician@example.com")
    free = demo_staff("clinician2@example.com")
    AppointmentFactory(
        appointment_type=types(demo_clinic)["evaluation"],
        starts_at=at(WEDNESDAY, 10),
        staff=busy,
        room=Room.objects.get(name="Consult 1"),
    )

    with_busy = search(api_client, "evaluation", WEDNESDAY, clinician=str(busy.pk))
    with_free = search(api_client, "evaluation", WEDNESDAY, clinician=str(free.pk))
    anyone = search(api_client, "evaluation", WEDNESDAY)

    assert local_times(with_busy) == ["09:00", *quarter_hours("11:00", "16:00")]
    assert local_times(with_free) == quarter_hours("09:00", "16:00")
    assert local_times(anyone) == quarter_hours("09:00", "16:00")


def test_a_patient_may_not_search_a_staff_only_type_but_staff_may(client_for, patient, nurse_user, demo_clinic, frozen):
    AppointmentTypeFactory(
        clinic=demo_clinic,
        code="follow-up",
        name="Follow-up",
        duration_minutes=30,
        room_kind=RoomKind.CONSULT,
        staff_role=Role.CLINICIAN,
        online_booking=OnlineBooking.STAFF_ONLY,
    )

    assert_error(search(client_for(patient), "follow-up", WEDNESDAY), 403, "permission_denied")
    assert local_times(search(client_for(nurse_user), "follow-up", WEDNESDAY)) == quarter_hours("09:00", "16:30")


def test_an_inactive_type_is_unknown(api_client, demo_clinic, frozen):
    AppointmentType.objects.filter(code="evaluation").update(is_active=False)

    assert_error(search(api_client, "evaluation", WEDNESDAY), 400, "unknown_appointment_type")


# -- bad parameters -------------------------------------------------------------------------


def test_an_unknown_type_gives_400_unknown_appointment_type(api_client, demo_clinic, frozen):
    body = assert_error(search(api_client, "massage", WEDNESDAY), 400, "unknown_appointment_type")

    assert body["fields"] == {"type": ["Unknown."]}


@pytest.mark.parametrize(
    ("date_from", "date_to", "field"),
    [
        ("garbage", "2026-12-09", "date_from"),
        ("2026-12-09", "09/12/2026", "date_to"),
        ("2026-02-30", "2026-03-01", "date_from"),
        ("2026-12-09T00:00", "2026-12-09", "date_from"),
    ],
)
def test_a_garbage_date_gives_400_invalid_naming_the_field(api_client, demo_clinic, frozen, date_from, date_to, field):
    response = api_client.get(URL, {"type": "evaluation", "date_from": date_from, "date_to": date_to})

    body = assert_error(response, 400, "invalid")
    assert body["fields"] == {field: ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}


def test_reversed_dates_give_400_invalid_date_range(api_client, demo_clinic, frozen):
    response = search(api_client, "evaluation", WEDNESDAY, date(2026, 12, 8))

    body = assert_error(response, 400, "invalid_date_range")
    assert body["fields"] == {"date_to": ["Must not be before date_from."]}


def test_a_range_of_sixty_three_days_gives_400_date_range_too_long(api_client, demo_clinic, frozen):
    response = search(api_client, "evaluation", date(2026, 12, 2), date(2027, 2, 2))

    body = assert_error(response, 400, "date_range_too_long")
    assert body["fields"] == {"date_to": ["A search covers at most 62 days."]}


def test_a_range_of_exactly_sixty_two_days_is_allowed(client_for, nurse_user, demo_clinic, frozen):
    # 2 December 2026 to 1 February 2027 inclusive; staff have no horizon, so both ends have slots.
    response = search(client_for(nurse_user), "evaluation", date(2026, 12, 2), date(2027, 2, 1))

    assert response.status_code == 200
    slots = response.json()["slots"]
    assert slots[0]["start"] == "2026-12-02T09:00:00-08:00"
    assert slots[-1]["start"] == "2027-02-01T16:00:00-08:00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-12-09", "date_to": "2026-12-09"}, "type"),
        ({"type": "evaluation", "date_to": "2026-12-09"}, "date_from"),
        ({"type": "evaluation", "date_from": "2026-12-09"}, "date_to"),
    ],
)
def test_a_missing_parameter_gives_400_invalid_naming_it(api_client, demo_clinic, frozen, params, field):
    body = assert_error(api_client.get(URL, params), 400, "invalid")

    assert body["fields"] == {field: ["This field is required."]}


def test_a_clinician_filter_that_is_not_a_uuid_gives_400_invalid(api_client, demo_clinic, frozen):
    body = assert_error(search(api_client, "evaluation", WEDNESDAY, clinician="42"), 400, "invalid")

    assert body["fields"] == {"clinician": ["Must be a valid UUID."]}


@pytest.mark.parametrize("email", ["nurse@example.com", "therapist@example.com", None])
def test_a_clinician_filter_naming_no_clinician_gives_400_unknown_clinician(api_client, demo_clinic, frozen, email):
    staff_id = str(demo_staff(email).pk) if email else "00000000-0000-4000-8000-000000000000"

    body = assert_error(search(api_client, "evaluation", WEDNESDAY, clinician=staff_id), 400, "unknown_clinician")

    assert body["fields"] == {"clinician": ["Unknown."]}


def test_an_inactive_clinician_is_unknown(api_client, demo_clinic, frozen):
    clinician = demo_staff("clinician@example.com")
    StaffMember.objects.filter(pk=clinician.pk).update(is_active=False)

    assert_error(search(api_client, "evaluation", WEDNESDAY, clinician=str(clinician.pk)), 400, "unknown_clinician")


# -- query count ----------------------------------------------------------------------------


@pytest.fixture
def busy_month(demo_clinic, frozen):
    """Evaluations and infusions on several days of December, so the busy-time query returns rows."""
    kinds = types(demo_clinic)
    consult = list(Room.objects.filter(kind=RoomKind.CONSULT))
    infusion_rooms = list(Room.objects.filter(kind=RoomKind.INFUSION))
    clinicians = [demo_staff("clinician@example.com"), demo_staff("clinician2@example.com")]
    nurses = [demo_staff("nurse@example.com"), demo_staff("nurse2@example.com")]
    for offset in (1, 2, 8, 15, 22, 29):
        day = date(2026, 12, 1) + timedelta(days=offset)
        for index in range(2):
            AppointmentFactory(
                appointment_type=kinds["evaluation"],
                starts_at=at(day, 10 + 2 * index),
                staff=clinicians[index],
                room=consult[index],
            )
            AppointmentFactory(
                appointment_type=kinds["infusion"],
                starts_at=at(day, 9 + 3 * index),
                nurse=nurses[index],
                room=infusion_rooms[index],
            )
    return demo_clinic


def count_queries(client, appointment_type: str, first: date, last: date) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as queries:
        response = search(client, appointment_type, first, last)
    assert response.status_code == 200, response.json()
    return len(queries.captured_queries), response.json()["slots"]


@pytest.mark.parametrize(
    ("appointment_type", "signed_in"), [("evaluation", False), ("evaluation", True), ("infusion", True)]
)
def test_a_search_costs_the_same_few_queries_for_one_day_and_for_thirty(
    api_client, client_for, patient, busy_month, appointment_type, signed_in
):
    client = client_for(patient) if signed_in else api_client

    one_day, one_day_slots = count_queries(client, appointment_type, date(2026, 12, 2), date(2026, 12, 2))
    month, month_slots = count_queries(client, appointment_type, date(2026, 12, 2), date(2026, 12, 31))

    assert one_day == month
    assert month <= MAX_QUERIES
    assert one_day_slots
    # Every weekday from Wednesday 2 to Thursday 31 December has slots.
    assert len({slot["start"][:10] for slot in month_slots}) == 22


def test_a_search_of_the_longest_range_costs_no_more_queries_than_one_day(
    client_for, nurse_user, busy_month, django_assert_max_num_queries
):
    client = client_for(nurse_user)
    one_day, _ = count_queries(client, "evaluation", date(2026, 12, 2), date(2026, 12, 2))

    with django_assert_max_num_queries(one_day):
        response = search(client, "evaluation", date(2026, 12, 2), date(2027, 2, 1))

    assert response.status_code == 200
    assert one_day <= MAX_QUERIES


def test_the_booked_appointments_of_the_busy_month_are_reflected_in_the_search(api_client, busy_month):
    # On 2 December both clinicians are booked, one at 10:00 and one at 12:00, each with its own room.
    response = search(api_client, "evaluation", date(2026, 12, 2))

    assert local_times(response) == quarter_hours("09:00", "16:00")
    with_first = search(
        api_client, "evaluation", date(2026, 12, 2), clinician=str(demo_staff("clinician@example.com").pk)
    )
    assert local_times(with_first) == ["09:00", *quarter_hours("11:00", "16:00")]
