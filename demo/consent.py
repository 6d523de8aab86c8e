"""The demo clinic's treatment consent (SPEC.md section 12), version 1 in English and Spanish, and
each demo patient's signature on /account/, in their own language, after their evaluation."""

from __future__ import annotations

from datetime import date, datetime

from accounts.models import User
from clinical.models import ConsentDocument, ConsentKind
from clinical.services.consent import consent_sign

EFFECTIVE_ON = date(2026, 1, 1)

TEXT_EN = """You are asked to agree to a series of ketamine infusions for depression. Ketamine is used \
for depression outside its approved labelling; your clinician explained why it was offered to you \
and what the other treatments are.

During and after each infusion you may feel detached, dizzy or sick, and your blood pressure and \
heart rate may rise. A nurse watches you and checks your vital signs until you are ready to go \
home. You must not drive until the next day, and an adult must take you home.

You can stop the treatment at any time. Tell the clinic about every medicine you take and about \
any chance of pregnancy."""

TEXT_ES = """Se le pide que acepte una serie de infusiones de ketamina para la depresión. La \
ketamina se usa para la depresión fuera de su indicación aprobada; su médico le explicó por qué se \
la ofrece y cuáles son los otros tratamientos.

Durante y después de cada infusión puede sentirse desconectado, mareado o con náuseas, y su presión \
arterial y su pulso pueden subir. Una enfermera lo observa y controla sus signos vitales hasta que \
esté listo para irse a casa. No debe manejar hasta el día siguiente, y un adulto debe llevarlo a casa.

Puede dejar el tratamiento en cualquier momento. Informe a la clínica de todos los medicamentos que \
toma y de cualquier posibilidad de embarazo."""


def demo_consent_document() -> ConsentDocument:
    document, _ = ConsentDocument.objects.get_or_create(
        kind=ConsentKind.TREATMENT,
        version=1,
        defaults={
            "title_en": "Consent to ketamine infusion treatment",
            "title_es": "Consentimiento para el tratamiento con infusiones de ketamina",
            "text_en": TEXT_EN,
            "text_es": TEXT_ES,
            "effective_on": EFFECTIVE_ON,
        },
    )
    return document


def demo_consent_sign(patient: User, *, at: datetime) -> None:
    """The patient signs on /account/ in their language, typing their full name."""
    consent_sign(
        actor=patient,
        document_id=demo_consent_document().pk,
        typed_name=f"{patient.first_name} {patient.last_name}",
        agreed=True,
        language=patient.language,
        now=at,
    )
