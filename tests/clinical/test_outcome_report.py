"""The outcome report on a fixed data set, every figure computed by hand (SPEC.md section 10)."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from booking.models import AppointmentStatus
from clinical.models import AdverseEvent, Alert, InfusionRecord, PlanStatus, VitalsReading
from clinical.outcome_selectors import AdverseEventCount, outcome_report
from core.roles import Role
from tests.clinical.questionnaire_fixtures import LA, answered, infusion_with_questionnaires, plan_with_baseline
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))


def at(day: str, clock: time = time(10)) -> datetime:
    return datetime.combine(date.fromisoformat(day), clock, tzinfo=LA)


def plan_with_sessions(*, baseline, activated, planned, sessions, status=PlanStatus.ACTIVE):
    """A plan and its infusions: (day, status, PHQ-9 total answered before it or None)."""
    plan = plan_with_baseline(PatientFactory(), phq9=baseline, signed_at=activated, infusions_planned=planned)
    if status != PlanStatus.ACTIVE:
        plan.status = status
        plan.save(update_fields=["status"])
    appointments = []
    for day, state, phq9_total in sessions:
        appointment, phq9, _ = infusion_with_questionnaires(plan, starts_at=at(day), status=state)
        if phq9_total is not None:
            answered(phq9, [min(3, max(0, phq9_total - 3 * i)) for i in range(8)] + [0], at=at(day, time(8)))
            assert phq9.total == phq9_total
        appointments.append(appointment)
    return plan, appointments


def record_of(appointment):
    return InfusionRecord.objects.create(
        appointment=appointment,
        patient=appointment.patient,
        plan=appointment.treatment_plan,
        started_at=appointment.starts_at,
        created_at=appointment.starts_at,
        updated_at=appointment.starts_at,
    )


def adverse(record, code, grade, when, *, serious=False):
    AdverseEvent.objects.create(
        record=record,
        code=code,
        grade=grade,
        serious=serious,
        relatedness="possible",
        outcome="resolved",
        action="none",
        occurred_at=when,
        recorded_by=UserFactory(role=Role.NURSE),
        recorded_at=when,
    )


def vitals_alert(record, reasons, when):
    reading = VitalsReading.objects.create(
        record=record,
        taken_at=when,
        systolic=185,
        diastolic=112,
        heart_rate=131,
        spo2=97,
        recorded_by=UserFactory(role=Role.NURSE),
        recorded_at=when,
    )
    Alert.objects.create(
        kind="vitals_threshold",
        patient=record.patient,
        appointment=record.appointment,
        reading=reading,
        reasons=reasons,
        raised_at=when,
    )


C = AppointmentStatus.COMPLETED


@pytest.fixture
def data_set(demo_clinic):
    # A: started before December; its 6th and last infusion (12-09) completes the series in it.
    # The baseline is the check-in before the first infusion (18, not the evaluation's 20); latest
    # PHQ-9 8: a response (8 <= 9), no remission.
    _, a = plan_with_sessions(
        baseline=20,
        activated=at("2026-11-25"),
        planned=6,
        sessions=[
            ("2026-11-28", C, 18),
            ("2026-11-30", C, 16),
            ("2026-12-02", C, 14),
            ("2026-12-04", C, None),
            ("2026-12-07", C, 11),
            ("2026-12-09", C, 8),
        ],
    )
    # B: started at the first instant of December; 4 completed, one cancelled, one to come.
    # Latest PHQ-9 4 of the first check-in's 12: a response and a remission (a baseline of 10+).
    _, b = plan_with_sessions(
        baseline=16,
        activated=at("2026-12-01", time(0)),
        planned=6,
        sessions=[
            ("2026-12-03", C, 12),
            ("2026-12-05", C, None),
            ("2026-12-08", C, 7),
            ("2026-12-10", C, 4),
            ("2026-12-12", AppointmentStatus.CANCELLED, None),
            ("2026-12-15", AppointmentStatus.BOOKED, None),
        ],
    )
    # C: started in December, only 3 completed: not among the patients with at least 4.
    plan_with_sessions(
        baseline=12,
        activated=at("2026-12-02"),
        planned=6,
        sessions=[("2026-12-04", C, 2), ("2026-12-07", C, 2), ("2026-12-09", C, 2)],
    )
    # D: all in October: nothing of it counts.
    _, d = plan_with_sessions(
        baseline=22,
        activated=at("2026-10-01"),
        planned=4,
        status=PlanStatus.COMPLETED,
        sessions=[("2026-10-05", C, 20), ("2026-10-07", C, 3), ("2026-10-09", C, 3), ("2026-10-12", C, 3)],
    )
    # E: its 4th and last infusion on 12-01 completes the series; latest answered PHQ-9 12 (the
    # 4th unanswered) of the first check-in's 17: no response (12 > 8.5), no remission.
    plan_with_sessions(
        baseline=18,
        activated=at("2026-11-20"),
        planned=4,
        sessions=[("2026-11-23", C, 17), ("2026-11-25", C, 15), ("2026-11-27", C, 12), ("2026-12-01", C, None)],
    )
    # F: the evaluation's 0 is not the baseline: the first check-in's 1 is; latest 3: no response
    # (3 > 0.5), and with a baseline below 10 remission is not applicable.
    plan_with_sessions(
        baseline=0,
        activated=at("2026-12-20"),
        planned=6,
        sessions=[("2026-12-21", C, 1), ("2026-12-23", C, 0), ("2026-12-28", C, 2), ("2026-12-30", C, 3)],
    )
    # G: activated at the first instant after December.
    plan_with_baseline(PatientFactory(), phq9=14, signed_at=at("2027-01-01", time(0)))

    a_record, b_record, d_record = record_of(a[2]), record_of(b[0]), record_of(d[0])
    adverse(a_record, "nausea_vomiting", 1, at("2026-12-02", time(10, 20)))
    adverse(a_record, "nausea_vomiting", 1, at("2026-12-02", time(10, 40)))
    adverse(a_record, "hypertension", 2, at("2026-12-02", time(10, 30)))
    adverse(b_record, "dissociation_distress", 3, at("2026-12-03", time(10, 15)), serious=True)
    adverse(b_record, "dissociation_distress", 3, at("2026-12-03", time(10, 25)))
    adverse(b_record, "nausea_vomiting", 1, at("2026-12-03", time(11)))
    adverse(d_record, "headache", 1, at("2026-10-05", time(11)))
    vitals_alert(a_record, ["systolic"], at("2026-12-02", time(10, 10)))
    vitals_alert(a_record, ["systolic", "diastolic"], at("2026-12-02", time(10, 20)))
    vitals_alert(b_record, ["heart_rate_high"], at("2026-12-03", time(10, 10)))
    vitals_alert(b_record, ["diastolic"], at("2026-12-03", time(10, 20)))
    vitals_alert(d_record, ["systolic"], at("2026-10-05", time(10, 10)))


def test_the_report_of_december_computed_by_hand(data_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        report = outcome_report(date_from=DECEMBER[0], date_to=DECEMBER[1], zone=LA)

    assert report.plans_started == 3  # B, C, F (not A, D, E before; not G after)
    assert report.series_completed == 2  # A on 12-09, E on 12-01
    # A 4 + B 4 + C 3 + E 1 + F 4 completed infusions started in December.
    assert report.completed_infusions == 16
    assert report.patients_with_enough_infusions == 4  # A, B, E, F
    # Response: A yes, B yes, E no, F no: 2 of 4.
    assert (report.responders, report.response_measured, report.response_rate_percent) == (2, 4, Decimal("50.0"))
    # Remission: A no, B yes, E no; F's baseline 1 is below 10, not applicable: 1 of 3.
    assert (report.remitters, report.remission_measured, report.remission_rate_percent) == (1, 3, Decimal("33.3"))
    assert report.adverse_events == [
        AdverseEventCount("hypertension", 2, 1, 0),
        AdverseEventCount("nausea_vomiting", 1, 3, 0),
        AdverseEventCount("dissociation_distress", 3, 2, 1),  # of the two, one serious: counted apart
    ]
    # Systolic, systolic and diastolic, diastolic; not the heart rate's, not October's.
    assert report.blood_pressure_alerts == 3
    assert report.blood_pressure_alerts_per_100_infusions == Decimal("18.8")  # 3 x 100 / 16 = 18.75
    assert (report.date_from, report.date_to, report.time_zone) == (*DECEMBER, "America/Los_Angeles")


def test_the_edges_of_the_range_are_clinic_local_midnights(data_set):
    first_of_december = outcome_report(date_from=date(2026, 12, 1), date_to=date(2026, 12, 1), zone=LA)
    first_of_january = outcome_report(date_from=date(2027, 1, 1), date_to=date(2027, 1, 1), zone=LA)

    assert (first_of_december.plans_started, first_of_december.series_completed) == (1, 1)  # B; E
    assert first_of_december.completed_infusions == 1  # E's fourth
    assert first_of_january.plans_started == 1  # G
    assert first_of_january.completed_infusions == 0
    assert first_of_january.blood_pressure_alerts_per_100_infusions is None
    assert (first_of_january.response_rate_percent, first_of_january.remission_rate_percent) == (None, None)


def test_an_empty_clinic_reports_zeros_and_no_rates(demo_clinic):
    report = outcome_report(date_from=DECEMBER[0], date_to=DECEMBER[1], zone=LA)

    assert (report.plans_started, report.series_completed, report.completed_infusions) == (0, 0, 0)
    assert (report.response_rate_percent, report.remission_rate_percent, report.adverse_events) == (None, None, [])
