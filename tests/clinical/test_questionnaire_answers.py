"""Answering a questionnaire: every item once, by the patient or by staff on the visit's day; a
PHQ-9 item 9 above 0 raises a self-harm alert (SPEC.md section 10)."""

from datetime import datetime, timedelta

import pytest

from booking.models import AppointmentStatus
from clinical.errors import ClinicalError
from clinical.models import Alert, ClinicalAccess, InfusionRecord, Questionnaire
from clinical.questionnaire_selectors import questionnaires_of_patient, self_harm_alerts_open
from clinical.services.questionnaires import questionnaire_answer
from core.roles import Role
from tests.clinical.questionnaire_fixtures import (
    GAD7_CALM,
    LA,
    PHQ9_CALM,
    START,
    answered,
    infusion_with_questionnaires,
    plan_of,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OPEN_NOW = START - timedelta(hours=24)  # inside the 72 hours
VISIT_DAY = START - timedelta(minutes=30)  # the morning of the infusion, at check-in
SELF_HARM = [1, 1, 1, 1, 1, 1, 1, 1, 1]  # total 9, item 9 is 1


@pytest.fixture
def infusion(demo_clinic, patient):
    return infusion_with_questionnaires(plan_of(patient))


def untouched(questionnaire: Questionnaire) -> bool:
    questionnaire.refresh_from_db()
    return questionnaire.answered_at is None and questionnaire.items is None and questionnaire.total is None


def refused(code: str, status: int, **kwargs) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        questionnaire_answer(**kwargs)
    assert (caught.value.code, caught.value.status_code) == (code, status)
    return caught.value


def test_the_patient_answers_item_by_item_and_the_total_is_computed(infusion, patient):
    _, phq9, gad7 = infusion

    questionnaire_answer(actor=patient, questionnaire_id=phq9.pk, items=[0, 1, 2, 3, 0, 1, 2, 3, 0], now=OPEN_NOW)
    questionnaire_answer(actor=patient, questionnaire_id=gad7.pk, items=[3, 3, 3, 3, 3, 0, 0], now=OPEN_NOW)

    phq9.refresh_from_db()
    gad7.refresh_from_db()
    assert (phq9.items, phq9.total, phq9.answered_at, phq9.answered_by, phq9.on_behalf) == (
        [0, 1, 2, 3, 0, 1, 2, 3, 0],
        12,
        OPEN_NOW,
        patient,
        False,
    )
    assert (gad7.total, gad7.answered_at) == (15, OPEN_NOW)
    assert Alert.objects.count() == 0
    assert ClinicalAccess.objects.count() == 0  # the patient's own answers are not a staff access


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN])
def test_staff_enter_the_answers_on_the_patients_behalf_on_the_visits_day(infusion, role):
    _, phq9, _ = infusion
    staff = UserFactory(role=role)

    questionnaire_answer(actor=staff, questionnaire_id=phq9.pk, items=PHQ9_CALM, request_id="req-7", now=VISIT_DAY)

    phq9.refresh_from_db()
    assert (phq9.total, phq9.answered_by, phq9.on_behalf) == (3, staff, True)
    access = ClinicalAccess.objects.get()
    assert (access.actor, access.actor_role, access.action, access.object_type, access.object_id) == (
        staff,
        role,
        "answer",
        "questionnaire",
        phq9.pk,
    )
    assert (access.request_id, access.occurred_at) == ("req-7", VISIT_DAY)


def test_staff_are_refused_on_another_day(infusion, nurse_user):
    _, phq9, _ = infusion

    refused("not_today", 409, actor=nurse_user, questionnaire_id=phq9.pk, items=PHQ9_CALM, now=OPEN_NOW)

    assert untouched(phq9)
    assert ClinicalAccess.objects.count() == 0


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.ADMIN])
def test_other_roles_do_not_answer(infusion, role):
    _, phq9, _ = infusion

    refused(
        "permission_denied", 403, actor=UserFactory(role=role), questionnaire_id=phq9.pk, items=PHQ9_CALM, now=VISIT_DAY
    )

    assert untouched(phq9)


def test_another_patients_questionnaire_is_not_found(infusion, other_patient):
    _, phq9, _ = infusion

    refused("not_found", 404, actor=other_patient, questionnaire_id=phq9.pk, items=PHQ9_CALM, now=OPEN_NOW)

    assert untouched(phq9)


def test_phq9_item_nine_above_zero_raises_a_self_harm_alert_in_the_clinicians_queue(infusion, patient):
    appointment, phq9, _ = infusion

    questionnaire_answer(actor=patient, questionnaire_id=phq9.pk, items=SELF_HARM, now=OPEN_NOW)

    alert = Alert.objects.get()
    assert (alert.kind, alert.patient, alert.appointment, alert.questionnaire, alert.reasons, alert.raised_at) == (
        "self_harm",
        patient,
        appointment,
        phq9,
        ["phq9_item_9"],
        OPEN_NOW,
    )
    assert (alert.resolved_at, alert.note) == (None, "")
    assert self_harm_alerts_open() == [alert]
    alert.resolved_at, alert.resolved_by, alert.note = OPEN_NOW, UserFactory(role=Role.CLINICIAN), "Called; safe."
    alert.save()
    assert self_harm_alerts_open() == []


