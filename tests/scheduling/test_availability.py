from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking.availability import availability_for
from booking.models import AppointmentStatus
from core.roles import Role
from scheduling.models import RoomKind
from tests.factories import AppointmentFactory, ClinicClosureFactory, PatientFactory, RoomOutageFactory, TimeOffFactory
from tests.scheduling.conftest import LA, at, local_starts, quarter_hours

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
LONG_BEFORE = datetime(2026, 11, 1, tzinfo=UTC)


def search(appointment_type, first_day, last_day=None, *, now=LONG_BEFORE, online=True, **kwargs):
    return availability_for(
        appointment_type=appointment_type,
        first_day=first_day,
        last_day=last_day or first_day,
        now=now,
        online=online,
        **kwargs,
    )


@pytest.fixture
def evaluation_clinic(calendar):
    """Open 08-18 every day, one clinician 09-17, one consult room."""
    calendar.open()
    calendar.clinician = calendar.staff(Role.CLINICIAN)
    calendar.consult_rooms = calendar.rooms(RoomKind.CONSULT)
    calendar.type = calendar.evaluation_type()
    return calendar


@pytest.fixture
def infusion_clinic(calendar):
    """Open 08-18 every day, one nurse 08-18, one clinician 09-17, plenty of infusion rooms."""
    calendar.open()
    calendar.nurse = calendar.staff(Role.NURSE, time(8), time(18))
    calendar.clinician = calendar.staff(Role.CLINICIAN)
    calendar.infusion_rooms = calendar.rooms(RoomKind.INFUSION, 4)
    calendar.type = calendar.infusion_type()
    return calendar


def test_an_ordinary_day_offers_every_quarter_hour_the_clinician_can_fit_an_hour(evaluation_clinic):
    slots = search(evaluation_clinic.type, MONDAY)

    assert local_starts(slots) == quarter_hours("09:00", "16:00")
    assert slots[0].start == at(MONDAY, 9)
    assert slots[0].end == at(MONDAY, 10)


# -- daylight saving ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "offset"),
    [
        (date(2026, 3, 7), "-08:00"),  # Saturday before clocks spring forward
        (date(2026, 3, 8), "-07:00"),  # the 23-hour Sunday
        (date(2026, 3, 9), "-07:00"),
        (date(2026, 10, 31), "-07:00"),
        (date(2026, 11, 1), "-08:00"),  # the 25-hour Sunday
        (date(2026, 11, 2), "-08:00"),
    ],
)
def test_a_nine_to_five_day_stays_nine_to_five_local_around_daylight_saving_changes(evaluation_clinic, day, offset):
    now = datetime.combine(day - timedelta(days=20), time(0), tzinfo=UTC)

    slots = search(evaluation_clinic.type, day, now=now)

    assert local_starts(slots) == quarter_hours("09:00", "16:00")
    assert {slot.start.astimezone(LA).isoformat()[-6:] for slot in slots} == {offset}
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)


def test_the_spring_forward_night_never_offers_a_local_time_that_does_not_exist(calendar):
    day = date(2026, 3, 8)
    calendar.open(time(0), time(6), weekdays=[day.weekday()])
    calendar.staff(Role.CLINICIAN, time(0), time(6), weekdays=[day.weekday()])
    calendar.rooms(RoomKind.CONSULT)
    evaluation = calendar.evaluation_type()

    slots = search(evaluation, day, online=False, now=datetime(2026, 3, 1, tzinfo=UTC))

    starts = local_starts(slots)
    # 00:00 PST to 06:00 PDT is five real hours: 17 starts for a one-hour visit, none at 02:xx.
    assert starts == [*quarter_hours("00:00", "01:45"), *quarter_hours("03:00", "05:00")]
    assert not [s for s in starts if s.startswith("02:")]
    # The 01:15 start ends at 03:15 PDT, one real hour later.
    one_fifteen = next(slot for slot in slots if slot.start.astimezone(LA).strftime("%H:%M") == "01:15")
    assert one_fifteen.end.astimezone(LA).strftime("%H:%M%z") == "03:15-0700"


