"""Who a booking flow serves. The steps (web/booking_flow/steps.py) are written once; an
audience is the small value that binds them to a reader, as MoJ's send-money views serve two
payment flows with one view chain that differ by one attribute:

- who may come in (browse, and book, move or cancel) and who the patient is;
- which types are offered and with what availability (``online``: a patient books inside the
  online rules, staff also inside the notice window and beyond the online horizon);
- the words of a success or a refusal;
- the URL names and the templates of each step;
- whether a read is written to the patient-data access log.

No rule is checked here: the services and selectors the API calls do that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import patient_for_staff
from booking.models import Appointment
from clinical.selectors import bookable_types_for
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.roles import BOOKING_STAFF_ROLES, Role
from scheduling.models import AppointmentType
from scheduling.selectors import appointment_types_offered
from web import timefmt
from web.booking_flow import words
from web.refusals import refusal_words

if TYPE_CHECKING:  # django-stubs-ext is a development tool only
    from web.refusals import RefusalWords


@dataclass(frozen=True)
class Audience:
    """What differs between two audiences of the one booking flow (see the module's docstring)."""

    name: str
    browser_roles: tuple[str, ...] | None  # who may see the type, day and review steps (None: anyone)
    booker_roles: tuple[str, ...]  # who may confirm, move and cancel
    online: bool
    logs_reads: bool
    url_names: dict[str, str]  # step -> URL name
    templates: dict[str, str]  # step (and "book-type") -> template name
    cancel_refusals: RefusalWords

    def patient_of(self, request: HttpRequest, patient_id: UUID | None) -> User | None:
        raise NotImplementedError

    def types_for(self, patient: User | None) -> list[AppointmentType]:
        raise NotImplementedError

    def url(self, step: str, patient: User | None, appointment: Appointment | None = None) -> str:
        raise NotImplementedError

    def after_change_url(self, patient: User, appointment: Appointment, step: str) -> str:
        """Where a booking, a move or a cancellation (done or refused for good) leads."""
        raise NotImplementedError

    def log_read(self, request: HttpRequest, step: str, patient: User | None) -> None:
        if self.logs_reads and patient is not None:
            log_patient_reads(request, self.url_names[step], [patient.pk])

    # -- words ---------------------------------------------------------------------------------

    def booked_words(self, appointment: Appointment, zone: ZoneInfo) -> str:
        raise NotImplementedError

    def moved_words(self, appointment: Appointment, zone: ZoneInfo) -> str:
        raise NotImplementedError

    def cancelled_words(self, appointment: Appointment) -> str:
        raise NotImplementedError

    def time_refused_words(self, error: DomainError, day: date, step: str) -> str:
        """Why the chosen time could not be booked or moved to (the flow then shows that day again)."""
        raise NotImplementedError

    def not_changeable_words(self, error: DomainError) -> str:
        """Why this appointment cannot be moved at all."""
        raise NotImplementedError


class PatientAudience(Audience):
    """A patient books for themselves, online; anyone may browse the times before signing in."""

    def patient_of(self, request: HttpRequest, patient_id: UUID | None) -> User | None:
        user = request.user
        return user if isinstance(user, User) and user.role == Role.PATIENT else None

    def types_for(self, patient: User | None) -> list[AppointmentType]:
        return bookable_types_for(patient_id=patient.pk if patient else None)

    def url(self, step: str, patient: User | None, appointment: Appointment | None = None) -> str:
        return reverse(self.url_names[step], args=[appointment.pk] if appointment else [])

    def after_change_url(self, patient: User, appointment: Appointment, step: str) -> str:
        return reverse("appointment", args=[appointment.pk])

    def booked_words(self, appointment: Appointment, zone: ZoneInfo) -> str:
        return _("Your appointment is booked.")

    def moved_words(self, appointment: Appointment, zone: ZoneInfo) -> str:
        return _("Your appointment is moved to %(when)s.") % {"when": timefmt.time_label(appointment.starts_at, zone)}

    def cancelled_words(self, appointment: Appointment) -> str:
        if appointment.is_late_cancellation:
            return _("Your appointment is cancelled. It is recorded as a late cancellation.")
        return _("Your appointment is cancelled.")

    def time_refused_words(self, error: DomainError, day: date, step: str) -> str:
        return refusal_words(error, words.TIME_REFUSALS, default=words.TIME_REFUSED, day=timefmt.day_label(day))

    def not_changeable_words(self, error: DomainError) -> str:
        return str(words.NOT_CHANGEABLE)


class StaffAudience(Audience):
    """Booking staff book, move and cancel for the patient whose chart they came from, with
    staff's availability; every page they see of that patient is written to the access log."""

    def patient_of(self, request: HttpRequest, patient_id: UUID | None) -> User | None:
        patient = patient_for_staff(patient_id=patient_id) if patient_id else None
        if patient is None:
            raise Http404
        return patient

    def types_for(self, patient: User | None) -> list[AppointmentType]:
        return list(appointment_types_offered().select_related("clinic"))

    def url(self, step: str, patient: User | None, appointment: Appointment | None = None) -> str:
        assert patient is not None  # patient_of found one or answered 404
        return reverse(self.url_names[step], args=[patient.pk, *([appointment.pk] if appointment else [])])

    def after_change_url(self, patient: User, appointment: Appointment, step: str) -> str:
        section = {"book-confirm": "#upcoming", "move-confirm": "#upcoming", "cancel": "#past"}.get(step, "")
        return reverse("staff-patient", args=[patient.pk]) + section

    def booked_words(self, appointment: Appointment, zone: ZoneInfo) -> str:
        return f"Booked: {appointment.appointment_type.name}, {timefmt.time_label(appointment.starts_at, zone)}."

    def moved_words(self, appointment: Appointment, zone: ZoneInfo) -> str:
        return f"Moved to {timefmt.time_label(appointment.starts_at, zone)}."

    def cancelled_words(self, appointment: Appointment) -> str:
        late = " It is recorded as a late cancellation." if appointment.is_late_cancellation else ""
        return f"The appointment is cancelled.{late}"

    def time_refused_words(self, error: DomainError, day: date, step: str) -> str:
        undone = "Nothing was booked" if step == "book-confirm" else "Nothing was moved"
        return f"{undone}: {refusal_words(error)}"

    def not_changeable_words(self, error: DomainError) -> str:
        return f"This appointment cannot be moved: {refusal_words(error)}"


PATIENT = PatientAudience(
    name="patient",
    browser_roles=None,
    booker_roles=(Role.PATIENT,),
    online=True,
    logs_reads=False,  # a patient reading their own times is no access to log
    url_names={
        "book": "book",
        "book-review": "book-review",
        "book-confirm": "book-confirm",
        "move": "appointment-reschedule",
        "move-review": "appointment-reschedule-review",
        "move-confirm": "appointment-reschedule-confirm",
        "cancel": "appointment-cancel",
    },
    templates={
        "book-type": "web/book_type.html",
        "book": "web/book_days.html",
        "book-review": "web/book_review.html",
        "move": "web/appointment_reschedule.html",
        "move-review": "web/appointment_reschedule_review.html",
        "cancel": "web/appointment_cancel.html",
    },
    cancel_refusals=words.CANCEL_REFUSALS,
)

STAFF_FOR_PATIENT = StaffAudience(
    name="staff",
    browser_roles=BOOKING_STAFF_ROLES,
    booker_roles=BOOKING_STAFF_ROLES,
    online=False,
    logs_reads=True,
    url_names={
        "book": "staff-patient-book",
        "book-review": "staff-patient-book-review",
        "book-confirm": "staff-patient-book-confirm",
        "move": "staff-patient-move",
        "move-review": "staff-patient-move-review",
        "move-confirm": "staff-patient-move-confirm",
        "cancel": "staff-patient-cancel",
    },
    templates={
        "book-type": "web/staff/patient_book_type.html",
        "book": "web/staff/patient_book_days.html",
        "book-review": "web/staff/patient_book_review.html",
        "move": "web/staff/patient_move.html",
        "move-review": "web/staff/patient_move_review.html",
        "cancel": "web/staff/patient_cancel.html",
    },
    cancel_refusals={},  # the service's own words
)
