"""What every step of the booking flow does the same way for both audiences: the gate, who the
patient is, how their appointment is found, the addresses of the steps, the day picker and the
rendering of the audience's template."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar, cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views import View

from accounts.models import User
from booking.availability import Slot
from booking.models import Appointment
from booking.selectors import appointment_visible_to
from core.permissions import role_required
from web.booking_flow.audience import Audience
from web.booking_flow.day_picker import DayPicker, day_picker
from web.query import query_date


class FlowStep(View):
    """One step of the flow; the URL files bind it to an audience (``Step.as_view(audience=...)``)."""

    audience: Audience = None  # type: ignore[assignment]  # bound by as_view() in the URL files
    step: ClassVar[str]
    is_browsing: ClassVar[bool] = False  # a step the audience's browsers see (type, day, review)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A wrong method is a 405 before anyone is asked to sign in (as Django's require_GET).
        if (request.method or "").lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        roles = self.audience.browser_roles if self.is_browsing else self.audience.booker_roles
        handler = cast(Callable[..., HttpResponse], super().dispatch)
        if roles is not None:
            handler = role_required(*roles)(handler)
        return handler(request, *args, **kwargs)

    def actor(self) -> User:
        assert isinstance(self.request.user, User)  # the gate let only the audience's bookers through
        return self.request.user

    def patient(self) -> User | None:
        """The patient booked for: the audience says who (a 404 when staff name no patient)."""
        return self.audience.find_patient(self.request, self.kwargs.get("patient_id"))

    def booking_patient(self) -> User:
        patient = self.patient()
        assert patient is not None  # the gate let only the audience's bookers through
        return patient

    def appointment_of(self, patient: User) -> Appointment:
        """The patient's appointment named in the address; another's answers 404, like a missing one."""
        appointment = appointment_visible_to(viewer=self.actor(), appointment_id=self.kwargs["appointment_id"])
        if appointment is None or appointment.patient_id != patient.pk:
            raise Http404
        return appointment

    def step_url(self, step: str, patient: User | None, appointment: Appointment | None = None, **params: str) -> str:
        url = self.audience.url(step, patient, appointment)
        return f"{url}?{urlencode(params)}" if params else url

    def day_url(
        self, step: str, patient: User | None, appointment: Appointment | None, day: date, **params: str
    ) -> str:
        """The day list of ``step`` opened at ``day``'s times (where a refusal or "change" leads)."""
        return self.step_url(step, patient, appointment, **params, day=day.isoformat()) + "#times"

    def picker(
        self,
        *,
        zone: ZoneInfo,
        slots: list[Slot],
        first_day: date,
        today: date,
        page_url: Callable[[dict[str, str]], str],
        time_url: Callable[[datetime], str],
    ) -> DayPicker:
        chosen = query_date(self.request, "day")
        return day_picker(
            zone=zone,
            slots=slots,
            first_day=first_day,
            today=today,
            chosen=chosen,
            page_url=page_url,
            time_url=time_url,
        )

    def render_step(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        """The audience's template of ``template``, after the read is logged where the audience logs."""
        self.audience.log_read(self.request, self.step, context.get("patient"))
        return render(self.request, self.audience.templates[template], context, status=status)
