"""The booking flow's words for a patient (audience.py binds them): what was done, and the
services' refusals (the API answers the same codes) as sentences for ``web.refusals``. Staff
read the services' own details."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

BOOKED = gettext_lazy("Your appointment is booked.")
MOVED = gettext_lazy("Your appointment is moved to %(when)s.")
CANCELLED = gettext_lazy("Your appointment is cancelled.")
CANCELLED_LATE = gettext_lazy("Your appointment is cancelled. It is recorded as a late cancellation.")

TAKEN = gettext_lazy("Sorry, that time has just been taken. Here are the times still open on %(day)s.")
OFF_PLAN = gettext_lazy("That day does not fit your treatment plan's spacing. Please choose another day.")
PLAN_FULL = gettext_lazy("Every session of your treatment plan is already booked. Call the clinic if you need more.")
NOT_ONLINE = gettext_lazy("That time can no longer be booked online. Please choose another time.")

# Why a chosen time could not be booked or moved to; ``%(day)s`` is the day chosen.
TIME_REFUSALS = {
    "slot_unavailable": TAKEN,
    "overlapping_appointment": TAKEN,
    "resource_busy": TAKEN,
    "future_appointment_limit": gettext_lazy(
        "You already have an upcoming visit of this kind. You can move it from your account."
    ),
    "too_short_notice": gettext_lazy(
        "That time is too soon to book online. Please choose a later time or call the clinic."
    ),
    "spacing_violation": OFF_PLAN,
    "outside_plan_window": OFF_PLAN,
    "plan_exhausted": PLAN_FULL,
    "no_active_treatment_plan": PLAN_FULL,
    "start_in_past": NOT_ONLINE,
    "beyond_booking_horizon": NOT_ONLINE,
    "off_grid": NOT_ONLINE,
}
TIME_REFUSED = gettext_lazy("That time could not be booked. Please choose another time or call the clinic.")

NOT_CHANGEABLE = gettext_lazy(
    "This appointment can no longer be changed online: it is not booked any more, or it has begun. "
    "Please call the clinic."
)
CANCEL_REFUSALS = {"invalid_status": NOT_CHANGEABLE}
