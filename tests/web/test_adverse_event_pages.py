"""The session page's adverse-event form and the clinicians' queue (SPEC.md section 10): every
problem in words beside its field with nothing written; a grade 3 event reaches the queue, the
board and the clinician's outbox; the clinician acknowledges it from the queue."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from clinical.models import AdverseEvent, Alert
from core.roles import Role
from notifications.models import OutboxMessage
from tests.clinical.adverse_event_fixtures import NAUSEA_FORM
from tests.clinical.infusion_fixtures import START, infusion_appointment, start
from tests.clinical.signer import plan_signer_id
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

AT = START + timedelta(minutes=20)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def nurse(demo_clinic) -> Any:
    return UserFactory(role=Role.NURSE)


@pytest.fixture
def under_way(nurse) -> Any:
    appointment = infusion_appointment(PatientFactory(first_name="Rosa", last_name="Martín"))
    start(appointment, nurse)
    return appointment


def post_event(client: Client, appointment: Any, **changes: str) -> Any:
    return client.post(
        f"/staff/infusions/{appointment.pk}/adverse-events/",
        {**NAUSEA_FORM, "event-occurred_at": "09:18", **{f"event-{name}": value for name, value in changes.items()}},
    )


def test_every_problem_is_said_beside_its_field_and_nothing_is_written(under_way, nurse):
    with time_machine.travel(AT, tick=False):
        refused = post_event(
            signed_in(nurse), under_way, code="other", grade="4", serious="no", outcome="", relatedness=""
        )
    assert refused.status_code == 400
    text = text_of(refused)
    for words in (
        "Describe the event (required for other).",
        "Grades 4 and 5 are serious.",
        "Related to the treatment Required.",
        "Outcome Required.",
    ):
        assert words in text, words
    assert "Record an adverse event" in text
    assert (AdverseEvent.objects.count(), Alert.objects.count()) == (0, 0)


def test_a_grade_3_event_reaches_the_board_and_the_clinicians_queue_and_is_acknowledged_there(under_way, nurse):
    clinician = UserFactory(role=Role.CLINICIAN)
    with time_machine.travel(AT, tick=False):
        recorded = post_event(signed_in(nurse), under_way, code="hypotension", grade="3")
        assert recorded.status_code == 302
        assert recorded["Location"].endswith("#alerts")
        record_page = text_of(signed_in(nurse).get(recorded["Location"]))
        board = text_of(signed_in(nurse).get("/staff/day/?date=2026-12-07"))
        queue = text_of(signed_in(clinician).get("/staff/"))
    alert = Alert.objects.get(kind="adverse_event")
    assert "Adverse event — clinician review · raised at 9:20 AM" in record_page
    assert "Hypotension · grade 3 - Severe at 9:18 AM" in record_page
    assert "Waiting for a clinician's acknowledgement." in record_page  # a nurse does not acknowledge it
    assert "Adverse event — clinician review" in board[board.index("Rosa Martín") :]
    assert "Rosa Martín Adverse event — clinician review · raised Monday, December 7, 2026 at 9:20 AM" in queue
    assert OutboxMessage.objects.filter(alert=alert, patient_id=plan_signer_id(under_way)).exists()

    with time_machine.travel(AT + timedelta(minutes=3), tick=False):
        done = signed_in(clinician).post(
            f"/staff/alerts/{alert.pk}/acknowledge/", {f"ack-{alert.pk}-note": "Fluids given; pressure back up."}
        )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert (alert.resolved_by_id, alert.note) == (clinician.pk, "Fluids given; pressure back up.")
    assert set(OutboxMessage.objects.filter(alert=alert).values_list("status", flat=True)) == {"cancelled"}
