"""Measurement-based care (SPEC.md section 10): a PHQ-9 and a GAD-7 fall due before every infusion.

Scoring, bands and the opening/closing rules live in ``clinical/services/questionnaires.py``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from booking.models import Appointment


class QuestionnaireKind(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"


ITEM_COUNTS = {QuestionnaireKind.PHQ9: 9, QuestionnaireKind.GAD7: 7}


class Difficulty(models.TextChoices):
    """The closing question of both instruments: how difficult the problems made work, home and
    getting along with people. Recorded, never scored, and optional (SPEC.md section 10)."""

    NOT_DIFFICULT = "not_difficult", "Not difficult at all"
    SOMEWHAT = "somewhat_difficult", "Somewhat difficult"
    VERY = "very_difficult", "Very difficult"
    EXTREMELY = "extremely_difficult", "Extremely difficult"


class Questionnaire(models.Model):
    """One questionnaire due before one infusion: open from ``opens_at`` until the infusion
    starts; answered item by item by the patient, or by staff on the patient's behalf at check-in
    (``answered_by`` is then the staff member). A cancelled or moved infusion closes it
    (``closed_at``); a moved one gets a new questionnaire for its new time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questionnaires")
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="questionnaires")
    kind = models.CharField(max_length=4, choices=QuestionnaireKind.choices)
    opens_at = models.DateTimeField()
    items = models.JSONField(null=True, blank=True, help_text="The answers, 0-3 each, in item order.")
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    difficulty = models.CharField(
        max_length=19, choices=Difficulty.choices, blank=True, help_text="The closing question (not scored)."
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf = models.BooleanField(default=False, help_text="Entered by staff for the patient.")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["opens_at", "kind"]
        indexes = [models.Index(fields=["patient", "opens_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind"], condition=Q(closed_at__isnull=True), name="one_open_questionnaire"
            ),
            models.CheckConstraint(
                condition=(Q(kind="phq9") & (Q(total__isnull=True) | Q(total__lte=27)))
                | (Q(kind="gad7") & (Q(total__isnull=True) | Q(total__lte=21))),
                name="questionnaire_total_in_range",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | (Q(answered_by__isnull=False) & Q(total__isnull=False) & Q(items__isnull=False)),
                name="answered_questionnaire_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"
