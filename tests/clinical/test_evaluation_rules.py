"""The evaluation's rules of SPEC.md section 4 through the services, at their edges: the
contraindication list, the hard stops no override passes, a record that must agree with itself,
the suicide-risk assessment and the alert it acknowledges, and every refusal named at once with
nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import Appointment
from clinical.errors import ClinicalError
from clinical.evaluation_rules import HARD_STOPS, childbearing_potential_of
from clinical.models import (
    Alert,
    AlertKind,
    ClinicalAccess,
    ClinicThresholds,
    Contraindication,
    Evaluation,
    TreatmentPlan,
)
from clinical.questionnaire_selectors import self_harm_alerts_open
from clinical.services.evaluations import evaluation_create, evaluation_sign, evaluation_update
from clinical.services.start_gate import start_missing
from tests.clinical.evaluation_fixtures import OVERRIDE_REASON, PLAN, RATIONALE, SCREENING, evaluation_appointment
from tests.clinical.infusion_fixtures import infusion_appointment

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 14, tzinfo=LA)
HARD_STOP_WORDS = "a hard stop, no override reason allows a candidate decision."
BLOOD_PRESSURE_WORDS = (
    "At or above 180/110: tick uncontrolled hypertension (and give an override reason) for a candidate."
)
ITEM_9_ABOVE_0 = [1, 1, 1, 1, 1, 1, 1, 1, 2]  # total 10
RISK_NEEDED = "Required: PHQ-9 item 9 is above 0."


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def visit(demo_clinic, patient) -> Appointment:
    return evaluation_appointment(patient, starts_at=NOW - timedelta(hours=4))


@pytest.fixture
def draft(visit, clinician_user) -> Evaluation:
    return evaluation_create(actor=clinician_user, appointment_id=visit.pk)


def fill(draft: Evaluation, clinician: Any, *, plan: dict[str, Any] | None = None, **changes: Any) -> Evaluation:
    """A complete candidate with a 0.50 mg/kg IV plan, changed by ``changes``."""
    values = {**SCREENING, "substance_use": "none", "decision": "candidate", "rationale": RATIONALE, **changes}
    if "phq9_items" in changes:
        del values["phq9_total"]  # the items make it
    plan_values = {**PLAN, "dose_mg_per_kg": Decimal(str(PLAN["dose_mg_per_kg"])), **(plan or {})}
    return evaluation_update(actor=clinician, evaluation_id=draft.pk, changes=values, plan_changes=plan_values)


def refusal(draft: Evaluation, clinician: Any) -> ClinicalError:
    """The signature's refusal, after checking it wrote nothing."""
    with pytest.raises(ClinicalError) as refused:
        evaluation_sign(actor=clinician, evaluation_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert TreatmentPlan.objects.get(evaluation=draft).status == "draft"
    assert not Alert.objects.exists()
    assert not ClinicalAccess.objects.filter(action="sign").exists()
    return refused.value


def test_the_contraindications_are_section_4s_fifteen_codes_with_their_labels():
    assert dict(Contraindication.choices) == {
        "uncontrolled_hypertension": "Uncontrolled hypertension",
        "psychosis": "Psychosis",
        "mania": "Mania",
        "pregnancy": "Pregnancy",
        "breastfeeding": "Breastfeeding",
        "glaucoma": "Glaucoma",
        "raised_intracranial_pressure": "Raised intracranial pressure",
        "seizure_disorder": "Seizure disorder",
        "active_substance_misuse": "Active substance misuse",
        "acute_suicidality": "Acute suicidality",
        "hypersensitivity_ketamine": "Hypersensitivity to ketamine",
        "aneurysmal_vascular_disease": "Aneurysmal vascular disease (aneurysm or arteriovenous malformation)",
        "intracerebral_hemorrhage_history": "History of intracerebral hemorrhage",
        "severe_cardiac_disease": "Severe cardiac disease (unstable angina, heart attack in the last 6 months, "
        "uncontrolled arrhythmia, heart failure)",
        "severe_hepatic_impairment": "Severe hepatic impairment",
    }
    assert HARD_STOPS == (
        "pregnancy",
        "hypersensitivity_ketamine",
        "aneurysmal_vascular_disease",
        "intracerebral_hemorrhage_history",
    )


# -- hard stops -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", HARD_STOPS)
def test_each_hard_stop_alone_refuses_a_candidate_whatever_the_override(draft, clinician_user, code):
    fill(draft, clinician_user, contraindications=[code], override_reason=OVERRIDE_REASON)

    error = refusal(draft, clinician_user)

    assert (error.status_code, error.code) == (400, "hard_contraindication")
    assert error.fields == {"contraindications": [f"{Contraindication(code).label}: {HARD_STOP_WORDS}"]}


def test_every_hard_stop_at_once_is_named_in_the_lists_order(draft, clinician_user):
    fill(draft, clinician_user, contraindications=[*reversed(HARD_STOPS), "mania"])

    error = refusal(draft, clinician_user)

    assert error.code == "hard_contraindication"
    assert error.fields == {
        "contraindications": [
            f"Pregnancy: {HARD_STOP_WORDS}",
            f"Hypersensitivity to ketamine: {HARD_STOP_WORDS}",
            f"Aneurysmal vascular disease (aneurysm or arteriovenous malformation): {HARD_STOP_WORDS}",
            f"History of intracerebral hemorrhage: {HARD_STOP_WORDS}",
        ]
    }


@pytest.mark.parametrize("decision", ["not_candidate", "deferred"])
def test_a_hard_stop_does_not_stop_another_decision(draft, clinician_user, decision):
    fill(draft, clinician_user, contraindications=list(HARD_STOPS), decision=decision)
    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"


@pytest.mark.parametrize("code", ["severe_cardiac_disease", "severe_hepatic_impairment", "breastfeeding"])
def test_another_contraindication_still_passes_with_an_override_reason(draft, clinician_user, code):
    fill(draft, clinician_user, contraindications=[code])
    assert refusal(draft, clinician_user).fields == {"override_reason": ["Required with this decision."]}

    evaluation_update(actor=clinician_user, evaluation_id=draft.pk, changes={"override_reason": OVERRIDE_REASON})

    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"
    assert TreatmentPlan.objects.get(evaluation=draft).status == "active"


# -- a record that agrees with itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("substance_use", "said"), [("none", "none"), ("in_recovery", "in stable, long-term recovery")]
)
def test_misuse_ticked_against_no_active_use_is_inconsistent(draft, clinician_user, substance_use, said):
    fill(
        draft,
        clinician_user,
        decision="not_candidate",
        substance_use=substance_use,
        contraindications=["active_substance_misuse"],
    )

    error = refusal(draft, clinician_user)

    assert (error.code, error.fields) == (
        "screening_inconsistent",
        {
            "substance_use": [f"Says {said}, but active substance misuse is ticked."],
            "contraindications": ["Active substance misuse is ticked, but substance use says otherwise."],
        },
    )


