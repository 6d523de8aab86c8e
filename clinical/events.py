"""What clinical tells other apps (through ``core.events``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class EvaluationSigned:
    evaluation_id: UUID
    occurred_at: datetime
