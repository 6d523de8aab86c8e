"""A patient's infusion search applies their treatment plan, so it offers no day that booking
would then refuse (spacing, window, count), and it still costs a fixed number of queries."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from booking.availability import availability_for
from booking.errors import BookingConflictError
from booking.models import AppointmentStatus
from booking.services.appointments import appointment_book
from clinical.errors import ClinicalConflictError
from clinical.models import PlanStatus
from core.roles import Role
from scheduling.calendar_version import forget_snapshots
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=LA)
MONDAY = date(2026, 12, 7)
SEARCH = (MONDAY, MONDAY + timedelta(days=27))  # four weeks


@pytest.fixture
def infusion(demo_clinic):
    return AppointmentType.objects.get(code="infusion")


def book(patient, infusion, day: date, hour: int = 10):
    return appointment_book(
        actor=UserFactory(role=Role.ADMIN),
        patient=patient,
        appointment_type=infusion,
        starts_at=datetime.combine(day, time(hour), tzinfo=LA),
        now=NOW,
    )


def offered_days(patient, infusion) -> set[date]:
    slots = availability_for(
        appointment_type=infusion, first_day=SEARCH[0], last_day=SEARCH[1], patient_id=patient.pk, now=NOW
    )
    return {slot.start.astimezone(LA).date() for slot in slots}


def clinic_days(infusion) -> set[date]:
    """The days with open infusion starts for someone with no plan limits at all."""
    slots = availability_for(appointment_type=infusion, first_day=SEARCH[0], last_day=SEARCH[1], now=NOW)
    return {slot.start.astimezone(LA).date() for slot in slots}


def bookable(patient, infusion, day: date) -> bool:
    """Whether booking (as the desk) accepts the day's first open start; nothing is kept."""
    slots = availability_for(appointment_type=infusion, first_day=day, last_day=day, now=NOW, online=False)
    if not slots:
        return False
    try:
        with transaction.atomic():
            appointment_book(
                actor=UserFactory(role=Role.ADMIN),
                patient=patient,
                appointment_type=infusion,
                starts_at=slots[0].start,
                now=NOW,
            )
            transaction.set_rollback(True)
    except (BookingConflictError, ClinicalConflictError):
        return False
    return True


def test_the_search_leaves_out_the_days_the_plan_spacing_and_window_rule_out(patient, infusion):
    active_plan(patient, signed_at=NOW - timedelta(days=1), min_days_between=3, window_days=14)
    book(patient, infusion, MONDAY + timedelta(days=7))  # Monday 14 December

    offered = offered_days(patient, infusion)

    first = MONDAY + timedelta(days=7)
    spacing = {first + timedelta(days=n) for n in range(-2, 3)}  # fewer than 3 days from it
    window = {day for day in clinic_days(infusion) if abs((day - first).days) >= 14}
    assert offered == clinic_days(infusion) - spacing - window
    assert MONDAY + timedelta(days=4) in offered
    assert MONDAY + timedelta(days=10) in offered


def test_every_day_the_search_offers_booking_accepts_and_every_day_it_leaves_out_booking_refuses(patient, infusion):
    active_plan(patient, signed_at=NOW - timedelta(days=1), min_days_between=2, window_days=10)
    book(patient, infusion, MONDAY + timedelta(days=3))
    book(patient, infusion, MONDAY + timedelta(days=7))

    offered = offered_days(patient, infusion)

    assert offered  # the rules leave some days open ...
    assert offered < clinic_days(infusion)  # ... and rule some out
    for day in sorted(clinic_days(infusion)):
        assert (day in offered) == bookable(patient, infusion, day), day


def test_an_infusion_of_an_earlier_plan_counts_for_spacing(patient, infusion):
    earlier = active_plan(patient, signed_at=NOW - timedelta(days=30))
    AppointmentFactory(
        patient=patient,
        appointment_type=infusion,
        treatment_plan=earlier,
        starts_at=datetime.combine(MONDAY - timedelta(days=1), time(10), tzinfo=LA),  # Sunday 6
        status=AppointmentStatus.COMPLETED,
    )
    earlier.status = PlanStatus.COMPLETED
    earlier.save(update_fields=["status"])
    active_plan(patient, signed_at=NOW - timedelta(days=1), min_days_between=3)

    offered = offered_days(patient, infusion)

    assert MONDAY not in offered
    assert MONDAY + timedelta(days=1) not in offered
    assert MONDAY + timedelta(days=2) in offered
    assert not bookable(patient, infusion, MONDAY + timedelta(days=1))


def test_a_plan_whose_infusions_are_all_booked_is_offered_nothing(patient, infusion):
    active_plan(patient, signed_at=NOW - timedelta(days=1), infusions_planned=2, min_days_between=2)
    book(patient, infusion, MONDAY)
    assert offered_days(patient, infusion)  # one left

    book(patient, infusion, MONDAY + timedelta(days=2))

    assert offered_days(patient, infusion) == set()


def test_without_an_active_plan_the_search_shows_the_clinics_times(patient, infusion):
    """Booking then refuses with no_active_treatment_plan, which says why; an empty search would not."""
    assert offered_days(patient, infusion) == clinic_days(infusion)


def test_the_plan_costs_one_query_whatever_the_range_or_the_sessions(
    patient, infusion, django_assert_num_queries, django_assert_max_num_queries
):
    def search(last_day: date) -> None:
        availability_for(appointment_type=infusion, first_day=MONDAY, last_day=last_day, patient_id=patient.pk, now=NOW)

    search(MONDAY)  # loads the type's clinic once, as the API's type lookup does
    # Each search priced with a cold calendar cache (the worst case); a cached calendar only saves queries.
    forget_snapshots()
    with django_assert_max_num_queries(6) as without_plan:
        search(MONDAY)
    active_plan(patient, signed_at=NOW - timedelta(days=1), min_days_between=2)
    for offset in (0, 2, 4, 7):
        book(patient, infusion, MONDAY + timedelta(days=offset))

    forget_snapshots()
    with django_assert_num_queries(len(without_plan.captured_queries)):
        search(MONDAY)
    forget_snapshots()
    with django_assert_num_queries(len(without_plan.captured_queries)):
        search(MONDAY + timedelta(days=29))
