"""Evaluations, their addenda, treatment plans and the clinical access log.

The models moved here from booking/; each keeps its table (``db_table``), so a database migrated
before the move goes on with the same rows (clinical/migrations/0001_move_from_booking.py).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from booking.models import Appointment
from scheduling.models import PlanCounter

# A weight to believe, in kg (the evaluation's and the infusion day's).
WEIGHT_KG_RANGE = (Decimal("25.0"), Decimal("350.0"))
# What any plan's dose may be, in mg/kg, whatever a clinic's limits (they lie inside it too).
DOSE_MG_PER_KG_RANGE = (Decimal("0.05"), Decimal("2.00"))


class SubstanceUse(models.TextChoices):
    NONE = "none", "None"
    IN_RECOVERY = "in_recovery", "In stable, long-term recovery"
    ACTIVE = "active", "Active use"


class Contraindication(models.TextChoices):
    UNCONTROLLED_HYPERTENSION = "uncontrolled_hypertension", "Uncontrolled hypertension"
    PSYCHOSIS = "psychosis", "Psychosis"
    MANIA = "mania", "Mania"
    PREGNANCY = "pregnancy", "Pregnancy"
    BREASTFEEDING = "breastfeeding", "Breastfeeding"
    GLAUCOMA = "glaucoma", "Glaucoma"
    RAISED_INTRACRANIAL_PRESSURE = "raised_intracranial_pressure", "Raised intracranial pressure"
    SEIZURE_DISORDER = "seizure_disorder", "Seizure disorder"
    ACTIVE_SUBSTANCE_MISUSE = "active_substance_misuse", "Active substance misuse"
    ACUTE_SUICIDALITY = "acute_suicidality", "Acute suicidality"
    HYPERSENSITIVITY_KETAMINE = "hypersensitivity_ketamine", "Hypersensitivity to ketamine"
    ANEURYSMAL_VASCULAR_DISEASE = (
        "aneurysmal_vascular_disease",
        "Aneurysmal vascular disease (aneurysm or arteriovenous malformation)",
    )
    INTRACEREBRAL_HEMORRHAGE_HISTORY = "intracerebral_hemorrhage_history", "History of intracerebral hemorrhage"
    SEVERE_CARDIAC_DISEASE = (
        "severe_cardiac_disease",
        "Severe cardiac disease (unstable angina, heart attack in the last 6 months, uncontrolled arrhythmia, "
        "heart failure)",
    )
    SEVERE_HEPATIC_IMPAIRMENT = "severe_hepatic_impairment", "Severe hepatic impairment"


class MedicationClass(models.TextChoices):
    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
    LAMOTRIGINE = "lamotrigine", "Lamotrigine"
    MAOI = "maoi", "MAOI"
    STIMULANT = "stimulant", "Stimulant"
    OPIOID = "opioid", "Opioid"
    ANTIPSYCHOTIC = "antipsychotic", "Antipsychotic"
    OTHER = "other", "Other"


class ChildbearingPotential(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class SuicideRiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class Decision(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    NOT_CANDIDATE = "not_candidate", "Not a candidate"
    DEFERRED = "deferred", "Deferred"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Evaluation(models.Model):
    """The clinician's record of one evaluation appointment. Signed records never change
    (a PostgreSQL trigger refuses it too); corrections are addenda."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="evaluation")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT)
    phq9_total = models.PositiveSmallIntegerField(null=True, blank=True)
    gad7_total = models.PositiveSmallIntegerField(null=True, blank=True)
    systolic_bp = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic_bp = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    # The answers item by item (0-3 each, in item order) when they are known; the total is then their sum.
    phq9_items = models.JSONField(null=True, blank=True)
    gad7_items = models.JSONField(null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    # [{"name", "dose", "frequency", "drug_class"}]; null: not recorded, []: none taken.
    medications = models.JSONField(null=True, blank=True)
    allergies = models.TextField(blank=True, max_length=2000)
    allergies_none_known = models.BooleanField(default=False)
    # Blank: not recorded, which counts as "unknown" (clinical.evaluation_rules.childbearing_potential_of).
    childbearing_potential = models.CharField(max_length=8, choices=ChildbearingPotential.choices, blank=True)
    referring_provider_name = models.CharField(max_length=200, blank=True)
    referring_provider_practice = models.CharField(max_length=200, blank=True)
    referring_provider_email = models.EmailField(blank=True)
    referring_provider_phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +14155550123")
    referring_provider_write_back_agreed = models.BooleanField(
        null=True, blank=True, help_text="Whether the patient agrees to the clinic writing back to them."
    )
    substance_use = models.CharField(max_length=16, choices=SubstanceUse.choices, blank=True)
    contraindications = models.JSONField(default=list, blank=True, help_text="Codes of Contraindication.")
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    rationale = models.TextField(blank=True, max_length=5000)
    override_reason = models.TextField(blank=True, max_length=2000)
    # The suicide-risk assessment a PHQ-9 item 9 above 0 asks for before signing.
    suicide_risk_level = models.CharField(max_length=8, choices=SuicideRiskLevel.choices, blank=True)
    suicide_risk_note = models.TextField(blank=True, max_length=1800)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "booking_evaluation"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phq9_total__isnull=True) | Q(phq9_total__lte=27), name="evaluation_phq9_range"
            ),
            models.CheckConstraint(
                condition=Q(gad7_total__isnull=True) | Q(gad7_total__lte=21), name="evaluation_gad7_range"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(signed_at__isnull=False) & Q(signed_by__isnull=False)),
                name="signed_evaluation_has_signature",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True)
                | (Q(weight_kg__gte=WEIGHT_KG_RANGE[0]) & Q(weight_kg__lte=WEIGHT_KG_RANGE[1])),
                name="evaluation_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation {self.pk} ({self.status})"


