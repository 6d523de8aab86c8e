"""Who may book an appointment type online: the one rule of "open online", which the availability
search, booking, the waitlist and the list of types a patient may book all ask.

A type's ``online_booking`` says who books it without the clinic:

- ``any_patient``: any patient; its times are public, so someone not signed in sees them (and signs
  in to book);
- ``active_plan``: a signed-in patient with an active treatment plan;
- ``staff_only``: nobody online; the clinic books it.

Whether a patient holds an active plan is clinical's to answer. A caller that has not asked passes
``has_active_plan=None``: the type is then open as far as this rule goes, and booking's plan gate
(``booking.plan_gate``) refuses a patient without a plan with its own reason.
"""

from __future__ import annotations

from django.db.models import Q

from scheduling.models import AppointmentType, OnlineBooking


def _open_values(*, signed_in: bool, has_active_plan: bool | None) -> tuple[OnlineBooking, ...]:
    if not signed_in or has_active_plan is False:
        return (OnlineBooking.ANY_PATIENT,)
    return (OnlineBooking.ANY_PATIENT, OnlineBooking.ACTIVE_PLAN)


def is_open_online(
    appointment_type: AppointmentType, *, signed_in: bool = True, has_active_plan: bool | None = None
) -> bool:
    """Whether a patient (``signed_in=False``: someone not signed in) may book the type online."""
    return appointment_type.online_booking in _open_values(signed_in=signed_in, has_active_plan=has_active_plan)


def open_online_filter(*, signed_in: bool, has_active_plan: bool | None) -> Q:
    """``is_open_online`` as a filter over appointment types."""
    return Q(online_booking__in=_open_values(signed_in=signed_in, has_active_plan=has_active_plan))
