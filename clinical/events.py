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
