"""A PHQ-9 and a GAD-7 open 72 hours before every infusion; a move, a cancellation, a no-show or
the start closes them (SPEC.md section 10)."""

from datetime import datetime, timedelta

import pytest

from booking.events import AppointmentChanged
from booking.models import AppointmentEvent
from booking.services.appointments import appointment_book, appointment_cancel, appointment_reschedule
from booking.services.lifecycle import appointment_transition
from clinical.models import Questionnaire
from clinical.services.questionnaires import questionnaires_follow_appointment
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.questionnaire_fixtures import (
    BOOKED_AT,
    GAD7_CALM,
    LA,
    PHQ9_CALM,
    START,
    answered,
    book_infusion,
    plan_of,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MOVED_TO = datetime(2026, 12, 9, 10, tzinfo=LA)  # the Wednesday after START


def rows(appointment):
    return list(
        Questionnaire.objects.filter(appointment=appointment)
        .order_by("created_at", "kind")
        .values_list("kind", "opens_at", "closed_at", "created_at")
    )


def test_booking_an_infusion_opens_a_phq9_and_a_gad7_72_hours_before(demo_clinic, patient):
    plan_of(patient)

    infusion = book_infusion(patient, starts_at=START, now=BOOKED_AT)

    opens = datetime(2026, 12, 4, 10, tzinfo=LA)
    assert rows(infusion) == [("gad7", opens, None, BOOKED_AT), ("phq9", opens, None, BOOKED_AT)]
    assert set(Questionnaire.objects.filter(appointment=infusion).values_list("patient_id", flat=True)) == {patient.pk}


def test_an_infusion_booked_inside_72_hours_opens_at_once(demo_clinic, patient):
    plan_of(patient)
    now = START - timedelta(hours=30)

    infusion = book_infusion(patient, starts_at=START, now=now)

    assert [opens_at < now for _, opens_at, _, _ in rows(infusion)] == [True, True]


def test_other_appointment_types_get_no_questionnaire(demo_clinic, patient):
    evaluation = appointment_book(
        actor=UserFactory(role=Role.ADMIN),
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=START,
        now=BOOKED_AT,
    )

    assert rows(evaluation) == []


def test_a_move_closes_the_old_questionnaires_and_opens_new_ones_for_the_new_time(demo_clinic, patient):
    plan_of(patient)
    infusion = book_infusion(patient, starts_at=START, now=BOOKED_AT)
    moved_at = BOOKED_AT + timedelta(hours=5)

    appointment_reschedule(
        actor=UserFactory(role=Role.ADMIN), appointment_id=infusion.pk, starts_at=MOVED_TO, now=moved_at
    )

    old_opens = datetime(2026, 12, 4, 10, tzinfo=LA)
    new_opens = datetime(2026, 12, 6, 10, tzinfo=LA)
    assert rows(infusion) == [
        ("gad7", old_opens, moved_at, BOOKED_AT),
        ("phq9", old_opens, moved_at, BOOKED_AT),
        ("gad7", new_opens, None, moved_at),
        ("phq9", new_opens, None, moved_at),
    ]


def test_an_answer_inside_the_new_window_stands_and_an_older_one_is_asked_again(demo_clinic, patient):
    plan_of(patient)
    infusion = book_infusion(patient, starts_at=START, now=BOOKED_AT)
    phq9 = Questionnaire.objects.get(appointment=infusion, kind="phq9")
    gad7 = Questionnaire.objects.get(appointment=infusion, kind="gad7")
    answered(phq9, PHQ9_CALM, at=datetime(2026, 12, 6, 11, tzinfo=LA))  # after the new opening
    answered(gad7, GAD7_CALM, at=datetime(2026, 12, 5, 9, tzinfo=LA))  # before it
    moved_at = datetime(2026, 12, 6, 12, tzinfo=LA)

    appointment_reschedule(
        actor=UserFactory(role=Role.ADMIN), appointment_id=infusion.pk, starts_at=MOVED_TO, now=moved_at
    )

    phq9.refresh_from_db()
    gad7.refresh_from_db()
    assert phq9.closed_at is None
    assert gad7.closed_at == moved_at
    standing = dict(
        Questionnaire.objects.filter(appointment=infusion, closed_at__isnull=True).values_list("kind", "pk")
    )
    assert sorted(standing) == ["gad7", "phq9"]
    assert standing["phq9"] == phq9.pk
    assert standing["gad7"] != gad7.pk
    assert Questionnaire.objects.filter(appointment=infusion).count() == 3


def test_a_cancelled_infusion_closes_its_unanswered_questionnaires_and_keeps_answers(demo_clinic, patient):
    plan_of(patient)
    infusion = book_infusion(patient, starts_at=START, now=BOOKED_AT)
    phq9 = answered(
        Questionnaire.objects.get(appointment=infusion, kind="phq9"), PHQ9_CALM, at=datetime(2026, 12, 5, 9, tzinfo=LA)
    )
    cancelled_at = datetime(2026, 12, 5, 10, tzinfo=LA)

    appointment_cancel(actor=patient, appointment_id=infusion.pk, reason="Away.", now=cancelled_at)

    phq9.refresh_from_db()
    assert phq9.closed_at is None
    assert phq9.total == 3
    assert Questionnaire.objects.get(appointment=infusion, kind="gad7").closed_at == cancelled_at


def test_a_no_show_closes_what_was_not_answered(demo_clinic, patient):
    plan_of(patient)
    infusion = book_infusion(patient, starts_at=START, now=BOOKED_AT)
    at = START + timedelta(minutes=20)

    appointment_transition(
        actor=UserFactory(role=Role.NURSE), appointment_id=infusion.pk, action=AppointmentEvent.Action.NO_SHOW, now=at
    )

    assert list(Questionnaire.objects.filter(appointment=infusion).values_list("closed_at", flat=True)) == [at, at]


@pytest.mark.parametrize("action", [AppointmentEvent.Action.STARTED, AppointmentEvent.Action.COMPLETED])
def test_the_start_or_the_end_closes_what_was_not_answered(demo_clinic, patient, action):
    # The event alone: the start's own gates (baseline, readiness) are the chair's tests.
    plan_of(patient)
    infusion = book_infusion(patient, starts_at=START, now=BOOKED_AT)
    phq9 = answered(Questionnaire.objects.get(appointment=infusion, kind="phq9"), PHQ9_CALM, at=START)
    at = START + timedelta(minutes=5)

    questionnaires_follow_appointment(
        AppointmentChanged(appointment_id=infusion.pk, action=action, previous_starts_at=None, occurred_at=at)
    )

    assert dict(Questionnaire.objects.filter(appointment=infusion).values_list("kind", "closed_at")) == {
        "phq9": None,
        "gad7": at,
    }
    assert Questionnaire.objects.get(pk=phq9.pk).total == 3


def test_a_repeated_booking_event_opens_nothing_more(demo_clinic, patient):
    plan_of(patient)
    infusion = book_infusion(patient, starts_at=START, now=BOOKED_AT)

    questionnaires_follow_appointment(
        AppointmentChanged(
            appointment_id=infusion.pk,
            action=AppointmentEvent.Action.BOOKED,
            previous_starts_at=None,
            occurred_at=BOOKED_AT + timedelta(minutes=1),
        )
    )

    assert Questionnaire.objects.filter(appointment=infusion).count() == 2
