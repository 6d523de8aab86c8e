"""A Hypothesis state machine: random actors book, cancel, reschedule and check in.

After every step: no two blocking appointments overlap on one room, exclusive staff member or
patient; no nurse monitors more than the type's capacity. And for a single client, availability
and booking agree: a start is offered exactly when booking it succeeds.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from booking.availability import availability_for
from booking.errors import BookingConflictError
from booking.models import BLOCKING_STATUSES, Appointment, AppointmentEvent
from booking.services.appointments import appointment_book, appointment_cancel, appointment_reschedule
from booking.services.lifecycle import appointment_transition
from clinical.errors import ClinicalConflictError
from core.errors import DomainError
from core.roles import Role
from scheduling.models import RoomKind
from tests.factories import PatientFactory, UserFactory
from tests.scheduling.conftest import CalendarBuilder

LA = ZoneInfo("America/Los_Angeles")
DAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=LA)
CHECK_IN_AT = datetime.combine(DAY, time(7), tzinfo=LA)  # check-in happens on the appointment's own clinic day
STARTS = [datetime.combine(DAY, time(8), tzinfo=LA) + timedelta(minutes=30 * k) for k in range(18)]


def _refusal(call: Callable[[], object]) -> DomainError | None:
    """The rule that said no, or None when the call went through."""
    try:
        call()
    except DomainError as error:
        return error
    return None


class BookingMachine(RuleBasedStateMachine):
    appointments = Bundle("appointments")

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        calendar = CalendarBuilder()
        calendar.open()
        calendar.staff(Role.CLINICIAN)
        calendar.staff(Role.NURSE, time(8), time(18))
        calendar.rooms(RoomKind.CONSULT, 1)
        calendar.rooms(RoomKind.INFUSION, 3)
        self.types = {
            "evaluation": calendar.evaluation_type(max_future_per_patient=1),
            "infusion": calendar.infusion_type(),
        }
        self.patients = [PatientFactory() for _ in range(3)]
        self.desk = UserFactory(role=Role.ADMIN)
        self.nurse = UserFactory(role=Role.NURSE)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _actor(self, patient_index: int, as_staff: bool):
        return self.desk if as_staff else self.patients[patient_index]

    @rule(
        target=appointments,
        patient_index=st.integers(0, 2),
        type_code=st.sampled_from(["evaluation", "infusion"]),
        start=st.sampled_from(STARTS),
        as_staff=st.booleans(),
    )
    def book(self, patient_index, type_code, start, as_staff):
        patient = self.patients[patient_index]
        appointment_type = self.types[type_code]
        online = not as_staff
        if online and type_code == "infusion":
            as_staff, online = True, False  # patients need a treatment plan for infusions
        offered = {
            slot.start
            for slot in availability_for(
                appointment_type=appointment_type,
                first_day=DAY,
                last_day=DAY,
                patient_id=patient.pk,
                online=online,
                now=NOW,
            )
        }
        try:
            appointment = appointment_book(
                actor=self._actor(patient_index, as_staff),
                patient=patient,
                appointment_type=appointment_type,
                starts_at=start,
                now=NOW,
            )
        except (BookingConflictError, ClinicalConflictError):
            assert start not in offered, "availability offered a start that booking refused"
            return None
        assert start in offered, "booking accepted a start that availability did not offer"
        return appointment.pk

    @rule(appointment_id=consumes(appointments), as_staff=st.booleans())
    def cancel(self, appointment_id, as_staff):
        if appointment_id is None:
            return
        appointment = Appointment.objects.get(pk=appointment_id)
        actor = self.desk if as_staff else appointment.patient
        refusal = _refusal(
            lambda: appointment_cancel(actor=actor, appointment_id=appointment_id, reason="changed plans", now=NOW)
        )
        if refusal is not None:
            assert refusal.code == "invalid_status"
            assert appointment.status != "booked"

    @rule(appointment_id=appointments, start=st.sampled_from(STARTS), as_staff=st.booleans())
    def reschedule(self, appointment_id, start, as_staff):
        if appointment_id is None:
            return
        before = Appointment.objects.get(pk=appointment_id)
        actor = self.desk if as_staff else before.patient
        refusal = _refusal(
            lambda: appointment_reschedule(actor=actor, appointment_id=appointment_id, starts_at=start, now=NOW)
        )
        if refusal is not None:
            assert refusal.code in {"slot_unavailable", "overlapping_appointment", "invalid_status"}
            assert Appointment.objects.get(pk=appointment_id).starts_at == before.starts_at
            return
        moved = Appointment.objects.get(pk=appointment_id)
        assert moved.starts_at == start

    @rule(appointment_id=appointments)
    def check_in(self, appointment_id):
        if appointment_id is None:
            return
        refusal = _refusal(
            lambda: appointment_transition(
                actor=self.nurse,
                appointment_id=appointment_id,
                action=AppointmentEvent.Action.CHECKED_IN,
                now=CHECK_IN_AT,
            )
        )
        if refusal is not None:
            assert refusal.code == "invalid_status"

    @invariant()
    def no_exclusive_resource_is_held_twice(self):
        rows: list[dict[str, Any]] = [
            dict(row)
            for row in Appointment.objects.filter(status__in=BLOCKING_STATUSES).values(
                "room_id", "staff_id", "patient_id", "starts_at", "ends_at", "staff_released_at", "room_released_at"
            )
        ]
        for index, first in enumerate(rows):
            for second in rows[index + 1 :]:
                for resource, end in (
                    ("room_id", "room_released_at"),
                    ("staff_id", "staff_released_at"),
                    ("patient_id", "ends_at"),
                ):
                    if first[resource] is not None and first[resource] == second[resource]:
                        assert not (first["starts_at"] < second[end] and second["starts_at"] < first[end]), resource

    @invariant()
    def no_nurse_monitors_more_than_capacity(self):
        rows = list(
            Appointment.objects.filter(status__in=BLOCKING_STATUSES, nurse__isnull=False).values(
                "nurse_id", "starts_at", "ends_at"
            )
        )
        for row in rows:
            at_once = sum(
                1
                for other in rows
                if other["nurse_id"] == row["nurse_id"] and other["starts_at"] <= row["starts_at"] < other["ends_at"]
            )
            assert at_once <= self.types["infusion"].nurse_capacity


BookingMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db
def test_random_booking_sessions_keep_every_invariant():
    BookingMachine.TestCase().runTest()
