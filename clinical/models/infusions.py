"""What happens in the infusion chair (SPEC.md section 10): the session record of one infusion
appointment, its vital signs readings, and the clinic's alert thresholds (adverse events:
``clinical/models/adverse_events.py``).

The rules (the dose, the readings schedule, the gates of start and discharge) live in
``clinical/infusion_rules.py``, ``clinical/dosing.py`` and ``clinical/readings_schedule.py``, the
writes in ``clinical/services/``; the database keeps the physiological ranges and the shape.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from booking.models import Appointment

# WEIGHT_KG_RANGE is the evaluation's too; the session record's users import it from here.
from clinical.models.evaluations import DOSE_MG_PER_KG_RANGE, WEIGHT_KG_RANGE, TreatmentPlan
from scheduling.models import Clinic

# Physiological ranges a reading must fall in to be believed (a typo, not a patient, outside them).
SYSTOLIC_RANGE = (50, 300)
DIASTOLIC_RANGE = (20, 200)
HEART_RATE_RANGE = (20, 250)
SPO2_RANGE = (50, 100)
DOSE_GIVEN_MG_RANGE = (Decimal("0.1"), Decimal("99999.9"))  # more than nothing; the column's width


class MedicationsReview(models.TextChoices):
    NO_CHANGE = "no_change", "Reviewed: no change"
    UPDATED = "updated", "Reviewed: updated"


class InfusionRecord(models.Model):
    """The session record of one infusion appointment, written by nurses (a clinician may too).

    ``started_at`` is the appointment's real start (its "start" transition), the origin of the
    readings schedule; ``infusion_ended_at`` is when the nurse stopped the infusion (empty: the
    type's planned duration after the start); the appointment completes with the discharge.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="infusion_record")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="infusion_records")
    weight_kg = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(WEIGHT_KG_RANGE[0]), MaxValueValidator(WEIGHT_KG_RANGE[1])],
    )
    weight_measured_on = models.DateField(null=True, blank=True, help_text="Clinic-local date of the weighing.")
    dose_mg_per_kg = models.DecimalField(
        max_digits=4, decimal_places=2, null=True, blank=True, help_text="The plan's, when the weight was recorded."
    )
    planned_dose_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    dose_given_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    dose_reason = models.CharField(max_length=500, blank=True, help_text="Why less than planned was given.")
    # The nurse's own readiness record at check-in (the patient may have confirmed it online instead).
    readiness_checked_at = models.DateTimeField(null=True, blank=True)
    readiness_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The nurse's record at check-in that the medication list was reviewed (no change, or updated).
    medications_review = models.CharField(max_length=9, choices=MedicationsReview.choices, blank=True)
    medications_reviewed_at = models.DateTimeField(null=True, blank=True)
    medications_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    infusion_ended_at = models.DateTimeField(null=True, blank=True)
    # The discharge checklist.
    alert_and_oriented = models.BooleanField(default=False)
    escort_present = models.BooleanField(default=False)
    walking_steadily = models.BooleanField(default=False)
    instructions_given = models.BooleanField("Written discharge instructions given", default=False)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(dose_given_mg__isnull=True) | Q(dose_given_mg__gt=0), name="infusion_dose_given_positive"
            ),
            models.CheckConstraint(
                condition=Q(infusion_ended_at__isnull=True)
                | (Q(started_at__isnull=False) & Q(infusion_ended_at__gt=F("started_at"))),
                name="infusion_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(discharged_by__isnull=False),
                name="infusion_discharge_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"Infusion record {self.pk}"


class VitalsReading(models.Model):
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="readings")
    taken_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SYSTOLIC_RANGE[0]), MaxValueValidator(SYSTOLIC_RANGE[1])]
    )
    diastolic = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(DIASTOLIC_RANGE[0]), MaxValueValidator(DIASTOLIC_RANGE[1])]
    )
    heart_rate = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(HEART_RATE_RANGE[0]), MaxValueValidator(HEART_RATE_RANGE[1])]
    )
    spo2 = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SPO2_RANGE[0]), MaxValueValidator(SPO2_RANGE[1])]
    )
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [models.Index(fields=["record", "taken_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(systolic__gte=SYSTOLIC_RANGE[0])
                & Q(systolic__lte=SYSTOLIC_RANGE[1])
                & Q(diastolic__gte=DIASTOLIC_RANGE[0])
                & Q(diastolic__lte=DIASTOLIC_RANGE[1])
                & Q(diastolic__lt=F("systolic"))
                & Q(heart_rate__gte=HEART_RATE_RANGE[0])
                & Q(heart_rate__lte=HEART_RATE_RANGE[1])
                & Q(spo2__gte=SPO2_RANGE[0])
                & Q(spo2__lte=SPO2_RANGE[1]),
                name="vitals_physiological_ranges",
            ),
        ]

    def __str__(self) -> str:
        return f"Reading {self.pk} of {self.record_id}"


class PredoseOverride(models.Model):
    """A clinician's decision that the infusion may start although the baseline reading is past
    the pre-dose limits (SPEC.md section 10): append-only, one row per decision, with its note."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="predose_overrides")
    note = models.CharField(max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at"]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="predose_override_has_note")]

    def __str__(self) -> str:
        return f"Pre-dose override {self.pk}"


def _dose_limit(label: str, default: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(DOSE_MG_PER_KG_RANGE[0]), MaxValueValidator(DOSE_MG_PER_KG_RANGE[1])],
    )


class ClinicThresholds(models.Model):
    """The clinic's clinical limits (an admin edits them; SPEC.md's defaults until changed).

    Vital signs alert thresholds (section 10): a reading is past one when systolic >=
    ``systolic_at_least``, diastolic >= ``diastolic_at_least``, heart rate >=
    ``heart_rate_at_least`` or <= ``heart_rate_at_most``, or SpO2 < ``spo2_below``.

    Dose limits (section 4): a plan's mg/kg lies within its route's range, both ends included;
    a single dose is never above ``single_dose_cap_mg``.
    """

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="vitals_thresholds")
    systolic_at_least = models.PositiveSmallIntegerField(default=180)
    diastolic_at_least = models.PositiveSmallIntegerField(default=110)
    heart_rate_at_least = models.PositiveSmallIntegerField(default=130)
    heart_rate_at_most = models.PositiveSmallIntegerField(default=45)
    spo2_below = models.PositiveSmallIntegerField(default=92, validators=[MaxValueValidator(100)])
    iv_dose_min_mg_per_kg = _dose_limit("IV dose, lowest (mg/kg)", "0.10")
    iv_dose_max_mg_per_kg = _dose_limit("IV dose, highest (mg/kg)", "1.00")
    im_dose_min_mg_per_kg = _dose_limit("IM dose, lowest (mg/kg)", "0.10")
    im_dose_max_mg_per_kg = _dose_limit("IM dose, highest (mg/kg)", "1.00")
    # Pre-dose limits (section 10): the baseline is out of range when systolic >= 160, diastolic
    # >= 100, heart rate >= 110 or < 50, or SpO2 < 94, unless a clinician overrides.
    predose_systolic_at_least = models.PositiveSmallIntegerField("Pre-dose systolic, at least", default=160)
    predose_diastolic_at_least = models.PositiveSmallIntegerField("Pre-dose diastolic, at least", default=100)
    predose_heart_rate_at_least = models.PositiveSmallIntegerField("Pre-dose heart rate, at least", default=110)
    predose_heart_rate_below = models.PositiveSmallIntegerField("Pre-dose heart rate, below", default=50)
    predose_spo2_below = models.PositiveSmallIntegerField(
        "Pre-dose SpO2, below", default=94, validators=[MaxValueValidator(100)]
    )
    single_dose_cap_mg = models.DecimalField(
        "Single dose cap (mg)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("100.0"),
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="No single dose above it without a dose order that covers it.",
    )
    # Discharge (section 10): the latest reading back near the patient's own baseline: systolic
    # and diastolic at most this percent above the baseline reading, heart rate under, SpO2 at least.
    discharge_rise_percent = models.PositiveSmallIntegerField(
        "Discharge: at most this % above the baseline pressure", default=20, validators=[MaxValueValidator(100)]
    )
    discharge_heart_rate_below = models.PositiveSmallIntegerField("Discharge: heart rate below", default=110)
    discharge_spo2_at_least = models.PositiveSmallIntegerField(
        "Discharge: SpO2 at least", default=94, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = "clinical limits"
        verbose_name_plural = "clinical limits"
        constraints = [
            models.CheckConstraint(
                condition=Q(heart_rate_at_most__lt=F("heart_rate_at_least"))
                & Q(diastolic_at_least__lt=F("systolic_at_least"))
                & Q(spo2_below__lte=100),
                name="thresholds_are_coherent",
            ),
            models.CheckConstraint(
                condition=Q(iv_dose_min_mg_per_kg__gte=DOSE_MG_PER_KG_RANGE[0])
                & Q(iv_dose_min_mg_per_kg__lte=F("iv_dose_max_mg_per_kg"))
                & Q(iv_dose_max_mg_per_kg__lte=DOSE_MG_PER_KG_RANGE[1])
                & Q(im_dose_min_mg_per_kg__gte=DOSE_MG_PER_KG_RANGE[0])
                & Q(im_dose_min_mg_per_kg__lte=F("im_dose_max_mg_per_kg"))
                & Q(im_dose_max_mg_per_kg__lte=DOSE_MG_PER_KG_RANGE[1])
                & Q(single_dose_cap_mg__gt=0),
                name="dose_limits_are_coherent",
                violation_error_message="Each route's lowest dose is at most its highest, both within 0.05 to "
                "2.00 mg/kg, and the single-dose cap is above 0.",
            ),
        ]

    def __str__(self) -> str:
        return f"Thresholds of {self.clinic}"
