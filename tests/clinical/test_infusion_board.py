"""The day board's section 10 columns (clinical/board.py): questionnaire state, alerts raised and
cleared, overdue readings from the real start, the planned dose; at a fixed number of queries
with 10 and 200 appointments."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Appointment, AppointmentStatus
from clinical.board import clinical_day_board
from clinical.models import AdverseEvent, Alert, AlertKind, FollowUpCall, InfusionRecord, Questionnaire, VitalsReading
from clinical.schedule_selectors import BoardRow, DayBoard
from clinical.services.alerts import alert_acknowledge
from clinical.services.infusions import infusion_record_update, infusion_vitals_record
from scheduling.models import AppointmentType
from tests.clinical.infusion_fixtures import (
    LA,
    NORMAL,
    START,
    check_in,
    infusion_appointment,
    reading,
    self_harm_alert,
    start,
)
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = START.astimezone(LA).date()
# The rooms with their clinic, the day's rows, the plan numbering (booking's board), then section 10's
# one (the follow-up calls' count included).
BOARD_QUERIES = 4


def rows(board: DayBoard) -> list[BoardRow]:
    return [row for section in board.rooms for row in section.rows] + board.unassigned


def row_of(appointment: Appointment, *, now: datetime) -> BoardRow:
    day = appointment.starts_at.astimezone(LA).date()
    return next(row for row in rows(clinical_day_board(day=day, now=now)) if row.appointment.pk == appointment.pk)


def questionnaire(appointment: Appointment, kind: str, *, answered: bool) -> Questionnaire:
    return Questionnaire.objects.create(
        patient=appointment.patient,
        appointment=appointment,
        kind=kind,
        opens_at=appointment.starts_at - timedelta(hours=72),
        items=[0] * (9 if kind == "phq9" else 7) if answered else None,
        total=0 if answered else None,
        answered_at=appointment.starts_at - timedelta(hours=1) if answered else None,
        answered_by=appointment.patient if answered else None,
        created_at=appointment.starts_at - timedelta(hours=72),
    )


def test_a_reading_past_a_threshold_shows_until_its_action_is_recorded(demo_clinic, nurse_user):
    appointment = infusion_appointment(room="Infusion 1")
    start(appointment, nurse_user)
    at = START + timedelta(minutes=10)
    assert row_of(appointment, now=at).alerts == ()
    alert = infusion_vitals_record(
        actor=nurse_user, appointment_id=appointment.pk, now=at, **{**NORMAL, "systolic": 190}
    ).alert
    assert alert is not None
    assert row_of(appointment, now=at).alerts == ("blood_pressure",)
    alert_acknowledge(actor=nurse_user, alert_id=alert.pk, action="paused", now=at)
    assert row_of(appointment, now=at).alerts == ()


def test_an_overdue_reading_shows_more_than_5_minutes_late_and_the_reading_clears_it(demo_clinic, nurse_user):
    appointment = infusion_appointment(room="Infusion 2")
    start(appointment, nurse_user)
    reading(appointment, nurse_user, at=START + timedelta(minutes=10))
    assert row_of(appointment, now=START + timedelta(minutes=25)).alerts == ()
    late = START + timedelta(minutes=25, seconds=1)
    assert row_of(appointment, now=late).alerts == ("vitals_overdue",)
    reading(appointment, nurse_user, at=late)
    assert row_of(appointment, now=late).alerts == ()


def test_nothing_is_overdue_before_the_start_or_after_the_discharge(demo_clinic, nurse_user):
    appointment = infusion_appointment(room="Infusion 3")
    check_in(appointment, nurse_user)
    assert row_of(appointment, now=START + timedelta(hours=1)).alerts == ()
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.COMPLETED)
    InfusionRecord.objects.filter(appointment=appointment).update(started_at=START)
    assert row_of(appointment, now=START + timedelta(hours=1)).alerts == ()


def test_a_self_harm_answer_shows_on_its_infusion_and_later_ones_never_on_earlier_ones(
    demo_clinic, nurse_user, clinician_user
):
    earlier = infusion_appointment(room="Infusion 4")
    own = infusion_appointment(earlier.patient, starts_at=START + timedelta(days=3))
    later = infusion_appointment(earlier.patient, starts_at=START + timedelta(days=7))
    alert = self_harm_alert(own)
    assert row_of(earlier, now=START).alerts == ()  # answered for the next infusion: not part of this one
    assert row_of(own, now=START).alerts == ("self_harm",)
    assert row_of(later, now=START).alerts == ("self_harm",)  # open, it blocks that start too
    alert_acknowledge(actor=clinician_user, alert_id=alert.pk, note="Called the patient; safe.", now=START)
    assert (row_of(own, now=START).alerts, row_of(later, now=START).alerts) == ((), ())


def test_the_questionnaire_state_and_the_planned_dose(demo_clinic, nurse_user):
    appointment = infusion_appointment(room="Infusion 5")
    assert row_of(appointment, now=START).questionnaire is None
    questionnaire(appointment, "phq9", answered=True)
    gad7 = questionnaire(appointment, "gad7", answered=False)
    assert row_of(appointment, now=START).questionnaire == "due"
    Questionnaire.objects.filter(pk=gad7.pk).update(
        items=[0] * 7, total=0, answered_at=START - timedelta(hours=2), answered_by=appointment.patient
    )
    assert row_of(appointment, now=START).questionnaire == "answered"
    infusion_record_update(actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("64.4")})
    assert row_of(appointment, now=START).planned_dose_mg == Decimal("32.2")


def test_the_signature_changes_with_an_alert(demo_clinic, nurse_user):
    appointment = infusion_appointment(room="Infusion 6")
    start(appointment, nurse_user)
    at = START + timedelta(minutes=10)
    before = clinical_day_board(day=DAY, now=at).signature()
    assert clinical_day_board(day=DAY, now=at).signature() == before
    infusion_vitals_record(actor=nurse_user, appointment_id=appointment.pk, now=at, **{**NORMAL, "spo2": 88})
    assert clinical_day_board(day=DAY, now=at).signature() != before


def fill_day(day: date, count: int) -> list[tuple[str, ...]]:
    """``count`` infusions under way on ``day``, each of its own patient and plan, each with a
    session record, three readings (one past a threshold, its alert open), both questionnaires
    (one unanswered); every other patient with an open self-harm alert of an earlier infusion,
    every fourth infusion with an open adverse-event alert and every fourth (others) with an open
    worsening alert; every other record with a follow-up call due that day (the nurses' list on
    the board). Returns the alerts each row must show."""
    nurse = UserFactory(role="nurse")
    infusion = AppointmentType.objects.get(code="infusion")
    expected: list[tuple[str, ...]] = []
    for n in range(count):
        patient = PatientFactory()
        plan = active_plan(patient, signed_at=datetime(2026, 11, 2, 12, tzinfo=LA))
        starts_at = datetime.combine(day, START.timetz()) + timedelta(minutes=n % 480)
        appointment = AppointmentFactory(
            patient=patient,
            appointment_type=infusion,
            treatment_plan=plan,
            starts_at=starts_at,
            status=AppointmentStatus.IN_PROGRESS,
        )
        record = InfusionRecord.objects.create(
            appointment=appointment,
            patient=patient,
            plan=plan,
            started_at=starts_at,
            weight_kg=Decimal("70.0"),
            planned_dose_mg=Decimal("35.0"),
            created_at=starts_at,
            updated_at=starts_at,
        )
        readings = [
            VitalsReading.objects.create(
                record=record,
                taken_at=starts_at + timedelta(minutes=minutes),
                recorded_by=nurse,
                recorded_at=starts_at,
                **values,
            )
            for minutes, values in ((-5, NORMAL), (10, NORMAL), (20, {**NORMAL, "systolic": 190}))
        ]
        Alert.objects.create(
            kind=AlertKind.VITALS_THRESHOLD,
            patient=patient,
            appointment=appointment,
            reading=readings[-1],
            reasons=["systolic"],
            raised_at=starts_at,
        )
        phq9 = questionnaire(appointment, "phq9", answered=True)
        questionnaire(appointment, "gad7", answered=False)
        shown = ["blood_pressure"]
        if n % 2 == 0:
            FollowUpCall.objects.create(record=record, patient=patient, due_on=day, created_at=starts_at)
        if n % 2:
            self_harm_alert(infusion_appointment(patient, starts_at=starts_at - timedelta(days=2)))
            shown.insert(0, "self_harm")
        if n % 4 == 0:
            event = AdverseEvent.objects.create(
                record=record, code="hypotension", grade=3, serious=False, relatedness="possible",
                outcome="resolving", action="none", occurred_at=starts_at, recorded_by=nurse, recorded_at=starts_at,
            )  # fmt: skip
            Alert.objects.create(
                kind=AlertKind.ADVERSE_EVENT, patient=patient, appointment=appointment, adverse_event=event,
                reasons=["grade_3"], raised_at=starts_at,
            )  # fmt: skip
            shown.append("adverse_event")
        if n % 4 == 2:
            Alert.objects.create(
                kind=AlertKind.WORSENING, patient=patient, appointment=appointment, questionnaire=phq9,
                reasons=["phq9_rise"], raised_at=starts_at,
            )  # fmt: skip
            shown.append("worsening")
        expected.append((*shown, "vitals_overdue"))
    return expected


def test_the_board_costs_the_same_queries_with_10_and_200_appointments(demo_clinic):
    counts = []
    for day, count in ((DAY, 10), (DAY + timedelta(days=1), 200)):
        expected = fill_day(day, count)
        now = datetime.combine(day, START.timetz()) + timedelta(hours=9)  # every infusion has readings overdue
        with CaptureQueriesContext(connection) as queries:
            board = clinical_day_board(day=day, now=now)
            shown = rows(board)
        counts.append(len(queries))
        assert len(shown) == count
        # Every open call due that day or before (the first day's stay on the second's list).
        assert board.facts["follow_up_calls_open"] == (5 if count == 10 else 5 + 100)
        assert {row.questionnaire for row in shown} == {"due"}
        assert {row.planned_dose_mg for row in shown} == {Decimal("35.0")}
        assert sorted(row.alerts for row in shown) == sorted(expected)
        assert {"self_harm", "adverse_event", "worsening"} <= {alert for row in shown for alert in row.alerts}
    assert counts == [BOARD_QUERIES, BOARD_QUERIES]


@pytest.mark.parametrize(
    ("reading", "shown"),
    [
        ({"diastolic": 112}, ("blood_pressure",)),
        ({"heart_rate": 44}, ("heart_rate",)),
        ({"spo2": 91}, ("spo2",)),
        ({"systolic": 181, "heart_rate": 131, "spo2": 90}, ("blood_pressure", "heart_rate", "spo2")),
    ],
)
def test_the_board_names_the_vital_sign_past_its_threshold(demo_clinic, nurse_user, reading, shown):
    appointment = infusion_appointment(room="Infusion 1")
    start(appointment, nurse_user)
    at = START + timedelta(minutes=10)

    infusion_vitals_record(actor=nurse_user, appointment_id=appointment.pk, now=at, **{**NORMAL, **reading})

    assert row_of(appointment, now=at).alerts == shown