def test_the_fall_back_night_offers_each_repeated_local_time_once_per_real_instant(calendar):
    day = date(2026, 11, 1)
    calendar.open(time(0), time(6), weekdays=[day.weekday()])
    calendar.staff(Role.CLINICIAN, time(0), time(6), weekdays=[day.weekday()])
    calendar.rooms(RoomKind.CONSULT)
    evaluation = calendar.evaluation_type()

    slots = search(evaluation, day, online=False, now=datetime(2026, 10, 20, tzinfo=UTC))

    instants = [slot.start for slot in slots]
    # 00:00 PDT to 06:00 PST is seven real hours: 25 starts, every one a distinct instant.
    assert len(instants) == 25 == len(set(instants))
    labels = [slot.start.astimezone(LA).strftime("%H:%M%z") for slot in slots]
    assert "01:30-0700" in labels
    assert "01:30-0800" in labels
    assert labels[0] == "00:00-0700"
    assert labels[-1] == "05:00-0800"


# -- exceptions -----------------------------------------------------------------------------


def test_staff_time_off_removes_exactly_the_starts_that_would_overlap_it(evaluation_clinic):
    TimeOffFactory(staff=evaluation_clinic.clinician, starts_at=at(MONDAY, 12), ends_at=at(MONDAY, 14))

    starts = local_starts(search(evaluation_clinic.type, MONDAY))

    assert starts == [*quarter_hours("09:00", "11:00"), *quarter_hours("14:00", "16:00")]


def test_time_off_of_one_clinician_leaves_the_other_bookable(evaluation_clinic):
    evaluation_clinic.staff(Role.CLINICIAN)
    TimeOffFactory(staff=evaluation_clinic.clinician, starts_at=at(MONDAY, 0), ends_at=at(MONDAY, 23))

    assert local_starts(search(evaluation_clinic.type, MONDAY)) == quarter_hours("09:00", "16:00")


def test_a_closure_day_offers_nothing_and_the_days_around_it_are_untouched(evaluation_clinic):
    ClinicClosureFactory(clinic=evaluation_clinic.clinic, closed_on=MONDAY + timedelta(days=1))

    slots = search(evaluation_clinic.type, MONDAY, MONDAY + timedelta(days=2))

    assert local_starts(slots, MONDAY) == quarter_hours("09:00", "16:00")
    assert local_starts(slots, MONDAY + timedelta(days=1)) == []
    assert local_starts(slots, MONDAY + timedelta(days=2)) == quarter_hours("09:00", "16:00")


def test_a_room_out_of_service_blocks_every_visit_that_would_overlap_the_outage(evaluation_clinic):
    room = evaluation_clinic.consult_rooms[0]
    RoomOutageFactory(room=room, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 11))

    starts = local_starts(search(evaluation_clinic.type, MONDAY))

    assert starts == ["09:00", *quarter_hours("11:00", "16:00")]


# -- resources held by bookings ---------------------------------------------------------------


def test_a_booked_clinician_is_not_offered_twice(evaluation_clinic):
    evaluation_clinic.rooms(RoomKind.CONSULT)  # rooms are not the bottleneck
    AppointmentFactory(
        appointment_type=evaluation_clinic.type, starts_at=at(MONDAY, 10), staff=evaluation_clinic.clinician
    )

    starts = local_starts(search(evaluation_clinic.type, MONDAY))

    assert starts == [*quarter_hours("09:00", "09:00"), *quarter_hours("11:00", "16:00")]


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_cancelled_and_no_show_appointments_free_their_resources(evaluation_clinic, status):
    AppointmentFactory(
        appointment_type=evaluation_clinic.type,
        starts_at=at(MONDAY, 10),
        staff=evaluation_clinic.clinician,
        room=evaluation_clinic.consult_rooms[0],
        status=status,
    )

    assert local_starts(search(evaluation_clinic.type, MONDAY)) == quarter_hours("09:00", "16:00")


