"""Who resolves which alert, and when an unacknowledged one escalates (SPEC.md section 10): pure
rules, no database."""

from __future__ import annotations

from datetime import timedelta

from clinical.models.alerts import AlertKind
from core.roles import Role

VITALS_ALERT_ROLES = (Role.NURSE, Role.CLINICIAN)  # record the action taken on a reading's alert
SELF_HARM_ALERT_ROLES = (Role.CLINICIAN,)  # acknowledge every other kind, with a note
# Alerts a clinician acknowledges with a note (no infusion action): all but a reading's.
NOTE_ALERT_KINDS = tuple(kind for kind in AlertKind if kind != AlertKind.VITALS_THRESHOLD)
# Not acknowledged this long after it was raised, an alert goes to every clinician.
ESCALATE_AFTER = timedelta(minutes=15)
