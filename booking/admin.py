"""Appointments in the Django admin: read-only, and every change goes through the booking services.

A form that wrote the row directly would skip every booking rule (a double booking on SQLite, an
exclusion constraint's 500 on PostgreSQL), the history and the patient's notice (issue 18). So
nothing here edits an appointment: its page shows it and its history, and offers two actions,
each a small form that calls the service the pages and the API call (``appointment_cancel``,
``appointment_reschedule``) as the signed-in admin, with the service's answer shown in words.
Every page here that shows a patient is a logged read (``PatientReadsLogged``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from accounts.models import User
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.appointments import appointment_cancel, appointment_reschedule
from core.admin import PatientReadsLogged, ReadOnlyAdmin
from core.errors import DomainError
from core.input_bounds import BoundedDateTimeField


class AppointmentCancelForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class AppointmentRescheduleForm(forms.Form):
    starts_at = BoundedDateTimeField(
        label="New start (clinic time)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="The clinic's wall-clock time, for example 2026-12-07 10:30.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class AppointmentEventInline(admin.TabularInline):
    """The appointment's history, as the services wrote it (never edited)."""

    model = AppointmentEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "action", "actor_role", "from_status", "to_status", "from_starts_at", "to_starts_at")
    readonly_fields = fields
    ordering = ["occurred_at", "id"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(PatientReadsLogged, ReadOnlyAdmin):
    list_display = ["starts_at", "appointment_type", "patient", "room", "staff", "nurse", "status"]
    list_filter = ["status", "appointment_type"]
    list_select_related = ["appointment_type", "patient", "room", "staff__user", "nurse__user"]
    date_hierarchy = "starts_at"
    inlines = [AppointmentEventInline]
    change_form_template = "admin/booking/appointment/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<uuid:appointment_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="booking_appointment_cancel",
            ),
            path(
                "<uuid:appointment_id>/reschedule/",
                self.admin_site.admin_view(self.reschedule_view),
                name="booking_appointment_reschedule",
            ),
        ]
        return own + super().get_urls()

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        original = context.get("original")
        context["changeable"] = original is not None and original.status == AppointmentStatus.BOOKED
        return super().render_change_form(request, context, *args, **kwargs)

    def cancel_view(self, request: HttpRequest, appointment_id: UUID) -> HttpResponse:
        appointment = self._shown(request, appointment_id)
        form = AppointmentCancelForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            done = self._through_service(
                request,
                form,
                lambda actor: appointment_cancel(
                    actor=actor, appointment_id=appointment.pk, reason=form.cleaned_data["reason"]
                ),
            )
            if done is not None:
                self.message_user(request, "Cancelled; the patient is told.", messages.SUCCESS)
                return self._back_to(appointment)
        return self._page(request, appointment, form, "cancel", "Cancel this appointment")

    def reschedule_view(self, request: HttpRequest, appointment_id: UUID) -> HttpResponse:
        appointment = self._shown(request, appointment_id)
        zone = appointment.appointment_type.clinic.zone
        with timezone.override(zone):  # the wall-clock time typed is the clinic's
            form = AppointmentRescheduleForm(request.POST if request.method == "POST" else None)
            valid = form.is_valid()
        if valid:
            starts_at: datetime = form.cleaned_data["starts_at"]
            done = self._through_service(
                request,
                form,
                lambda actor: appointment_reschedule(actor=actor, appointment_id=appointment.pk, starts_at=starts_at),
            )
            if done is not None:
                self.message_user(request, "Moved; the patient is told.", messages.SUCCESS)
                return self._back_to(appointment)
        return self._page(request, appointment, form, "reschedule", "Move this appointment")

    # -- helpers ------------------------------------------------------------------------------

    def _shown(self, request: HttpRequest, appointment_id: UUID) -> Appointment:
        appointment = (
            Appointment.objects.select_related("appointment_type__clinic", "patient").filter(pk=appointment_id).first()
        )
        if appointment is None:
            raise Http404
        if not self.has_view_permission(request, appointment):
            raise PermissionDenied
        return appointment

    def _through_service(self, request: HttpRequest, form: forms.Form, change: Any) -> Appointment | None:
        """The service's answer: the appointment changed, or None with its refusal on the form."""
        actor = request.user
        assert isinstance(actor, User)  # the admin site lets in only signed-in staff
        try:
            changed: Appointment = change(actor)
        except DomainError as refusal:
            form.add_error(None, f"Nothing was changed: {refusal.detail}")
            return None
        return changed

    def _back_to(self, appointment: Appointment) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:booking_appointment_change", args=[appointment.pk]))

    def _page(self, request: HttpRequest, appointment: Appointment, form: forms.Form, step: str, title: str) -> Any:
        self._log(request, [appointment.patient_id])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": appointment,
            "form": form,
            "title": title,
            "step": step,
            "zone": appointment.appointment_type.clinic.zone,
        }
        return TemplateResponse(request, "admin/booking/appointment/change_step.html", context)
