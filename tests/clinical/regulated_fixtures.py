"""Consent documents and signatures written directly, for the tests that need an infusion to be
able to start (the consent rules have their own tests in test_consent.py)."""

from __future__ import annotations

from datetime import date, datetime

from accounts.models import User
from clinical.models import ConsentDocument, ConsentKind, ConsentMethod, PatientConsent

LONG_AGO = date(2020, 1, 1)


def consent_document(*, version: int = 1, effective_on: date = LONG_AGO) -> ConsentDocument:
    document, _ = ConsentDocument.objects.get_or_create(
        kind=ConsentKind.TREATMENT,
        version=version,
        defaults={
            "title_en": f"Consent to ketamine treatment, version {version}",
            "title_es": f"Consentimiento para el tratamiento con ketamina, versión {version}",
            "text_en": "I understand the treatment, its risks and its alternatives.",
            "text_es": "Entiendo el tratamiento, sus riesgos y sus alternativas.",
            "effective_on": effective_on,
        },
    )
    return document


def consented(patient: User, *, at: datetime, document: ConsentDocument | None = None) -> PatientConsent:
    """The patient's paper copy of the newest treatment consent (version 1 when none), on file."""
    document = document or ConsentDocument.objects.filter(kind=ConsentKind.TREATMENT).order_by("-version").first()
    document = document or consent_document()
    consent, _ = PatientConsent.objects.get_or_create(
        patient=patient,
        document=document,
        defaults={
            "method": ConsentMethod.PAPER,
            "language": patient.language or "en",
            "signed_at": at,
            "recorded_by": patient,
            "recorded_at": at,
        },
    )
    return consent