def test_a_nurse_monitoring_two_overlapping_infusions_gets_no_third(infusion_clinic):
    nurse = infusion_clinic.nurse
    rooms = infusion_clinic.infusion_rooms
    # 09:00-10:30 and 09:30-11:00 (infusion + recovery) are monitored by the only nurse.
    AppointmentFactory(appointment_type=infusion_clinic.type, starts_at=at(MONDAY, 9), nurse=nurse, room=rooms[0])
    AppointmentFactory(appointment_type=infusion_clinic.type, starts_at=at(MONDAY, 9, 30), nurse=nurse, room=rooms[1])

    starts = local_starts(search(infusion_clinic.type, MONDAY))

    # Any start before 10:30 would overlap both; from 10:30 the first has ended.
    assert [s for s in starts if s < "10:30"] == []
    assert starts[0] == "10:30"


def test_a_second_nurse_takes_the_third_infusion(infusion_clinic):
    nurse = infusion_clinic.nurse
    rooms = infusion_clinic.infusion_rooms
    infusion_clinic.staff(Role.NURSE, time(8), time(18))
    AppointmentFactory(appointment_type=infusion_clinic.type, starts_at=at(MONDAY, 9), nurse=nurse, room=rooms[0])
    AppointmentFactory(appointment_type=infusion_clinic.type, starts_at=at(MONDAY, 9, 30), nurse=nurse, room=rooms[1])

    assert local_starts(search(infusion_clinic.type, MONDAY))[:3] == ["09:00", "09:15", "09:30"]


def test_infusions_need_a_clinician_on_duty_for_the_whole_visit(infusion_clinic):
    # The nurse works 08-18 and the clinic is open 08-18, but the clinician only 09-17:
    # infusion + recovery (90 min) must lie inside 09-17.
    starts = local_starts(search(infusion_clinic.type, MONDAY))

    assert starts == quarter_hours("09:00", "15:30")


def test_without_a_clinician_on_duty_no_infusion_is_offered(infusion_clinic):
    TimeOffFactory(staff=infusion_clinic.clinician, starts_at=at(MONDAY, 0), ends_at=at(MONDAY, 23))

    assert search(infusion_clinic.type, MONDAY) == []


def test_recovery_and_turnover_hold_the_infusion_room(calendar):
    calendar.open(time(8), time(18))
    calendar.staff(Role.NURSE, time(8), time(18))
    calendar.staff(Role.CLINICIAN, time(8), time(18))
    nurse2 = calendar.staff(Role.NURSE, time(8), time(18))
    (room,) = calendar.rooms(RoomKind.INFUSION, 1)
    infusion = calendar.infusion_type()
    # 09:00: 50 min infusion + 40 min recovery, then 15 min turnover: the room is free at 10:45.
    AppointmentFactory(appointment_type=infusion, starts_at=at(MONDAY, 9), nurse=nurse2, room=room)

    slots = search(infusion, MONDAY)
    starts = local_starts(slots)

    assert [s for s in starts if "07:00" < s < "11:00"] == ["10:45"]
    # The room must also be turned over before closing: the last start is 16:15 (ready 18:00).
    assert starts[-1] == "16:15"
    # A slot ends when the patient leaves, after recovery.
    assert slots[-1].end == at(MONDAY, 17, 45)


def test_a_signed_in_patient_is_not_offered_times_overlapping_their_own_appointments(evaluation_clinic):
    evaluation_clinic.staff(Role.CLINICIAN)
    evaluation_clinic.rooms(RoomKind.CONSULT)
    patient = PatientFactory()
    AppointmentFactory(patient=patient, appointment_type=evaluation_clinic.type, starts_at=at(MONDAY, 12))

    own = local_starts(search(evaluation_clinic.type, MONDAY, patient_id=patient.pk))
    anyone = local_starts(search(evaluation_clinic.type, MONDAY))

    assert own == [*quarter_hours("09:00", "11:00"), *quarter_hours("13:00", "16:00")]
    assert anyone == quarter_hours("09:00", "16:00")


