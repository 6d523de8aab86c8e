"""Letters to the referring provider (SPEC.md section 12): a PDF drawn from the record, kept with
the chart and never changed (append-only; PostgreSQL triggers refuse UPDATE and DELETE, migration
0013); a correction is a new letter naming the one it corrects."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinical.models.evaluations import Evaluation, TreatmentPlan
from core.append_only import AppendOnlyModel


class LetterKind(models.TextChoices):
    EVALUATION = "evaluation", "After the evaluation"
    SERIES = "series", "After the series"


class Letter(AppendOnlyModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_letters")
    kind = models.CharField(max_length=10, choices=LetterKind.choices)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="letters")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    # The provider as the evaluation named them when the letter was written.
    provider_name = models.CharField(max_length=200)
    provider_email = models.EmailField()
    recommendations = models.TextField(max_length=5000)
    pdf = models.BinaryField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=LetterKind.EVALUATION) | Q(plan__isnull=False), name="series_letter_has_plan"
            ),
            models.CheckConstraint(condition=~Q(provider_email=""), name="letter_has_provider_email"),
        ]

    def __str__(self) -> str:
        return f"Letter {self.pk} ({self.kind})"
