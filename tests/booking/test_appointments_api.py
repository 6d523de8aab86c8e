"""The appointments API against every role, with exact status codes; refusals write nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from clinical.models import Evaluation, EvaluationStatus
from core.roles import Role
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=LA)  # a Tuesday morning
THURSDAY_TEN = "2026-12-03T10:00:00-08:00"
THURSDAY_ELEVEN = "2026-12-03T11:00:00-08:00"
THURSDAY_MORNING = datetime(2026, 12, 3, 9, 45, tzinfo=LA)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def roles(demo_clinic, patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user):
    return {
        "patient": patient,
        "other_patient": other_patient,
        "nurse": nurse_user,
        "clinician": clinician_user,
        "therapist": therapist_user,
        "admin": admin_user,
    }


def book(client, start=THURSDAY_TEN, **extra):
    return client.post("/api/v1/appointments/", {"type": "evaluation", "start": start, **extra}, format="json")


@pytest.fixture
def booked(roles, client_for):
    """An evaluation the patient booked for themself."""
    response = book(client_for(roles["patient"]))
    assert response.status_code == 201, response.json()
    return Appointment.objects.get(pk=response.json()["id"])


def assert_error(response, status_code, code):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "detail", "fields"}


# -- create -----------------------------------------------------------------------------------


def test_a_patient_books_an_evaluation_for_themself(roles, client_for):
    response = book(client_for(roles["patient"]))

    assert response.status_code == 201
    body = response.json()
    assert body["type"] == "evaluation"
    assert body["start"] == THURSDAY_TEN
    assert body["end"] == "2026-12-03T11:00:00-08:00"
    assert body["status"] == "booked"
    assert body["room"] in {"Consult 1", "Consult 2"}
    appointment = Appointment.objects.get()
    assert appointment.patient == roles["patient"]
    assert appointment.staff is not None
    assert appointment.staff.user.role == Role.CLINICIAN
    assert list(appointment.events.values_list("action", "actor_id")) == [("booked", roles["patient"].pk)]


@pytest.mark.parametrize("role", ["nurse", "clinician", "admin"])
def test_booking_staff_book_for_a_patient_inside_the_notice_window(roles, client_for, role):
    this_afternoon = "2026-12-01T15:00:00-08:00"  # five hours away: inside the patients' 12 h notice

    response = book(client_for(roles[role]), start=this_afternoon, patient=str(roles["patient"].pk))

    assert response.status_code == 201, response.json()
    assert response.json()["patient"]["id"] == str(roles["patient"].pk)
    assert Appointment.objects.get().booked_by == roles[role]


def test_a_patient_cannot_book_inside_the_twelve_hour_notice(roles, client_for):
    response = book(client_for(roles["patient"]), start="2026-12-01T15:00:00-08:00")

    assert_error(response, 400, "too_short_notice")
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status_code", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("therapist", 403, "permission_denied"),
    ],
)
def test_roles_that_may_not_book_are_refused_and_nothing_is_written(
    roles, client_for, api_client, role, status_code, code
):
    client = api_client if role == "anonymous" else client_for(roles[role])

    response = book(client, patient=str(roles["patient"].pk))

    assert_error(response, status_code, code)
    assert Appointment.objects.count() == 0


def test_a_patient_cannot_book_for_another_patient(roles, client_for):
    response = book(client_for(roles["patient"]), patient=str(roles["other_patient"].pk))

    assert_error(response, 403, "permission_denied")
    assert Appointment.objects.count() == 0


def test_staff_must_say_which_patient(roles, client_for):
    assert_error(book(client_for(roles["nurse"])), 400, "patient_required")
    assert_error(book(client_for(roles["nurse"]), patient=str(roles["admin"].pk)), 400, "unknown_patient")
    assert Appointment.objects.count() == 0


def test_a_patient_without_a_treatment_plan_cannot_book_an_infusion(roles, client_for):
    response = client_for(roles["patient"]).post(
        "/api/v1/appointments/", {"type": "infusion", "start": THURSDAY_TEN}, format="json"
    )

    assert_error(response, 403, "no_active_treatment_plan")
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"type": "evaluation", "start": "2026-12-03T10:00:00"}, "naive_datetime"),
        ({"type": "evaluation", "start": "2026-12-03T10:07:00-08:00"}, "off_grid"),
        ({"type": "evaluation", "start": "2026-11-30T10:00:00-08:00"}, "start_in_past"),
        ({"type": "evaluation", "start": "2027-03-01T10:00:00-08:00"}, "beyond_booking_horizon"),
        ({"type": "massage", "start": THURSDAY_TEN}, "unknown_appointment_type"),
        ({"type": "evaluation", "start": "next thursday"}, "invalid"),
        ({"type": "x" * 5000, "start": THURSDAY_TEN}, "max_length"),
        ({"start": THURSDAY_TEN}, "invalid"),
    ],
)
def test_bad_booking_input_is_a_400_with_a_code_and_creates_nothing(roles, client_for, payload, code):
    response = client_for(roles["patient"]).post("/api/v1/appointments/", payload, format="json")

    assert_error(response, 400, code)
    assert Appointment.objects.count() == 0


def test_malformed_json_is_a_400(roles, client_for):
    response = client_for(roles["patient"]).post(
        "/api/v1/appointments/", data='{"type": "evaluation",', content_type="application/json"
    )

    assert_error(response, 400, "malformed_request")
    assert Appointment.objects.count() == 0


def test_a_taken_time_is_a_409_slot_unavailable(roles, client_for):
    # Two clinicians and two consult rooms: the third booking at one time finds nothing.
    desk = client_for(roles["admin"])
    for _ in range(2):
        assert book(desk, patient=str(PatientFactory().pk)).status_code == 201

    response = book(client_for(roles["patient"]))

    assert_error(response, 409, "slot_unavailable")
    assert Appointment.objects.count() == 2


def test_a_patient_holds_at_most_one_future_evaluation(roles, client_for, booked):
    response = book(client_for(roles["patient"]), start="2026-12-04T10:00:00-08:00")

    assert_error(response, 409, "future_appointment_limit")
    assert Appointment.objects.count() == 1


def test_the_same_idempotency_key_returns_the_first_booking(roles, client_for):
    client = client_for(roles["patient"])

    first = client.post(
        "/api/v1/appointments/",
        {"type": "evaluation", "start": THURSDAY_TEN},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    second = client.post(
        "/api/v1/appointments/",
        {"type": "evaluation", "start": THURSDAY_TEN},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Appointment.objects.count() == 1


def test_an_idempotency_key_reused_for_another_request_is_a_409(roles, client_for):
    client = client_for(roles["patient"])
    client.post(
        "/api/v1/appointments/",
        {"type": "evaluation", "start": THURSDAY_TEN},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )

    response = client.post(
        "/api/v1/appointments/",
        {"type": "evaluation", "start": THURSDAY_ELEVEN},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )

    assert_error(response, 409, "idempotency_key_reused")
    assert Appointment.objects.count() == 1


def test_a_refused_request_does_not_burn_its_idempotency_key(roles, client_for):
    client = client_for(roles["patient"])
    refused = client.post(
        "/api/v1/appointments/",
        {"type": "evaluation", "start": "2026-12-01T15:00:00-08:00"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )
    assert refused.status_code == 400

    retried = client.post(
        "/api/v1/appointments/",
        {"type": "evaluation", "start": "2026-12-01T15:00:00-08:00"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )

    assert retried.status_code == 400  # the same refusal, evaluated again, not replayed
    assert "Idempotent-Replayed" not in retried


# -- list and detail ----------------------------------------------------------------------------


def test_patients_see_only_their_own_appointments(roles, client_for, booked):
    desk = client_for(roles["admin"])
    book(desk, start=THURSDAY_ELEVEN, patient=str(roles["other_patient"].pk))

    own = client_for(roles["patient"]).get("/api/v1/appointments/").json()
    other = client_for(roles["other_patient"]).get("/api/v1/appointments/").json()
    everyone = desk.get("/api/v1/appointments/").json()

    assert [a["id"] for a in own["results"]] == [str(booked.pk)]
    assert "patient" not in own["results"][0]
    assert "nurse" not in own["results"][0]
    assert len(other["results"]) == 1
    assert other["results"][0]["id"] != str(booked.pk)
    assert everyone["count"] == 2


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("patient", 200),
        ("other_patient", 404),
        ("nurse", 200),
        ("clinician", 200),
        ("therapist", 200),
        ("admin", 200),
    ],
)
def test_appointment_detail_by_role(roles, client_for, booked, role, status_code):
    response = client_for(roles[role]).get(f"/api/v1/appointments/{booked.pk}/")

    assert response.status_code == status_code
    if status_code == 200:
        assert response.json()["id"] == str(booked.pk)
    else:
        assert response.json()["code"] == "not_found"


def test_anonymous_cannot_list_or_read_appointments(api_client, booked):
    assert_error(api_client.get("/api/v1/appointments/"), 401, "not_authenticated")
    assert_error(api_client.get(f"/api/v1/appointments/{booked.pk}/"), 401, "not_authenticated")


def test_list_filters_by_date_status_type_and_patient(roles, client_for, booked):
    desk = client_for(roles["admin"])
    book(desk, start="2026-12-04T10:00:00-08:00", patient=str(roles["other_patient"].pk))

    def ids(query):
        response = desk.get(f"/api/v1/appointments/?{query}")
        assert response.status_code == 200, response.json()
        return [a["id"] for a in response.json()["results"]]

    assert ids("date=2026-12-03") == [str(booked.pk)]
    assert ids(f"patient={roles['patient'].pk}") == [str(booked.pk)]
    assert len(ids("status=booked&type=evaluation")) == 2
    assert ids("status=cancelled") == []
    assert_error(desk.get("/api/v1/appointments/?date=tomorrow"), 400, "invalid")


# -- cancel -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status_code"),
    [("patient", 200), ("other_patient", 404), ("nurse", 200), ("clinician", 200), ("therapist", 403), ("admin", 200)],
)
def test_cancel_by_role(roles, client_for, booked, role, status_code):
    response = client_for(roles[role]).post(
        f"/api/v1/appointments/{booked.pk}/cancel/", {"reason": "ill"}, format="json"
    )

    assert response.status_code == status_code, response.json()
    booked.refresh_from_db()
    expected = AppointmentStatus.CANCELLED if status_code == 200 else AppointmentStatus.BOOKED
    assert booked.status == expected
    assert booked.events.count() == (2 if status_code == 200 else 1)


def test_a_cancellation_inside_24_hours_is_recorded_as_late(roles, client_for, booked, frozen_clock):
    frozen_clock.move_to(datetime(2026, 12, 2, 11, 0, tzinfo=LA))  # 23 hours before

    response = client_for(roles["patient"]).post(f"/api/v1/appointments/{booked.pk}/cancel/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["is_late_cancellation"] is True


def test_a_cancellation_earlier_is_not_late(roles, client_for, booked):
    response = client_for(roles["patient"]).post(f"/api/v1/appointments/{booked.pk}/cancel/", {}, format="json")

    assert response.json()["is_late_cancellation"] is False
    event = booked.events.get(action=AppointmentEvent.Action.CANCELLED)
    assert (event.from_status, event.to_status, event.actor_id) == ("booked", "cancelled", roles["patient"].pk)


def test_cancelling_twice_is_a_409(roles, client_for, booked):
    client = client_for(roles["patient"])
    client.post(f"/api/v1/appointments/{booked.pk}/cancel/", {}, format="json")

    assert_error(client.post(f"/api/v1/appointments/{booked.pk}/cancel/", {}, format="json"), 409, "invalid_status")
    assert booked.events.count() == 2


def test_a_patient_cannot_cancel_once_the_appointment_has_begun(roles, client_for, booked, frozen_clock):
    frozen_clock.move_to(datetime(2026, 12, 3, 10, 5, tzinfo=LA))

    response = client_for(roles["patient"]).post(f"/api/v1/appointments/{booked.pk}/cancel/", {}, format="json")

    assert_error(response, 409, "invalid_status")
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


def test_an_oversized_reason_is_a_400(roles, client_for, booked):
    response = client_for(roles["patient"]).post(
        f"/api/v1/appointments/{booked.pk}/cancel/", {"reason": "x" * 501}, format="json"
    )

    assert_error(response, 400, "max_length")
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


# -- reschedule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status_code"),
    [("patient", 200), ("other_patient", 404), ("nurse", 200), ("clinician", 200), ("therapist", 403), ("admin", 200)],
)
def test_reschedule_by_role(roles, client_for, booked, role, status_code):
    response = client_for(roles[role]).post(
        f"/api/v1/appointments/{booked.pk}/reschedule/", {"start": THURSDAY_ELEVEN}, format="json"
    )

    assert response.status_code == status_code, response.json()
    booked.refresh_from_db()
    expected = THURSDAY_ELEVEN if status_code == 200 else THURSDAY_TEN
    assert booked.starts_at == datetime.fromisoformat(expected)


def test_a_reschedule_keeps_the_id_and_records_both_times(roles, client_for, booked):
    response = client_for(roles["patient"]).post(
        f"/api/v1/appointments/{booked.pk}/reschedule/", {"start": THURSDAY_ELEVEN}, format="json"
    )

    assert response.json()["id"] == str(booked.pk)
    assert response.json()["start"] == THURSDAY_ELEVEN
    event = booked.events.get(action=AppointmentEvent.Action.RESCHEDULED)
    assert event.from_starts_at == datetime.fromisoformat(THURSDAY_TEN)
    assert event.to_starts_at == datetime.fromisoformat(THURSDAY_ELEVEN)


def test_a_reschedule_to_a_taken_time_changes_nothing(roles, client_for, booked):
    desk = client_for(roles["admin"])
    for _ in range(2):
        assert book(desk, start=THURSDAY_ELEVEN, patient=str(PatientFactory().pk)).status_code == 201
    before = Appointment.objects.values().get(pk=booked.pk)

    response = client_for(roles["patient"]).post(
        f"/api/v1/appointments/{booked.pk}/reschedule/", {"start": THURSDAY_ELEVEN}, format="json"
    )

    assert_error(response, 409, "slot_unavailable")
    assert Appointment.objects.values().get(pk=booked.pk) == before
    assert booked.events.count() == 1


def test_a_reschedule_by_half_an_hour_may_overlap_the_old_time_of_the_same_appointment(roles, client_for, booked):
    response = client_for(roles["patient"]).post(
        f"/api/v1/appointments/{booked.pk}/reschedule/", {"start": "2026-12-03T10:30:00-08:00"}, format="json"
    )

    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("start", ["2026-12-03T11:00:00", "2026-12-03T11:05:00-08:00", "soon"])
def test_bad_reschedule_input_is_a_400_and_changes_nothing(roles, client_for, booked, start):
    response = client_for(roles["patient"]).post(
        f"/api/v1/appointments/{booked.pk}/reschedule/", {"start": start}, format="json"
    )

    assert response.status_code == 400
    booked.refresh_from_db()
    assert booked.starts_at == datetime.fromisoformat(THURSDAY_TEN)


# -- the day's lifecycle ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status_code"),
    [("patient", 403), ("other_patient", 403), ("nurse", 200), ("clinician", 200), ("therapist", 403), ("admin", 200)],
)
def test_check_in_by_role(roles, client_for, booked, role, status_code, frozen_clock):
    frozen_clock.move_to(THURSDAY_MORNING)  # an appointment is checked in on its own clinic day
    response = client_for(roles[role]).post(f"/api/v1/appointments/{booked.pk}/check-in/", {}, format="json")

    assert response.status_code == status_code
    booked.refresh_from_db()
    assert booked.status == (AppointmentStatus.CHECKED_IN if status_code == 200 else AppointmentStatus.BOOKED)


def test_a_visit_runs_check_in_start_complete_in_order(roles, client_for, booked, frozen_clock):
    frozen_clock.move_to(THURSDAY_MORNING)  # an appointment is checked in on its own clinic day
    nurse = client_for(roles["nurse"])
    url = f"/api/v1/appointments/{booked.pk}"

    assert_error(nurse.post(f"{url}/start/", {}, format="json"), 409, "invalid_status")
    assert nurse.post(f"{url}/check-in/", {}, format="json").json()["status"] == "checked_in"
    assert_error(nurse.post(f"{url}/complete/", {}, format="json"), 409, "invalid_status")
    assert nurse.post(f"{url}/start/", {}, format="json").json()["status"] == "in_progress"
    assert nurse.post(f"{url}/complete/", {}, format="json").json()["status"] == "completed"
    assert list(booked.events.values_list("action", flat=True)) == ["booked", "checked_in", "started", "completed"]


def test_a_no_show_is_recorded_only_after_the_start_time(roles, client_for, booked, frozen_clock):
    nurse = client_for(roles["nurse"])
    url = f"/api/v1/appointments/{booked.pk}/no-show/"

    assert_error(nurse.post(url, {}, format="json"), 409, "too_early")
    frozen_clock.move_to(datetime(2026, 12, 3, 10, 20, tzinfo=LA))
    nurse = client_for(roles["nurse"])  # a fresh token: access tokens live ten minutes
    response = nurse.post(url, {"reason": "did not arrive"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "no_show"
    assert booked.events.get(action="no_show").reason == "did not arrive"


def test_lifecycle_on_a_missing_appointment_is_a_404(roles, client_for):
    response = client_for(roles["nurse"]).post(
        "/api/v1/appointments/00000000-0000-0000-0000-000000000000/check-in/", {}, format="json"
    )

    assert_error(response, 404, "not_found")


def test_the_history_keeps_every_change_in_order(roles, client_for, booked):
    patient = client_for(roles["patient"])
    patient.post(f"/api/v1/appointments/{booked.pk}/reschedule/", {"start": THURSDAY_ELEVEN}, format="json")
    patient.post(f"/api/v1/appointments/{booked.pk}/cancel/", {"reason": "travel"}, format="json")

    rows = list(booked.events.values_list("action", "from_status", "to_status", "reason"))

    assert rows == [
        ("booked", "", "booked", ""),
        ("rescheduled", "booked", "booked", ""),
        ("cancelled", "booked", "cancelled", "travel"),
    ]
    assert all(e.occurred_at == NOW for e in booked.events.all())


def test_the_patient_finds_their_signed_evaluation_on_the_appointment(roles, client_for, booked):
    evaluation = Evaluation.objects.create(appointment=booked, patient=roles["patient"], clinician=roles["clinician"])
    patient = client_for(roles["patient"])

    assert patient.get(f"/api/v1/appointments/{booked.pk}/").json()["evaluation"] is None  # a draft is invisible
    assert client_for(roles["nurse"]).get(f"/api/v1/appointments/{booked.pk}/").json()["evaluation"] == str(
        evaluation.pk
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=EvaluationStatus.SIGNED, signed_at=NOW, signed_by=roles["clinician"]
    )
    assert patient.get(f"/api/v1/appointments/{booked.pk}/").json()["evaluation"] == str(evaluation.pk)
