"""A worsening PHQ-9 raises an alert (5 or more above the patient's previous total, or 20 and
above), and the closing "how difficult" question is recorded, not scored (SPEC.md section 10)."""

from datetime import timedelta

import pytest

from clinical.errors import ClinicalError
from clinical.models import Alert
from clinical.services.alerts import alert_acknowledge
from clinical.services.questionnaires import questionnaire_answer
from core.roles import Role
from tests.clinical.questionnaire_fixtures import START, answered, infusion_with_questionnaires, plan_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OPEN_NOW = START - timedelta(hours=24)


def phq9_of(total: int) -> list[int]:
    """Nine answers adding up to ``total`` (item 9 stays 0, so no self-harm alert)."""
    items = [0] * 9
    for index in range(total):
        items[index % 8] += 1
    return items


@pytest.fixture
def previous_8_and_open(demo_clinic, patient):
    """The patient's earlier PHQ-9 totalled 8; the next one is open."""
    plan = plan_of(patient)
    _, earlier, _ = infusion_with_questionnaires(plan, starts_at=START - timedelta(days=3))
    answered(earlier, phq9_of(8), at=START - timedelta(days=4))
    appointment, phq9, _ = infusion_with_questionnaires(plan, starts_at=START)
    return appointment, phq9


def test_a_rise_of_4_raises_no_alert(previous_8_and_open, patient):
    _, phq9 = previous_8_and_open

    questionnaire_answer(actor=patient, questionnaire_id=phq9.pk, items=phq9_of(12), now=OPEN_NOW)

    assert Alert.objects.count() == 0


def test_a_rise_of_5_raises_a_worsening_alert_that_a_clinician_acknowledges(previous_8_and_open, patient):
    appointment, phq9 = previous_8_and_open

    questionnaire_answer(actor=patient, questionnaire_id=phq9.pk, items=phq9_of(13), now=OPEN_NOW)

    alert = Alert.objects.get()
    assert (alert.kind, alert.patient, alert.appointment, alert.reasons, alert.raised_at, alert.resolved_at) == (
        "worsening",
        patient,
        appointment,
        ["phq9_rise"],
        OPEN_NOW,
        None,
    )
    with pytest.raises(ClinicalError) as caught:
        alert_acknowledge(actor=UserFactory(role=Role.NURSE), alert_id=alert.pk, action="continued", now=OPEN_NOW)
    assert caught.value.status_code == 403
    clinician = UserFactory(role=Role.CLINICIAN)
    alert_acknowledge(actor=clinician, alert_id=alert.pk, note="Discussed; continue.", now=OPEN_NOW)
    alert.refresh_from_db()
    assert (alert.resolved_by, alert.note) == (clinician, "Discussed; continue.")


@pytest.mark.parametrize(("total", "alerts"), [(19, []), (20, [["phq9_severe"]])])
def test_a_first_phq9_of_20_or_more_is_a_worsening(demo_clinic, patient, total, alerts):
    _, phq9, _ = infusion_with_questionnaires(plan_of(patient))
    items = phq9_of(total)
    assert items[8] == 0

    questionnaire_answer(actor=patient, questionnaire_id=phq9.pk, items=items, now=OPEN_NOW)

    # "phq9_rise" may join it: the previous total is then the evaluation's.
    worsening = Alert.objects.filter(kind="worsening")
    assert [[reason for reason in alert.reasons if reason == "phq9_severe"] for alert in worsening] == alerts


def test_the_closing_question_is_recorded_and_not_scored(demo_clinic, patient):
    _, phq9, gad7 = infusion_with_questionnaires(plan_of(patient))

    questionnaire_answer(
        actor=patient, questionnaire_id=phq9.pk, items=phq9_of(6), difficulty="very_difficult", now=OPEN_NOW
    )
    questionnaire_answer(actor=patient, questionnaire_id=gad7.pk, items=[1, 1, 0, 0, 0, 0, 0], now=OPEN_NOW)

    phq9.refresh_from_db()
    gad7.refresh_from_db()
    assert (phq9.total, phq9.difficulty, gad7.total, gad7.difficulty) == (6, "very_difficult", 2, "")


def test_an_unknown_difficulty_is_refused_with_the_bad_items_and_nothing_written(demo_clinic, patient):
    _, phq9, _ = infusion_with_questionnaires(plan_of(patient))

    with pytest.raises(ClinicalError) as caught:
        questionnaire_answer(
            actor=patient, questionnaire_id=phq9.pk, items=[0] * 8, difficulty="terrible", now=OPEN_NOW
        )

    assert (caught.value.code, caught.value.status_code) == ("invalid_answers", 400)
    assert set(caught.value.fields) == {"items", "difficulty"}
    phq9.refresh_from_db()
    assert (phq9.answered_at, phq9.difficulty) == (None, "")
