"""When a questionnaire may be answered (SPEC.md section 10): pure rules, no database. The
questionnaire service refuses with them, and the infusion page offers "Enter answers" by them.

Once only; not once closed, nor once the infusion has started (its appointment past
``ANSWERABLE_STATUSES``, or its record started); not before it opens; staff entering answers on
the patient's behalf only on the infusion's own clinic day.
"""

from __future__ import annotations

from datetime import date, datetime

from booking.models import AppointmentStatus
from core.roles import CARE_TEAM_ROLES

ON_BEHALF_ROLES = CARE_TEAM_ROLES  # the care team enters answers on a patient's behalf
# Before the infusion starts; a questionnaire of an appointment in any other state is closed.
ANSWERABLE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)

# The refusal's code and words, in the order they are checked.
ANSWER_REFUSALS = {
    "already_answered": "This questionnaire has been answered already.",
    "questionnaire_closed": "This questionnaire is closed.",
    "questionnaire_not_open": "This questionnaire is not open yet.",
    "not_today": "Staff enter a patient's answers only on the day of the visit.",
}


def answer_refusal(
    *,
    answered: bool,
    closed: bool,
    appointment_status: str,
    started: bool,
    opens_at: datetime,
    now: datetime,
    on_behalf: bool,
    visit_day: date,
    today: date,
) -> str | None:
    """Why the questionnaire cannot be answered now (a code of ``ANSWER_REFUSALS``), or None.
    ``visit_day`` and ``today`` are clinic-local dates."""
    if answered:
        return "already_answered"
    if closed or appointment_status not in ANSWERABLE_STATUSES or started:
        return "questionnaire_closed"
    if now < opens_at:
        return "questionnaire_not_open"
    if on_behalf and visit_day != today:
        return "not_today"
    return None
