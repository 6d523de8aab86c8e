"""Reads of the chair's scales (SPEC.md section 10): what the discharge and the pages need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from clinical.models import InfusionRecord, ScaleAssessment


@dataclass(frozen=True)
class ScalesSinceEnd:
    latest_moaas: int | None  # the latest MOAA/S since the infusion ended (None: none)
    cadss6_recorded: bool  # a CADSS-6 since the infusion ended


def scales_since_end(*, record: InfusionRecord, ended_at: datetime | None, now: datetime) -> ScalesSinceEnd:
    """The scales that count for the discharge: those assessed since the infusion ended (its
    recorded end, or the type's duration after the start) and not after ``now``."""
    if ended_at is None:
        return ScalesSinceEnd(None, False)
    since_end = ScaleAssessment.objects.filter(record=record, assessed_at__gte=ended_at, assessed_at__lte=now)
    latest_moaas = (
        since_end.filter(moaas__isnull=False)
        .order_by("-assessed_at", "-recorded_at")
        .values_list("moaas", flat=True)
        .first()
    )
    return ScalesSinceEnd(latest_moaas, since_end.filter(cadss6_total__isnull=False).exists())


def scale_assessments(*, record: InfusionRecord) -> list[ScaleAssessment]:
    """The session's assessments, oldest first, with who recorded them."""
    return list(
        ScaleAssessment.objects.filter(record=record)
        .select_related("recorded_by")
        .order_by("assessed_at", "recorded_at")
    )
