"""The history of an appointment: every change appends an ``AppointmentEvent`` (append-only) and
is published on ``core.events`` for the apps that react to it (notifications, clinical)."""

from __future__ import annotations

from datetime import datetime

from accounts.models import User
from booking.events import AppointmentChanged
from booking.models import Appointment, AppointmentEvent
from core.events import publish


def history_record(
    appointment: Appointment,
    *,
    action: str,
    actor: User,
    at: datetime,
    from_status: str = "",
    to_status: str,
    from_starts_at: datetime | None = None,
    to_starts_at: datetime | None = None,
    reason: str = "",
) -> None:
    AppointmentEvent.objects.create(
        appointment=appointment,
        action=action,
        actor=actor,
        actor_role=actor.role,
        occurred_at=at,
        from_status=from_status,
        to_status=to_status,
        from_starts_at=from_starts_at,
        to_starts_at=to_starts_at,
        reason=reason,
    )
    publish(
        AppointmentChanged(
            appointment_id=appointment.pk, action=action, previous_starts_at=from_starts_at, occurred_at=at
        )
    )
