"""Delivery of one rendered message on its channel; returns the provider's message id."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from icalendar import Calendar, Event

from notifications.messages import RenderedMessage
from notifications.models import Channel, Kind, OutboxMessage
from notifications.sms import sms_backend

CALENDAR_KINDS = (Kind.CONFIRMATION, Kind.RESCHEDULE)


def _calendar_file(message: OutboxMessage) -> bytes:
    """An .ics event with the same neutral wording as the message: "Appointment", the clinic."""
    appointment = message.appointment
    assert appointment is not None
    clinic = appointment.appointment_type.clinic
    start = message.regarding_start or appointment.starts_at
    calendar = Calendar()
    calendar.add("prodid", "-//Clinic booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.pk}@clinic-booking")
    # In UTC: every calendar reads it without needing a VTIMEZONE block.
    start = start.astimezone(UTC)
    event.add("dtstamp", message.due_at.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + (appointment.ends_at - appointment.starts_at or timedelta(hours=1)))
    event.add("summary", f"Appointment at {clinic.name}")
    event.add("location", clinic.address)
    event.add("sequence", int(start.timestamp()) // 60)  # a moved appointment updates the event
    calendar.add_component(event)
    return calendar.to_ical()


def channel_deliver(message: OutboxMessage, rendered: RenderedMessage) -> str:
    patient = message.patient
    if message.channel == Channel.EMAIL:
        email = EmailMessage(
            subject=rendered.subject,
            body=rendered.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[patient.email],
            headers={"Message-ID": f"<outbox-{message.pk}@clinic-booking>"},
        )
        if message.kind in CALENDAR_KINDS:
            email.attach("appointment.ics", _calendar_file(message), "text/calendar")
        email.send(fail_silently=False)
        return f"outbox-{message.pk}"
    phone = getattr(getattr(patient, "patient_profile", None), "phone", "")
    return sms_backend().send(to=phone, body=rendered.body)
