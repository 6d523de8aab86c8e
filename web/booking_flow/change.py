"""Moving and cancelling an appointment: the times of the same type it could move to (its own
time counted free, as the API's ``?reschedule=`` search), "check your answers", then
``appointment_reschedule``; and "Cancel this appointment?" then ``appointment_cancel``. The
appointment is the patient's or the answer is 404, like a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from accounts.models import User
from booking.availability import availability_search
from booking.models import Appointment, AppointmentStatus
from booking.services.appointments import appointment_cancel, appointment_reschedule, cancellation_is_late
from core.errors import DomainError
from web import timefmt
from web.booking_flow.base import FlowStep
from web.booking_flow.day_picker import first_day_asked, last_day_shown
from web.forms import CancelForm, form_add_domain_error
from web.query import start_from


class ChooseNewTime(FlowStep):
    """Four weeks of days with the chosen day's times this appointment could move to."""

    step = "move"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        patient = self.booking_patient()
        appointment = self.appointment_of(patient)
        zone = appointment.appointment_type.clinic.zone
        today = timezone.localdate(timezone=zone)
        first_day = first_day_asked(request, today)
        try:
            search = availability_search(
                viewer=self.actor(),
                type_code=appointment.appointment_type.code,
                first_day=first_day,
                last_day=last_day_shown(first_day),
                reschedule_id=appointment.pk,
            )
        except DomainError as error:
            messages.error(request, self.audience.say(self.audience.words.not_changeable, detail=error.detail))
            return HttpResponseRedirect(self.audience.after_change(patient, appointment, self.step))
        # Its current time is where it already is, not a choice.
        slots = [slot for slot in search.slots if slot.start != appointment.starts_at]
        picker = self.picker(
            zone=zone,
            slots=slots,
            first_day=first_day,
            today=today,
            page_url=lambda params: self.step_url("move", patient, appointment, **params),
            time_url=lambda start: self.step_url("move-review", patient, appointment, start=start.isoformat()),
        )
        return self.render_step(
            "move", {"patient": patient, "appointment": appointment, "zone": zone, "picker": picker}
        )


class ReviewMove(FlowStep):
    """Check your answers: the visit, where it is now and the new time."""

    step = "move-review"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        patient = self.booking_patient()
        appointment = self.appointment_of(patient)
        start = start_from(request.GET.dict())
        zone = appointment.appointment_type.clinic.zone
        context = {
            "patient": patient,
            "appointment": appointment,
            "zone": zone,
            "start": start,
            "start_label": timefmt.time_label(start, zone),
            "change_url": self.day_url("move", patient, appointment, start.astimezone(zone).date()),
        }
        return self.render_step("move-review", context)


class ConfirmMove(FlowStep):
    """The move service; a refused time goes back to that day's fresh times, with why, and an
    appointment that cannot move any more goes back to where it is shown."""

    step = "move-confirm"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        patient = self.booking_patient()
        appointment = self.appointment_of(patient)
        start = start_from(request.POST.dict())
        zone = appointment.appointment_type.clinic.zone
        try:
            moved = appointment_reschedule(actor=self.actor(), appointment_id=appointment.pk, starts_at=start)
        except DomainError as error:
            if error.code == "invalid_status":  # not booked any more, or begun: no other time helps
                messages.error(request, self.audience.say(self.audience.words.not_changeable, detail=error.detail))
                return HttpResponseRedirect(self.audience.after_change(patient, appointment, "move"))
            day = start.astimezone(zone).date()
            messages.error(request, self.audience.time_refused(error, day, self.step))
            return HttpResponseRedirect(self.day_url("move", patient, appointment, day))
        when = timefmt.time_label(moved.starts_at, zone)
        messages.success(request, self.audience.say(self.audience.words.moved, when=when))
        return HttpResponseRedirect(self.audience.after_change(patient, moved, self.step))


class CancelAppointment(FlowStep):
    """GET asks "Cancel this appointment?" (saying when it counts as late); POST cancels."""

    step = "cancel"
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        patient = self.booking_patient()
        return self.page(CancelForm(), patient, self.appointment_of(patient))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        patient = self.booking_patient()
        appointment = self.appointment_of(patient)
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.page(form, patient, appointment, status=400)
        try:
            cancelled = appointment_cancel(
                actor=self.actor(), appointment_id=appointment.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_domain_error(form, error, self.audience.words.cancel_refusals)
            return self.page(form, patient, appointment)  # the question again, with the refusal in words
        words = self.audience.words
        done = words.cancelled_late if cancelled.is_late_cancellation else words.cancelled
        messages.success(request, self.audience.say(done))
        return HttpResponseRedirect(self.audience.after_change(patient, cancelled, self.step))

    def page(self, form: CancelForm, patient: User, appointment: Appointment, status: int = 200) -> HttpResponse:
        context = {
            "patient": patient,
            "appointment": appointment,
            "zone": appointment.appointment_type.clinic.zone,
            "form": form,
            "is_cancellable": appointment.status == AppointmentStatus.BOOKED,
            "is_late": cancellation_is_late(starts_at=appointment.starts_at, now=timezone.now()),
        }
        return self.render_step("cancel", context, status=status)
