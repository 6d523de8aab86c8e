"""``{% consent_section %}``: the treatment consent's section of /account/ (what to sign, and each
signature with its PDF), so the account page takes it with one line."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from clinical.services.consent import consent_to_sign, consents_of_patient_own
from scheduling.selectors import clinic_zone

register = template.Library()


@register.inclusion_tag("web/consent/account_section.html", takes_context=True)
def consent_section(context: dict[str, Any]) -> dict[str, Any]:
    patient = context["request"].user
    assert isinstance(patient, User)
    return {
        "to_sign": consent_to_sign(patient_id=patient.pk),
        "signed": consents_of_patient_own(patient=patient),
        "zone": context.get("zone") or clinic_zone(),
    }
