"""The regulated record around the chair (SPEC.md section 12): consent documents as versions and
the patients' signatures, pregnancy test results, and the medication list's versions at check-in.

Every row here is written once and never changes (a PostgreSQL trigger refuses UPDATE and DELETE
of the signatures, the tests and the list versions: clinical/migrations/0008_regulated_guards.py);
a consent document is frozen once someone signed it (the admin shows it read-only then).
The rules live in ``clinical/regulated_rules.py`` and the services ``clinical/services/consent.py``,
``pregnancy.py`` and ``medications.py``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from booking.models import Appointment
from clinical.models.infusions import InfusionRecord


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Treatment"
    EVALUATION = "evaluation", "Evaluation"


class ConsentDocument(models.Model):
    """One version of a consent document, in English and Spanish; it applies to visits on or after
    ``effective_on``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=ConsentKind.choices)
    version = models.PositiveSmallIntegerField()
    title_en = models.CharField(max_length=200)
    title_es = models.CharField(max_length=200)
    text_en = models.TextField(max_length=50000)
    text_es = models.TextField(max_length=50000)
    effective_on = models.DateField(help_text="Visits on or after this day need this version.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="consent_document_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="consent_document_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} consent, version {self.version}"


class ConsentMethod(models.TextChoices):
    ONLINE = "online", "Signed online by the patient"
    PAPER = "paper", "Signed paper copy on file"


class PatientConsent(models.Model):
    """A patient's consent to one document version: signed online (typed full name, "I agree") or
    a paper copy recorded by staff. Never changes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="consents")
    method = models.CharField(max_length=6, choices=ConsentMethod.choices)
    language = models.CharField(max_length=2, choices=settings.LANGUAGES)
    typed_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="paper") | ~Q(typed_name=""), name="online_consent_has_typed_name"
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk} ({self.method})"


class PregnancyResult(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"


class PregnancyTest(models.Model):
    """A pregnancy test result of a patient, recorded at one of their infusions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="pregnancy_tests")
    result = models.CharField(max_length=8, choices=PregnancyResult.choices)
    taken_on = models.DateField(help_text="The clinic-local day the test was taken.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-taken_on", "-recorded_at"]
        indexes = [models.Index(fields=["patient", "taken_on"])]

    def __str__(self) -> str:
        return f"Pregnancy test {self.pk}"


class MedicationListVersion(models.Model):
    """A new version of the patient's medication list and allergies, recorded by the nurse at an
    infusion's check-in (the evaluation's list is version 0; older versions stay)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="medication_lists")
    # [{"name", "dose", "frequency", "drug_class"}], as the evaluation keeps it; []: none taken.
    medications = models.JSONField()
    allergies = models.TextField(blank=True, max_length=2000)
    allergies_none_known = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["patient", "recorded_at"])]

    def __str__(self) -> str:
        return f"Medication list {self.pk}"
