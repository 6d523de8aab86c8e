"""Section 4's rules through the evaluation API: the new fields in and out, each refusal a 400
with its code that writes nothing, and the schema naming the codes its rules answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from clinical.models import Alert, ClinicalAccess, ClinicThresholds, Evaluation, TreatmentPlan
from tests.clinical.evaluation_fixtures import complete_draft_body, evaluation_appointment, evaluations_url, open_draft

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 14, tzinfo=LA)
PROVIDER = {
    "name": "Dr. Ana Ruiz",
    "practice": "Mission Family Practice",
    "email": "ana.ruiz@example.org",
    "phone": "(415) 555-0134",
    "write_back_agreed": True,
}
MEDICATION = {"name": "Lamotrigine", "dose": "100 mg", "frequency": "Twice a day", "drug_class": "lamotrigine"}


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinician(clinician_user, client_for) -> APIClient:
    client: APIClient = client_for(clinician_user)
    return client


@pytest.fixture
def draft_id(demo_clinic, patient, clinician) -> str:
    return open_draft(clinician, evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 10, tzinfo=LA)))


def rows(draft_id: str) -> tuple[Any, ...]:
    """Everything a refusal must leave as it was."""
    plan = TreatmentPlan.objects.filter(evaluation_id=draft_id).values().first()
    return (
        Evaluation.objects.values().get(pk=draft_id),
        plan,
        Alert.objects.count(),
        ClinicalAccess.objects.exclude(action="read").count(),
    )


def refused(client: APIClient, method: str, url: str, body: Any, code: str, draft_id: str) -> dict[str, Any]:
    before = rows(draft_id)
    response: Any = getattr(client, method)(url, body, format="json")
    assert response.status_code == 400, response.content
    error: dict[str, Any] = response.json()
    assert (set(error), error["code"]) == ({"code", "detail", "fields"}, code)
    assert rows(draft_id) == before
    return error


def patch(client: APIClient, draft_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response: Any = client.patch(evaluations_url(draft_id), body, format="json")
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = response.json()
    return answer


def test_the_new_fields_go_in_and_come_out(clinician, draft_id):
    body = complete_draft_body()
    del body["phq9_total"]
    body |= {
        "phq9_items": [2, 2, 1, 1, 1, 1, 1, 0, 0],
        "weight_kg": "72.5",
        "medications": [MEDICATION],
        "allergies": "Penicillin: hives.",
        "childbearing_potential": "unknown",
        "referring_provider": PROVIDER,
    }
    body["plan"] |= {"infusion_minutes": 50}

    answer = patch(clinician, draft_id, body)

    assert (answer["phq9_items"], answer["phq9_total"], answer["weight_kg"]) == ([2, 2, 1, 1, 1, 1, 1, 0, 0], 9, "72.5")
    assert (answer["medications"], answer["allergies"], answer["allergies_none_known"]) == (
        [MEDICATION],
        "Penicillin: hives.",
        False,
    )
    assert answer["childbearing_potential"] == "unknown"
    assert answer["referring_provider"] == {**PROVIDER, "phone": "+14155550134"}
    # 0.50 mg/kg x 72.5 kg = 36.3 mg (36.25, half up) over 50 minutes = 0.726 mg/min
    assert (answer["plan"]["infusion_minutes"], answer["plan"]["rate_mg_per_min"]) == (50, "0.73")
    assert clinician.get(evaluations_url(draft_id)).json() == answer


def test_a_referring_provider_is_replaced_whole_and_null_removes_it(clinician, draft_id):
    patch(clinician, draft_id, {"referring_provider": PROVIDER})
    answer = patch(clinician, draft_id, {"referring_provider": {"name": "Dr. Lee"}})
    assert answer["referring_provider"] == {
        "name": "Dr. Lee",
        "practice": "",
        "email": "",
        "phone": "",
        "write_back_agreed": None,
    }
    assert patch(clinician, draft_id, {"referring_provider": None})["referring_provider"] is None


@pytest.mark.parametrize(
    ("change", "code", "fields"),
    [
        ({"plan": {"route": "IV", "dose_mg_per_kg": "1.01"}}, "dose_out_of_range", ["plan.dose_mg_per_kg"]),
        ({"plan": {"route": "IM", "dose_mg_per_kg": "0.09"}}, "dose_out_of_range", ["plan.dose_mg_per_kg"]),
        (
            {"plan": {"route": "IM", "infusion_minutes": 40}},
            "infusion_minutes_not_applicable",
            ["plan.infusion_minutes"],
        ),
        ({"phq9_items": [1] * 9, "phq9_total": 12}, "invalid_answers", ["phq9_total"]),
        ({"referring_provider": {"name": "Dr. Lee", "phone": "555"}}, "invalid_contact", ["referring_provider_phone"]),
        ({"referring_provider": {"name": "Dr. Lee", "email": "lee@"}}, "invalid_contact", ["referring_provider_email"]),
    ],
)
def test_a_draft_change_a_rule_refuses_is_a_400_that_writes_nothing(clinician, draft_id, change, code, fields):
    error = refused(clinician, "patch", evaluations_url(draft_id), {"heart_rate": 99, **change}, code, draft_id)
    assert list(error["fields"]) == fields


@pytest.mark.parametrize(
    ("draft", "code", "fields"),
    [
        (
            {"contraindications": ["pregnancy"], "override_reason": "No."},
            "hard_contraindication",
            ["contraindications"],
        ),
        (
            {"systolic_bp": 180, "diastolic_bp": 110},
            "screening_inconsistent",
            ["systolic_bp", "diastolic_bp", "contraindications"],
        ),
        (
            {"phq9_items": [0, 0, 0, 0, 0, 0, 0, 0, 1]},
            "risk_assessment_required",
            ["suicide_risk_level", "suicide_risk_note"],
        ),
    ],
)
def test_a_signature_a_rule_refuses_is_a_400_that_writes_nothing(clinician, draft_id, draft, code, fields):
    body = complete_draft_body() | draft
    if "phq9_items" in draft:
        del body["phq9_total"]
    patch(clinician, draft_id, body)

    error = refused(clinician, "post", evaluations_url(draft_id, "sign"), None, code, draft_id)

    assert list(error["fields"]) == fields


def test_a_dose_outside_limits_narrowed_since_the_draft_refuses_the_signature(clinician, draft_id, demo_clinic):
    patch(clinician, draft_id, complete_draft_body())
    ClinicThresholds.objects.create(clinic=demo_clinic, iv_dose_max_mg_per_kg=Decimal("0.45"))

    error = refused(clinician, "post", evaluations_url(draft_id, "sign"), None, "dose_out_of_range", draft_id)

    assert error["fields"] == {"plan.dose_mg_per_kg": ["For IV, the clinic's dose is 0.10 to 0.45 mg/kg."]}


def test_the_signed_assessment_comes_back_and_its_alert_is_acknowledged(clinician, draft_id):
    body = complete_draft_body() | {
        "phq9_items": [0, 0, 0, 0, 0, 0, 0, 0, 3],
        "suicide_risk_level": "high",
        "suicide_risk_note": "Same-day psychiatric review arranged.",
    }
    del body["phq9_total"]
    patch(clinician, draft_id, body)

    response: Any = clinician.post(evaluations_url(draft_id, "sign"))

    assert response.status_code == 200, response.content
    assert (response.json()["suicide_risk_level"], response.json()["suicide_risk_note"]) == (
        "high",
        "Same-day psychiatric review arranged.",
    )
    assert Alert.objects.filter(evaluation_id=draft_id, resolved_at__isnull=False).count() == 1


def test_the_schema_names_the_codes_the_rules_answer(api_client):
    schema = json.loads(api_client.get("/api/schema/", {"format": "json"}).content)
    sign = schema["paths"]["/api/v1/evaluations/{evaluation_id}/sign/"]["post"]
    change = schema["paths"]["/api/v1/evaluations/{evaluation_id}/"]["patch"]

    assert sign["x-rule-codes"] == [
        "dose_out_of_range",
        "hard_contraindication",
        "incomplete_evaluation",
        "override_reason_required",
        "risk_assessment_required",
        "screening_inconsistent",
    ]
    assert change["x-rule-codes"] == [
        "dose_out_of_range",
        "infusion_minutes_not_applicable",
        "invalid_answers",
        "invalid_contact",
    ]
    for code in ("hard_contraindication", "screening_inconsistent", "risk_assessment_required", "dose_out_of_range"):
        assert f"`{code}`" in sign["responses"]["400"]["description"]
    plan_input = schema["components"]["schemas"]["PlanInputRequest"]["properties"]
    assert (plan_input["infusion_minutes"]["minimum"], plan_input["infusion_minutes"]["maximum"]) == (20, 120)
    items = schema["components"]["schemas"]["PatchedEvaluationUpdateRequest"]["properties"]["phq9_items"]
    assert (items["minItems"], items["maxItems"], items["items"]) == (
        9,
        9,
        {"type": "integer", "minimum": 0, "maximum": 3},
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"referring_provider": {"practice": "Mission Family Practice"}}, "invalid"),
        ({"medications": [{"name": "Lithium", "dose": "300 mg", "frequency": "Daily"}]}, "invalid"),
        ({"medications": [{**MEDICATION, "drug_class": "sedative"}]}, "invalid"),
        ({"phq9_items": [1] * 8}, "min_length"),
        ({"phq9_items": [0, 0, 0, 0, 0, 0, 0, 0, 4]}, "invalid_answers"),  # a ruled range: the service's code
        ({"weight_kg": "24.9"}, "out_of_range"),
        ({"plan": {"infusion_minutes": 121}}, "out_of_range"),
        ({"suicide_risk_level": "severe"}, "invalid_choice"),
        ({"childbearing_potential": "maybe"}, "invalid_choice"),
    ],
)
def test_input_the_schema_refuses_is_refused_inside_a_partial_update_too(clinician, draft_id, body, code):
    refused(clinician, "patch", evaluations_url(draft_id), body, code, draft_id)
