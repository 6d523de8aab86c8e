"""The evaluation's PHQ-9 is a screening value the patient never sees (SPEC.md sections 4 and 10,
issue 18): nothing on /account/ or in the export (the page's and the API's) may let it be worked
out. Before, "your latest score" and "79% lower than at your evaluation" gave it exactly.

The proof: two patients whose answers are the same and whose evaluations scored differently see
exactly the same words and the same export. Their own answers are theirs to compare: the page
measures the latest against their first check-in of the plan.

The three shapes are the demo's patients (demo/history.py): six, four and two infusions, each
with a PHQ-9 answered before it.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from booking.models import AppointmentStatus
from demo.history import PATIENTS, HistoryPatient
from patient_data.selectors import patient_data_export
from tests.clinical.questionnaire_fixtures import answered, infusion_with_questionnaires, plan_with_baseline
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
SIGNED_AT = datetime(2026, 10, 1, 12, tzinfo=LA)
NOW = datetime(2026, 11, 30, 9, tzinfo=LA)
OTHER_EVALUATION_SCORES = (0, 9, 27)


def items_of(total: int) -> list[int]:
    """Nine answers adding up to ``total``, item 9 (self-harm) always 0."""
    items = [min(3, max(0, total - 3 * n)) for n in range(8)]
    return [*items, 0]


def patient_like(shape: HistoryPatient, *, evaluation_phq9: int) -> Any:
    """A patient with ``shape``'s answers (one PHQ-9 before each infusion given) and an evaluation
    that scored ``evaluation_phq9``."""
    patient = PatientFactory(first_name="Sam", last_name="Doe", language="en")
    plan = plan_with_baseline(patient, phq9=evaluation_phq9, signed_at=SIGNED_AT)
    for number in range(1, shape.infusions_done + 1):
        starts_at = SIGNED_AT + timedelta(days=3 * number)
        _, phq9, _ = infusion_with_questionnaires(
            plan, starts_at=starts_at, status=AppointmentStatus.COMPLETED, created_at=starts_at - timedelta(days=3)
        )
        answered(phq9, items_of(shape.phq9[number]), at=starts_at - timedelta(hours=20))
    return patient


def text_of(content: bytes) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content.decode())).split())


def what_the_patient_reads(patient: Any) -> dict[str, Any]:
    """The treatment section of /account/, and the outcome in the page's and the API's export."""
    page = Client()
    page.force_login(patient)
    account = text_of(page.get("/account/").content)
    section = account[account.index("Your treatment") : account.index("Check-ins before your sessions")]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(patient).access_token}")
    return {
        "account": section,
        "export": patient_data_export(patient=patient, now=NOW)["treatment_outcome"],
        "api": api.get("/api/v1/me/export/").json()["treatment_outcome"],
        "page_export": page.get("/account/export/").json()["treatment_outcome"],
    }


SHAPES = {shape.first_name: shape for shape in PATIENTS}


@pytest.mark.parametrize("name", list(SHAPES))
def test_nothing_the_patient_reads_changes_with_the_evaluations_score(demo_clinic, name):
    shape = SHAPES[name]
    with time_machine.travel(NOW, tick=False):
        seen = what_the_patient_reads(patient_like(shape, evaluation_phq9=shape.phq9[0]))
        for other in OTHER_EVALUATION_SCORES:
            assert what_the_patient_reads(patient_like(shape, evaluation_phq9=other)) == seen, other

    assert "at your evaluation" not in seen["account"]
    assert seen["export"] == seen["api"] == seen["page_export"]


# The words, from the latest answer and the patient's own first check-in of the plan.
EXPECTED = {
    # 17 first, 4 latest: 76% lower, down by half or more, and in the lowest range.
    "Linda": (
        "Your latest check-in about how you have been feeling scored 4 out of 27. Lower scores mean you have "
        "been feeling better. That is 76% lower than at your first check-in. Your latest score is in the lowest "
        "range: few or no signs of low mood.",
        {"change_whole_percent": 76, "direction": "lower", "response": True, "remission": True},
    ),
    # 15 first, 10 latest: 33% lower.
    "Rosa": (
        "Your latest check-in about how you have been feeling scored 10 out of 27. Lower scores mean you have "
        "been feeling better. That is 33% lower than at your first check-in.",
        {"change_whole_percent": 33, "direction": "lower", "response": False, "remission": False},
    ),
    # 20 first, 18 latest: 10% lower.
    "James": (
        "Your latest check-in about how you have been feeling scored 18 out of 27. Lower scores mean you have "
        "been feeling better. That is 10% lower than at your first check-in.",
        {"change_whole_percent": 10, "direction": "lower", "response": False, "remission": False},
    ),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_the_patient_reads_their_latest_score_against_their_own_first_check_in(demo_clinic, name):
    shape = SHAPES[name]
    words, figures = EXPECTED[name]
    with time_machine.travel(NOW, tick=False):
        seen = what_the_patient_reads(patient_like(shape, evaluation_phq9=shape.phq9[0]))

    assert words in seen["account"]
    assert seen["export"] == {
        "latest_phq9_total": shape.phq9[-1],
        "phq9_max_total": 27,
        "compared_with": "first_check_in",
        **figures,
    }


def test_a_spanish_speaking_patient_reads_it_in_spanish(demo_clinic):
    rosa = SHAPES["Rosa"]
    with time_machine.travel(NOW, tick=False):
        patient = patient_like(rosa, evaluation_phq9=rosa.phq9[0])
        patient.language = "es"
        patient.save(update_fields=["language"])
        page = Client()
        page.force_login(patient)
        words = text_of(page.get("/account/", headers={"Accept-Language": "es"}).content)

    assert "Es un 33 % más bajo que en su primer cuestionario." in words
    assert "evaluación" not in words[words.index("Su último cuestionario") :]
