"""Adverse events of an infusion (SPEC.md section 10): what happened, how bad (the CTCAE grade),
whether it was serious, how related to the treatment, how it ended and what was done.

Grades follow NCI's Common Terminology Criteria for Adverse Events (CTCAE) v5.0, published
November 27, 2017 (U.S. Department of Health and Human Services, National Cancer Institute),
"Grades" in its introduction. The rules of a valid event live in ``clinical/adverse_event_rules.py``.

Rows recorded before grades existed were mapped mild/moderate/severe to grades 1/2/3 (clinical
migrations 0010 to 0012); what they never held (serious, relatedness, outcome, the listed action) stays
empty, so the database allows those blank and the service requires them of every new event.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinical.models.infusions import InfusionRecord


class AdverseEventCode(models.TextChoices):
    HYPERTENSION = "hypertension", "Hypertension"
    HYPOTENSION = "hypotension", "Hypotension"
    TACHYCARDIA = "tachycardia", "Tachycardia"
    BRADYCARDIA = "bradycardia", "Bradycardia"
    ARRHYTHMIA = "arrhythmia", "Arrhythmia"
    OXYGEN_DESATURATION = "oxygen_desaturation", "Oxygen desaturation"
    RESPIRATORY_DEPRESSION = "respiratory_depression", "Respiratory depression"
    LARYNGOSPASM = "laryngospasm", "Laryngospasm"
    ANAPHYLAXIS = "anaphylaxis", "Anaphylaxis"
    NAUSEA_VOMITING = "nausea_vomiting", "Nausea or vomiting"
    DISSOCIATION_DISTRESS = "dissociation_distress", "Distressing dissociation"
    EMERGENCE_REACTION = "emergence_reaction", "Emergence reaction"
    AGITATION = "agitation", "Agitation"
    HEADACHE = "headache", "Headache"
    DIZZINESS = "dizziness", "Dizziness"
    DIPLOPIA_NYSTAGMUS = "diplopia_nystagmus", "Double vision or nystagmus"
    INJECTION_SITE_REACTION = "injection_site_reaction", "Injection site reaction"
    OTHER = "other", "Other"


class Grade(models.IntegerChoices):
    """CTCAE v5.0's general guideline: 1 mild (asymptomatic or mild symptoms, intervention not
    indicated), 2 moderate (minimal, local or noninvasive intervention indicated), 3 severe or
    medically significant but not immediately life-threatening, 4 life-threatening consequences
    (urgent intervention indicated), 5 death related to the adverse event."""

    MILD = 1, "1 - Mild"
    MODERATE = 2, "2 - Moderate"
    SEVERE = 3, "3 - Severe"
    LIFE_THREATENING = 4, "4 - Life-threatening"
    DEATH = 5, "5 - Death"


class Relatedness(models.TextChoices):
    UNRELATED = "unrelated", "Unrelated"
    UNLIKELY = "unlikely", "Unlikely"
    POSSIBLE = "possible", "Possible"
    PROBABLE = "probable", "Probable"
    DEFINITE = "definite", "Definite"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    RESOLVING = "resolving", "Resolving"
    ONGOING = "ongoing", "Ongoing"
    RESOLVED_WITH_SEQUELAE = "resolved_with_sequelae", "Resolved with sequelae"
    FATAL = "fatal", "Fatal"


class AdverseEventAction(models.TextChoices):
    NONE = "none", "None"
    INFUSION_PAUSED = "infusion_paused", "Infusion paused"
    INFUSION_STOPPED = "infusion_stopped", "Infusion stopped"
    MEDICATION_GIVEN = "medication_given", "Medication given"
    OXYGEN_GIVEN = "oxygen_given", "Oxygen given"
    TRANSFERRED_TO_EMERGENCY = "transferred_to_emergency", "Transferred to emergency care"


class AdverseEvent(models.Model):
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="adverse_events")
    code = models.CharField(max_length=32, choices=AdverseEventCode.choices)
    description = models.CharField(max_length=500, blank=True, help_text="What happened; required for 'other'.")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    serious = models.BooleanField(null=True, blank=True, help_text="Empty only on rows from before it was asked.")
    relatedness = models.CharField(max_length=16, choices=Relatedness.choices, blank=True)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    action = models.CharField(max_length=32, choices=AdverseEventAction.choices, blank=True)
    action_detail = models.CharField(max_length=500, blank=True, help_text="The action in words (which drug...).")
    occurred_at = models.DateTimeField()
    note = models.CharField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(grade__gte=1) & Q(grade__lte=5), name="adverse_event_grade_1_to_5"),
            # CTCAE grades 4 and 5 are life-threatening or fatal: serious by definition.
            models.CheckConstraint(condition=Q(grade__lte=3) | Q(serious=True), name="adverse_event_grade_4_5_serious"),
        ]

    def __str__(self) -> str:
        return f"{self.code} (grade {self.grade}) in {self.record_id}"
