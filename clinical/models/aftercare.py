"""After the infusion (SPEC.md section 10): the sedation and dissociation scales recorded in the
chair, and the next-day follow-up call that the discharge creates.

The scales' item ranges and sources are in ``clinical/sedation_scales.py``; the database keeps
the ranges and the shape too.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinical.models.adverse_events import AdverseEvent
from clinical.models.infusions import InfusionRecord
from clinical.sedation_scales import CADSS6_ITEM_RANGE, CADSS6_ITEMS, MOAAS_RANGE

CADSS6_TOTAL_RANGE = (CADSS6_ITEM_RANGE[0] * CADSS6_ITEMS, CADSS6_ITEM_RANGE[1] * CADSS6_ITEMS)


class ScaleAssessment(models.Model):
    """One assessment in the chair: a MOAA/S score, a CADSS-6 (six items and their total), or both.
    Append-only in use: a later assessment supersedes an earlier one, none is edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="scale_assessments")
    assessed_at = models.DateTimeField()
    moaas = models.PositiveSmallIntegerField("MOAA/S", null=True, blank=True)
    cadss6_items = models.JSONField("CADSS-6 items", null=True, blank=True, help_text="Items 1-6, each 0-4.")
    cadss6_total = models.PositiveSmallIntegerField("CADSS-6 total", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["assessed_at", "recorded_at"]
        indexes = [models.Index(fields=["record", "assessed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(moaas__isnull=True) | (Q(moaas__gte=MOAAS_RANGE[0]) & Q(moaas__lte=MOAAS_RANGE[1])),
                name="scale_moaas_range",
            ),
            models.CheckConstraint(
                condition=(Q(cadss6_items__isnull=True) & Q(cadss6_total__isnull=True))
                | (
                    Q(cadss6_items__isnull=False)
                    & Q(cadss6_total__gte=CADSS6_TOTAL_RANGE[0])
                    & Q(cadss6_total__lte=CADSS6_TOTAL_RANGE[1])
                ),
                name="scale_cadss6_items_and_total",
            ),
            models.CheckConstraint(
                condition=Q(moaas__isnull=False) | Q(cadss6_total__isnull=False), name="scale_has_a_score"
            ),
        ]

    def __str__(self) -> str:
        return f"Scales {self.pk} of {self.record_id}"


class FollowUpCall(models.Model):
    """The call the day after an infusion: made by the discharge, due the next clinic day, on the
    nurses' list until its outcome is recorded (reached or not, how the patient is, and a new
    adverse event, recorded against the infusion, when the call found one)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.OneToOneField(InfusionRecord, on_delete=models.PROTECT, related_name="follow_up_call")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(help_text="Clinic-local date the call is due.")
    created_at = models.DateTimeField()
    reached = models.BooleanField(null=True, blank=True)
    patient_condition = models.CharField(max_length=2000, blank=True, help_text="How the patient is.")
    adverse_event = models.OneToOneField(
        AdverseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="follow_up_call"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [models.Index(fields=["recorded_at", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recorded_at__isnull=True) & Q(reached__isnull=True) & Q(recorded_by__isnull=True))
                | (Q(recorded_at__isnull=False) & Q(reached__isnull=False) & Q(recorded_by__isnull=False)),
                name="follow_up_outcome_whole",
            ),
            models.CheckConstraint(
                condition=Q(reached=True) | (Q(patient_condition="") & Q(adverse_event__isnull=True)),
                name="follow_up_condition_only_when_reached",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up call {self.pk}"