class EvaluationAddendum(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "booking_evaluationaddendum"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum to {self.evaluation_id}"


class Route(models.TextChoices):
    IV = "IV", "Intravenous"
    IM = "IM", "Intramuscular"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DISCONTINUED = "discontinued", "Discontinued"
    # A positive pregnancy test stops the series until a clinician resumes or ends it (section 12).
    SUSPENDED = "suspended", "Suspended"


class TreatmentPlan(models.Model):
    """The plan of a candidate evaluation; signing the evaluation activates it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="plan")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="treatment_plans")
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    infusions_planned = models.PositiveSmallIntegerField(default=6)
    min_days_between = models.PositiveSmallIntegerField(default=2)
    window_days = models.PositiveSmallIntegerField(default=21)
    dose_mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    route = models.CharField(max_length=2, choices=Route.choices, blank=True)
    # IV only (20-120, 40 when not given); an IM injection has none.
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    integration_sessions_planned = models.PositiveSmallIntegerField(default=0)
    notes = models.TextField(blank=True, max_length=5000)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "booking_treatmentplan"
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="active"), name="one_active_plan_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(infusions_planned__gte=1) & Q(infusions_planned__lte=12), name="plan_infusions_1_to_12"
            ),
            models.CheckConstraint(
                condition=Q(integration_sessions_planned__lte=12), name="plan_integration_sessions_0_to_12"
            ),
            models.CheckConstraint(
                condition=Q(min_days_between__gte=1) & Q(window_days__gte=1), name="plan_spacing_and_window_positive"
            ),
            models.CheckConstraint(
                condition=Q(infusion_minutes__isnull=True)
                | (Q(infusion_minutes__gte=20) & Q(infusion_minutes__lte=120) & ~Q(route="IM")),
                name="plan_infusion_minutes_iv_20_to_120",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} ({self.status})"

    def sessions_planned(self, counter: str) -> int:
        """How many sessions of a kind (an appointment type's ``counts_against_plan``) the plan holds."""
        return self.infusions_planned if counter == PlanCounter.INFUSIONS else self.integration_sessions_planned


class ClinicalAccess(models.Model):
    """Append-only audit trail: every staff read and change of a clinical record (evaluations,
    plans, infusion session records, questionnaires, alerts)."""

    class Action(models.TextChoices):
        READ = "read", "Read"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        SIGN = "sign", "Sign"
        ADDENDUM = "addendum", "Addendum"
        DISCONTINUE = "discontinue", "Discontinue plan"
        ACKNOWLEDGE = "acknowledge", "Acknowledge alert"
        DISCHARGE = "discharge", "Discharge"
        ANSWER = "answer", "Answer questionnaire"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=16)
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=32)
    object_id = models.UUIDField()
    occurred_at = models.DateTimeField()
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "booking_clinicalaccess"
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "clinical access log"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor_role} {self.action} {self.object_type} {self.object_id}"
