"""The clinical access log of the evaluation API: every staff read and change, with its request id."""

from typing import Any

import pytest

from clinical.models import ClinicalAccess, Evaluation
from tests.clinical.evaluation_fixtures import (
    complete_draft_body,
    evaluations_url,
)
from tests.clinical.evaluations_api.support import (
    NOW,
    REQUEST_ID,
    access_log,
)

pytestmark = pytest.mark.django_db


# -- the clinical access log -----------------------------------------------------------------------


def test_every_staff_read_and_change_is_logged_with_the_request_id(clients, evaluation_visit, users):
    clinician = clients["clinician"]
    header = {"HTTP_X_REQUEST_ID": REQUEST_ID}

    responses: list[Any] = [
        clinician.post(evaluations_url(), {"appointment": str(evaluation_visit.pk)}, format="json", **header)
    ]
    evaluation_id = responses[0].json()["id"]
    responses.append(clinician.patch(evaluations_url(evaluation_id), complete_draft_body(), format="json", **header))
    responses.append(clinician.post(evaluations_url(evaluation_id, "sign"), **header))
    responses.append(
        clinician.post(evaluations_url(evaluation_id, "addenda"), {"text": "Note."}, format="json", **header)
    )
    for role in ("clinician", "nurse", "therapist", "admin"):
        responses.append(clients[role].get(evaluations_url(evaluation_id), **header))

    assert [response.status_code for response in responses] == [201, 200, 200, 201, 200, 200, 200, 200]
    assert {response["X-Request-ID"] for response in responses} == {REQUEST_ID}
    rows = list(
        ClinicalAccess.objects.order_by("id").values_list(
            "actor_id", "actor_role", "action", "object_type", "object_id", "occurred_at", "request_id"
        )
    )
    evaluation_pk = Evaluation.objects.get().pk
    assert rows == [
        (users[role].pk, role, action, "evaluation", evaluation_pk, NOW, REQUEST_ID)
        for role, action in [
            ("clinician", "create"),
            ("clinician", "update"),
            ("clinician", "sign"),
            ("clinician", "addendum"),
            ("clinician", "read"),
            ("nurse", "read"),
            ("therapist", "read"),
            ("admin", "read"),
        ]
    ]


def test_a_request_without_a_usable_id_is_logged_under_the_id_it_was_given(clients, signed_candidate_id):
    response: Any = clients["nurse"].get(evaluations_url(signed_candidate_id), HTTP_X_REQUEST_ID="no good!")

    assert response.status_code == 200, response.content
    given = response["X-Request-ID"]
    assert len(given) == 32
    assert given != "no good!"
    assert ClinicalAccess.objects.filter(action="read").get().request_id == given


def test_the_patients_own_reads_are_not_in_the_staff_access_log(clients, signed_candidate_id):
    log_before = access_log()

    response: Any = clients["patient"].get(evaluations_url(signed_candidate_id), HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 200, response.content
    assert response["X-Request-ID"] == REQUEST_ID
    assert access_log() == log_before


def test_refused_reads_are_not_logged(clients, draft_id):
    log_before = access_log()

    for role in ("patient", "other_patient", "anonymous"):
        assert clients[role].get(evaluations_url(draft_id)).status_code in {401, 404}

    assert access_log() == log_before
