"""What the evaluation API's tests share: the clinic moment, the keys each view carries, and
reads of what was written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinical.models import ClinicalAccess, Evaluation, TreatmentPlan

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 14, tzinfo=LA)  # a Thursday; the evaluation below took place at 10:00
NOW_ISO = "2026-12-03T22:00:00+00:00"
REQUEST_ID = "req-12345678"
ERROR_KEYS = {"code", "detail", "fields"}
FULL_VIEW_KEYS = {
    "id",
    "appointment",
    "patient",
    "clinician",
    "status",
    "phq9_total",
    "gad7_total",
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "phq9_items",
    "gad7_items",
    "weight_kg",
    "medications",
    "allergies",
    "allergies_none_known",
    "childbearing_potential",
    "referring_provider",
    "substance_use",
    "contraindications",
    "decision",
    "rationale",
    "override_reason",
    "suicide_risk_level",
    "suicide_risk_note",
    "plan",
    "signed_at",
    "signed_by",
    "addenda",
}
# What a patient's view must never carry, as a key or inside a text, at any depth.
NEVER_SHOWN_TO_PATIENTS = (
    "phq9_total",
    "gad7_total",
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "substance_use",
    "contraindications",
    "rationale",
    "override_reason",
    "notes",
    "dose_mg_per_kg",
    "route",
    "phq9_items",
    "weight_kg",
    "medications",
    "allergies",
    "childbearing_potential",
    "referring_provider",
    "suicide_risk",
    "infusion_minutes",
    "rate_mg_per_min",
)
CANDIDATE_TEXT = "You can go ahead: book your treatment sessions when it suits you."


def evaluation_row(evaluation_id: Any) -> Any:
    return Evaluation.objects.values().get(pk=evaluation_id)


def plan_row(evaluation_id: Any) -> Any:
    return TreatmentPlan.objects.values().get(evaluation_id=evaluation_id)


def access_log() -> list[tuple[Any, ...]]:
    return list(ClinicalAccess.objects.order_by("id").values_list("id", "actor_id", "action", "object_id"))


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code, body
    return body


def walk(value: Any) -> Iterator[tuple[str, str]]:
    """Every dict key (as ("key", k)) and every string value (as ("text", v)) at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield "key", str(key)
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)
    elif isinstance(value, str):
        yield "text", value
