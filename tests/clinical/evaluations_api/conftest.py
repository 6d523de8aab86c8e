"""Fixtures of the evaluation API's tests: the clock stands at NOW, a client per role, the
patient's evaluation visit, an empty draft and a signed candidate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from booking.models import Appointment
from tests.clinical.evaluation_fixtures import evaluation_appointment, evaluations_url, fill_complete_draft, open_draft
from tests.clinical.evaluations_api.support import LA, NOW


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    """The clock stands still at NOW; tests that move it make their clients afterwards."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def evaluation_visit(demo_clinic, patient) -> Appointment:
    """The patient's evaluation appointment, this morning, completed."""
    return evaluation_appointment(patient, starts_at=datetime(2026, 12, 3, 10, tzinfo=LA))


@pytest.fixture
def users(patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user) -> dict[str, User]:
    return {
        "patient": patient,
        "other_patient": other_patient,
        "nurse": nurse_user,
        "clinician": clinician_user,
        "therapist": therapist_user,
        "admin": admin_user,
    }


@pytest.fixture
def clinician(clients) -> APIClient:
    return clients["clinician"]


@pytest.fixture
def draft_id(clinician, evaluation_visit) -> str:
    """An empty draft of the evaluation visit."""
    return open_draft(clinician, evaluation_visit)


@pytest.fixture
def signed_candidate_id(clinician, draft_id) -> str:
    """A signed candidate evaluation (no substance use, no contraindications): its plan is active."""
    fill_complete_draft(clinician, draft_id)
    response: Any = clinician.post(evaluations_url(draft_id, "sign"))
    assert response.status_code == 200, response.content
    return draft_id
