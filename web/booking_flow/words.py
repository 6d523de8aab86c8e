"""The booking flow's words, one set per audience (audience.py binds them): what was done, and
the services' refusals (the API answers the same codes) as sentences for ``web.refusals``. A
patient reads translated sentences in the second person; staff read English and the service's
own reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:  # django-stubs-ext is a development tool only
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Words:
    """An audience's sentences; the named places are filled from what the step has."""

    booked: StrOrPromise  # %(type)s, %(when)s
    moved: StrOrPromise  # %(when)s
    cancelled: StrOrPromise
    cancelled_late: StrOrPromise
    book_refused: StrOrPromise  # a refused time the table below does not name: %(day)s, %(detail)s
    move_refused: StrOrPromise
    not_changeable: StrOrPromise  # this appointment cannot move at all: %(detail)s
    time_refusals: Mapping[str, StrOrPromise]  # a refused time's code -> sentence (%(day)s)
    cancel_refusals: Mapping[str, StrOrPromise]  # a refused cancellation's code -> sentence


TAKEN = gettext_lazy("Sorry, that time has just been taken. Here are the times still open on %(day)s.")
OFF_PLAN = gettext_lazy("That day does not fit your treatment plan's spacing. Please choose another day.")
PLAN_FULL = gettext_lazy("Every session of your treatment plan is already booked. Call the clinic if you need more.")
NOT_ONLINE = gettext_lazy("That time can no longer be booked online. Please choose another time.")
TIME_REFUSED = gettext_lazy("That time could not be booked. Please choose another time or call the clinic.")
NOT_CHANGEABLE = gettext_lazy(
    "This appointment can no longer be changed online: it is not booked any more, or it has begun. "
    "Please call the clinic."
)

PATIENT_WORDS = Words(
    booked=gettext_lazy("Your appointment is booked."),
    moved=gettext_lazy("Your appointment is moved to %(when)s."),
    cancelled=gettext_lazy("Your appointment is cancelled."),
    cancelled_late=gettext_lazy("Your appointment is cancelled. It is recorded as a late cancellation."),
    book_refused=TIME_REFUSED,
    move_refused=TIME_REFUSED,
    not_changeable=NOT_CHANGEABLE,
    # Why a chosen time could not be booked or moved to; ``%(day)s`` is the day chosen.
    time_refusals={
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
    },
    cancel_refusals={"invalid_status": NOT_CHANGEABLE},
)

STAFF_WORDS = Words(
    booked="Booked: %(type)s, %(when)s.",
    moved="Moved to %(when)s.",
    cancelled="The appointment is cancelled.",
    cancelled_late="The appointment is cancelled. It is recorded as a late cancellation.",
    book_refused="Nothing was booked: %(detail)s",
    move_refused="Nothing was moved: %(detail)s",
    not_changeable="This appointment cannot be moved: %(detail)s",
    time_refusals={},  # the service's own reason, in the sentences above
    cancel_refusals={},
)
