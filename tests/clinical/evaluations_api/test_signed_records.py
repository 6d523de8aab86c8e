"""A signed evaluation never changes (the API and the PostgreSQL triggers), and corrections
come as addenda."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from clinical.models import Evaluation, EvaluationAddendum
from tests.clinical.evaluation_fixtures import (
    evaluations_url,
)
from tests.clinical.evaluations_api.support import (
    NOW,
    NOW_ISO,
    access_log,
    assert_error,
    evaluation_row,
    plan_row,
)

pytestmark = pytest.mark.django_db


# -- a signed record never changes -----------------------------------------------------------------


def test_a_signed_evaluation_refuses_every_edit(clinician, signed_candidate_id):
    before, plan_before, log_before = evaluation_row(signed_candidate_id), plan_row(signed_candidate_id), access_log()

    response: Any = clinician.patch(
        evaluations_url(signed_candidate_id),
        {"phq9_total": 3, "rationale": "rewritten", "plan": {"infusions_planned": 12}},
        format="json",
    )

    assert_error(response, 409, "evaluation_signed")
    assert evaluation_row(signed_candidate_id) == before
    assert plan_row(signed_candidate_id) == plan_before
    assert access_log() == log_before


def test_signing_twice_is_refused_and_keeps_the_first_signature(clock, clinician_user, client_for, signed_candidate_id):
    before = evaluation_row(signed_candidate_id)
    clock.move_to(NOW + timedelta(minutes=5))

    response: Any = client_for(clinician_user).post(evaluations_url(signed_candidate_id, "sign"))

    assert_error(response, 409, "evaluation_signed")
    assert evaluation_row(signed_candidate_id) == before
    assert before["signed_at"] == NOW


def _refused_by_the_trigger() -> Any:
    return pytest.raises(DatabaseError, match="a signed evaluation never changes")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the signed-record trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_a_signed_evaluation(signed_candidate_id):
    before = evaluation_row(signed_candidate_id)

    with _refused_by_the_trigger(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE booking_evaluation SET phq9_total = 3 WHERE id = %s", [signed_candidate_id])
    with _refused_by_the_trigger(), transaction.atomic():
        Evaluation.objects.filter(pk=signed_candidate_id).update(rationale="rewritten")
    with _refused_by_the_trigger(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM booking_evaluation WHERE id = %s", [signed_candidate_id])

    assert evaluation_row(signed_candidate_id) == before
    assert before["phq9_total"] == 14


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the signed-record triggers are PostgreSQL's")
def test_the_database_refuses_to_change_the_signed_terms_of_a_plan(signed_candidate_id):
    """The plan (infusions, spacing, window, dose, route, notes) is part of the signed record
    (SPEC.md section 4); only its status and end may move on after signing."""
    before = plan_row(signed_candidate_id)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE booking_treatmentplan SET infusions_planned = 12, dose_mg_per_kg = 1.50 WHERE evaluation_id = %s",
            [signed_candidate_id],
        )

    assert plan_row(signed_candidate_id) == before


# -- addenda ---------------------------------------------------------------------------------------


def test_a_clinician_adds_an_addendum_to_a_signed_record(clients, clinician, signed_candidate_id, clinician_user):
    before = evaluation_row(signed_candidate_id)
    text = "Patient called: blood pressure at home 124/80."

    response: Any = clinician.post(evaluations_url(signed_candidate_id, "addenda"), {"text": text}, format="json")

    assert response.status_code == 201, response.content
    expected = [{"author": str(clinician_user.pk), "text": text, "created_at": NOW_ISO}]
    assert response.json()["addenda"] == expected
    addendum = EvaluationAddendum.objects.get()
    assert (addendum.evaluation_id, addendum.author_id, addendum.text, addendum.created_at) == (
        Evaluation.objects.get(pk=signed_candidate_id).pk,
        clinician_user.pk,
        text,
        NOW,
    )
    assert evaluation_row(signed_candidate_id) == before
    nurse_view: Any = clients["nurse"].get(evaluations_url(signed_candidate_id))
    assert nurse_view.json()["addenda"] == expected


def test_a_draft_takes_no_addendum(clinician, draft_id):
    response: Any = clinician.post(evaluations_url(draft_id, "addenda"), {"text": "Too early."}, format="json")

    assert_error(response, 409, "evaluation_not_signed")
    assert EvaluationAddendum.objects.count() == 0


def test_an_addendum_needs_text(clinician, signed_candidate_id):
    response: Any = clinician.post(evaluations_url(signed_candidate_id, "addenda"), {"text": ""}, format="json")

    assert_error(response, 400, "invalid")
    assert EvaluationAddendum.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("nurse", 403, "permission_denied"),
        ("therapist", 403, "permission_denied"),
        ("admin", 403, "permission_denied"),
        ("patient", 403, "permission_denied"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_only_a_clinician_adds_an_addendum(clients, signed_candidate_id, role, status, code):
    log_before = access_log()

    response: Any = clients[role].post(
        evaluations_url(signed_candidate_id, "addenda"), {"text": "Not mine to add."}, format="json"
    )

    assert_error(response, status, code)
    assert EvaluationAddendum.objects.count() == 0
    assert access_log() == log_before
