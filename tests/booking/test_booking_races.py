"""Real threads booking against the real database (SQLite here, PostgreSQL in CI's second run).

Each race has a control run with the guards switched off that shows the double booking the
guards prevent, so these tests can fail.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from booking.models import BLOCKING_STATUSES, Appointment
from booking.services.appointments import appointment_book, appointment_reschedule
from clinical.services.series import treatment_plan_book_series
from core.roles import Role
from scheduling.models import RoomKind
from tests.booking.race import guards_off, race
from tests.clinical.plans import active_plan
from tests.factories import PatientFactory, UserFactory
from tests.scheduling.conftest import CalendarBuilder

pytestmark = pytest.mark.django_db(transaction=True)

LA = ZoneInfo("America/Los_Angeles")
RACERS = 8


def _next_monday() -> date:
    today = datetime.now(tz=LA).date()
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


def _start(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(_next_monday(), time(hour, minute), tzinfo=LA)


@pytest.fixture
def desk():
    return UserFactory(role=Role.ADMIN, is_staff=True)


def _evaluation_clinic(clinicians: int, consult_rooms: int):
    calendar = CalendarBuilder()
    calendar.open()
    for _ in range(clinicians):
        calendar.staff(Role.CLINICIAN)
    calendar.rooms(RoomKind.CONSULT, consult_rooms)
    return calendar.evaluation_type()


def _infusion_clinic():
    calendar = CalendarBuilder()
    calendar.open()
    calendar.staff(Role.NURSE, time(8), time(18))
    calendar.staff(Role.CLINICIAN)
    calendar.rooms(RoomKind.INFUSION, 6)
    return calendar.infusion_type()


def _bookers(desk, appointment_type, starts_at, count=RACERS):
    patients = [PatientFactory() for _ in range(count)]
    return [
        (
            lambda patient=patient: appointment_book(
                actor=desk, patient=patient, appointment_type=appointment_type, starts_at=starts_at
            )
        )
        for patient in patients
    ]


def _max_overlap_per(resource_field: str) -> int:
    """The largest number of blocking appointments holding one resource at one start."""
    counts = (
        Appointment.objects.filter(status__in=BLOCKING_STATUSES, **{f"{resource_field}__isnull": False})
        .values(resource_field, "starts_at")
        .annotate(holders=Count("id"))
        .values_list("holders", flat=True)
    )
    return max(counts, default=0)


def test_racers_for_one_clinician_and_room_get_exactly_one_booking(desk):
    evaluation = _evaluation_clinic(clinicians=1, consult_rooms=1)

    outcomes = race(_bookers(desk, evaluation, _start(10)))

    assert outcomes == {"ok": 1, "slot_unavailable": RACERS - 1}
    assert Appointment.objects.count() == 1


def test_racers_get_exactly_as_many_bookings_as_there_is_capacity(desk):
    evaluation = _evaluation_clinic(clinicians=3, consult_rooms=2)

    outcomes = race(_bookers(desk, evaluation, _start(10)))

    assert outcomes == {"ok": 2, "slot_unavailable": RACERS - 2}
    assert _max_overlap_per("room") == 1
    assert _max_overlap_per("staff") == 1


def test_control_without_the_guards_the_same_race_double_books(desk, monkeypatch):
    evaluation = _evaluation_clinic(clinicians=1, consult_rooms=1)

    with guards_off(monkeypatch, parties=RACERS):
        outcomes = race(_bookers(desk, evaluation, _start(10)))
        assert outcomes["ok"] > 1
        assert _max_overlap_per("room") > 1


def test_a_nurse_monitoring_two_is_never_given_a_third_however_requests_interleave(desk):
    infusion = _infusion_clinic()

    outcomes = race(_bookers(desk, infusion, _start(10)))

    assert outcomes == {"ok": 2, "slot_unavailable": RACERS - 2}
    assert _max_overlap_per("nurse") == 2


def test_control_without_the_guards_a_nurse_gets_more_than_two(desk, monkeypatch):
    infusion = _infusion_clinic()

    with guards_off(monkeypatch, parties=RACERS):
        outcomes = race(_bookers(desk, infusion, _start(10)))
        assert outcomes["ok"] > 2
        assert _max_overlap_per("nurse") > 2


def _reschedule_versus_new_bookings(desk):
    evaluation = _evaluation_clinic(clinicians=1, consult_rooms=1)
    mover = PatientFactory()
    moving = appointment_book(actor=desk, patient=mover, appointment_type=evaluation, starts_at=_start(9))
    target = _start(14)
    tasks = [lambda: appointment_reschedule(actor=desk, appointment_id=moving.pk, starts_at=target)]
    tasks += _bookers(desk, evaluation, target, count=RACERS - 1)
    return moving, target, tasks


def test_a_reschedule_racing_new_bookings_for_the_same_time_leaves_one_holder(desk):
    moving, target, tasks = _reschedule_versus_new_bookings(desk)

    outcomes = race(tasks)

    assert outcomes == {"ok": 1, "slot_unavailable": RACERS - 1}
    assert Appointment.objects.filter(starts_at=target, status__in=BLOCKING_STATUSES).count() == 1
    # The loser of the race, if it was the move, left the appointment where it was.
    moving.refresh_from_db()
    assert moving.starts_at in {_start(9), target}


def test_control_without_the_guards_a_reschedule_and_a_booking_both_win(desk, monkeypatch):
    _moving, target, tasks = _reschedule_versus_new_bookings(desk)

    with guards_off(monkeypatch, parties=RACERS):
        outcomes = race(tasks)
        assert outcomes["ok"] > 1
        assert Appointment.objects.filter(starts_at=target, status__in=BLOCKING_STATUSES).count() > 1


# -- a series racing single bookings ----------------------------------------------------------------


def _series_race(desk):
    """One infusion room: a three-infusion series (Mon, Tue, Wed at 10:00 preferred) against
    single bookings of other patients for those very times."""
    calendar = CalendarBuilder()
    calendar.open()
    calendar.staff(Role.NURSE, time(8), time(18))
    calendar.staff(Role.CLINICIAN)
    calendar.rooms(RoomKind.INFUSION, 1)
    calendar.rooms(RoomKind.CONSULT, 1)
    calendar.evaluation_type()
    infusion = calendar.infusion_type(counts_against_plan="infusions")
    signed_at = datetime.now(tz=LA) - timedelta(days=1)
    series_patient = PatientFactory()
    plan = active_plan(series_patient, signed_at=signed_at, infusions_planned=3, min_days_between=1, window_days=5)
    monday = _next_monday()
    tasks: list[Callable[[], object]] = [
        lambda: treatment_plan_book_series(actor=desk, plan_id=plan.pk, start_date=monday, preferred_time=time(10))
    ]
    for index in range(RACERS - 1):
        patient = PatientFactory()
        active_plan(patient, signed_at=signed_at)
        starts_at = datetime.combine(monday + timedelta(days=index % 3), time(10), tzinfo=LA)
        tasks.append(
            partial(appointment_book, actor=desk, patient=patient, appointment_type=infusion, starts_at=starts_at)
        )
    return plan, tasks


def _room_overlaps() -> int:
    rows = list(
        Appointment.objects.filter(status__in=BLOCKING_STATUSES, room__isnull=False).values_list(
            "room_id", "starts_at", "room_released_at"
        )
    )
    return sum(
        1
        for index, (room, start, end) in enumerate(rows)
        for other_room, other_start, other_end in rows[index + 1 :]
        if room == other_room and start < other_end and other_start < end
    )


def test_a_series_racing_single_bookings_never_overbooks_a_room(desk):
    plan, tasks = _series_race(desk)

    outcomes = race(tasks)

    assert set(outcomes) <= {"ok", "slot_unavailable", "series_infeasible"}
    assert _room_overlaps() == 0
    series_booked = Appointment.objects.filter(treatment_plan=plan).count()
    assert series_booked in {0, 3}  # all of the series or nothing
    infusions = Appointment.objects.filter(appointment_type__code="infusion").count()
    assert infusions == outcomes["ok"] - (1 if series_booked else 0) + series_booked


def test_control_without_the_guards_a_series_and_single_bookings_overbook(desk, monkeypatch):
    _plan, tasks = _series_race(desk)

    with guards_off(monkeypatch, parties=RACERS):
        outcomes = race(tasks)
        assert outcomes["ok"] == RACERS
        assert _room_overlaps() > 0
