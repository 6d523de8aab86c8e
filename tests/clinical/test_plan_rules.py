"""The treatment plan gates infusion and integration bookings, for patients and staff alike;
every rule at its boundary."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from booking.errors import BookingConflictError, BookingPermissionError
from booking.models import AppointmentEvent, AppointmentStatus
from booking.services.appointments import appointment_book, appointment_cancel, appointment_reschedule
from booking.services.lifecycle import appointment_confirm_readiness, appointment_transition
from clinical.errors import ClinicalConflictError, ClinicalPermissionError
from clinical.models import Decision, PlanStatus
from clinical.services.infusions import infusion_discharge, infusion_record_update
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.infusion_fixtures import DISCHARGE_CHECKLIST, reading, record_scales, start
from tests.clinical.plans import active_plan, signed_evaluation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=LA)
MONDAY = date(2026, 12, 7)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LA)


@pytest.fixture
def desk(demo_clinic):
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def infusion(demo_clinic):
    return AppointmentType.objects.get(code="infusion")


@pytest.fixture
def integration(demo_clinic):
    return AppointmentType.objects.get(code="integration")


def book(actor, patient, appointment_type, starts_at, now=NOW):
    return appointment_book(
        actor=actor, patient=patient, appointment_type=appointment_type, starts_at=starts_at, now=now
    )


PLAN_OR_BOOKING_REFUSALS = (
    BookingConflictError,
    BookingPermissionError,
    ClinicalConflictError,
    ClinicalPermissionError,
)


def refusal(actor, patient, appointment_type, starts_at):
    with pytest.raises(PLAN_OR_BOOKING_REFUSALS) as refused:
        book(actor, patient, appointment_type, starts_at)
    return refused.value.code


def test_without_an_active_plan_nobody_books_an_infusion_not_even_staff(desk, patient, infusion):
    assert refusal(desk, patient, infusion, at(MONDAY)) == "no_active_treatment_plan"
    assert refusal(patient, patient, infusion, at(MONDAY)) == "no_active_treatment_plan"
    assert patient.appointments.count() == 0


@pytest.mark.parametrize("decision", [Decision.NOT_CANDIDATE, Decision.DEFERRED])
def test_not_candidate_and_deferred_decisions_leave_infusion_booking_closed(desk, patient, infusion, decision):
    signed_evaluation(patient, decision=decision, signed_at=NOW - timedelta(days=1))

    assert refusal(desk, patient, infusion, at(MONDAY)) == "no_active_treatment_plan"


def test_a_patient_with_an_active_plan_books_an_infusion_online_and_it_counts_against_the_plan(patient, infusion):
    plan = active_plan(patient, signed_at=NOW - timedelta(days=1))

    appointment = book(patient, patient, infusion, at(MONDAY))

    assert appointment.treatment_plan == plan


def test_exactly_the_minimum_spacing_is_allowed_and_one_day_less_is_refused(desk, patient, infusion):
    active_plan(patient, signed_at=NOW - timedelta(days=1), min_days_between=2)
    book(desk, patient, infusion, at(MONDAY))

    assert refusal(desk, patient, infusion, at(MONDAY + timedelta(days=1))) == "spacing_violation"
    assert book(desk, patient, infusion, at(MONDAY + timedelta(days=2))).starts_at == at(MONDAY + timedelta(days=2))


def test_spacing_holds_before_an_existing_infusion_too(desk, patient, infusion):
    active_plan(patient, signed_at=NOW - timedelta(days=1), min_days_between=3)
    book(desk, patient, infusion, at(MONDAY + timedelta(days=3)))  # Thursday

    assert refusal(desk, patient, infusion, at(MONDAY + timedelta(days=1))) == "spacing_violation"
    assert book(desk, patient, infusion, at(MONDAY)).starts_at == at(MONDAY)


def test_the_first_and_last_day_of_the_window_are_allowed_and_the_day_after_is_not(desk, patient, infusion):
    active_plan(patient, signed_at=NOW - timedelta(days=1), window_days=18, min_days_between=2)
    book(desk, patient, infusion, at(MONDAY))  # day 1 of the window
    last_day = MONDAY + timedelta(days=17)  # day 18: Thursday 2026-12-24

    assert refusal(desk, patient, infusion, at(last_day + timedelta(days=1))) == "outside_plan_window"
    assert book(desk, patient, infusion, at(last_day)).starts_at == at(last_day)


def test_the_plan_count_ignores_cancelled_and_no_show_infusions(desk, nurse_user, patient, infusion):
    active_plan(patient, signed_at=NOW - timedelta(days=1), infusions_planned=3, min_days_between=1)
    first = book(desk, patient, infusion, at(MONDAY))
    second = book(desk, patient, infusion, at(MONDAY + timedelta(days=1)))
    book(desk, patient, infusion, at(MONDAY + timedelta(days=2)))
    assert refusal(desk, patient, infusion, at(MONDAY + timedelta(days=3))) == "plan_exhausted"

    appointment_cancel(actor=desk, appointment_id=second.pk, reason="ill", now=NOW)
    book(desk, patient, infusion, at(MONDAY + timedelta(days=3)))
    assert refusal(desk, patient, infusion, at(MONDAY + timedelta(days=4))) == "plan_exhausted"

    appointment_transition(
        actor=nurse_user, appointment_id=first.pk, action=AppointmentEvent.Action.NO_SHOW, now=at(MONDAY, 11)
    )
    assert book(desk, patient, infusion, at(MONDAY + timedelta(days=4))).status == AppointmentStatus.BOOKED


def test_integration_sessions_count_against_the_plan(desk, patient, integration):
    active_plan(patient, signed_at=NOW - timedelta(days=1), integration_sessions_planned=1)
    book(desk, patient, integration, at(MONDAY, 11))

    assert refusal(desk, patient, integration, at(MONDAY + timedelta(days=1), 11)) == "plan_exhausted"


def test_a_plan_without_integration_sessions_books_none(desk, patient, integration):
    active_plan(patient, signed_at=NOW - timedelta(days=1), integration_sessions_planned=0)

    assert refusal(desk, patient, integration, at(MONDAY, 11)) == "plan_exhausted"


def test_a_reschedule_keeps_the_spacing_rule(desk, patient, infusion):
    active_plan(patient, signed_at=NOW - timedelta(days=1), min_days_between=2)
    book(desk, patient, infusion, at(MONDAY))
    later = book(desk, patient, infusion, at(MONDAY + timedelta(days=3)))

    with pytest.raises(ClinicalConflictError) as refused:
        appointment_reschedule(actor=desk, appointment_id=later.pk, starts_at=at(MONDAY + timedelta(days=1)), now=NOW)

    assert refused.value.code == "spacing_violation"
    later.refresh_from_db()
    assert later.starts_at == at(MONDAY + timedelta(days=3))
    # Moving within the same day is no spacing problem with itself.
    moved = appointment_reschedule(
        actor=desk, appointment_id=later.pk, starts_at=at(MONDAY + timedelta(days=3), 13), now=NOW
    )
    assert moved.starts_at == at(MONDAY + timedelta(days=3), 13)


def test_the_plan_is_completed_when_its_last_infusion_is(desk, nurse_user, patient, infusion):
    plan = active_plan(patient, signed_at=NOW - timedelta(days=1), infusions_planned=2, min_days_between=1)
    infusions = [book(desk, patient, infusion, at(MONDAY + timedelta(days=k))) for k in range(2)]

    for index, appointment in enumerate(infusions):
        # An infusion is completed by its discharge (SPEC.md section 10): the session record's way.
        started = at(MONDAY + timedelta(days=index))
        appointment_confirm_readiness(
            actor=patient, appointment_id=appointment.pk, driver_arranged=True, fasting_acknowledged=True, now=NOW
        )
        start(appointment, nurse_user, at=started)
        infusion_record_update(
            actor=nurse_user,
            appointment_id=appointment.pk,
            changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
            now=started,
        )
        reading(appointment, nurse_user, at=started + timedelta(minutes=90))
        record_scales(appointment, nurse_user, at=started + timedelta(minutes=90))
        infusion_discharge(
            actor=nurse_user,
            appointment_id=appointment.pk,
            checklist=DISCHARGE_CHECKLIST,
            now=started + timedelta(minutes=90),
        )
        plan.refresh_from_db()
        assert plan.status == (PlanStatus.COMPLETED if index == 1 else PlanStatus.ACTIVE)
