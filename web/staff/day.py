"""/staff/day/: the nurses' day board (SPEC.md section 9), and its lifecycle buttons.

The board comes from one selector (``clinical.board.clinical_day_board``); each button posts to
``day_board_step``, which calls ``appointment_transition`` (the service the API calls: no rule
here) and sends the browser back to the board (Post/Redirect/Get) with the outcome in words.

With htmx the board's table refreshes itself: the same view answers a request carrying
``HX-Request`` with the table fragment alone (the template the full page includes), under a
strong ETag computed from everything the board shows; web/static/web/js/day-board.js sends it
back as ``If-None-Match`` and the view answers 304 when nothing changed. The full page carries
no ETag: a redirect back after a refused step must show the refusal, not a cached page.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from booking.models import AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.board import clinical_day_board
from controlled.selectors import board_facts
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.input_bounds import BoundedDateField
from core.permissions import role_required
from core.roles import BOOKING_STAFF_ROLES, CARE_TEAM_ROLES

# The lifecycle steps the board's buttons post (the row template offers the next ones by status);
# the service decides whether a step is allowed (a no-show only after the start time...).
STEPS = {
    "check-in": AppointmentEvent.Action.CHECKED_IN,
    "start": AppointmentEvent.Action.STARTED,
    "complete": AppointmentEvent.Action.COMPLETED,
    "no-show": AppointmentEvent.Action.NO_SHOW,
}
DONE_WORDS = {
    AppointmentStatus.CHECKED_IN: "checked in",
    AppointmentStatus.IN_PROGRESS: "started",
    AppointmentStatus.COMPLETED: "completed",
    AppointmentStatus.NO_SHOW: "marked as a no-show",
}


class BoardDayForm(forms.Form):
    date = BoundedDateField(
        required=False,
        label="Date",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only staff through
    return request.user


@require_GET
@role_required(*BOOKING_STAFF_ROLES)
def day_board(request: HttpRequest) -> HttpResponse:
    form = BoardDayForm(request.GET)
    asked = form.cleaned_data["date"] if form.is_valid() else None
    # The controlled-substance count and any open discrepancy ride on the board's own query.
    board = clinical_day_board(day=asked, day_facts=board_facts)
    show_dose = _user(request).role in CARE_TEAM_ROLES  # dose and route, as in the API's schedule
    partial = request.headers.get("HX-Request") == "true"
    etag = f'"{board.signature()}-{"dose" if show_dose else "plain"}"'
    if partial:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _uncached(not_modified)  # nothing new shown: the answer that showed it was logged
    shown = [row.appointment.patient_id for section in board.rooms for row in section.rows]
    log_patient_reads(request, "staff-day", shown + [row.appointment.patient_id for row in board.unassigned])
    context = {
        "board": board,
        "clinic": board.clinic,  # the layout's clinic, already loaded
        "form": form if form.errors else BoardDayForm(initial={"date": board.day}),
        "etag": etag,
        "show_dose": show_dose,
        "columns": 9 if show_dose else 8,
        "previous_day": board.day - timedelta(days=1),
        "next_day": board.day + timedelta(days=1),
    }
    if partial:
        response = render(request, "web/staff/day_board.html", context)
        response["ETag"] = etag
    else:
        response = render(request, "web/staff/day.html", context, status=400 if form.errors else 200)
    return _uncached(response)


def _uncached(response: HttpResponse) -> HttpResponse:
    """Always asked again (a board is live), and never shared between users or with the full page."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    return response


@require_POST
@role_required(*BOOKING_STAFF_ROLES)
def day_board_step(request: HttpRequest, appointment_id: UUID, step: str) -> HttpResponse:
    """One lifecycle step, by ``appointment_transition``; back to the board with its outcome."""
    if step not in STEPS:
        raise Http404
    action = STEPS[step]
    form = BoardDayForm(request.POST)
    back_to: date | None = form.cleaned_data["date"] if form.is_valid() else None
    try:
        appointment = appointment_transition(actor=_user(request), appointment_id=appointment_id, action=action)
    except DomainError as refusal:
        messages.error(request, f"Nothing was changed: {refusal.detail}")
    else:
        done = DONE_WORDS.get(AppointmentStatus(appointment.status), appointment.get_status_display().lower())
        messages.success(request, f"{appointment.patient.full_name}: {done}.")
    url = reverse("staff-day")
    if back_to is not None:
        url += f"?date={back_to.isoformat()}"
    return HttpResponseRedirect(url)
