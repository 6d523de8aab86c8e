"""/staff/calendar-feed/ and /calendar/<token>.ics: a staff member's own upcoming appointments as
a calendar subscription behind a secret, revocable URL.

The page makes a feed (the URL is shown once, on the answer to that POST: only the token's hash
is stored), says whether one is active, and revokes it. The feed needs no session: the token is
the key; an unknown or revoked one, or one of a deactivated owner, answers 404. Calendars are
synced to phones and shared, so an event names no patient and no treatment:
"Visit (R. M.) \u2013 Consult 1" (an en dash), the patient's initials and the room as stored,
or "Room <id>" when the room's name holds a treatment word.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe
from icalendar import Calendar, Event

from accounts.models import User
from booking.feed_selectors import calendar_feed_active, calendar_feed_for_token
from booking.models import Appointment
from booking.services.calendar_feeds import calendar_feed_create, calendar_feed_revoke
from core.access_log import patient_data_read
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import STAFF_ROLES
from scheduling.selectors import clinic_zone
from web.actor import actor_of

SEPARATOR = " \u2013 "  # an en dash between who and where
# Words a synced calendar must never carry (a diagnosis or a treatment, SPEC.md section 9).
FORBIDDEN_WORDS = re.compile(r"ketamine|infusion|evaluation|psychiatric|depression|addiction", re.IGNORECASE)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_ROLES)
def calendar_feed_page(request: HttpRequest) -> HttpResponse:
    """GET: whether a feed is active. POST action=create: a new one (the URL shown this once,
    the old one revoked); POST action=revoke: no feed any more."""
    actor = actor_of(request)
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if calendar_feed_revoke(actor=actor):
                messages.success(request, "Your calendar feed is turned off. Its address no longer works.")
            return HttpResponseRedirect(reverse("staff-calendar-feed"))
        try:
            token = calendar_feed_create(actor=actor)
        except DomainError as error:
            messages.error(request, f"No new feed was made: {error.detail}")
            return HttpResponseRedirect(reverse("staff-calendar-feed"))
        feed_url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    context = {"feed": calendar_feed_active(user_id=actor.pk), "feed_url": feed_url, "zone": clinic_zone()}
    return render(request, "web/staff/calendar_feed.html", context)  # no-store, as everything (the URL is a secret)


def _initials(patient: User) -> str:
    return " ".join(f"{name[0].upper()}." for name in (patient.first_name, patient.last_name) if name)


def _room_words(appointment: Appointment) -> str | None:
    room = appointment.room
    if room is None:
        return None
    return f"Room {room.pk}" if FORBIDDEN_WORDS.search(room.name) else room.name


def event_summary(appointment: Appointment) -> str:
    """ "Visit (R. M.) \u2013 Consult 1": initials and room only."""
    summary = "Visit"
    initials = _initials(appointment.patient)
    if initials:
        summary += f" ({initials})"
    room = _room_words(appointment)
    return f"{summary}{SEPARATOR}{room}" if room else summary


def feed_ics(appointments: list[Appointment]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Clinic booking//staff feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "My clinic appointments")
    stamp = timezone.now()
    for appointment in appointments:
        zone = appointment.appointment_type.clinic.zone
        event = Event()
        event.add("uid", f"{appointment.pk}@clinic-booking")
        event.add("summary", event_summary(appointment))
        event.add("dtstart", appointment.starts_at.astimezone(zone))  # TZID=America/Los_Angeles
        event.add("dtend", appointment.ends_at.astimezone(zone))
        event.add("dtstamp", stamp)
        location = _room_words(appointment)
        if location:
            event.add("location", location)
        calendar.add_component(event)
    calendar.add_missing_timezones()  # the VTIMEZONE with both daylight-saving changes
    return calendar.to_ical()


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    contents = calendar_feed_for_token(token=token)
    if contents is None:
        raise Http404
    # No session here: the token's owner is the reader (a phone syncing their own feed).
    patient_data_read(
        actor=contents.owner,
        what="calendar-feed",
        patient_ids=[appointment.patient_id for appointment in contents.appointments],
        request_id=request_id_of(request),
    )
    response = HttpResponse(feed_ics(contents.appointments), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    patch_cache_control(response, private=True, no_cache=True)
    return response
