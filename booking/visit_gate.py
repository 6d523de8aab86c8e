"""The clinical questions booking asks before a day's transition, through an interface clinical/
registers (as ``plan_gate.py`` does for plans; booking never imports clinical/).

An infusion is started only with its baseline reading, readiness and no unacknowledged self-harm
alert, and completed only by its discharge (SPEC.md section 10): those rules are clinical, but the
transition is booking's, so ``appointment_transition`` asks the registered gate inside its own
transaction, with the appointment's row locked, before it writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from booking.models import Appointment


class VisitGate(Protocol):
    def check_transition(self, *, appointment: Appointment, action: str, now: datetime) -> None:
        """Raise a domain error (409 with a code naming what is missing) when the clinical record
        does not allow ``action`` (an AppointmentEvent.Action value) on ``appointment`` yet."""


_registered: list[VisitGate] = []  # at most one: the registration at app start-up


def register_visit_gate(gate: VisitGate) -> None:
    _registered[:] = [gate]


def visit_gate() -> VisitGate:
    if not _registered:
        raise RuntimeError("No visit gate is registered; is the clinical app installed?")
    return _registered[0]
