"""The day board's questionnaire state and alerts in words (SPEC.md section 10): the board's
selector (``clinical.board``) names them with codes; a nurse reads sentences, never colour alone."""

from django import template

register = template.Library()

QUESTIONNAIRE_WORDS = {
    "none": "No forms",
    "not_open": "Forms not open yet",
    "due": "Forms due",
    "open": "Forms due",
    "partly_answered": "Forms partly answered",
    "partial": "Forms partly answered",
    "answered": "Forms answered",
    "answered_on_behalf": "Forms answered by staff",
    "self_harm": "Forms answered",
}
ALERT_WORDS = {
    "vitals_overdue": "Vitals overdue",
    "blood_pressure": "Blood pressure past threshold",
    "heart_rate": "Heart rate past threshold",
    "spo2": "SpO2 past threshold",
    "vitals_threshold": "Vital signs past threshold",
    "self_harm": "Self-harm answer — clinician review",
}


def _humane(code: str) -> str:
    return code.replace("_", " ").capitalize()


@register.filter
def questionnaire_words(state: object) -> str:
    return QUESTIONNAIRE_WORDS.get(str(state), _humane(str(state)))


@register.filter
def alert_words(alert: object) -> str:
    """An alert code ("vitals_overdue"), or one with its reasons ("vitals_threshold:systolic")."""
    code = str(alert)
    kind, _, reasons = code.partition(":")
    if kind == "vitals_threshold" and reasons:
        named = set(reasons.split(","))
        parts = []
        if named & {"systolic", "diastolic"}:
            parts.append("Blood pressure")
        if named & {"heart_rate_high", "heart_rate_low"}:
            parts.append("Heart rate")
        if "spo2_low" in named:
            parts.append("SpO2")
        return (" and ".join(parts) or "Vital signs") + " past threshold"
    return ALERT_WORDS.get(code, _humane(code))
