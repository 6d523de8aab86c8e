"""The clinical gate of the day's transitions (booking/visit_gate.py): an infusion starts only
with its baseline reading, readiness and no unacknowledged self-harm alert, and completes only
by its discharge (SPEC.md section 10)."""

from __future__ import annotations

from datetime import datetime

from booking.models import Appointment


class ClinicalVisitGate:
    def check_transition(self, *, appointment: Appointment, action: str, now: datetime) -> None:
        return None  # TODO(section 10): the start and discharge gates
