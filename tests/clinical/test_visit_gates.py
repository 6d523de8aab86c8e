"""The gates of the visit (SPEC.md sections 4 and 10): an evaluation is signed once its visit
took place; an appointment is checked in only on its own clinic day; an infusion starts only with
a baseline, readiness and no open self-harm alert, and completes only by its discharge. Each
refusal with its code, and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.errors import BookingError
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.models import Evaluation, EvaluationStatus, InfusionRecord
from clinical.services.alerts import alert_acknowledge
from clinical.services.evaluations import evaluation_sign
from core.errors import DomainError
from tests.clinical.evaluation_fixtures import SCREENING, evaluation_appointment
from tests.clinical.infusion_fixtures import (
    CHECK_IN,
    START,
    check_in,
    infusion_appointment,
    prepare_start,
    reading,
    self_harm_alert,
)

pytestmark = pytest.mark.django_db

STARTED = AppointmentEvent.Action.STARTED


def refused(call, code: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert (caught.value.code, caught.value.status_code) == (code, 409)
    return caught.value


def state(appointment: Appointment) -> tuple:
    return (
        Appointment.objects.values("status", "updated_at").get(pk=appointment.pk),
        appointment.events.count(),
        list(InfusionRecord.objects.filter(appointment=appointment).values()),
    )


def start_now(appointment: Appointment, nurse, now=START) -> Appointment:
    return appointment_transition(actor=nurse, appointment_id=appointment.pk, action=STARTED, now=now)


# -- evaluations ------------------------------------------------------------------------------------------


def draft_of(appointment: Appointment, clinician) -> Evaluation:
    return Evaluation.objects.create(
        appointment=appointment,
        patient=appointment.patient,
        clinician=clinician,
        **SCREENING,
        substance_use="none",
        decision="deferred",
        rationale="More history needed.",
    )


@pytest.mark.parametrize("status", [AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED])
def test_an_evaluation_whose_visit_has_not_taken_place_is_not_signed(demo_clinic, clinician_user, patient, status):
    appointment = evaluation_appointment(patient, starts_at=START + timedelta(days=1), status=status)
    draft = draft_of(appointment, clinician_user)
    refused(lambda: evaluation_sign(actor=clinician_user, evaluation_id=draft.pk, now=START), "visit_not_started")
    draft.refresh_from_db()
    assert (draft.status, draft.signed_at) == (EvaluationStatus.DRAFT, None)


@pytest.mark.parametrize(
    "status", [AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS, AppointmentStatus.COMPLETED]
)
def test_an_evaluation_is_signed_once_its_visit_took_place(demo_clinic, clinician_user, patient, status):
    appointment = evaluation_appointment(patient, starts_at=START, status=status)
    signed = evaluation_sign(
        actor=clinician_user, evaluation_id=draft_of(appointment, clinician_user).pk, now=START + timedelta(hours=1)
    )
    assert signed.status == EvaluationStatus.SIGNED


# -- check-in on the day --------------------------------------------------------------------------------------


def test_tomorrows_appointment_is_not_checked_in_today(demo_clinic, nurse_user):
    appointment = infusion_appointment(starts_at=START + timedelta(days=1))
    before = state(appointment)
    with pytest.raises(BookingError) as caught:
        appointment_transition(
            actor=nurse_user, appointment_id=appointment.pk, action=AppointmentEvent.Action.CHECKED_IN, now=START
        )
    assert (caught.value.code, caught.value.status_code) == ("not_today", 409)
    assert state(appointment) == before


def test_the_clinic_day_is_the_clinics_not_utcs(demo_clinic, nurse_user):
    # 23:30 Pacific Time on the evening before is already the appointment's day in UTC.
    appointment = infusion_appointment()
    evening_before = START.replace(hour=23, minute=30) - timedelta(days=1)
    refused(
        lambda: appointment_transition(
            actor=nurse_user,
            appointment_id=appointment.pk,
            action=AppointmentEvent.Action.CHECKED_IN,
            now=evening_before,
        ),
        "not_today",
    )
    assert check_in(appointment, nurse_user, at=START.replace(hour=0, minute=1)).created_at == START.replace(
        hour=0, minute=1
    )


# -- the start of an infusion ------------------------------------------------------------------------------------


def test_the_start_names_everything_missing(demo_clinic, nurse_user):
    appointment = infusion_appointment(ready=False)
    check_in(appointment, nurse_user)
    prepare_start(appointment, nurse_user, at=CHECK_IN)
    self_harm_alert(appointment)
    before = state(appointment)
    error = refused(lambda: start_now(appointment, nurse_user), "self_harm_unacknowledged")
    assert error.fields == {"missing": ["self_harm_acknowledgement", "readiness", "baseline_reading"]}
    assert state(appointment) == before


def test_no_start_without_a_baseline_in_the_last_15_minutes(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    prepare_start(appointment, nurse_user, at=CHECK_IN)
    reading(appointment, nurse_user, at=START - timedelta(minutes=15, seconds=1))
    before = state(appointment)
    error = refused(lambda: start_now(appointment, nurse_user), "baseline_missing")
    assert error.fields == {"missing": ["baseline_reading"]}
    assert state(appointment) == before
    reading(appointment, nurse_user, at=START - timedelta(minutes=15))
    assert start_now(appointment, nurse_user).status == AppointmentStatus.IN_PROGRESS


def test_no_start_without_readiness_the_patients_or_the_nurses(demo_clinic, nurse_user):
    appointment = infusion_appointment(ready=False)
    check_in(appointment, nurse_user)
    prepare_start(appointment, nurse_user, at=CHECK_IN)
    reading(appointment, nurse_user, at=START - timedelta(minutes=5))
    before = state(appointment)
    error = refused(lambda: start_now(appointment, nurse_user), "readiness_missing")
    assert error.fields == {"missing": ["readiness"]}
    assert state(appointment) == before
    Appointment.objects.filter(pk=appointment.pk).update(driver_arranged=True)  # the driver alone is not enough
    refused(lambda: start_now(appointment, nurse_user), "readiness_missing")
    InfusionRecord.objects.filter(appointment=appointment).update(
        readiness_checked_at=CHECK_IN, readiness_checked_by=nurse_user
    )
    assert start_now(appointment, nurse_user).status == AppointmentStatus.IN_PROGRESS


def test_an_open_self_harm_alert_blocks_the_start_until_a_clinician_acknowledges_it(
    demo_clinic, nurse_user, clinician_user
):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    prepare_start(appointment, nurse_user, at=CHECK_IN)
    reading(appointment, nurse_user, at=START - timedelta(minutes=5))
    alert = self_harm_alert(appointment)
    refused(lambda: start_now(appointment, nurse_user), "self_harm_unacknowledged")
    alert_acknowledge(
        actor=clinician_user, alert_id=alert.pk, note="Spoke with the patient; safe to proceed.", now=CHECK_IN
    )
    started = start_now(appointment, nurse_user)
    assert started.status == AppointmentStatus.IN_PROGRESS
    assert InfusionRecord.objects.get(appointment=appointment).started_at == START


def test_a_self_harm_answer_for_another_infusion_of_the_patient_blocks_too(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    later = infusion_appointment(appointment.patient, starts_at=START + timedelta(days=3))
    self_harm_alert(later)
    check_in(appointment, nurse_user)
    prepare_start(appointment, nurse_user, at=CHECK_IN)
    reading(appointment, nurse_user, at=START - timedelta(minutes=5))
    refused(lambda: start_now(appointment, nurse_user), "self_harm_unacknowledged")


def test_other_appointment_types_start_without_the_infusion_gate(demo_clinic, nurse_user, patient):
    appointment = evaluation_appointment(patient, starts_at=START, status=AppointmentStatus.CHECKED_IN)
    assert start_now(appointment, nurse_user).status == AppointmentStatus.IN_PROGRESS


# -- the completion of an infusion ------------------------------------------------------------------------------------


def test_an_infusion_is_not_completed_without_its_discharge(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    prepare_start(appointment, nurse_user, at=CHECK_IN)
    reading(appointment, nurse_user, at=START - timedelta(minutes=5))
    start_now(appointment, nurse_user)
    before = state(appointment)
    error = refused(
        lambda: appointment_transition(
            actor=nurse_user,
            appointment_id=appointment.pk,
            action=AppointmentEvent.Action.COMPLETED,
            now=START + timedelta(hours=2),
        ),
        "discharge_required",
    )
    assert error.fields == {"missing": ["discharge"]}
    assert state(appointment) == before


def test_a_refused_step_in_the_wrong_state_keeps_its_own_code(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    with pytest.raises(DomainError) as caught:
        start_now(appointment, nurse_user)  # still booked: the state answers, not the gate
    assert caught.value.code == "invalid_status"
