"""Reads of questionnaires and self-harm alerts: what a patient has to fill in and has answered, and
the clinicians' queue of self-harm answers to acknowledge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Q

from clinical import scoring
from clinical.models import Alert, AlertKind, Questionnaire
from clinical.questionnaire_rules import ANSWERABLE_STATUSES


@dataclass(frozen=True)
class PatientQuestionnaire:
    """One questionnaire as its patient sees it: never an alert or a clinician's note."""

    questionnaire: Questionnaire
    state: str  # "due" (open now) or "answered"

    @property
    def band(self) -> str | None:
        q = self.questionnaire
        return scoring.questionnaire_band(q.kind, q.total) if q.total is not None else None


def questionnaires_of_patient(*, patient_id: UUID, now: datetime) -> list[PatientQuestionnaire]:
    """The patient's due questionnaires (open now, before an infusion that has not started) by
    opening, then their answered ones, latest answer first (one query)."""
    due_now = Q(
        answered_at__isnull=True,
        closed_at__isnull=True,
        opens_at__lte=now,
        appointment__status__in=ANSWERABLE_STATUSES,
    )
    rows = (
        Questionnaire.objects.select_related("appointment__appointment_type__clinic")
        .filter(patient_id=patient_id)
        .filter(due_now | Q(answered_at__isnull=False))
    )
    due = sorted((row for row in rows if row.answered_at is None), key=lambda row: (row.opens_at, row.kind != "phq9"))
    answered = sorted(
        (row for row in rows if row.answered_at is not None),
        key=lambda row: (row.answered_at, row.kind == "phq9"),
        reverse=True,
    )
    return [PatientQuestionnaire(row, "due") for row in due] + [
        PatientQuestionnaire(row, "answered") for row in answered
    ]


def self_harm_alerts_open() -> list[Alert]:
    """The clinicians' queue: self-harm answers not yet acknowledged, oldest first, with the
    patient, the infusion and the questionnaire loaded (one query)."""
    return list(
        Alert.objects.select_related("patient", "appointment__appointment_type", "questionnaire")
        .filter(kind=AlertKind.SELF_HARM, resolved_at__isnull=True)
        .order_by("raised_at", "id")
    )


def questionnaires_waiting_for(*, appointment_id: UUID) -> bool:
    """Whether the appointment has a questionnaire still to answer (open or opening, not closed)."""
    return Questionnaire.objects.filter(
        appointment_id=appointment_id, answered_at__isnull=True, closed_at__isnull=True
    ).exists()
