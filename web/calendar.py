"""An appointment as an iCalendar file for the patient's own calendar: the clinic's neutral
name, address and phone, the time in the clinic's zone (named), and no treatment words, as in
the messages (a calendar is often shared or synced to other devices)."""

from __future__ import annotations

from django.utils.translation import gettext
from icalendar import Calendar, Event

from booking.models import Appointment
from web import timefmt


def appointment_ics(appointment: Appointment) -> bytes:
    clinic = appointment.appointment_type.clinic
    zone = clinic.zone
    calendar = Calendar()
    calendar.add("prodid", "-//Clinic booking//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{appointment.pk}@clinic-booking")
    event.add("summary", gettext("Appointment at %(clinic)s") % {"clinic": clinic.name})
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("dtstamp", appointment.updated_at)
    event.add("location", ", ".join(part for part in (clinic.name, clinic.address) if part))
    event.add(
        "description",
        gettext("%(when)s. Questions or changes: %(phone)s.")
        % {"when": timefmt.time_label(appointment.starts_at, zone), "phone": clinic.phone},
    )
    calendar.add_component(event)
    return calendar.to_ical()
