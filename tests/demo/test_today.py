"""The demo day (SPEC.md section 7): whenever the demo history is loaded, today's board holds work to
try at every stage, on a clinic day and on a weekend (an extra opening), in the morning and in the
evening; and the work really can be done through the services, gates included.

Seeding is slow (the history is a few hundred service calls), so each scenario is seeded once per
module in an outer transaction; every test runs inside it (pytest-django's savepoint) and the
whole of it is rolled back at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from booking.management.commands.seed_demo import seed_demo_clinic
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.board import clinical_day_board
from clinical.models import Alert, AlertKind, Evaluation, InfusionRecord, PlanStatus, TreatmentPlan
from clinical.schedule_selectors import BoardRow
from clinical.services.alerts import alert_acknowledge
from clinical.services.evaluations import evaluation_create, evaluation_sign, evaluation_update
from clinical.services.infusions import infusion_discharge, infusion_record_update
from demo.steps import CHECKLIST, demo_staff, vitals
from demo.today import today_patients
from scheduling.models import ClinicOpening, StaffMember

LA = ZoneInfo("America/Los_Angeles")
PASSWORD = "demo-password-for-tests"
HISTORY = ("linda@example.com", "rosa@example.com", "james@example.com")
SCENARIOS = {
    "saturday_morning": datetime(2026, 12, 5, 10, 30, tzinfo=LA),
    "tuesday_morning": datetime(2026, 12, 8, 10, 30, tzinfo=LA),
    "tuesday_evening": datetime(2026, 12, 8, 19, 30, tzinfo=LA),
}


@dataclass(frozen=True)
class Seeded:
    name: str
    now: datetime
    output: str

    @property
    def today(self) -> date:
        return self.now.astimezone(LA).date()

    @property
    def emails(self) -> dict[str, str]:
        return {stage: details.email for stage, details in today_patients(self.today).items()}


@pytest.fixture(scope="module", params=list(SCENARIOS))
def seeded(request, django_db_setup, django_db_blocker):
    now = SCENARIOS[request.param]
    output = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo_clinic(password=PASSWORD)
        with time_machine.travel(now, tick=False):
            call_command("seed_demo_history", "--password", PASSWORD, stdout=output)
        yield Seeded(request.param, now, output.getvalue())
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    with time_machine.travel(seeded.now, tick=False):
        yield seeded


def board_rows(day: date, now: datetime) -> list[BoardRow]:
    board = clinical_day_board(day=day, now=now)
    return [row for section in board.rooms for row in section.rows] + board.unassigned


def demo_rows(demo: Seeded) -> dict[str, BoardRow]:
    by_email = {row.appointment.patient.email: row for row in board_rows(demo.today, demo.now)}
    return {stage: by_email[email] for stage, email in demo.emails.items()}


def test_todays_board_has_an_infusion_at_each_stage_and_an_evaluation_visit(demo):
    rows = demo_rows(demo)

    seen = {
        stage: (
            row.appointment.appointment_type.code,
            row.appointment.status,
            row.appointment.starts_at - demo.now,
            row.questionnaire,
            row.alerts,
        )
        for stage, row in rows.items()
    }
    assert seen == {
        "to_check_in": ("infusion", "booked", timedelta(minutes=45), "answered", ("self_harm",)),
        "in_chair": ("infusion", "in_progress", timedelta(minutes=-30), "answered", ("blood_pressure",)),
        "in_recovery": ("infusion", "in_progress", timedelta(minutes=-90), "answered", ()),
        "evaluation": ("evaluation", "checked_in", timedelta(0), None, ()),
    }
    assert not InfusionRecord.objects.filter(appointment=rows["to_check_in"].appointment).exists()  # made at check-in
    chair = InfusionRecord.objects.get(appointment=rows["in_chair"].appointment)
    assert (chair.started_at, chair.infusion_ended_at) == (demo.now - timedelta(minutes=30), None)
    recovery = InfusionRecord.objects.get(appointment=rows["in_recovery"].appointment)
    assert recovery.infusion_ended_at == demo.now - timedelta(minutes=40)
    assert recovery.dose_given_mg == recovery.planned_dose_mg == Decimal("46.2")  # 0.5 mg/kg x 92.3 kg
    assert not Evaluation.objects.filter(appointment=rows["evaluation"].appointment).exists()


def test_the_chair_readings_fall_due_and_show_on_the_board_once_late(demo):
    chair = demo_rows(demo)["in_chair"].appointment
    later = demo.now + timedelta(minutes=6)  # the reading due at the anchor is 6 minutes late

    row = next(row for row in board_rows(demo.today, later) if row.appointment.pk == chair.pk)

    assert row.alerts == ("blood_pressure", "vitals_overdue")


def test_alerts_are_open_for_the_nurse_and_for_a_clinician(demo):
    open_alerts = Alert.objects.filter(resolved_at__isnull=True).order_by("kind")

    assert [(alert.kind, alert.patient and alert.patient.email, alert.reasons) for alert in open_alerts] == [
        (AlertKind.SELF_HARM, demo.emails["to_check_in"], ["phq9_item_9"]),
        (AlertKind.VITALS_THRESHOLD, demo.emails["in_chair"], ["systolic"]),
    ]  # the history's worsening PHQ-9 was acknowledged before that infusion's discharge (test_history.py)


def test_todays_patients_are_new_with_signed_evaluations_and_active_plans(demo):
    plans = dict(
        TreatmentPlan.objects.filter(patient__email__in=demo.emails.values()).values_list("patient__email", "status")
    )

    assert plans == {
        demo.emails["to_check_in"]: PlanStatus.ACTIVE,
        demo.emails["in_chair"]: PlanStatus.ACTIVE,
        demo.emails["in_recovery"]: PlanStatus.ACTIVE,
    }
    assert not set(demo.emails.values()) & set(HISTORY)
    assert Evaluation.objects.filter(patient__email__in=demo.emails.values(), status="signed").count() == 3


def test_the_work_can_be_done_gates_and_all(demo):
    staff = demo_staff()
    rows = demo_rows(demo)
    now = demo.now
    to_check_in, chair, recovery, visit = (rows[s].appointment for s in demo.emails)

    # The nurse: a fresh reading and the patient in recovery goes home; the reading past the threshold gets its action.
    vitals(recovery, staff.nurse, at=now)
    assert infusion_discharge(actor=staff.nurse, appointment_id=recovery.pk, checklist=CHECKLIST, now=now).discharged_at
    alert = Alert.objects.get(appointment=chair, resolved_at__isnull=True)
    alert_acknowledge(actor=staff.nurse, alert_id=alert.pk, action="continued", note="Rechecked.", now=now)
    # The next patient arrives; the start waits for the clinician's acknowledgement of the self-harm answer.
    appointment_transition(
        actor=staff.nurse, appointment_id=to_check_in.pk, action=AppointmentEvent.Action.CHECKED_IN, now=now
    )
    infusion_record_update(
        actor=staff.nurse,
        appointment_id=to_check_in.pk,
        changes={"weight_kg": 64, "medications_review": "no_change"},
        now=now,
    )
    vitals(to_check_in, staff.nurse, at=now)
    self_harm = Alert.objects.get(appointment=to_check_in, resolved_at__isnull=True)
    alert_acknowledge(actor=staff.clinician, alert_id=self_harm.pk, note="Spoke with the patient; safe.", now=now)
    started = appointment_transition(
        actor=staff.nurse, appointment_id=to_check_in.pk, action=AppointmentEvent.Action.STARTED, now=now
    )
    # The clinician writes and signs the evaluation of the visit checked in.
    evaluation = evaluation_create(actor=staff.clinician, appointment_id=visit.pk, now=now)
    evaluation_update(
        actor=staff.clinician,
        evaluation_id=evaluation.pk,
        changes={"phq9_total": 12, "gad7_total": 8, "systolic_bp": 120, "diastolic_bp": 75, "heart_rate": 70}
        | {"substance_use": "none", "contraindications": [], "decision": "not_candidate", "rationale": "Mild."},
        now=now,
    )
    signed = evaluation_sign(actor=staff.clinician, evaluation_id=evaluation.pk, now=now)

    assert Appointment.objects.get(pk=recovery.pk).status == AppointmentStatus.COMPLETED
    assert started.status == AppointmentStatus.IN_PROGRESS
    assert signed.status == "signed"
    assert not Alert.objects.filter(resolved_at__isnull=True).exists()


def test_a_weekend_or_an_evening_gets_an_extra_opening_with_every_staff_member(demo):
    expected_hours = {
        "saturday_morning": ["09:00-13:00"],
        "tuesday_morning": None,  # 08-18 holds it all
        "tuesday_evening": ["08:00-22:00"],  # the day's 08-18 merged with the evening
    }[demo.name]

    opening = ClinicOpening.objects.filter(opens_on=demo.today).first()

    if expected_hours is None or opening is None:
        assert (opening, expected_hours) == (None, None)
        assert "extra opening" not in demo.output
    else:
        assert [str(block) for block in opening.hours.all()] == expected_hours
        assert set(opening.staff.all()) == set(StaffMember.objects.filter(is_active=True))
        assert f"The clinic is open today {expected_hours[0]} for it (an extra opening" in demo.output


def test_rosa_and_james_have_their_next_infusion_on_the_next_clinic_day(demo):
    upcoming = Appointment.objects.filter(
        patient__email__in=HISTORY, status=AppointmentStatus.BOOKED, starts_at__gt=demo.now
    ).order_by("starts_at")
    next_clinic_day = {"saturday_morning": date(2026, 12, 7)}.get(demo.name, date(2026, 12, 9))

    assert [(a.patient.email, a.starts_at) for a in upcoming] == [
        ("rosa@example.com", datetime.combine(next_clinic_day, time(11), tzinfo=LA)),
        ("james@example.com", datetime.combine(next_clinic_day, time(13), tzinfo=LA)),
    ]


def test_a_second_run_the_same_day_adds_nothing(demo):
    counts = (User.objects.count(), Appointment.objects.count(), Alert.objects.count(), ClinicOpening.objects.count())
    output = StringIO()

    call_command("seed_demo_day", "--password", PASSWORD, stdout=output)

    assert (
        User.objects.count(),
        Appointment.objects.count(),
        Alert.objects.count(),
        ClinicOpening.objects.count(),
    ) == counts
    assert output.getvalue() == f"Today's demo work ({demo.today}) is there already; left as it is.\n"


def test_the_next_day_gets_its_own_work_beside_rosas_and_james_infusions(demo):
    tomorrow = demo.today + timedelta(days=1)
    morning = datetime.combine(tomorrow, time(10, 30), tzinfo=LA)
    with time_machine.travel(morning, tick=False):
        call_command("seed_demo_day", "--password", PASSWORD, stdout=StringIO())

    rows = board_rows(tomorrow, morning)

    emails = {stage: details.email for stage, details in today_patients(tomorrow).items()}
    on_board = {row.appointment.patient.email: row.appointment.status for row in rows}
    assert {on_board[email] for email in emails.values()} == {"booked", "in_progress", "checked_in"}
    history_on_board = {email for email in on_board if email in HISTORY}
    # After a Tuesday, Wednesday holds Rosa's and James's next infusions; after a Saturday, Sunday does not.
    assert history_on_board == (set() if demo.name == "saturday_morning" else {"rosa@example.com", "james@example.com"})
    for appointment in (row.appointment for row in rows if row.appointment.patient.email in HISTORY):
        staff = demo_staff()
        checked_in = appointment_transition(
            actor=staff.nurse,
            appointment_id=appointment.pk,
            action=AppointmentEvent.Action.CHECKED_IN,
            now=appointment.starts_at - timedelta(minutes=20),
        )
        assert checked_in.status == AppointmentStatus.CHECKED_IN
