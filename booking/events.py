"""The explicit hook through which other apps react to bookings, inside the same transaction.

booking/ never imports notifications/; notifications subscribes here when it starts (its
AppConfig.ready). Listeners run synchronously inside the writing transaction, so what they write
(outbox rows) commits or rolls back with the change itself. Not Django signals: the calls are
visible at the one place that publishes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class AppointmentChanged:
    appointment_id: UUID
    action: str  # an AppointmentEvent.Action value
    previous_starts_at: datetime | None
    occurred_at: datetime


@dataclass(frozen=True)
class EvaluationSigned:
    evaluation_id: UUID
    occurred_at: datetime


Event = AppointmentChanged | EvaluationSigned
_listeners: list[Callable[[Event], None]] = []


def subscribe(listener: Callable[[Event], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def publish(event: Event) -> None:
    for listener in list(_listeners):
        listener(event)
