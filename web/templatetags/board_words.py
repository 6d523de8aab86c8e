"""The day board's questionnaire state and alerts in words (SPEC.md section 10): the board's
selector (``clinical.board``) names them with codes; a nurse reads sentences, never colour alone."""

from django import template

register = template.Library()

QUESTIONNAIRE_WORDS = {
    "due": "Forms due",
    "answered": "Forms answered",
}
ALERT_WORDS = {
    "self_harm": "Self-harm answer — clinician review",
    "blood_pressure": "Blood pressure past threshold",
    "heart_rate": "Heart rate past threshold",
    "spo2": "SpO2 past threshold",
    "vitals_overdue": "Vitals overdue",
    "adverse_event": "Adverse event — clinician review",
    "worsening": "PHQ-9 worsening — clinician review",
    "pregnancy_positive": "Positive pregnancy test — clinician review",
}


@register.filter
def questionnaire_words(state: object) -> str:
    return QUESTIONNAIRE_WORDS[str(state)]


@register.filter
def alert_words(alert: object) -> str:
    return ALERT_WORDS[str(alert)]


# An alert of the clinicians' queue by its kind (``clinical.models.AlertKind``).
ALERT_KIND_WORDS = {
    "vitals_threshold": "Vital signs past threshold",
    "count_discrepancy": "Controlled-substance count discrepancy — clinician review",
}


@register.filter
def alert_kind_words(kind: object) -> str:
    return ALERT_KIND_WORDS.get(str(kind)) or ALERT_WORDS[str(kind)]
