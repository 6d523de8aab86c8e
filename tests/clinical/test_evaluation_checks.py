"""The evaluation services' checks (clinical/services/evaluation_checks.py and the services that
use them) called directly, not through the API: opening a draft, the ranges and codes a draft
takes, what a signature needs (evaluation_sign_refusal lists it without writing), the override
reason, and one active plan per patient. Each refusal names every reason and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import AppointmentStatus
from clinical.errors import ClinicalError
from clinical.models import ClinicalAccess, Evaluation, PlanStatus, TreatmentPlan
from clinical.services.evaluation_checks import code_problems, range_problems
from clinical.services.evaluations import (
    evaluation_create,
    evaluation_sign,
    evaluation_sign_refusal,
    evaluation_update,
)
from scheduling.models import AppointmentType
from tests.clinical.evaluation_fixtures import OVERRIDE_REASON, PLAN, RATIONALE, SCREENING, evaluation_appointment
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 14, tzinfo=LA)
REQUIRED = ["Required to sign."]
WORDS_TO_SIGN = ("substance_use", "decision", "rationale")


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def visit(demo_clinic, patient):
    return evaluation_appointment(patient, starts_at=NOW - timedelta(hours=4))


@pytest.fixture
def draft(visit, clinician_user) -> Evaluation:
    return evaluation_create(actor=clinician_user, appointment_id=visit.pk)


def _candidate(draft: Evaluation, clinician: Any, **changes: Any) -> None:
    values = {**SCREENING, "substance_use": "none", "decision": "candidate", "rationale": RATIONALE, **changes}
    plan = {**PLAN, "dose_mg_per_kg": Decimal(str(PLAN["dose_mg_per_kg"]))}
    evaluation_update(actor=clinician, evaluation_id=draft.pk, changes=values, plan_changes=plan)


def _fresh(draft: Evaluation) -> Evaluation:
    return Evaluation.objects.get(pk=draft.pk)


# -- the pure checks of a draft's input ---------------------------------------------------------


def test_values_outside_their_ranges_are_each_named_and_absent_ones_are_not():
    ranges = {"phq9_total": (0, 27), "heart_rate": (20, 250), "systolic_bp": (50, 260)}
    problems = range_problems({"phq9_total": 28, "heart_rate": 19, "systolic_bp": None}, ranges)
    assert problems == {"phq9_total": ["Must be between 0 and 27."], "heart_rate": ["Must be between 20 and 250."]}


def test_contraindication_codes_are_sorted_and_unknown_or_repeated_ones_named():
    values: dict[str, Any] = {"contraindications": ["seizure_disorder", "pregnancy"]}
    assert code_problems(values) == {}
    assert values["contraindications"] == ["pregnancy", "seizure_disorder"]
    assert code_problems({"contraindications": ["pregnancy", "flu", "cold"]}) == {"contraindications": ["cold", "flu"]}
    assert code_problems({"contraindications": ["pregnancy", "pregnancy"]}) == {"contraindications": ["Repeated."]}


# -- opening a draft ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_a_visit_that_did_not_take_place_gets_no_draft(visit, clinician_user, status):
    visit.status = status
    visit.save(update_fields=["status"])

    with pytest.raises(ClinicalError) as refused:
        evaluation_create(actor=clinician_user, appointment_id=visit.pk)

    assert refused.value.code == "invalid_status"
    assert not Evaluation.objects.exists()


def test_a_visit_of_another_type_or_a_second_draft_is_refused(demo_clinic, patient, draft, visit, clinician_user):
    infusion = AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        starts_at=NOW + timedelta(days=2),
    )

    with pytest.raises(ClinicalError) as other_type:
        evaluation_create(actor=clinician_user, appointment_id=infusion.pk)
    with pytest.raises(ClinicalError) as second:
        evaluation_create(actor=clinician_user, appointment_id=visit.pk)

    assert (other_type.value.code, second.value.code) == ("unknown_appointment", "evaluation_exists")
    assert Evaluation.objects.count() == 1


def test_a_refused_edit_names_every_wrong_value_and_changes_nothing(draft, clinician_user):
    with pytest.raises(ClinicalError) as refused:
        evaluation_update(
            actor=clinician_user,
            evaluation_id=draft.pk,
            changes={"phq9_total": 30, "heart_rate": 72, "contraindications": ["flu"]},
        )

    assert refused.value.code == "out_of_range"
    assert set(refused.value.fields) == {"phq9_total", "contraindications"}
    draft.refresh_from_db()
    assert (draft.phq9_total, draft.heart_rate, draft.contraindications) == (None, None, [])


# -- what a signature needs ---------------------------------------------------------------------


def test_an_empty_draft_lists_everything_a_signature_needs_without_writing(draft, clinician_user):
    refusal = evaluation_sign_refusal(_fresh(draft))

    assert refusal.code == "incomplete_evaluation"
    assert refusal.fields == {
        name: REQUIRED
        for name in ("phq9_total", "gad7_total", "systolic_bp", "diastolic_bp", "heart_rate", *WORDS_TO_SIGN)
    }
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not ClinicalAccess.objects.filter(action="sign").exists()


def test_a_visit_not_yet_taken_place_is_named_among_the_reasons(visit, draft, clinician_user):
    visit.status = AppointmentStatus.BOOKED
    visit.save(update_fields=["status"])
    _candidate(draft, clinician_user)

    refusal = evaluation_sign_refusal(_fresh(draft))

    assert refusal.fields == {"appointment": ["The visit has not taken place yet."]}
    assert refusal.code == "visit_not_started"


def test_a_candidate_needs_a_plan_with_dose_and_route(draft, clinician_user):
    evaluation_update(
        actor=clinician_user,
        evaluation_id=draft.pk,
        changes={**SCREENING, "substance_use": "none", "decision": "candidate", "rationale": RATIONALE},
    )
    assert evaluation_sign_refusal(_fresh(draft)).fields == {"plan": ["A candidate needs a treatment plan."]}

    evaluation_update(actor=clinician_user, evaluation_id=draft.pk, changes={}, plan_changes={"infusions_planned": 6})
    assert set(evaluation_sign_refusal(_fresh(draft)).fields) == {"plan.dose_mg_per_kg", "plan.route"}


@pytest.mark.parametrize("decision", ["not_candidate", "deferred"])
def test_another_decision_signs_without_a_plan_or_an_override(draft, clinician_user, decision):
    evaluation_update(
        actor=clinician_user,
        evaluation_id=draft.pk,
        changes={**SCREENING, "substance_use": "active", "decision": decision, "rationale": RATIONALE},
    )

    assert evaluation_sign_refusal(_fresh(draft)).code == ""
    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"
    assert not TreatmentPlan.objects.filter(status=PlanStatus.ACTIVE).exists()


def test_active_use_signs_a_candidate_only_with_an_override_reason(draft, clinician_user):
    _candidate(draft, clinician_user, substance_use="active", override_reason="  ")
    with pytest.raises(ClinicalError) as refused:
        evaluation_sign(actor=clinician_user, evaluation_id=draft.pk)
    assert (refused.value.code, refused.value.fields) == (
        "override_reason_required",
        {"override_reason": ["Required with this decision."]},
    )

    evaluation_update(actor=clinician_user, evaluation_id=draft.pk, changes={"override_reason": OVERRIDE_REASON})
    signed = evaluation_sign(actor=clinician_user, evaluation_id=draft.pk)
    assert TreatmentPlan.objects.get(evaluation=signed).status == PlanStatus.ACTIVE


def test_a_second_candidate_waits_until_the_first_plan_is_no_longer_active(draft, clinician_user, patient, visit):
    _candidate(draft, clinician_user)
    evaluation_sign(actor=clinician_user, evaluation_id=draft.pk)
    second_visit = evaluation_appointment(patient, starts_at=NOW - timedelta(hours=2))
    second = evaluation_create(actor=clinician_user, appointment_id=second_visit.pk)
    _candidate(second, clinician_user)

    with pytest.raises(ClinicalError) as refused:
        evaluation_sign(actor=clinician_user, evaluation_id=second.pk)

    assert refused.value.code == "active_plan_exists"
    second.refresh_from_db()
    assert second.status == "draft"