def test_misuse_ticked_with_active_use_signs_a_candidate_with_an_override(draft, clinician_user):
    fill(
        draft,
        clinician_user,
        substance_use="active",
        contraindications=["active_substance_misuse"],
        override_reason=OVERRIDE_REASON,
    )
    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"


def test_a_candidate_at_179_over_109_signs_without_uncontrolled_hypertension(draft, clinician_user):
    fill(draft, clinician_user, systolic_bp=179, diastolic_bp=109)
    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"


@pytest.mark.parametrize(
    ("systolic", "diastolic", "named"),
    [(180, 109, ["systolic_bp"]), (179, 110, ["diastolic_bp"]), (180, 110, ["systolic_bp", "diastolic_bp"])],
)
def test_a_candidate_at_180_or_110_needs_uncontrolled_hypertension_ticked(
    draft, clinician_user, systolic, diastolic, named
):
    fill(draft, clinician_user, systolic_bp=systolic, diastolic_bp=diastolic)

    error = refusal(draft, clinician_user)

    assert error.code == "screening_inconsistent"
    assert error.fields == {
        **{name: [BLOOD_PRESSURE_WORDS] for name in named},
        "contraindications": ["Uncontrolled hypertension is not ticked."],
    }


def test_at_180_over_110_ticked_with_an_override_a_candidate_signs(draft, clinician_user):
    fill(
        draft,
        clinician_user,
        systolic_bp=180,
        diastolic_bp=110,
        contraindications=["uncontrolled_hypertension"],
        override_reason=OVERRIDE_REASON,
    )
    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"


def test_at_180_over_110_a_decision_other_than_candidate_signs(draft, clinician_user):
    fill(draft, clinician_user, systolic_bp=180, diastolic_bp=110, decision="deferred")
    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"


def test_allergies_written_and_none_known_both_is_inconsistent(draft, clinician_user):
    fill(draft, clinician_user, allergies="Penicillin: rash.", allergies_none_known=True)

    error = refusal(draft, clinician_user)

    assert (error.code, error.fields) == (
        "screening_inconsistent",
        {"allergies": ["Allergies are written down and also marked as none known: keep one."]},
    )


# -- PHQ-9 item 9 and the suicide-risk assessment -----------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "note", "missing"),
    [
        ("", "", ["suicide_risk_level", "suicide_risk_note"]),
        ("", "Passive thoughts, no plan; safety plan agreed.", ["suicide_risk_level"]),
        ("low", "", ["suicide_risk_note"]),
        ("low", "   ", ["suicide_risk_note"]),
    ],
)
def test_item_9_above_0_needs_a_level_and_a_note_to_sign(draft, clinician_user, level, note, missing):
    fill(draft, clinician_user, phq9_items=ITEM_9_ABOVE_0, suicide_risk_level=level, suicide_risk_note=note)

    error = refusal(draft, clinician_user)

    assert (error.code, error.fields) == ("risk_assessment_required", {name: [RISK_NEEDED] for name in missing})