@pytest.mark.parametrize(
    ("items", "fields"),
    [
        ([0, 1, 2, 3, 4, 0, 0, 0, 0], {"items.5": ["Must be a whole number from 0 to 3."]}),
        ([0, 1, 2, 3, 0, 0, 0, 0, -1], {"items.9": ["Must be a whole number from 0 to 3."]}),
        ([0, 1, 2, 3, 0, 0, 0, 0], {"items": ["Exactly 9 answers are needed; 8 were given."]}),
        ([0] * 7, {"items": ["Exactly 9 answers are needed; 7 were given."]}),
    ],
)
def test_bad_answers_are_refused_naming_the_item(infusion, patient, items, fields):
    _, phq9, _ = infusion

    error = refused("invalid_answers", 400, actor=patient, questionnaire_id=phq9.pk, items=items, now=OPEN_NOW)

    assert error.fields == fields
    assert untouched(phq9)
    assert Alert.objects.count() == 0


def test_a_questionnaire_is_answered_once(infusion, patient):
    _, phq9, _ = infusion
    questionnaire_answer(actor=patient, questionnaire_id=phq9.pk, items=PHQ9_CALM, now=OPEN_NOW)

    refused("already_answered", 409, actor=patient, questionnaire_id=phq9.pk, items=SELF_HARM, now=OPEN_NOW)

    phq9.refresh_from_db()
    assert phq9.total == 3
    assert Alert.objects.count() == 0


def test_before_the_opening_it_is_not_open(infusion, patient):
    _, phq9, _ = infusion

    refused(
        "questionnaire_not_open",
        409,
        actor=patient,
        questionnaire_id=phq9.pk,
        items=PHQ9_CALM,
        now=phq9.opens_at - timedelta(seconds=1),
    )
    questionnaire_answer(actor=patient, questionnaire_id=phq9.pk, items=PHQ9_CALM, now=phq9.opens_at)

    phq9.refresh_from_db()
    assert phq9.answered_at == phq9.opens_at


@pytest.mark.parametrize(
    "status",
    [
        AppointmentStatus.IN_PROGRESS,
        AppointmentStatus.COMPLETED,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.NO_SHOW,
    ],
)
def test_once_the_infusion_has_started_or_will_not_happen_it_is_closed(infusion, patient, status):
    appointment, phq9, _ = infusion
    appointment.status = status
    appointment.save(update_fields=["status"])

    refused("questionnaire_closed", 409, actor=patient, questionnaire_id=phq9.pk, items=PHQ9_CALM, now=OPEN_NOW)

    assert untouched(phq9)


def test_a_started_session_record_closes_it_and_so_does_closed_at(infusion, patient, nurse_user):
    appointment, phq9, gad7 = infusion
    InfusionRecord.objects.create(
        appointment=appointment,
        patient=patient,
        plan=appointment.treatment_plan,
        started_at=VISIT_DAY,
        created_at=VISIT_DAY,
        updated_at=VISIT_DAY,
    )
    gad7.closed_at = OPEN_NOW
    gad7.save(update_fields=["closed_at"])

    refused("questionnaire_closed", 409, actor=nurse_user, questionnaire_id=phq9.pk, items=PHQ9_CALM, now=VISIT_DAY)
    refused("questionnaire_closed", 409, actor=patient, questionnaire_id=gad7.pk, items=GAD7_CALM, now=OPEN_NOW)

    assert untouched(phq9)
    assert untouched(gad7)


def test_the_patient_sees_due_then_answered_questionnaires(demo_clinic, patient, other_patient):
    plan = plan_of(patient)
    _, phq9_now, gad7_now = infusion_with_questionnaires(plan)
    _, later_phq9, _ = infusion_with_questionnaires(plan, starts_at=START + timedelta(days=7))  # not open yet
    _, old_phq9, old_gad7 = infusion_with_questionnaires(plan, starts_at=START - timedelta(days=3), status="completed")
    answered(old_phq9, SELF_HARM, at=START - timedelta(days=4))
    old_gad7.closed_at = START - timedelta(days=3)
    old_gad7.save(update_fields=["closed_at"])
    infusion_with_questionnaires(plan_of(other_patient), starts_at=START + timedelta(hours=3))

    seen = questionnaires_of_patient(patient_id=patient.pk, now=OPEN_NOW)

    assert [(row.questionnaire, row.state, row.band) for row in seen] == [
        (phq9_now, "due", None),
        (gad7_now, "due", None),
        (old_phq9, "answered", "mild"),
    ]
    assert later_phq9 not in [row.questionnaire for row in seen]


def test_the_patients_list_takes_one_query(demo_clinic, patient, django_assert_num_queries):
    plan = plan_of(patient)
    for day in range(3):
        _, phq9, _ = infusion_with_questionnaires(plan, starts_at=START + timedelta(days=day))
        answered(phq9, PHQ9_CALM, at=OPEN_NOW)

    with django_assert_num_queries(1):
        seen = questionnaires_of_patient(patient_id=patient.pk, now=OPEN_NOW)
        zones = {str(row.questionnaire.appointment.appointment_type.clinic.zone) for row in seen}

    assert zones == {"America/Los_Angeles"}
    # The three GAD-7s are open (the last opened at OPEN_NOW exactly); the three PHQ-9s answered.
    assert [(row.questionnaire.kind, row.state) for row in seen] == [("gad7", "due")] * 3 + [("phq9", "answered")] * 3
    assert datetime(2026, 12, 6, 10, tzinfo=LA) == OPEN_NOW
