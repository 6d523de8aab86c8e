"""One plan's outcome: baseline, latest, change, response and remission at their edges, and the
PHQ-9 and GAD-7 series by session (SPEC.md section 10)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from booking.models import AppointmentStatus
from clinical.outcome_selectors import SessionScores, outcome_of, plan_outcome
from tests.clinical.questionnaire_fixtures import START, answered, infusion_with_questionnaires, plan_with_baseline

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
GIVEN = AppointmentStatus.COMPLETED


def phq9_of(total: int) -> list[int]:
    """Nine answers adding up to ``total`` (item 9 stays 0)."""
    items = [0] * 9
    for index in range(total):
        items[index % 8] += 1
    assert sum(items) == total
    return items


def gad7_of(total: int) -> list[int]:
    items = [0] * 7
    for index in range(total):
        items[index % 7] += 1
    return items


@pytest.mark.parametrize(
    ("baseline", "latest", "change", "response", "remission"),
    [
        (20, 10, Decimal("-50.0"), True, False),  # exactly 50% below: a response
        (20, 11, Decimal("-45.0"), False, False),
        (10, 5, Decimal("-50.0"), True, False),  # 5 is not below 5
        (10, 4, Decimal("-60.0"), True, True),
        (9, 4, Decimal("-55.6"), True, None),  # 4.5 is the half: 4 is below it; below 10: no remission
        (9, 5, Decimal("-44.4"), False, None),
        (15, 18, Decimal("20.0"), False, False),
        (3, 4, Decimal("33.3"), False, None),
        (0, 0, None, None, None),  # nothing to improve on: no percent, no response
        (12, None, None, None, None),
        (None, 6, None, None, None),
    ],
)
def test_response_and_remission_at_their_edges(baseline, latest, change, response, remission):
    assert outcome_of(baseline, latest) == (change, response, remission)


def test_a_plans_outcome_and_its_series_by_session(demo_clinic, patient):
    plan = plan_with_baseline(patient, phq9=20)
    first, first_phq9, first_gad7 = infusion_with_questionnaires(plan, starts_at=START, status=GIVEN)
    infusion_with_questionnaires(plan, starts_at=START + 2 * DAY, status=AppointmentStatus.CANCELLED)
    second, second_phq9, _ = infusion_with_questionnaires(plan, starts_at=START + 3 * DAY, status=GIVEN)
    infusion_with_questionnaires(plan, starts_at=START + 5 * DAY)  # not answered: not on the chart
    fourth, fourth_phq9, fourth_gad7 = infusion_with_questionnaires(plan, starts_at=START + 7 * DAY)
    answered(first_phq9, phq9_of(18), at=START - DAY)
    answered(first_gad7, gad7_of(14), at=START - DAY)
    answered(second_phq9, phq9_of(13), at=START + 2 * DAY)
    answered(fourth_phq9, phq9_of(10), at=START + 6 * DAY)
    answered(fourth_gad7, gad7_of(6), at=START + 6 * DAY)

    outcome = plan_outcome(plan)

    # The baseline is the check-in before the first infusion given, not the evaluation's 20.
    assert (outcome.plan_id, outcome.baseline_phq9, outcome.latest_phq9) == (plan.pk, 18, 10)
    assert outcome.baseline_source == "check_in"
    assert (outcome.change_percent, outcome.response, outcome.remission) == (Decimal("-44.4"), False, False)
    assert outcome.sessions == [
        SessionScores(1, first.pk, START, 18, 14),
        SessionScores(2, second.pk, START + 3 * DAY, 13, None),
        SessionScores(4, fourth.pk, START + 7 * DAY, 10, 6),
    ]


def test_the_latest_answer_of_a_moved_infusion_is_the_baseline(demo_clinic, patient):
    plan = plan_with_baseline(patient, phq9=10)
    _, old_phq9, _ = infusion_with_questionnaires(plan, starts_at=START)
    answered(old_phq9, phq9_of(9), at=START - 3 * DAY)
    old_phq9.closed_at = START - 2 * DAY  # the infusion moved; asked again for its new time
    old_phq9.save(update_fields=["closed_at"])
    new_phq9 = old_phq9.__class__.objects.create(
        patient=patient, appointment=old_phq9.appointment, kind="phq9", opens_at=START - DAY, created_at=START - 2 * DAY
    )
    answered(new_phq9, phq9_of(4), at=START - DAY)

    outcome = plan_outcome(plan)

    assert (outcome.baseline_phq9, outcome.baseline_source, outcome.latest_phq9) == (4, "check_in", None)
    assert [s.phq9_total for s in outcome.sessions] == [4]


def test_a_plan_without_answers_has_a_baseline_only(demo_clinic, patient):
    plan = plan_with_baseline(patient, phq9=16)
    infusion_with_questionnaires(plan)

    outcome = plan_outcome(plan)

    assert (outcome.baseline_phq9, outcome.latest_phq9, outcome.change_percent) == (16, None, None)
    assert (outcome.response, outcome.remission, outcome.sessions) == (None, None, [])


def test_a_plans_outcome_takes_three_queries_however_many_sessions(demo_clinic, patient, django_assert_num_queries):
    plan = plan_with_baseline(patient, phq9=20, infusions_planned=12)
    for number in range(8):
        _, phq9, gad7 = infusion_with_questionnaires(plan, starts_at=START + 2 * number * DAY, status=GIVEN)
        answered(phq9, phq9_of(20 - number), at=START + (2 * number - 1) * DAY)
        answered(gad7, gad7_of(10), at=START + (2 * number - 1) * DAY)

    with django_assert_num_queries(3):
        outcome = plan_outcome(plan)

    assert [s.session for s in outcome.sessions] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert outcome.latest_phq9 == 13


@pytest.mark.parametrize(("baseline", "applicable", "remission"), [(9, False, None), (10, True, True)])
def test_remission_only_from_a_baseline_of_10_or_more(demo_clinic, patient, baseline, applicable, remission):
    plan = plan_with_baseline(patient, phq9=20)
    _, before, _ = infusion_with_questionnaires(plan, starts_at=START, status=GIVEN)
    _, after, _ = infusion_with_questionnaires(plan, starts_at=START + 7 * DAY)
    answered(before, phq9_of(baseline), at=START - DAY)
    answered(after, phq9_of(4), at=START + 6 * DAY)

    outcome = plan_outcome(plan)

    assert (outcome.baseline_phq9, outcome.latest_phq9) == (baseline, 4)
    assert (outcome.remission_applicable, outcome.remission, outcome.response) == (applicable, remission, True)


def test_no_latest_before_an_infusion_was_given(demo_clinic, patient):
    """Two check-ins answered, no infusion given yet (the second opened 72 hours before its
    infusion, before the first one's day): both come before any ketamine, so no latest."""
    plan = plan_with_baseline(patient, phq9=20)
    _, first, _ = infusion_with_questionnaires(plan, starts_at=START)
    _, second, _ = infusion_with_questionnaires(plan, starts_at=START + 2 * DAY)
    answered(first, phq9_of(16), at=START - 2 * DAY)
    answered(second, phq9_of(12), at=START - DAY)

    outcome = plan_outcome(plan)

    assert (outcome.baseline_phq9, outcome.baseline_source, outcome.latest_phq9) == (12, "check_in", None)
    assert (outcome.change_percent, outcome.response, outcome.remission) == (None, None, None)


def test_the_latest_is_answered_after_the_first_infusion_was_given(demo_clinic, patient):
    plan = plan_with_baseline(patient, phq9=20)
    _, first, _ = infusion_with_questionnaires(plan, starts_at=START, status=GIVEN)
    _, early, _ = infusion_with_questionnaires(plan, starts_at=START + 2 * DAY, status=GIVEN)
    _, later, _ = infusion_with_questionnaires(plan, starts_at=START + 4 * DAY)
    answered(first, phq9_of(16), at=START - 2 * DAY)
    answered(early, phq9_of(14), at=START - DAY)  # opened early, answered before the first infusion
    answered(later, phq9_of(8), at=START + 3 * DAY)

    outcome = plan_outcome(plan)

    assert (outcome.baseline_phq9, outcome.latest_phq9) == (14, 8)
    assert (outcome.change_percent, outcome.response, outcome.remission) == (Decimal("-42.9"), False, False)


def test_without_a_check_in_before_the_first_infusion_the_evaluation_is_the_baseline(demo_clinic, patient):
    plan = plan_with_baseline(patient, phq9=20)
    infusion_with_questionnaires(plan, starts_at=START, status=GIVEN)
    _, later, _ = infusion_with_questionnaires(plan, starts_at=START + 4 * DAY)
    answered(later, phq9_of(4), at=START + 3 * DAY)

    outcome = plan_outcome(plan)

    assert (outcome.baseline_phq9, outcome.baseline_source, outcome.latest_phq9) == (20, "evaluation", 4)
    assert (outcome.change_percent, outcome.response, outcome.remission) == (Decimal("-80.0"), True, True)
