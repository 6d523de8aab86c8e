"""Booking: the kind of visit (skipped when only one is offered), the day and the time, "check
your answers", then the service the API calls (``appointment_book``, the actor being whoever
confirms). State lives in the query string (type code, day, start instant): nothing about the
patient, so browser history and server logs stay clean."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from accounts.models import User
from booking.availability import availability_for
from booking.models import Appointment
from booking.selectors import future_appointments_held, patient_at_future_limit
from booking.services.appointments import appointment_book
from core.errors import DomainError
from core.permissions import has_role
from scheduling.models import AppointmentType
from web import timefmt
from web.booking_flow.base import FlowStep
from web.booking_flow.day_picker import first_day_asked, last_day_shown
from web.query import start_from


def _type_named(types: list[AppointmentType], code: str | None) -> AppointmentType | None:
    return next((t for t in types if t.code == code), None)


def _held(patient: User | None, appointment_type: AppointmentType) -> list[Appointment]:
    """The visits of the type the patient already holds when they are at its limit: the page leads
    to them instead of four weeks without times."""
    now = timezone.now()
    if patient is None or not patient_at_future_limit(
        patient_id=patient.pk, appointment_type=appointment_type, now=now
    ):
        return []
    return list(future_appointments_held(patient_id=patient.pk, appointment_type=appointment_type, now=now))


class BookingStep(FlowStep):
    def chosen(self, patient: User | None, data: dict[str, str]) -> tuple[AppointmentType, datetime]:
        """The type (one the audience offers this patient, else 404) and the start to review or book."""
        appointment_type = _type_named(self.audience.offered_types(patient), data.get("type"))
        if appointment_type is None:
            raise Http404
        return appointment_type, start_from(data)


class ChooseTime(BookingStep):
    """The kind of visit, then four weeks of days with the chosen day's times (the audience's availability)."""

    step = "book"
    is_browsing = True
    http_method_names = ["get"]

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        patient = self.patient()
        types = self.audience.offered_types(patient)
        code = request.GET.get("type") or (types[0].code if len(types) == 1 else None)
        appointment_type = _type_named(types, code)
        if appointment_type is None:
            return self.render_step("book-type", {"patient": patient, "types": types, "unknown": code is not None})
        zone = appointment_type.clinic.zone
        today = timezone.localdate(timezone=zone)
        first_day = first_day_asked(request, today)
        slots = availability_for(
            appointment_type=appointment_type,
            first_day=first_day,
            last_day=last_day_shown(first_day),
            patient_id=patient.pk if patient else None,
            online=self.audience.online,
        )
        code = appointment_type.code
        picker = self.picker(
            zone=zone,
            slots=slots,
            first_day=first_day,
            today=today,
            page_url=lambda params: self.step_url("book", patient, None, type=code, **params),
            time_url=lambda start: self.step_url("book-review", patient, None, type=code, start=start.isoformat()),
        )
        context = {"patient": patient, "appointment_type": appointment_type, "types": types, "zone": zone}
        return self.render_step("book", {**context, "picker": picker, "held": _held(patient, appointment_type)})


class ReviewBooking(BookingStep):
    """Check your answers; the confirm button only for who may book (others are asked to sign in)."""

    step = "book-review"
    is_browsing = True
    http_method_names = ["get"]

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        patient = self.patient()
        appointment_type, start = self.chosen(patient, request.GET.dict())
        zone = appointment_type.clinic.zone
        day = start.astimezone(zone).date()
        context = {
            "patient": patient,
            "appointment_type": appointment_type,
            "start": start,
            "start_label": timefmt.time_label(start, zone),
            "change_url": self.day_url("book", patient, None, day, type=appointment_type.code),
            "here": request.get_full_path(),
            "may_confirm": has_role(request.user, self.audience.booker_roles),
        }
        return self.render_step("book-review", context)


class ConfirmBooking(BookingStep):
    """The booking service; a refusal goes back to the chosen day's fresh times, with why."""

    step = "book-confirm"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        patient = self.booking_patient()
        appointment_type, start = self.chosen(patient, request.POST.dict())
        zone = appointment_type.clinic.zone
        try:
            appointment = appointment_book(
                actor=self.actor(), patient=patient, appointment_type=appointment_type, starts_at=start
            )
        except DomainError as error:
            day = start.astimezone(zone).date()
            messages.error(request, self.audience.time_refused(error, day, self.step))
            return HttpResponseRedirect(self.day_url("book", patient, None, day, type=appointment_type.code))
        when = timefmt.time_label(appointment.starts_at, zone)
        messages.success(request, self.audience.say(self.audience.words.booked, type=appointment_type.name, when=when))
        return HttpResponseRedirect(self.audience.after_change(patient, appointment, self.step))
