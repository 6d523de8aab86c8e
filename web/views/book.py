"""/book/: type (skipped when only one is open to this person), day, time, review, confirm.

State lives in the query string (type code, day, start instant): nothing about the patient, so
browser history and server logs stay clean. The view only parses, calls the selectors and the
booking service the API calls, and renders; a refusal comes back as words and fresh times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from booking.availability import availability_for
from booking.services.appointments import appointment_book
from clinical.selectors import bookable_types_for
from core.errors import DomainError
from core.permissions import role_required
from core.roles import Role
from scheduling.models import AppointmentType
from web import timefmt
from web.query import query_date, start_from
from web.views.day_picker import DAYS_SHOWN, day_picker, first_day_asked, refusal_in_words


def _patient_of(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.role == Role.PATIENT else None


def _book_url(**params: str) -> str:
    return f"{reverse('book')}?{urlencode(params)}"


def _type_named(types: list[AppointmentType], code: str | None) -> AppointmentType | None:
    return next((t for t in types if t.code == code), None)


@require_GET
def book(request: HttpRequest) -> HttpResponse:
    patient = _patient_of(request)
    types = bookable_types_for(patient_id=patient.pk if patient else None)
    code = request.GET.get("type") or (types[0].code if len(types) == 1 else None)
    appointment_type = _type_named(types, code)
    if appointment_type is None:
        return render(request, "web/book_type.html", {"types": types, "unknown": code is not None})
    zone = appointment_type.clinic.zone
    today = timezone.localdate(timezone=zone)
    first_day = first_day_asked(request, today)
    slots = availability_for(
        appointment_type=appointment_type,
        first_day=first_day,
        last_day=first_day + timedelta(days=DAYS_SHOWN - 1),
        patient_id=patient.pk if patient else None,
        online=True,
    )
    code = appointment_type.code
    picker = day_picker(
        zone=zone,
        slots=slots,
        first_day=first_day,
        today=today,
        chosen=query_date(request, "day"),
        page_url=lambda params: _book_url(type=code, **params),
        time_url=lambda start: f"{reverse('book-review')}?{urlencode({'type': code, 'start': start.isoformat()})}",
    )
    context = {"appointment_type": appointment_type, "types": types, "zone": zone, "picker": picker}
    return render(request, "web/book_days.html", context)


def _review_input(request: HttpRequest, data: dict[str, str]) -> tuple[AppointmentType, datetime]:
    patient = _patient_of(request)
    types = bookable_types_for(patient_id=patient.pk if patient else None)
    appointment_type = _type_named(types, data.get("type"))
    if appointment_type is None:
        raise Http404
    return appointment_type, start_from(data)


@require_GET
def book_review(request: HttpRequest) -> HttpResponse:
    appointment_type, start = _review_input(request, request.GET.dict())
    zone = appointment_type.clinic.zone
    context = {
        "appointment_type": appointment_type,
        "start": start,
        "start_label": timefmt.time_label(start, zone),
        "change_url": _book_url(type=appointment_type.code, day=start.astimezone(zone).date().isoformat()) + "#times",
        "here": request.get_full_path(),
        "is_patient": _patient_of(request) is not None,
    }
    return render(request, "web/book_review.html", context)


@require_POST
@role_required(Role.PATIENT)
def book_confirm(request: HttpRequest) -> HttpResponse:
    appointment_type, start = _review_input(request, request.POST.dict())
    patient = _patient_of(request)
    assert patient is not None
    zone = appointment_type.clinic.zone
    try:
        appointment = appointment_book(
            actor=patient, patient=patient, appointment_type=appointment_type, starts_at=start
        )
    except DomainError as error:
        day = start.astimezone(zone).date()
        messages.error(request, refusal_in_words(error, day))
        return HttpResponseRedirect(_book_url(type=appointment_type.code, day=day.isoformat()) + "#times")
    messages.success(request, _("Your appointment is booked."))
    return HttpResponseRedirect(reverse("appointment", args=[appointment.pk]))
