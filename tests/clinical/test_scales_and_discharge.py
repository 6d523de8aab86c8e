"""MOAA/S and CADSS-6 through the services, and the discharge against the patient's own baseline
(SPEC.md section 10), with exact values at the edges and nothing written on a refusal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from booking.models import AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.errors import ClinicalError
from clinical.models import FollowUpCall, InfusionRecord, ScaleAssessment
from clinical.services.infusions import infusion_discharge, infusion_record_update, infusion_vitals_record
from clinical.services.scales import infusion_scales_record
from tests.clinical.infusion_fixtures import (
    DISCHARGE_CHECKLIST,
    NORMAL,
    START,
    check_in,
    infusion_appointment,
    prepare_start,
    reading,
    record_scales,
)

pytestmark = pytest.mark.django_db

ENDED = START + timedelta(minutes=50)  # the infusion type's 50 minutes
RECOVERED = START + timedelta(minutes=90)  # and its 40 minutes of recovery


def refused(call, code: str) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


def started_with_baseline(nurse, *, systolic: int = 130, diastolic: int = 80):
    """An infusion started at START after a baseline of ``systolic``/``diastolic`` 5 minutes before,
    its dose given."""
    appointment = infusion_appointment()
    check_in(appointment, nurse, at=START - timedelta(minutes=15))
    prepare_start(appointment, nurse, at=START - timedelta(minutes=10))
    infusion_vitals_record(
        actor=nurse,
        appointment_id=appointment.pk,
        taken_at=START - timedelta(minutes=5),
        now=START,
        **{**NORMAL, "systolic": systolic, "diastolic": diastolic},
    )
    appointment_transition(
        actor=nurse, appointment_id=appointment.pk, action=AppointmentEvent.Action.STARTED, now=START
    )
    infusion_record_update(
        actor=nurse, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("35.0")}, now=START
    )
    return appointment


def discharge(appointment, nurse, *, now=RECOVERED, checklist=DISCHARGE_CHECKLIST):
    return infusion_discharge(actor=nurse, appointment_id=appointment.pk, checklist=checklist, now=now)


# -- the scales ------------------------------------------------------------------------------------------


def test_a_nurse_records_moaas_and_cadss6_with_its_total(demo_clinic, nurse_user):
    appointment = started_with_baseline(nurse_user)
    at = ENDED + timedelta(minutes=1)
    assessment = infusion_scales_record(
        actor=nurse_user, appointment_id=appointment.pk, moaas=4, cadss6_items=[0, 1, 2, 3, 4, 1], now=at
    )
    assert (assessment.moaas, assessment.cadss6_items, assessment.cadss6_total, assessment.assessed_at) == (
        4,
        [0, 1, 2, 3, 4, 1],
        11,
        at,
    )
    assert assessment.recorded_by_id == nurse_user.pk


@pytest.mark.parametrize(
    ("moaas", "cadss6", "code", "fields"),
    [
        (7, None, "out_of_range", {"moaas": ["A whole number from 0 to 5."]}),
        (None, [0, 0, 0, 0, 5, 0], "out_of_range", {"cadss6_items": ["Item 5: a whole number from 0 to 4."]}),
        (
            None,
            None,
            "scale_required",
            {"moaas": ["Required without a CADSS-6."], "cadss6_items": ["Required without a MOAA/S."]},
        ),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_written(demo_clinic, nurse_user, moaas, cadss6, code, fields):
    appointment = started_with_baseline(nurse_user)
    error = refused(
        lambda: infusion_scales_record(
            actor=nurse_user, appointment_id=appointment.pk, moaas=moaas, cadss6_items=cadss6, now=ENDED
        ),
        code,
    )
    assert (error.status_code, error.fields) == (400, fields)
    assert not ScaleAssessment.objects.exists()


def test_scales_need_the_patient_at_the_clinic(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    refused(
        lambda: infusion_scales_record(actor=nurse_user, appointment_id=appointment.pk, moaas=5, now=START),
        "visit_not_started",
    )
    assert not ScaleAssessment.objects.exists()


def test_a_therapist_records_no_scales(demo_clinic, nurse_user, therapist_user):
    appointment = started_with_baseline(nurse_user)
    error = refused(
        lambda: infusion_scales_record(actor=therapist_user, appointment_id=appointment.pk, moaas=5, now=ENDED),
        "permission_denied",
    )
    assert error.status_code == 403


def test_an_assessment_in_the_future_is_refused(demo_clinic, nurse_user):
    appointment = started_with_baseline(nurse_user)
    refused(
        lambda: infusion_scales_record(
            actor=nurse_user,
            appointment_id=appointment.pk,
            moaas=5,
            assessed_at=ENDED + timedelta(minutes=1),
            now=ENDED,
        ),
        "assessed_at_out_of_range",
    )


# -- the discharge -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("systolic", "missing"), [(156, []), (157, ["vitals_near_baseline"])])
def test_baseline_130_lets_156_go_home_and_not_157(demo_clinic, nurse_user, systolic, missing):
    appointment = started_with_baseline(nurse_user, systolic=130)
    reading(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5), systolic=systolic, diastolic=80)
    record_scales(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5))
    if missing:
        error = refused(lambda: discharge(appointment, nurse_user), "discharge_not_ready")
        assert error.fields == {"missing": missing}
        assert InfusionRecord.objects.get(appointment=appointment).discharged_at is None
        assert not FollowUpCall.objects.exists()
    else:
        assert discharge(appointment, nurse_user).discharged_at == RECOVERED


@pytest.mark.parametrize(("moaas", "missing"), [(5, []), (4, ["sedation"])])
def test_moaas_4_keeps_the_patient_and_5_lets_them_go(demo_clinic, nurse_user, moaas, missing):
    appointment = started_with_baseline(nurse_user)
    reading(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5), systolic=130, diastolic=80)
    record_scales(appointment, nurse_user, at=RECOVERED - timedelta(minutes=10), moaas=5)
    record_scales(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5), moaas=moaas)  # the latest decides
    if missing:
        assert refused(lambda: discharge(appointment, nurse_user), "discharge_not_ready").fields == {"missing": missing}
    else:
        assert discharge(appointment, nurse_user).discharged_at == RECOVERED


def test_scales_before_the_infusion_ended_do_not_count(demo_clinic, nurse_user):
    appointment = started_with_baseline(nurse_user)
    reading(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5), systolic=130, diastolic=80)
    record_scales(appointment, nurse_user, at=ENDED - timedelta(minutes=1))
    error = refused(lambda: discharge(appointment, nurse_user), "discharge_not_ready")
    assert error.fields == {"missing": ["sedation", "dissociation_scale"]}


def test_without_the_written_instructions_the_checklist_is_missing(demo_clinic, nurse_user):
    appointment = started_with_baseline(nurse_user)
    reading(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5), systolic=130, diastolic=80)
    record_scales(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5))
    checklist = {**DISCHARGE_CHECKLIST, "instructions_given": False}
    error = refused(lambda: discharge(appointment, nurse_user, checklist=checklist), "discharge_not_ready")
    assert error.fields == {"missing": ["checklist"], "checklist": ["instructions_given"]}


def test_the_discharge_makes_the_follow_up_call_due_the_next_clinic_day(demo_clinic, nurse_user):
    appointment = started_with_baseline(nurse_user)  # Monday 7 December 2026
    reading(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5), systolic=130, diastolic=80)
    record_scales(appointment, nurse_user, at=RECOVERED - timedelta(minutes=5))
    record = discharge(appointment, nurse_user)
    call = FollowUpCall.objects.get()
    assert (call.record_id, call.patient_id, str(call.due_on), call.created_at, call.recorded_at) == (
        record.pk,
        appointment.patient_id,
        "2026-12-08",
        RECOVERED,
        None,
    )
    assert record.instructions_given is True
    assert InfusionRecord.objects.get(pk=record.pk).appointment.status == AppointmentStatus.COMPLETED
