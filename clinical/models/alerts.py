"""Alerts on the day board (SPEC.md section 10): a reading past the clinic's thresholds, a
PHQ-9 item 9 answered above 0, or a controlled-substance count that disagrees with the book
(section 12: raised by ``controlled/``, it belongs to no patient and no appointment), or a
worsening PHQ-9 (5 or more above the patient's previous total, or 20 and above). Each stays
open until someone records what was done: a nurse the action taken on a reading, a clinician a
note acknowledging a self-harm answer or resolving a count discrepancy.

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
from clinical.models.evaluations import Evaluation
from clinical.models.infusions import VitalsReading
from clinical.models.questionnaires import Questionnaire


class AlertKind(models.TextChoices):
    VITALS_THRESHOLD = "vitals_threshold", "Vital signs past a threshold"
    SELF_HARM = "self_harm", "Self-harm answer"
    COUNT_DISCREPANCY = "count_discrepancy", "Controlled-substance count discrepancy"
    PHQ9_WORSENING = "phq9_worsening", "PHQ-9 worsening"


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
    questionnaire = models.OneToOneField(
        Questionnaire, on_delete=models.PROTECT, null=True, blank=True, related_name="alert"
    )
    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.PROTECT, null=True, blank=True, related_name="self_harm_alert"
    )
    reasons = models.JSONField(default=list, help_text="What was past a threshold, e.g. ['systolic'].")
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AlertAction.choices, blank=True)
    note = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [models.Index(fields=["appointment", "resolved_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="vitals_threshold")
                    & Q(reading__isnull=False)
                    & Q(questionnaire__isnull=True)
                    & Q(evaluation__isnull=True)
                    & Q(patient__isnull=False)
                    & Q(appointment__isnull=False)
                )
                | (
                    Q(kind="self_harm")
                    & Q(reading__isnull=True)
                    & Q(patient__isnull=False)
                    & Q(appointment__isnull=False)
                    & (
                        (Q(questionnaire__isnull=False) & Q(evaluation__isnull=True))
                        | (Q(questionnaire__isnull=True) & Q(evaluation__isnull=False))
                    )
                )
                | (
                    # A worsening PHQ-9 (no questionnaire link: that one-to-one is the self-harm
                    # alert's, and one answer may raise both).
                    Q(kind="phq9_worsening")
                    & Q(reading__isnull=True)
                    & Q(questionnaire__isnull=True)
                    & Q(evaluation__isnull=True)
                    & Q(patient__isnull=False)
                    & Q(appointment__isnull=False)
                )
                | (
                    Q(kind="count_discrepancy")
                    & Q(questionnaire__isnull=True)
                    & Q(reading__isnull=True)
                    & Q(evaluation__isnull=True)
                    & Q(patient__isnull=True)
                    & Q(appointment__isnull=True)
                ),
                name="alert_has_its_source",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_by__isnull=False),
                name="resolved_alert_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert {self.pk}"
