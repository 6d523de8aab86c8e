"""Extra openings (a clinic exception): a closed day made open for given hours, with only the
staff listed on duty. The opening is the whole schedule of its date."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from booking.availability import availability_engine, availability_for
from booking.services.appointments import appointment_book
from core.roles import Role
from scheduling.errors import OpeningError
from scheduling.models import ClinicOpening, ClinicOpeningHours, RoomKind
from scheduling.selectors import ClinicDay, clinic_day
from scheduling.services import clinic_opening_save
from tests.factories import (
    ClinicClosureFactory,
    ClinicFactory,
    ClinicOpeningFactory,
    ClinicOpeningHoursFactory,
    PatientFactory,
    StaffMemberFactory,
    TimeOffFactory,
    UserFactory,
)
from tests.scheduling.conftest import LA, at, local_starts, quarter_hours

pytestmark = pytest.mark.django_db

SATURDAY = date(2026, 12, 5)
SUNDAY = SATURDAY + timedelta(days=1)
TUESDAY = date(2026, 12, 8)
WEEKDAYS = range(5)
LONG_BEFORE = datetime(2026, 11, 1, tzinfo=UTC)


def search(appointment_type, first_day, last_day=None, **kwargs):
    return availability_for(
        appointment_type=appointment_type,
        first_day=first_day,
        last_day=last_day or first_day,
        now=LONG_BEFORE,
        online=False,
        **kwargs,
    )


def open_on(calendar, day, blocks, staff):
    opening = ClinicOpeningFactory(clinic=calendar.clinic, opens_on=day, staff=staff)
    for opens, closes in blocks:
        ClinicOpeningHoursFactory(opening=opening, opens_at=opens, closes_at=closes)
    return opening


@pytest.fixture
def weekday_clinic(calendar):
    """The demo clinic's shape: open Monday to Friday 08-18, closed at weekends; two nurses and two
    clinicians on weekdays, and a nurse and a clinician who also have Saturday hours of their own
    (the clinic is closed then, so those hours alone open nothing)."""
    calendar.open(weekdays=WEEKDAYS)
    calendar.nurse = calendar.staff(Role.NURSE, time(8), time(18), weekdays=WEEKDAYS)
    calendar.clinician = calendar.staff(Role.CLINICIAN, weekdays=WEEKDAYS)
    calendar.saturday_nurse = calendar.staff(Role.NURSE, time(8), time(18), weekdays=range(7))
    calendar.saturday_clinician = calendar.staff(Role.CLINICIAN, time(8), time(18), weekdays=range(7))
    calendar.infusion_rooms = calendar.rooms(RoomKind.INFUSION, 4)
    calendar.consult_rooms = calendar.rooms(RoomKind.CONSULT, 2)
    calendar.infusion = calendar.infusion_type()
    calendar.evaluation = calendar.evaluation_type()
    return calendar


def test_a_saturday_opening_offers_exactly_its_hours_with_only_its_staff(weekday_clinic):
    clinic = weekday_clinic
    assert search(clinic.infusion, SATURDAY) == []  # closed at weekends, whoever has Saturday hours
    open_on(clinic, SATURDAY, [(time(10), time(14))], staff=[clinic.nurse, clinic.clinician])

    infusions = search(clinic.infusion, SATURDAY)
    evaluations = search(clinic.evaluation, SATURDAY)

    # An infusion holds its room 50 + 40 + 15 minutes: the last start is 12:15.
    assert local_starts(infusions) == quarter_hours("10:00", "12:15")
    assert local_starts(evaluations) == quarter_hours("10:00", "13:00")
    engine = availability_engine(
        appointment_type=clinic.infusion, first_day=SATURDAY, last_day=SATURDAY, online=False, now=LONG_BEFORE
    )
    free = engine.free_resources(at(SATURDAY, 10))
    assert free is not None
    assert (free.nurses, free.supervising_clinicians) == ((clinic.nurse.pk,), (clinic.clinician.pk,))


def test_staff_not_listed_are_not_used_even_with_saturday_hours_of_their_own(weekday_clinic):
    clinic = weekday_clinic
    open_on(clinic, SATURDAY, [(time(10), time(14))], staff=[clinic.nurse, clinic.clinician])

    assert search(clinic.evaluation, SATURDAY, staff_id=clinic.saturday_clinician.pk) == []
    booked = appointment_book(
        actor=UserFactory(role=Role.ADMIN),
        patient=PatientFactory(),
        appointment_type=clinic.evaluation,
        starts_at=at(SATURDAY, 10),
        now=LONG_BEFORE,
    )
    assert booked.staff_id == clinic.clinician.pk
    # The listed clinician is now busy 10-11: nobody else takes an evaluation then.
    assert local_starts(search(clinic.evaluation, SATURDAY)) == quarter_hours("11:00", "13:00")


def test_the_day_after_the_opening_is_closed_again(weekday_clinic):
    clinic = weekday_clinic
    open_on(clinic, SATURDAY, [(time(10), time(14))], staff=[clinic.nurse, clinic.clinician])

    slots = search(clinic.evaluation, SATURDAY, SUNDAY + timedelta(days=1))

    assert {slot.start.astimezone(LA).date() for slot in slots} == {SATURDAY, SUNDAY + timedelta(days=1)}
    assert local_starts(slots, SUNDAY) == []  # closed again, though two of the staff have Sunday hours
    # Monday as every Monday: the clinic's 08-18, the clinician with all-week hours from 08:00.
    assert local_starts(slots, SUNDAY + timedelta(days=1)) == quarter_hours("08:00", "17:00")


def test_an_opening_with_several_blocks_offers_each_and_nothing_between(weekday_clinic):
    clinic = weekday_clinic
    open_on(clinic, SATURDAY, [(time(9), time(11)), (time(13), time(15))], staff=[clinic.clinician])

    assert local_starts(search(clinic.evaluation, SATURDAY)) == [
        *quarter_hours("09:00", "10:00"),
        *quarter_hours("13:00", "14:00"),
    ]


def test_an_opening_on_a_closure_day_opens_it(weekday_clinic):
    clinic = weekday_clinic
    ClinicClosureFactory(clinic=clinic.clinic, closed_on=TUESDAY)
    assert search(clinic.evaluation, TUESDAY) == []

    open_on(clinic, TUESDAY, [(time(10), time(12))], staff=[clinic.clinician])

    assert local_starts(search(clinic.evaluation, TUESDAY)) == quarter_hours("10:00", "11:00")


def test_on_a_clinic_day_the_opening_replaces_the_weekly_hours_of_clinic_and_staff(weekday_clinic):
    clinic = weekday_clinic
    assert local_starts(search(clinic.evaluation, TUESDAY, staff_id=clinic.clinician.pk)) == quarter_hours(
        "09:00", "16:00"
    )

    open_on(clinic, TUESDAY, [(time(12), time(20))], staff=[clinic.saturday_clinician])

    assert search(clinic.evaluation, TUESDAY, staff_id=clinic.clinician.pk) == []  # not listed: off
    assert local_starts(search(clinic.evaluation, TUESDAY)) == quarter_hours("12:00", "19:00")
    # The nurse of that day is not listed either: no infusion without one.
    assert search(clinic.infusion, TUESDAY) == []


def test_time_off_still_applies_on_an_opening(weekday_clinic):
    clinic = weekday_clinic
    open_on(clinic, SATURDAY, [(time(10), time(14))], staff=[clinic.clinician])
    TimeOffFactory(staff=clinic.clinician, starts_at=at(SATURDAY, 10), ends_at=at(SATURDAY, 12))

    assert local_starts(search(clinic.evaluation, SATURDAY)) == quarter_hours("12:00", "13:00")


def test_listed_staff_without_any_weekly_hours_work_the_opening(calendar):
    calendar.rooms(RoomKind.CONSULT)
    evaluation = calendar.evaluation_type()
    clinician = StaffMemberFactory(clinic=calendar.clinic, user=UserFactory(role=Role.CLINICIAN))
    open_on(calendar, SATURDAY, [(time(10), time(12))], staff=[clinician])

    assert local_starts(search(evaluation, SATURDAY)) == quarter_hours("10:00", "11:00")


def test_an_opening_on_the_spring_forward_night_never_offers_a_time_that_does_not_exist(calendar):
    day = date(2026, 3, 8)
    calendar.rooms(RoomKind.CONSULT)
    evaluation = calendar.evaluation_type()
    clinician = StaffMemberFactory(clinic=calendar.clinic, user=UserFactory(role=Role.CLINICIAN))
    open_on(calendar, day, [(time(1), time(4))], staff=[clinician])

    slots = availability_for(
        appointment_type=evaluation, first_day=day, last_day=day, online=False, now=datetime(2026, 3, 1, tzinfo=UTC)
    )

    # 01:00 PST to 04:00 PDT is two real hours: a one-hour visit starts 01:00 to 01:45, then 03:00.
    assert local_starts(slots) == [*quarter_hours("01:00", "01:45"), "03:00"]


def test_the_search_costs_the_same_queries_with_openings_as_without(
    weekday_clinic, django_assert_num_queries, django_assert_max_num_queries
):
    clinic = weekday_clinic
    with django_assert_max_num_queries(3) as without:
        search(clinic.infusion, SATURDAY, SATURDAY + timedelta(days=30))
    for week in range(4):
        open_on(
            clinic,
            SATURDAY + timedelta(days=7 * week),
            [(time(9), time(12)), (time(13), time(17))],
            staff=[clinic.nurse, clinic.saturday_nurse, clinic.clinician],
        )

    with django_assert_num_queries(len(without.captured_queries)):
        slots = search(clinic.infusion, SATURDAY, SATURDAY + timedelta(days=30))

    assert local_starts(slots, SATURDAY + timedelta(days=21)) == [
        *quarter_hours("09:00", "10:15"),
        *quarter_hours("13:00", "15:15"),
    ]


# -- validation -------------------------------------------------------------------------------------


def test_the_service_saves_an_opening_and_replaces_it_on_the_same_date(weekday_clinic):
    clinic = weekday_clinic

    clinic_opening_save(clinic=clinic.clinic, day=SATURDAY, blocks=[(time(10), time(14))], staff=[clinic.nurse])
    opening = clinic_opening_save(
        clinic=clinic.clinic,
        day=SATURDAY,
        blocks=[(time(13), time(15)), (time(9), time(12))],
        staff=[clinic.clinician],
        reason="Open day",
    )

    assert ClinicOpening.objects.get() == opening
    assert [str(block) for block in opening.hours.all()] == ["09:00-12:00", "13:00-15:00"]
    assert list(opening.staff.all()) == [clinic.clinician]
    assert opening.reason == "Open day"


@pytest.mark.parametrize(
    ("day", "blocks", "problem"),
    [
        (SATURDAY, [(time(14), time(10))], "The block 14:00-10:00 must close after it opens, on the same day."),
        (SATURDAY, [(time(10), time(10))], "The block 10:00-10:00 must close after it opens, on the same day."),
        (SATURDAY, [], "An opening needs at least one block of hours."),
        (SATURDAY, [(time(9), time(12)), (time(11), time(14))], "The blocks 09:00-12:00 and 11:00-14:00 overlap."),
        (
            date(2026, 3, 8),
            [(time(2, 30), time(6))],
            "02:30 does not exist on 2026-03-08 in America/Los_Angeles: the clocks go forward.",
        ),
        (
            date(2026, 3, 8),
            [(time(0), time(2))],
            "02:00 does not exist on 2026-03-08 in America/Los_Angeles: the clocks go forward.",
        ),
    ],
)
def test_the_service_refuses_blocks_that_make_no_sense_and_writes_nothing(weekday_clinic, day, blocks, problem):
    with pytest.raises(OpeningError) as refused:
        clinic_opening_save(clinic=weekday_clinic.clinic, day=day, blocks=blocks, staff=[weekday_clinic.clinician])

    assert (refused.value.code, refused.value.fields) == ("invalid_opening", {"hours": [problem]})
    assert not ClinicOpening.objects.exists()


def test_the_service_refuses_staff_of_another_clinic(weekday_clinic):
    stranger = StaffMemberFactory(clinic=ClinicFactory(), user=UserFactory(role=Role.NURSE))

    with pytest.raises(OpeningError) as refused:
        clinic_opening_save(clinic=weekday_clinic.clinic, day=SATURDAY, blocks=[(time(10), time(14))], staff=[stranger])

    assert refused.value.fields == {"staff": ["Only staff of this clinic can be on duty."]}


def test_a_fall_back_hour_is_allowed_as_its_first_occurrence(weekday_clinic):
    opening = clinic_opening_save(
        clinic=weekday_clinic.clinic, day=date(2026, 11, 1), blocks=[(time(1, 30), time(5))], staff=[]
    )

    assert [str(block) for block in opening.hours.all()] == ["01:30-05:00"]


def test_a_block_checks_itself_in_the_model_too(weekday_clinic):
    opening = ClinicOpeningFactory(clinic=weekday_clinic.clinic, opens_on=date(2026, 3, 8))
    block = ClinicOpeningHours(opening=opening, opens_at=time(1), closes_at=time(2, 15))

    with pytest.raises(ValidationError) as refused:
        block.full_clean()

    assert refused.value.messages == [
        "02:15 does not exist on 2026-03-08 in America/Los_Angeles: the clocks go forward."
    ]


def test_a_days_hours_read_from_its_opening_else_its_closure_else_its_weekday(weekday_clinic):
    clinic = weekday_clinic
    ClinicClosureFactory(clinic=clinic.clinic, closed_on=TUESDAY + timedelta(days=1))
    open_on(clinic, SATURDAY, [(time(13), time(15)), (time(9), time(11))], staff=[clinic.nurse])

    saturday = clinic_day(clinic=clinic.clinic, day=SATURDAY)

    assert saturday.opening == ClinicOpening.objects.get(opens_on=SATURDAY)
    assert (saturday.blocks, list(saturday.opening.staff.all())) == (
        [(time(9), time(11)), (time(13), time(15))],
        [clinic.nurse],
    )
    assert clinic_day(clinic=clinic.clinic, day=SUNDAY) == ClinicDay(day=SUNDAY, blocks=[], opening=None)
    assert clinic_day(clinic=clinic.clinic, day=TUESDAY).blocks == [(time(8), time(18))]
    assert clinic_day(clinic=clinic.clinic, day=TUESDAY + timedelta(days=1)).blocks == []