def test_signing_the_assessment_raises_the_self_harm_alert_already_acknowledged(draft, clinician_user, visit):
    fill(
        draft,
        clinician_user,
        phq9_items=ITEM_9_ABOVE_0,
        suicide_risk_level="moderate",
        suicide_risk_note="Passive thoughts, no plan; safety plan agreed.",
    )

    evaluation_sign(actor=clinician_user, evaluation_id=draft.pk, request_id="req-sign")

    alert = Alert.objects.get()
    assert (alert.kind, alert.patient_id, alert.appointment_id, alert.evaluation_id) == (
        AlertKind.SELF_HARM,
        visit.patient_id,
        visit.pk,
        draft.pk,
    )
    assert (alert.questionnaire_id, alert.reading_id, alert.reasons) == (None, None, ["phq9_item_9"])
    assert (alert.raised_at, alert.resolved_at, alert.resolved_by, alert.action) == (NOW, NOW, clinician_user, "")
    assert alert.note == (
        "Suicide-risk assessment at the evaluation: moderate risk. Passive thoughts, no plan; safety plan agreed."
    )
    logged = ClinicalAccess.objects.get(object_id=alert.pk)
    assert (logged.action, logged.actor, logged.request_id) == ("acknowledge", clinician_user, "req-sign")
    draft.refresh_from_db()
    assert (draft.phq9_total, draft.suicide_risk_level) == (10, "moderate")


def test_the_acknowledged_alert_blocks_no_start_and_waits_in_no_queue(draft, clinician_user, patient):
    fill(draft, clinician_user, phq9_items=ITEM_9_ABOVE_0, suicide_risk_level="low", suicide_risk_note="Seen today.")
    evaluation_sign(actor=clinician_user, evaluation_id=draft.pk)
    infusion = infusion_appointment(patient, starts_at=NOW + timedelta(days=4))
    at_the_start = infusion.starts_at

    assert "self_harm_acknowledgement" not in start_missing(appointment=infusion, now=at_the_start)
    assert self_harm_alerts_open() == []

    Alert.objects.filter(evaluation=draft).update(resolved_at=None, resolved_by=None)  # control: left open
    assert "self_harm_acknowledgement" in start_missing(appointment=infusion, now=at_the_start)


def test_item_9_at_0_or_totals_alone_ask_for_no_assessment_and_raise_no_alert(draft, clinician_user):
    fill(draft, clinician_user, phq9_items=[3, 3, 3, 3, 3, 3, 3, 3, 0])
    evaluation_sign(actor=clinician_user, evaluation_id=draft.pk)
    assert not Alert.objects.exists()


# -- everything at once ---------------------------------------------------------------------------------------


def test_every_reason_is_named_at_once_under_the_first_ones_code(draft, clinician_user, demo_clinic):
    fill(
        draft,
        clinician_user,
        systolic_bp=185,
        diastolic_bp=100,
        contraindications=["pregnancy"],
        phq9_items=ITEM_9_ABOVE_0,
        referring_provider_practice="Mission Family Practice",
    )
    ClinicThresholds.objects.create(clinic=demo_clinic, iv_dose_max_mg_per_kg=Decimal("0.40"))  # since the draft

    with pytest.raises(ClinicalError) as refused:
        evaluation_sign(actor=clinician_user, evaluation_id=draft.pk)

    error = refused.value
    assert error.code == "incomplete_evaluation"
    assert error.fields == {
        "referring_provider_name": ["Required with the referring provider's details."],
        "contraindications": [f"Pregnancy: {HARD_STOP_WORDS}", "Uncontrolled hypertension is not ticked."],
        "systolic_bp": [BLOOD_PRESSURE_WORDS],
        "suicide_risk_level": [RISK_NEEDED],
        "suicide_risk_note": [RISK_NEEDED],
        "plan.dose_mg_per_kg": ["For IV, the clinic's dose is 0.10 to 0.40 mg/kg."],
    }
    assert error.detail == (
        "The evaluation is not complete. A hard stop rules out a candidate decision; no override reason passes it. "
        "The record does not agree with itself. PHQ-9 item 9 is above 0: record the suicide-risk assessment, its "
        "level and a note. The dose is outside the clinic's limits for its route."
    )


def test_not_recorded_childbearing_potential_counts_as_unknown():
    assert [childbearing_potential_of(value) for value in ("", "yes", "no", "unknown")] == [
        "unknown",
        "yes",
        "no",
        "unknown",
    ]
