"""Adverse events (SPEC.md section 10): every field recorded as given, every bad input named at
once with its code and nothing written, and the events that reach a clinician (grade 3 or more,
or serious) raising their alert with its message in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinical.adverse_event_rules import adverse_event_problems, adverse_event_raises_alert
from clinical.errors import ClinicalError
from clinical.models import AdverseEvent, Alert, AlertKind, ClinicalAccess
from clinical.services.adverse_events import adverse_event_record
from notifications.models import Kind, OutboxMessage
from tests.clinical.adverse_event_fixtures import NAUSEA, event
from tests.clinical.infusion_fixtures import START, infusion_appointment, start
from tests.clinical.signer import plan_signer_id

pytestmark = pytest.mark.django_db

AT = START + timedelta(minutes=22)


def refused(call, code: str, status: int = 400) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        call()
    assert (caught.value.code, caught.value.status_code) == (code, status)
    return caught.value


def written() -> tuple[int, int, int, int]:
    return (
        AdverseEvent.objects.count(),
        Alert.objects.filter(kind=AlertKind.ADVERSE_EVENT).count(),
        OutboxMessage.objects.filter(kind=Kind.CLINICIAN_ALERT).count(),
        ClinicalAccess.objects.filter(action="update").count(),
    )


def test_an_event_is_recorded_with_every_field_as_given(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    recorded = adverse_event_record(
        actor=nurse_user,
        appointment_id=appointment.pk,
        event=event(code="other", description=" Shivering ", action_detail=" Warm blanket "),
        note="Settled after ten minutes.",
        occurred_at=START + timedelta(minutes=20),
        now=AT,
    )
    assert AdverseEvent.objects.filter(pk=recorded.pk).values(
        "code", "description", "grade", "serious", "relatedness", "outcome", "action", "action_detail", "note"
    ).get() == {
        "code": "other",
        "description": "Shivering",
        "grade": 1,
        "serious": False,
        "relatedness": "probable",
        "outcome": "resolved",
        "action": "medication_given",
        "action_detail": "Warm blanket",
        "note": "Settled after ten minutes.",
    }
    assert (recorded.occurred_at, recorded.recorded_at, recorded.recorded_by_id) == (
        START + timedelta(minutes=20),
        AT,
        nurse_user.pk,
    )
    assert not Alert.objects.filter(kind=AlertKind.ADVERSE_EVENT).exists()  # grade 1, not serious: no alert


@pytest.mark.parametrize(
    ("changes", "code", "fields"),
    [
        ({"grade": 6}, "grade_out_of_range", {"grade": ["A grade from 1 to 5."]}),
        ({"grade": 0}, "grade_out_of_range", {"grade": ["A grade from 1 to 5."]}),
        ({"code": "other"}, "description_required", {"description": ["Describe the event (required for other)."]}),
        (
            {"code": "other", "description": "   "},
            "description_required",
            {"description": ["Describe the event (required for other)."]},
        ),
        ({"grade": 4, "serious": False}, "serious_required", {"serious": ["Grades 4 and 5 are serious."]}),
        (
            {"grade": 5, "serious": False, "outcome": "fatal"},
            "serious_required",
            {"serious": ["Grades 4 and 5 are serious."]},
        ),
        (
            {"grade": 3, "outcome": "fatal"},
            "outcome_grade_mismatch",
            {"outcome": ["A fatal outcome is grade 5, and only it."]},
        ),
        (
            {"grade": 5, "serious": True},
            "outcome_grade_mismatch",
            {"outcome": ["A fatal outcome is grade 5, and only it."]},
        ),
        ({"code": "sneezing"}, "invalid_choice", {"code": ["Not one of the listed values."]}),
        ({"action": "prayed"}, "invalid_choice", {"action": ["Not one of the listed values."]}),
        ({"serious": None}, "required", {"serious": ["Required."]}),
    ],
)
def test_bad_input_is_a_400_with_its_code_and_nothing_written(demo_clinic, nurse_user, changes, code, fields):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    before = written()
    error = refused(
        lambda: adverse_event_record(actor=nurse_user, appointment_id=appointment.pk, event=event(**changes), now=AT),
        code,
    )
    assert error.fields == fields
    assert written() == before


def test_every_problem_is_named_at_once_in_the_forms_order(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    empty = event(code="other", grade=None, serious=None, relatedness="", outcome="", action="")
    error = refused(
        lambda: adverse_event_record(actor=nurse_user, appointment_id=appointment.pk, event=empty),
        "description_required",
    )
    assert list(error.fields) == ["description", "grade", "serious", "relatedness", "outcome", "action"]
    assert not AdverseEvent.objects.exists()


def test_grade_3_raises_an_alert_that_messages_the_clinician_who_signed_the_plan_at_once(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    signer = plan_signer_id(appointment)
    recorded = adverse_event_record(
        actor=nurse_user, appointment_id=appointment.pk, event=event(code="hypotension", grade=3), now=AT
    )
    alert = Alert.objects.get(kind=AlertKind.ADVERSE_EVENT)
    assert (alert.adverse_event_id, alert.appointment_id, alert.patient_id, alert.reasons, alert.raised_at) == (
        recorded.pk,
        appointment.pk,
        appointment.patient_id,
        ["grade_3"],
        AT,
    )
    assert (alert.notified_clinician_id, alert.escalated_at) == (signer, None)
    messages = OutboxMessage.objects.filter(alert=alert).values_list("patient_id", "kind", "channel", "due_at")
    assert list(messages) == [(signer, Kind.CLINICIAN_ALERT, "email", AT)]


def test_a_serious_event_below_grade_3_raises_its_alert_too(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    adverse_event_record(actor=nurse_user, appointment_id=appointment.pk, event=event(grade=2, serious=True), now=AT)
    assert list(Alert.objects.values_list("kind", "reasons")) == [("adverse_event", ["grade_2", "serious"])]


@pytest.mark.parametrize(
    ("grade", "serious", "raises"),
    [(1, False, False), (2, False, False), (2, True, True), (3, False, True), (4, True, True), (5, True, True)],
)
def test_which_events_reach_a_clinician(grade, serious, raises):
    assert adverse_event_raises_alert(grade=grade, serious=serious) is raises


def test_a_complete_event_has_no_problem():
    assert adverse_event_problems(NAUSEA) == []
    assert adverse_event_problems(event(grade=5, serious=True, outcome="fatal")) == []
    assert adverse_event_problems(event(grade=4, serious=True, outcome="ongoing")) == []


def test_events_wait_for_the_check_in_and_refuse_other_roles(demo_clinic, nurse_user, therapist_user, patient):
    appointment = infusion_appointment()
    refused(
        lambda: adverse_event_record(actor=nurse_user, appointment_id=appointment.pk, event=NAUSEA),
        "visit_not_started",
        409,
    )
    for actor in (therapist_user, patient):
        refused(
            lambda actor=actor: adverse_event_record(actor=actor, appointment_id=appointment.pk, event=NAUSEA),
            "permission_denied",
            403,
        )
    assert not AdverseEvent.objects.exists()


def test_an_event_is_not_in_the_future_nor_before_the_day(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    for occurred_at in (AT + timedelta(minutes=1), START.replace(hour=0) - timedelta(seconds=1)):
        refused(
            lambda occurred_at=occurred_at: adverse_event_record(
                actor=nurse_user, appointment_id=appointment.pk, event=NAUSEA, occurred_at=occurred_at, now=AT
            ),
            "occurred_at_out_of_range",
        )
    assert not AdverseEvent.objects.exists()
