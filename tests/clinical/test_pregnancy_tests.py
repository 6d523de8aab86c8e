"""Pregnancy tests (SPEC.md section 12): when they are needed, the 7-day window at its edges, a
positive result (start refused, plan suspended, booking refused, alert raised) and the clinician
who resumes or ends the plan; refusals write nothing; staff reads are audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from booking.models import Appointment, AppointmentEvent
from booking.services.appointments import appointment_book
from booking.services.lifecycle import appointment_transition
from clinical.errors import ClinicalError
from clinical.models import Alert, ClinicalAccess, PlanStatus, PregnancyTest, TreatmentPlan
from clinical.services.evaluations import treatment_plan_discontinue
from clinical.services.pregnancy import (
    plan_suspension_read,
    pregnancy_status_of,
    pregnancy_test_record,
    pregnancy_tests_read,
    treatment_plan_resume,
)
from clinical.services.start_gate import start_missing
from core.errors import DomainError
from scheduling.models import AppointmentType
from tests.clinical.infusion_fixtures import CHECK_IN, START, check_in
from tests.clinical.pregnancy_fixtures import DAY, infusion, plan_of, record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("answer", "needed"), [("yes", True), ("unknown", True), ("", True), ("no", False)])
def test_a_test_is_needed_when_the_evaluation_says_yes_or_unknown(demo_clinic, answer, needed):
    appointment = infusion(childbearing_potential=answer)
    assert pregnancy_status_of(appointment) == ("missing" if needed else "satisfied")


@pytest.mark.parametrize(
    ("days_before", "status"),
    [(0, "satisfied"), (7, "satisfied"), (8, "missing"), (-1, "missing")],
    ids=["same-day", "7-days-counts", "8-days-does-not", "after-the-infusion-does-not"],
)
def test_the_seven_day_window_at_its_edges(demo_clinic, nurse_user, days_before, status):
    appointment = infusion()
    PregnancyTest.objects.create(
        patient=appointment.patient, appointment=appointment, result="negative",
        taken_on=DAY - timedelta(days=days_before), recorded_by=nurse_user, recorded_at=CHECK_IN,
    )  # fmt: skip
    assert pregnancy_status_of(appointment) == status
    assert ("pregnancy_test" in start_missing(appointment=appointment, now=START)) is (status == "missing")


def test_a_negative_test_recorded_through_the_service_satisfies_the_start_row(demo_clinic, nurse_user):
    appointment = infusion()
    test = record(appointment, nurse_user, taken_on=DAY - timedelta(days=7))
    assert (test.result, test.taken_on, test.recorded_by) == ("negative", date(2026, 11, 30), nurse_user)
    assert "pregnancy_test" not in start_missing(appointment=appointment, now=START)
    assert ClinicalAccess.objects.filter(object_id=test.pk, action="create").count() == 1


def test_a_positive_test_refuses_the_start_suspends_the_plan_refuses_booking_and_raises_an_alert(
    demo_clinic, nurse_user, admin_user
):
    appointment = infusion()
    check_in(appointment, nurse_user)
    record(appointment, nurse_user, result="positive")
    plan = TreatmentPlan.objects.get(appointments=appointment)
    assert plan.status == PlanStatus.SUSPENDED
    missing = start_missing(appointment=Appointment.objects.get(pk=appointment.pk), now=START)
    assert {"plan_active", "pregnancy_test"} <= set(missing)
    with pytest.raises(DomainError) as refused:
        appointment_transition(
            actor=nurse_user, appointment_id=appointment.pk, action=AppointmentEvent.Action.STARTED, now=START
        )
    assert refused.value.status_code == 409
    assert "pregnancy_test" in refused.value.fields["missing"]
    before = Appointment.objects.count()
    with pytest.raises(DomainError) as booking:
        appointment_book(
            actor=admin_user,
            patient=appointment.patient,
            appointment_type=AppointmentType.objects.get(code="infusion"),
            starts_at=START + timedelta(days=3),
            now=CHECK_IN,
        )
    assert (booking.value.status_code, booking.value.code) == (409, "plan_suspended")
    assert Appointment.objects.count() == before
    alert = Alert.objects.get(kind="pregnancy_positive")
    assert (alert.patient_id, alert.appointment_id, alert.raised_at, alert.resolved_at) == (
        appointment.patient_id,
        appointment.pk,
        CHECK_IN,
        None,
    )


def test_a_clinician_resumes_a_suspended_plan_and_a_nurse_cannot(demo_clinic, nurse_user, clinician_user):
    appointment = infusion()
    record(appointment, nurse_user, result="positive")
    with pytest.raises(DomainError) as nurse:
        treatment_plan_resume(actor=nurse_user, plan_id=plan_of(appointment))
    assert nurse.value.status_code == 403
    plan = treatment_plan_resume(actor=clinician_user, plan_id=plan_of(appointment))
    assert plan.status == PlanStatus.ACTIVE
    with pytest.raises(DomainError) as again:
        treatment_plan_resume(actor=clinician_user, plan_id=plan_of(appointment))
    assert (again.value.status_code, again.value.code) == (409, "invalid_status")


def test_a_clinician_ends_a_suspended_plan(demo_clinic, nurse_user, clinician_user):
    appointment = infusion()
    record(appointment, nurse_user, result="positive")
    plan = treatment_plan_discontinue(
        actor=clinician_user, plan_id=plan_of(appointment), reason="Pregnant.", now=CHECK_IN
    )
    assert plan.status == PlanStatus.DISCONTINUED


@pytest.mark.parametrize(
    ("result", "taken_on", "fields"),
    [
        ("maybe", None, ["result", "taken_on"]),
        ("negative", date(2026, 12, 8), ["taken_on"]),
    ],
)
def test_a_refused_test_names_every_field_and_writes_nothing(demo_clinic, nurse_user, result, taken_on, fields):
    appointment = infusion()
    with pytest.raises(ClinicalError) as caught:
        pregnancy_test_record(
            actor=nurse_user, appointment_id=appointment.pk, result=result, taken_on=taken_on, now=CHECK_IN
        )
    assert (caught.value.status_code, sorted(caught.value.fields)) == (400, fields)
    assert (PregnancyTest.objects.count(), Alert.objects.count(), ClinicalAccess.objects.count()) == (0, 0, 0)


def test_patients_and_therapists_record_no_test(demo_clinic, therapist_user):
    appointment = infusion()
    for actor in (appointment.patient, therapist_user):
        with pytest.raises(DomainError) as caught:
            record(appointment, actor, result="positive")
        assert caught.value.status_code == 403
    assert (PregnancyTest.objects.count(), TreatmentPlan.objects.get().status) == (0, PlanStatus.ACTIVE)


def test_every_staff_read_of_the_tests_is_audited(demo_clinic, nurse_user, clinician_user):
    appointment = infusion()
    test = record(appointment, nurse_user)
    found = pregnancy_tests_read(actor=clinician_user, appointment_id=appointment.pk)
    assert (found.needed, found.status, [t.pk for t in found.tests]) == (True, "satisfied", [test.pk])
    assert ClinicalAccess.objects.filter(object_id=test.pk, action="read", actor=clinician_user).count() == 1


def test_the_care_team_reads_the_positive_test_behind_a_suspension_and_the_read_is_audited(
    demo_clinic, nurse_user, clinician_user, admin_user
):
    appointment = infusion()
    assert plan_suspension_read(actor=clinician_user, plan_id=plan_of(appointment)) is None  # active
    record(appointment, nurse_user, result="negative", taken_on=DAY - timedelta(days=9))
    record(appointment, nurse_user, result="positive", taken_on=DAY - timedelta(days=2))
    latest = record(appointment, nurse_user, result="positive", taken_on=DAY - timedelta(days=1))
    suspension = plan_suspension_read(actor=clinician_user, plan_id=plan_of(appointment), now=CHECK_IN)
    assert suspension is not None
    assert (suspension.plan.pk, suspension.positive_test) == (plan_of(appointment), latest)
    reads = ClinicalAccess.objects.filter(action="read", actor=clinician_user)
    assert list(reads.values_list("object_id", flat=True)) == [latest.pk]
    with pytest.raises(DomainError) as front_desk:
        plan_suspension_read(actor=admin_user, plan_id=plan_of(appointment))
    assert front_desk.value.status_code == 403
