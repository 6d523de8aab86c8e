"""Alerts that reach a clinician (SPEC.md section 10), in the services under a frozen clock: every
kind raised by its source, a message in the outbox at once to the clinician responsible (on duty,
otherwise who signed the plan, otherwise everyone), escalation to every clinician at 15 minutes
unless acknowledged, claimed once. (With a real worker: tests/integration/test_alert_delivery.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from accounts.models import User
from clinical.alert_selectors import alerts_of_infusion_filter
from clinical.models import Alert, AlertKind, Questionnaire
from clinical.services.alerts import (
    alert_acknowledge,
    alerts_escalate_due,
    count_discrepancy_alert_raise,
)
from clinical.services.questionnaires import questionnaire_answer
from clinical.tasks import escalate_alerts
from core.roles import Role
from notifications.models import Kind, OutboxMessage
from scheduling.models import StaffMember
from tests.clinical.infusion_fixtures import START, infusion_appointment, reading, start
from tests.clinical.questionnaire_fixtures import START as Q_START
from tests.clinical.questionnaire_fixtures import answered, infusion_with_questionnaires, plan_of
from tests.clinical.signer import plan_signer_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RAISED = START + timedelta(minutes=10)


def clinicians() -> set:
    return set(User.objects.filter(role=Role.CLINICIAN, is_active=True).values_list("pk", flat=True))


def messages(alert: Alert, kind: str = Kind.CLINICIAN_ALERT) -> list[tuple]:
    return sorted(
        OutboxMessage.objects.filter(alert=alert, kind=kind).values_list("patient_id", "channel", "due_at", "status")
    )


def on_duty(appointment, *, phone: str = "+15105550199") -> User:
    """A clinician on duty for the infusion (the appointment's supervising clinician), with a phone."""
    clinician = UserFactory(role=Role.CLINICIAN)
    staff = StaffMember.objects.create(user=clinician, clinic=appointment.appointment_type.clinic, phone=phone)
    appointment.supervising_clinician = staff
    appointment.save(update_fields=["supervising_clinician"])
    return clinician


def threshold_alert(nurse, appointment) -> Alert:
    start(appointment, nurse)
    reading(appointment, nurse, at=RAISED, systolic=190)
    return Alert.objects.get(appointment=appointment, kind=AlertKind.VITALS_THRESHOLD)


def test_the_clinician_on_duty_gets_an_email_and_a_text_message_at_once(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    clinician = on_duty(appointment)
    alert = threshold_alert(nurse_user, appointment)
    assert alert.notified_clinician_id == clinician.pk
    assert messages(alert) == [(clinician.pk, "email", RAISED, "pending"), (clinician.pk, "sms", RAISED, "pending")]
    assert OutboxMessage.objects.filter(alert=alert).count() == 2  # nobody else, and no escalation yet


def test_without_a_clinician_on_duty_the_one_who_signed_the_plan_gets_it(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    signer = plan_signer_id(appointment)
    alert = threshold_alert(nurse_user, appointment)
    assert messages(alert) == [(signer, "email", RAISED, "pending")]  # no staff phone: email alone


def test_an_alert_with_nobody_responsible_goes_to_every_clinician_at_once(demo_clinic):
    with transaction.atomic():
        alert = count_discrepancy_alert_raise(reasons=["count_mismatch"], at=RAISED)
    assert {row[0] for row in messages(alert)} == clinicians()
    assert (alert.notified_clinician_id, alert.escalated_at) == (None, RAISED)  # nothing left to escalate
    assert alerts_escalate_due(now=RAISED + timedelta(hours=1)) == []


def test_an_unacknowledged_alert_goes_to_every_clinician_at_15_minutes_not_before(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    responsible = on_duty(appointment)
    alert = threshold_alert(nurse_user, appointment)
    assert alerts_escalate_due(now=RAISED + timedelta(minutes=14, seconds=59)) == []
    assert messages(alert, Kind.ALERT_ESCALATION) == []
    with time_machine.travel(RAISED + timedelta(minutes=15), tick=False):
        assert escalate_alerts() == 1  # the beat task, as the worker runs it
    assert {row[0] for row in messages(alert, Kind.ALERT_ESCALATION)} == clinicians()
    assert responsible.pk in clinicians()
    assert {row[2] for row in messages(alert, Kind.ALERT_ESCALATION)} == {RAISED + timedelta(minutes=15)}
    Alert.objects.filter(pk=alert.pk).update(escalated_at=None)  # as if a second sweep raced the first:
    assert Alert.objects.get(pk=alert.pk).escalated_at is None
    count = OutboxMessage.objects.count()
    alerts_escalate_due(now=RAISED + timedelta(minutes=16))
    assert OutboxMessage.objects.count() == count  # the outbox's unique rule writes no second copy


def test_an_alert_escalates_once_however_many_sweeps_run(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    alert = threshold_alert(nurse_user, appointment)
    assert alerts_escalate_due(now=RAISED + timedelta(minutes=15)) == [alert.pk]
    assert alerts_escalate_due(now=RAISED + timedelta(minutes=16)) == []
    assert Alert.objects.get(pk=alert.pk).escalated_at == RAISED + timedelta(minutes=15)


def test_an_alert_acknowledged_at_14_minutes_never_escalates(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    alert = threshold_alert(nurse_user, appointment)
    alert_acknowledge(actor=nurse_user, alert_id=alert.pk, action="continued", now=RAISED + timedelta(minutes=14))
    assert alerts_escalate_due(now=RAISED + timedelta(minutes=15)) == []
    assert alerts_escalate_due(now=RAISED + timedelta(hours=2)) == []
    assert messages(alert, Kind.ALERT_ESCALATION) == []


def test_phq9_answers_raise_a_self_harm_and_a_worsening_alert_of_their_infusion(demo_clinic, patient):
    plan = plan_of(patient)  # its evaluation's PHQ-9 was 15 (tests/clinical/plans.py)
    earlier, *_ = infusion_with_questionnaires(plan, starts_at=Q_START)
    own, phq9, _ = infusion_with_questionnaires(plan, starts_at=Q_START + timedelta(days=2))
    # 21: a rise of 6 over the evaluation's 15, and 20 or above; item 9 at 1.
    questionnaire_answer(
        actor=patient, questionnaire_id=phq9.pk, items=[3, 3, 3, 3, 3, 2, 2, 1, 1], now=Q_START - timedelta(hours=1)
    )
    raised = list(Alert.objects.filter(questionnaire=phq9).order_by("kind"))
    assert [(alert.kind, alert.reasons, alert.appointment_id) for alert in raised] == [
        ("self_harm", ["phq9_item_9"], own.pk),
        ("worsening", ["phq9_rise", "phq9_severe"], own.pk),
    ]
    signer = plan.evaluation.signed_by_id
    assert [messages(alert) for alert in raised] == [[(signer, "email", Q_START - timedelta(hours=1), "pending")]] * 2
    # It belongs to its questionnaire's infusion: not part of the earlier one's record.
    assert not Alert.objects.filter(alerts_of_infusion_filter(earlier)).exists()
    assert set(Alert.objects.filter(alerts_of_infusion_filter(own)).values_list("kind", flat=True)) == {
        "self_harm",
        "worsening",
    }


@pytest.mark.parametrize(
    ("previous", "items", "reasons"),
    [
        (10, [2, 2, 2, 2, 2, 2, 1, 1, 0], []),  # 14: 4 above
        (10, [2, 2, 2, 2, 2, 2, 2, 1, 0], ["phq9_rise"]),  # 15: 5 above
        (19, [3, 3, 3, 2, 2, 2, 2, 2, 0], []),  # 19: the same, under 20
        (19, [3, 3, 3, 3, 2, 2, 2, 2, 0], ["phq9_severe"]),  # 20: 1 above, and 20
        (15, [3, 3, 3, 3, 2, 2, 2, 2, 0], ["phq9_rise", "phq9_severe"]),  # 20: 5 above, and 20
    ],
)
def test_a_worsening_is_5_above_the_previous_total_or_20(demo_clinic, patient, previous, items, reasons):
    plan = plan_of(patient)
    _, before, _ = infusion_with_questionnaires(plan, starts_at=Q_START)
    answered(before, [0] * 9, at=Q_START - timedelta(hours=2))
    Questionnaire.objects.filter(pk=before.pk).update(total=previous)  # the previous total, whatever its items
    _, phq9, _ = infusion_with_questionnaires(plan, starts_at=Q_START + timedelta(days=2))
    questionnaire_answer(actor=patient, questionnaire_id=phq9.pk, items=items, now=Q_START - timedelta(hours=1))
    worsening = Alert.objects.filter(kind=AlertKind.WORSENING).values_list("reasons", flat=True)
    assert list(worsening) == ([reasons] if reasons else [])
    assert not Alert.objects.filter(kind=AlertKind.SELF_HARM).exists()
