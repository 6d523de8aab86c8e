"""Who a booking flow serves. The steps (book.py, change.py) are written once; an audience is the
small value that binds them to a reader, as MoJ's send-money views serve two payment flows with
one view chain that differ by one attribute. It says:

- who may come in (browse; book, move or cancel) and who the patient is;
- which types are offered, and with what availability (``online``: a patient books inside the
  online rules; staff also inside the notice window and beyond the online horizon);
- the words of a success or a refusal;
- the URL names and the templates of each step, and where a finished change leads;
- whether a read is written to the patient-data access log.

No rule is checked here: the services and selectors the API calls do that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from django.http import Http404, HttpRequest
from django.urls import reverse

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
from web.booking_flow.words import PATIENT_WORDS, STAFF_WORDS, Words
from web.refusals import refusal_words

if TYPE_CHECKING:  # django-stubs-ext is a development tool only
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Audience:
    """What differs between the audiences of the one booking flow (see the module's docstring)."""

    name: str
    browser_roles: tuple[str, ...] | None  # who may see the type, day and review steps (None: anyone)
    booker_roles: tuple[str, ...]  # who may confirm, move and cancel
    online: bool
    logs_reads: bool
    patient_in_url: bool  # the steps' addresses name the patient (staff's); else it is who signed in
    find_patient: Callable[[HttpRequest, UUID | None], User | None]
    offered_types: Callable[[User | None], list[AppointmentType]]
    after_change: Callable[[User, Appointment, str], str]  # where a change (done, or refused for good) leads
    url_names: Mapping[str, str]  # step -> URL name
    templates: Mapping[str, str]  # step (and "book-type") -> template name
    words: Words

    def url(self, step: str, patient: User | None, appointment: Appointment | None = None) -> str:
        args = [patient.pk] if self.patient_in_url and patient is not None else []
        return reverse(self.url_names[step], args=[*args, *([appointment.pk] if appointment else [])])

    def log_read(self, request: HttpRequest, step: str, patient: User | None) -> None:
        if self.logs_reads and patient is not None:
            log_patient_reads(request, self.url_names[step], [patient.pk])

    def say(self, sentence: StrOrPromise, **values: str) -> str:
        return str(sentence) % values if values else str(sentence)

    def time_refused(self, error: DomainError, day: date, step: str) -> str:
        """Why the chosen time could not be booked or moved to (the flow then shows that day again)."""
        default = self.words.book_refused if step == "book-confirm" else self.words.move_refused
        return refusal_words(
            error, self.words.time_refusals, default=default, day=timefmt.day_label(day), detail=error.detail
        )


# -- the patient, for themselves, online --------------------------------------------------------


def _signed_in_patient(request: HttpRequest, patient_id: UUID | None) -> User | None:
    """Whoever signed in, if a patient (anyone may browse the times before signing in)."""
    user = request.user
    return user if isinstance(user, User) and user.role == Role.PATIENT else None


def _types_open_online(patient: User | None) -> list[AppointmentType]:
    return bookable_types_for(patient_id=patient.pk if patient else None)


def _to_the_appointment(patient: User, appointment: Appointment, step: str) -> str:
    return reverse("appointment", args=[appointment.pk])


PATIENT = Audience(
    name="patient",
    browser_roles=None,
    booker_roles=(Role.PATIENT,),
    online=True,
    logs_reads=False,  # a patient reading their own times is no access to log
    patient_in_url=False,
    find_patient=_signed_in_patient,
    offered_types=_types_open_online,
    after_change=_to_the_appointment,
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
    words=PATIENT_WORDS,
)


# -- booking staff, for the patient whose chart they came from ---------------------------------


def _chart_patient(request: HttpRequest, patient_id: UUID | None) -> User | None:
    patient = patient_for_staff(patient_id=patient_id) if patient_id else None
    if patient is None:
        raise Http404
    return patient


def _types_offered(patient: User | None) -> list[AppointmentType]:
    return list(appointment_types_offered().select_related("clinic"))


def _to_the_chart(patient: User, appointment: Appointment, step: str) -> str:
    section = {"book-confirm": "#upcoming", "move-confirm": "#upcoming", "cancel": "#past"}.get(step, "")
    return reverse("staff-patient", args=[patient.pk]) + section


STAFF_FOR_PATIENT = Audience(
    name="staff",
    browser_roles=BOOKING_STAFF_ROLES,
    booker_roles=BOOKING_STAFF_ROLES,
    online=False,
    logs_reads=True,  # every page naming the patient is a read of their data
    patient_in_url=True,
    find_patient=_chart_patient,
    offered_types=_types_offered,
    after_change=_to_the_chart,
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
    words=STAFF_WORDS,
)