# -- booking window and grid -------------------------------------------------------------------


def test_online_booking_needs_twelve_hours_notice_but_staff_may_book_inside_it(evaluation_clinic):
    now = at(MONDAY, 0, 30).astimezone(UTC)  # 00:30 local: notice ends at 12:30

    online = local_starts(search(evaluation_clinic.type, MONDAY, now=now))
    staff = local_starts(search(evaluation_clinic.type, MONDAY, now=now, online=False))

    assert online == quarter_hours("12:30", "16:00")
    assert staff == quarter_hours("09:00", "16:00")


def test_staff_never_see_starts_in_the_past(evaluation_clinic):
    now = at(MONDAY, 13, 5).astimezone(UTC)

    assert local_starts(search(evaluation_clinic.type, MONDAY, now=now, online=False)) == quarter_hours(
        "13:15", "16:00"
    )


def test_online_booking_reaches_sixty_days_ahead_and_staff_further(evaluation_clinic):
    now = at(MONDAY, 10).astimezone(UTC)
    horizon_day = MONDAY + timedelta(days=60)

    online = search(evaluation_clinic.type, horizon_day, horizon_day + timedelta(days=1), now=now)
    staff = search(evaluation_clinic.type, horizon_day, horizon_day + timedelta(days=1), now=now, online=False)

    assert local_starts(online, horizon_day) == quarter_hours("09:00", "10:00")
    assert local_starts(online, horizon_day + timedelta(days=1)) == []
    assert local_starts(staff, horizon_day + timedelta(days=1)) == quarter_hours("09:00", "16:00")


def test_starts_follow_the_type_grid_from_local_midnight(calendar):
    calendar.open(time(8, 10), time(12))
    calendar.staff(Role.CLINICIAN, time(8), time(12))
    calendar.rooms(RoomKind.CONSULT)
    evaluation = calendar.evaluation_type(grid_minutes=30)

    assert local_starts(search(evaluation, MONDAY)) == ["08:30", "09:00", "09:30", "10:00", "10:30", "11:00"]


def test_several_working_blocks_a_day_are_all_offered(calendar):
    calendar.open()
    member = calendar.staff(Role.CLINICIAN, time(9), time(11))
    from tests.factories import WorkingHoursFactory

    for weekday in range(7):
        WorkingHoursFactory(staff=member, weekday=weekday, starts_at=time(14), ends_at=time(16))
    calendar.rooms(RoomKind.CONSULT)
    evaluation = calendar.evaluation_type()

    assert local_starts(search(evaluation, MONDAY)) == [
        *quarter_hours("09:00", "10:00"),
        *quarter_hours("14:00", "15:00"),
    ]


def test_the_clinician_filter_offers_only_that_clinicians_times(evaluation_clinic):
    other = evaluation_clinic.staff(Role.CLINICIAN, time(14), time(17))
    evaluation_clinic.rooms(RoomKind.CONSULT)

    starts = local_starts(search(evaluation_clinic.type, MONDAY, staff_id=other.pk))

    assert starts == quarter_hours("14:00", "16:00")


def test_hours_that_begin_inside_the_spring_forward_gap_begin_when_the_clocks_jump(calendar):
    day = date(2026, 3, 8)
    calendar.open(time(2, 30), time(6), weekdays=[day.weekday()])  # 02:30 does not exist that night
    calendar.staff(Role.CLINICIAN, time(0), time(6), weekdays=[day.weekday()])
    calendar.rooms(RoomKind.CONSULT)
    evaluation = calendar.evaluation_type()

    slots = search(evaluation, day, online=False, now=datetime(2026, 3, 1, tzinfo=UTC))

    # The first instant whose wall-clock time reaches 02:30 is 03:00 PDT, when the clocks jump.
    assert slots[0].start.astimezone(LA).strftime("%H:%M%z") == "03:00-0700"
    assert local_starts(slots) == quarter_hours("03:00", "05:00")
