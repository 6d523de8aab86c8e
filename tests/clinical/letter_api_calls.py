"""How each role calls the letters API with input valid for a role allowed to (tests/test_api_schema.py's
CALLS and the route matrix take these): the world patient's own letter (written once), and a
fresh patient's signed evaluation naming the provider for a new letter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from clinical.models import Letter
from clinical.services.letters import letter_write
from core.roles import Role
from tests.clinical.letter_fixtures import evaluation_with_provider
from tests.factories import PatientFactory, UserFactory

Request = tuple[str, str, dict[str, Any] | None]
Build = Callable[[Any, str], Request]
RECOMMENDATIONS = "Continue the current medication; we are glad to see them again."


def own_letter(world: Any) -> Letter:
    """The world patient's letter after their evaluation (one, made at the first call)."""
    letter = Letter.objects.filter(patient=world.patient).first()
    if letter is None:
        evaluation = evaluation_with_provider(world.patient, signed_at=timezone.now() - timedelta(days=40))
        letter = letter_write(
            actor=UserFactory(role=Role.CLINICIAN),
            evaluation_id=evaluation.pk,
            kind="evaluation",
            recommendations=RECOMMENDATIONS,
        )
    return letter


def _write(world: Any, role: str) -> Request:
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=timezone.now() - timedelta(days=1))
    body = {"evaluation_id": str(evaluation.pk), "kind": "evaluation", "recommendations": RECOMMENDATIONS}
    return ("POST", "/api/v1/letters/", body)


LETTER_CALLS: dict[tuple[str, str], Build] = {
    ("POST", "/api/v1/letters/"): _write,
    ("GET", "/api/v1/letters/{letter_id}/"): lambda w, r: ("GET", f"/api/v1/letters/{own_letter(w).pk}/", None),
    ("GET", "/api/v1/letters/{letter_id}/pdf/"): lambda w, r: ("GET", f"/api/v1/letters/{own_letter(w).pk}/pdf/", None),
    ("GET", "/api/v1/patients/{patient_id}/letters/"): lambda w, r: (
        "GET",
        f"/api/v1/patients/{w.patient.pk}/letters/",
        None,
    ),
}


def _page_write(world: Any, role: str) -> Request:
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=timezone.now() - timedelta(days=1))
    body = {"evaluation_id": str(evaluation.pk), "kind": "evaluation", "recommendations": RECOMMENDATIONS}
    return ("POST", f"/staff/patients/{evaluation.patient_id}/letters/", body)


LETTER_PAGES: dict[str, Build] = {
    "/staff/patients/<uuid:patient_id>/letters/": _page_write,
    "/staff/letters/<uuid:letter_id>/pdf/": lambda w, r: ("GET", f"/staff/letters/{own_letter(w).pk}/pdf/", None),
    "/account/letters/<uuid:letter_id>/pdf/": lambda w, r: ("GET", f"/account/letters/{own_letter(w).pk}/pdf/", None),
}
LETTER_PAGE_GETS = set(LETTER_PAGES)
