"""The next-day follow-up call (SPEC.md section 10): due the next clinic day, on the nurses' list
until recorded, its outcome recorded once, a new adverse event recorded against that infusion."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from clinical.errors import ClinicalError
from clinical.follow_up_selectors import follow_up_calls_of
from clinical.models import AdverseEvent, Alert, ClinicalAccess, FollowUpCall, ScaleAssessment
from clinical.services.follow_up_due import next_clinic_day
from clinical.services.follow_ups import follow_up_call_record
from clinical.services.infusions import infusion_discharge, infusion_record_update
from scheduling.models import ClinicClosure
from tests.clinical.infusion_fixtures import (
    DISCHARGE_CHECKLIST,
    LA,
    START,
    infusion_appointment,
    reading,
    record_scales,
    start,
)

pytestmark = pytest.mark.django_db

RECOVERED = START + timedelta(minutes=90)
NEXT_DAY = datetime(2026, 12, 8, 10, tzinfo=LA)
# The adverse-event service's fields (clinical/adverse_event_rules.py), as the API sends them.
HEADACHE = {
    "code": "headache",
    "grade": 1,
    "serious": False,
    "relatedness": "possible",
    "outcome": "resolving",
    "action": "none",
    "action_detail": "Advised paracetamol.",
}


def discharged(nurse, *, patient=None) -> FollowUpCall:
    appointment = infusion_appointment(patient)
    start(appointment, nurse)
    infusion_record_update(
        actor=nurse,
        appointment_id=appointment.pk,
        changes={"dose_given_mg": Decimal("35.0")},
        now=START + timedelta(minutes=20),
    )
    reading(appointment, nurse, at=RECOVERED - timedelta(minutes=5))
    record_scales(appointment, nurse, at=RECOVERED - timedelta(minutes=5))
    infusion_discharge(actor=nurse, appointment_id=appointment.pk, checklist=DISCHARGE_CHECKLIST, now=RECOVERED)
    return FollowUpCall.objects.get(record__appointment=appointment)


def refused(call, code: str) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


def test_the_next_clinic_day_skips_weekends_and_closures(demo_clinic):
    assert next_clinic_day(clinic=demo_clinic, after=date(2026, 12, 7)) == date(2026, 12, 8)  # Monday -> Tuesday
    assert next_clinic_day(clinic=demo_clinic, after=date(2026, 12, 11)) == date(2026, 12, 14)  # Friday -> Monday
    ClinicClosure.objects.create(clinic=demo_clinic, closed_on=date(2026, 12, 8))
    assert next_clinic_day(clinic=demo_clinic, after=date(2026, 12, 7)) == date(2026, 12, 9)


def test_the_call_is_on_the_list_from_its_day_until_recorded(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    assert follow_up_calls_of(day=date(2026, 12, 7)) == []
    assert follow_up_calls_of(day=date(2026, 12, 8)) == [call]
    assert follow_up_calls_of(day=date(2026, 12, 9), open_only=True) == [call]  # still open the day after
    follow_up_call_record(
        actor=nurse_user, follow_up_id=call.pk, reached=True, patient_condition="Well, slept a lot.", now=NEXT_DAY
    )
    assert follow_up_calls_of(day=date(2026, 12, 8)) == [call]  # recorded on its day: still on that day's list
    assert follow_up_calls_of(day=date(2026, 12, 8), open_only=True) == []
    assert follow_up_calls_of(day=date(2026, 12, 9)) == []


def test_a_reached_call_records_how_the_patient_is(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    recorded = follow_up_call_record(
        actor=nurse_user, follow_up_id=call.pk, reached=True, patient_condition=" Well. ", now=NEXT_DAY
    )
    assert (recorded.reached, recorded.patient_condition, recorded.adverse_event_id) == (True, "Well.", None)
    assert (recorded.recorded_by_id, recorded.recorded_at) == (nurse_user.pk, NEXT_DAY)
    assert ClinicalAccess.objects.filter(object_id=call.pk, action="update").count() == 1


def test_a_new_adverse_event_from_the_call_is_recorded_against_that_infusion(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    recorded = follow_up_call_record(
        actor=nurse_user,
        follow_up_id=call.pk,
        reached=True,
        patient_condition="Headache since the evening.",
        adverse_event={**HEADACHE, "occurred_at": NEXT_DAY - timedelta(hours=14)},
        now=NEXT_DAY,
    )
    event = AdverseEvent.objects.get()
    assert (event.record_id, event.code, event.grade, event.action_detail, event.occurred_at) == (
        call.record_id,
        "headache",
        1,
        "Advised paracetamol.",
        NEXT_DAY - timedelta(hours=14),
    )
    assert recorded.adverse_event_id == event.pk
    assert not Alert.objects.exists()  # grade 1, not serious: no clinician is called


def test_a_grade_3_event_from_the_call_raises_its_alert_to_the_clinician(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    follow_up_call_record(
        actor=nurse_user,
        follow_up_id=call.pk,
        reached=True,
        patient_condition="Fainted at home; seen at the emergency department.",
        adverse_event={**HEADACHE, "code": "hypotension", "grade": 3, "action": "transferred_to_emergency"},
        now=NEXT_DAY,
    )
    alert = Alert.objects.get()
    assert (alert.kind, alert.adverse_event_id, alert.appointment_id, alert.raised_at) == (
        "adverse_event",
        AdverseEvent.objects.get().pk,
        call.record.appointment_id,
        NEXT_DAY,
    )


def test_a_call_not_reached_takes_no_condition_nor_event(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    error = refused(
        lambda: follow_up_call_record(
            actor=nurse_user,
            follow_up_id=call.pk,
            reached=False,
            patient_condition="Well.",
            adverse_event=HEADACHE,
            now=NEXT_DAY,
        ),
        "not_reached",
    )
    assert error.fields == {
        "patient_condition": ["Only when the patient was reached."],
        "adverse_event": ["Only when the patient was reached."],
    }
    recorded = follow_up_call_record(actor=nurse_user, follow_up_id=call.pk, reached=False, now=NEXT_DAY)
    assert (recorded.reached, recorded.recorded_at) == (False, NEXT_DAY)


def test_a_reached_call_needs_the_patients_condition(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    error = refused(
        lambda: follow_up_call_record(actor=nurse_user, follow_up_id=call.pk, reached=True, now=NEXT_DAY),
        "condition_required",
    )
    assert error.status_code == 400
    assert FollowUpCall.objects.get(pk=call.pk).recorded_at is None


def test_a_bad_adverse_event_writes_nothing(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    refused(
        lambda: follow_up_call_record(
            actor=nurse_user,
            follow_up_id=call.pk,
            reached=True,
            patient_condition="Unwell.",
            adverse_event={**HEADACHE, "code": "not_a_code"},
            now=NEXT_DAY,
        ),
        "invalid_choice",
    )
    assert FollowUpCall.objects.get(pk=call.pk).recorded_at is None
    assert not AdverseEvent.objects.exists()


def test_the_condition_and_every_problem_of_the_event_are_named_at_once(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    error = refused(
        lambda: follow_up_call_record(
            actor=nurse_user,
            follow_up_id=call.pk,
            reached=True,
            adverse_event={**HEADACHE, "grade": 4, "serious": False, "outcome": ""},
            now=NEXT_DAY,
        ),
        "condition_required",
    )
    assert error.fields == {
        "patient_condition": ["Required."],
        "serious": ["Grades 4 and 5 are serious."],
        "outcome": ["Required."],
    }
    assert (FollowUpCall.objects.get(pk=call.pk).recorded_at, AdverseEvent.objects.count()) == (None, 0)


def test_an_outcome_is_recorded_once(demo_clinic, nurse_user, clinician_user):
    call = discharged(nurse_user)
    follow_up_call_record(actor=nurse_user, follow_up_id=call.pk, reached=False, now=NEXT_DAY)
    error = refused(
        lambda: follow_up_call_record(
            actor=clinician_user, follow_up_id=call.pk, reached=True, patient_condition="Well.", now=NEXT_DAY
        ),
        "follow_up_recorded",
    )
    assert error.status_code == 409
    assert FollowUpCall.objects.get(pk=call.pk).recorded_by_id == nurse_user.pk


def test_only_nurses_and_clinicians_record_a_call(demo_clinic, nurse_user, therapist_user):
    call = discharged(nurse_user)
    refused(
        lambda: follow_up_call_record(actor=therapist_user, follow_up_id=call.pk, reached=False, now=NEXT_DAY),
        "permission_denied",
    )
    assert FollowUpCall.objects.get(pk=call.pk).recorded_at is None


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


@postgres_only
def test_postgresql_keeps_scales_append_only_and_a_recorded_outcome_final(demo_clinic, nurse_user):
    call = discharged(nurse_user)
    follow_up_call_record(actor=nurse_user, follow_up_id=call.pk, reached=False, now=NEXT_DAY)
    for statement in (
        "UPDATE clinical_scaleassessment SET moaas = 3",
        "DELETE FROM clinical_scaleassessment",
        "UPDATE clinical_followupcall SET reached = true, patient_condition = 'Well.'",
        "DELETE FROM clinical_followupcall",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert FollowUpCall.objects.get(pk=call.pk).reached is False
    assert ScaleAssessment.objects.get().moaas == 5
