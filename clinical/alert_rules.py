"""Who resolves which alert, and when an unacknowledged one escalates (SPEC.md section 10): pure
rules, no database."""

from __future__ import annotations

from datetime import timedelta

from clinical.models.alerts import AlertKind
from core.roles import Role

# The care team (core.roles.CARE_TEAM_ROLES) records the action taken on a reading's alert;
SELF_HARM_ALERT_ROLES = (Role.CLINICIAN,)  # a clinician acknowledges every other kind, with a note
# Alerts a clinician acknowledges with a note (no infusion action): all but a reading's.
NOTE_ALERT_KINDS = tuple(kind for kind in AlertKind if kind != AlertKind.VITALS_THRESHOLD)
# Not acknowledged this long after it was raised, an alert goes to every clinician.
ESCALATE_AFTER = timedelta(minutes=15)
