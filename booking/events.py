"""What booking tells other apps (through ``core.events``): an appointment changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class AppointmentChanged:
    appointment_id: UUID
    action: str  # an AppointmentEvent.Action value
    previous_starts_at: datetime | None
    occurred_at: datetime
