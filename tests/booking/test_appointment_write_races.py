"""Writes to one appointment racing a reschedule, through the API, with real threads (issue 18).

A reschedule locks the patient's row first (booking's lock order); a cancel, a questionnaire
answer and the chair's writes lock the appointment and then write rows that reference the
patient. In opposite orders the two wait on each other and PostgreSQL ends one with a deadlock
(a 500). Every write to an appointment takes the locks in the one order of booking/locking.py.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from booking.availability import availability_for
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.appointments import appointment_book, appointment_cancel
from clinical.models import Questionnaire
from core.roles import Role
from scheduling.models import AppointmentType
from tests.booking.race import OldLockOrder, race
from tests.clinical.plans import active_plan
from tests.clinical.questionnaire_fixtures import PHQ9_CALM
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 8, tzinfo=LA)  # a Tuesday morning
ROUNDS = 20
CONTROL_ROUNDS = 3  # each costs PostgreSQL's deadlock_timeout (1 s) before it is found
ANSWERS = {"200", "201", "409"}
KINDS = ["staff_cancel", "patient_cancel", "answer"]

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks to deadlock on")


def _client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def _two_starts(appointment_type: AppointmentType, patient) -> tuple[datetime, datetime]:
    day = NOW.date() + timedelta(days=2)  # Thursday: inside the questionnaires' 72 hours
    slots = availability_for(appointment_type=appointment_type, first_day=day, last_day=day, patient_id=patient.pk)
    return slots[0].start, slots[len(slots) // 2].start


def _round(desk, kind: str):
    """A booked appointment, and the two racing requests of one round."""
    patient = PatientFactory()
    code = "infusion" if kind == "answer" else "evaluation"
    if code == "infusion":
        active_plan(patient, signed_at=NOW - timedelta(days=2))
    appointment_type = AppointmentType.objects.get(code=code)
    first, second = _two_starts(appointment_type, patient)
    booked = appointment_book(actor=desk, patient=patient, appointment_type=appointment_type, starts_at=first)
    mover = _client(desk)
    move = lambda: mover.post(  # noqa: E731
        f"/api/v1/appointments/{booked.pk}/reschedule/", {"start": second.isoformat()}, format="json"
    )
    if kind == "answer":
        phq9 = Questionnaire.objects.get(appointment=booked, kind="phq9", closed_at__isnull=True)
        answerer = _client(patient)
        other = lambda: answerer.post(  # noqa: E731
            f"/api/v1/questionnaires/{phq9.pk}/answers/", {"items": PHQ9_CALM}, format="json"
        )
    else:
        canceller = _client(patient if kind == "patient_cancel" else UserFactory(role=Role.ADMIN))
        other = lambda: canceller.post(  # noqa: E731
            f"/api/v1/appointments/{booked.pk}/cancel/", {"reason": "Away."}, format="json"
        )
    return booked, (first, second), [move, other]


def _consistent(booked: Appointment, starts: tuple[datetime, datetime]) -> None:
    booked.refresh_from_db()
    events = list(AppointmentEvent.objects.filter(appointment=booked).order_by("occurred_at", "id"))
    moves = [e for e in events if e.action == AppointmentEvent.Action.RESCHEDULED]
    cancels = [e for e in events if e.action == AppointmentEvent.Action.CANCELLED]
    assert len(moves) <= 1
    assert len(cancels) <= 1
    assert booked.starts_at == (starts[1] if moves else starts[0])
    assert booked.status == (AppointmentStatus.CANCELLED if cancels else AppointmentStatus.BOOKED)


def _rounds(kind: str, rounds: int, control: OldLockOrder | None = None) -> list[str]:
    """``rounds`` races of a reschedule against ``kind``: the answers seen, each round checked."""
    desk = UserFactory(role=Role.ADMIN)
    seen: list[str] = []
    with time_machine.travel(NOW, tick=True):
        for _ in range(rounds):
            booked, starts, tasks = _round(desk, kind)
            with control.racing() if control is not None else nullcontext():
                seen += list(race(tasks).elements())
            _consistent(booked, starts)
            if booked.status == AppointmentStatus.BOOKED:  # free the times for the next round
                appointment_cancel(actor=desk, appointment_id=booked.pk, reason="Next round.")
    return seen


def _deadlocks(caplog: pytest.LogCaptureFixture) -> int:
    """The deadlocks PostgreSQL found (each run again once: booking/locking.py logs it)."""
    return sum(1 for record in caplog.records if record.name == "booking.locking" and "Deadlock" in record.message)


@pytest.mark.parametrize("kind", KINDS)
def test_a_reschedule_racing_another_write_never_deadlocks_and_never_answers_a_server_error(demo_clinic, kind, caplog):
    with caplog.at_level(logging.WARNING, logger="booking.locking"):
        seen = _rounds(kind, ROUNDS)

    assert len(seen) == 2 * ROUNDS
    assert set(seen) <= ANSWERS, seen
    assert _deadlocks(caplog) == 0


@postgres_only
@pytest.mark.parametrize("kind", KINDS)
def test_control_in_the_old_lock_order_every_round_deadlocks_and_the_retry_answers(
    demo_clinic, kind, caplog, monkeypatch
):
    control = OldLockOrder(monkeypatch)

    with caplog.at_level(logging.WARNING, logger="booking.locking"):
        seen = _rounds(kind, CONTROL_ROUNDS, control)

    assert _deadlocks(caplog) >= CONTROL_ROUNDS  # PostgreSQL ended one side of every round
    assert set(seen) <= ANSWERS, seen  # which ran again once, and answered
