"""What clinical tells other apps (through ``core.events``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class EvaluationSigned:
    evaluation_id: UUID
    occurred_at: datetime


@dataclass(frozen=True)
class LetterWritten:
    """A letter to the referring provider was written (notifications emails it)."""

    letter_id: UUID
    occurred_at: datetime


@dataclass(frozen=True)
class AlertRaised:
    """An alert needs a clinician: message ``recipient_ids`` (staff users) at once."""

    alert_id: UUID
    recipient_ids: tuple[UUID, ...]
    occurred_at: datetime


@dataclass(frozen=True)
class AlertEscalated:
    """An alert stayed unacknowledged for 15 minutes: message every clinician."""

    alert_id: UUID
    recipient_ids: tuple[UUID, ...]
    occurred_at: datetime


@dataclass(frozen=True)
class AlertResolved:
    """Acknowledged: its messages not yet sent have nothing left to ask of anyone."""

    alert_id: UUID
    occurred_at: datetime


@dataclass(frozen=True)
class DoseGivenChanging:
    """A session record's dose given is about to change (published inside the record's lock,
    before the write). A listener that must keep the dose as it is (the controlled-substance log,
    once it has recorded the administration) refuses by raising a ``ClinicalConflictError``, and
    nothing is written."""

    appointment_id: UUID
    occurred_at: datetime
