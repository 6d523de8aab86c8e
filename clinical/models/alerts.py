"""Alerts that reach a clinician (SPEC.md section 10): a reading past the clinic's thresholds, a
PHQ-9 item 9 answered above 0, a worsening PHQ-9, an adverse event of grade 3 or more or marked
serious, a positive pregnancy test, or a controlled-substance count that disagrees with the book
(section 12: raised by ``controlled/``, it belongs to no patient and no appointment). Each stays
open until someone records what was done: a nurse or clinician the action taken on a reading, a
clinician a note on any other kind. Raising and resolving: ``clinical/services/alerts.py`` only.

A self-harm answer comes from an infusion's questionnaire, or from the evaluation (SPEC.md section
4): that one belongs to the evaluation visit (``appointment``, no infusion) and is raised already
acknowledged by the suicide-risk assessment signed with it.

Overdue readings are not stored: the board computes them from the readings schedule, and the
reading itself clears them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from booking.models import Appointment
from clinical.models.adverse_events import AdverseEvent
from clinical.models.evaluations import Evaluation
from clinical.models.infusions import VitalsReading
from clinical.models.questionnaires import Questionnaire


class AlertKind(models.TextChoices):
    VITALS_THRESHOLD = "vitals_threshold", "Vital signs past a threshold"
    SELF_HARM = "self_harm", "Self-harm answer"
    COUNT_DISCREPANCY = "count_discrepancy", "Controlled-substance count discrepancy"
    ADVERSE_EVENT = "adverse_event", "Adverse event of grade 3 or more, or serious"
    WORSENING = "worsening", "PHQ-9 worsening"
    PREGNANCY_POSITIVE = "pregnancy_positive", "Positive pregnancy test"


class AlertAction(models.TextChoices):
    CONTINUED = "continued", "Infusion continued"
    PAUSED = "paused", "Infusion paused"
    STOPPED = "stopped", "Infusion stopped"


class Alert(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    # Every alert but a count discrepancy belongs to a patient and an appointment (the constraint).
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    reading = models.OneToOneField(VitalsReading, on_delete=models.PROTECT, null=True, blank=True, related_name="alert")
    # A PHQ-9 may raise two alerts, a self-harm answer and a worsening: one of each kind (below).
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.PROTECT, null=True, blank=True, related_name="self_harm_alert"
    )
    adverse_event = models.OneToOneField(
        AdverseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="alert"
    )
    reasons = models.JSONField(default=list, help_text="What was past a threshold, e.g. ['systolic'].")
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AlertAction.choices, blank=True)
    note = models.CharField(max_length=2000, blank=True)
    # Who was messaged when it was raised (None: nobody was responsible, so every clinician was).
    notified_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set once, by the escalation that claimed it (15 minutes unacknowledged: every clinician).
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [
            models.Index(fields=["appointment", "resolved_at"]),
            models.Index(fields=["raised_at"], condition=Q(resolved_at__isnull=True), name="alert_open_raised"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="vitals_threshold")
                    & Q(reading__isnull=False)
                    & Q(questionnaire__isnull=True)
                    & Q(evaluation__isnull=True)
                    & Q(adverse_event__isnull=True)
                    & Q(patient__isnull=False)
                    & Q(appointment__isnull=False)
                )
                | (
                    Q(kind="self_harm")
                    & Q(reading__isnull=True)
                    & Q(adverse_event__isnull=True)
                    & Q(patient__isnull=False)
                    & Q(appointment__isnull=False)
                    & (
                        (Q(questionnaire__isnull=False) & Q(evaluation__isnull=True))
                        | (Q(questionnaire__isnull=True) & Q(evaluation__isnull=False))
                    )
                )
                | (
                    Q(kind="worsening")
                    & Q(questionnaire__isnull=False)
                    & Q(reading__isnull=True)
                    & Q(evaluation__isnull=True)
                    & Q(adverse_event__isnull=True)
                    & Q(patient__isnull=False)
                    & Q(appointment__isnull=False)
                )
                | (
                    Q(kind="adverse_event")
                    & Q(adverse_event__isnull=False)
                    & Q(reading__isnull=True)
                    & Q(questionnaire__isnull=True)
                    & Q(evaluation__isnull=True)
                    & Q(patient__isnull=False)
                    & Q(appointment__isnull=False)
                )
                | (
                    Q(kind="pregnancy_positive")
                    & Q(reading__isnull=True)
                    & Q(questionnaire__isnull=True)
                    & Q(evaluation__isnull=True)
                    & Q(adverse_event__isnull=True)
                    & Q(patient__isnull=False)
                    & Q(appointment__isnull=False)
                )
                | (
                    Q(kind="count_discrepancy")
                    & Q(questionnaire__isnull=True)
                    & Q(reading__isnull=True)
                    & Q(evaluation__isnull=True)
                    & Q(adverse_event__isnull=True)
                    & Q(patient__isnull=True)
                    & Q(appointment__isnull=True)
                ),
                name="alert_has_its_source",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_by__isnull=False),
                name="resolved_alert_has_author",
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "kind"],
                condition=Q(questionnaire__isnull=False),
                name="one_alert_of_a_kind_per_questionnaire",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert {self.pk}"
