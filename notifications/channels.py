"""Delivery of one rendered message on its channel, with the hand-over of notifications.delivery;
returns the provider's message id."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar, Event

from notifications.delivery import Handover
from notifications.messages import RenderedMessage, message_context, message_language
from notifications.models import Channel, Kind, OutboxMessage
from notifications.sms import sms_backend
from notifications.smtp import smtp_send_with_handover

CALENDAR_KINDS = (Kind.CONFIRMATION, Kind.RESCHEDULE)


def _calendar_file(message: OutboxMessage) -> bytes:
    """An .ics event with the same neutral wording as the message ("Appointment", the clinic), in
    the patient's language."""
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
    with translation.override(message_language(message)):
        event.add("summary", gettext("Appointment at %(clinic)s") % {"clinic": clinic.name})
        # The time in words with the clinic's zone named, as the email says it.
        event.add(
            "description",
            gettext("%(when)s. Questions or changes: %(phone)s.")
            % {"when": message_context(message)["when"], "phone": clinic.phone},
        )
    event.add("location", clinic.address)
    event.add("sequence", int(start.timestamp()) // 60)  # a moved appointment updates the event
    calendar.add_component(event)
    return calendar.to_ical()


def _email_deliver(message: OutboxMessage, rendered: RenderedMessage, handover: Handover) -> str | None:
    email = EmailMessage(
        subject=rendered.subject,
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.letter.provider_email if message.letter is not None else message.patient.email],
        # Stable across attempts: a receiving server can tell a copy from a new message.
        headers={"Message-ID": f"<outbox-{message.pk}@clinic-booking>"},
    )
    if message.kind in CALENDAR_KINDS:
        email.attach("appointment.ics", _calendar_file(message), "text/calendar")
    if message.letter is not None:
        email.attach("letter.pdf", bytes(message.letter.pdf), "application/pdf")
    backend = get_connection(fail_silently=False)
    if isinstance(backend, SmtpEmailBackend):
        queue_id = smtp_send_with_handover(backend, email, handover)
        return None if queue_id is None else queue_id or f"outbox-{message.pk}"
    # Console, file and memory backends (development and tests) have no moment to hold back.
    if not handover():
        return None
    backend.send_messages([email])
    return f"outbox-{message.pk}"


def channel_deliver(message: OutboxMessage, rendered: RenderedMessage, handover: Handover) -> str | None:
    """Deliver, calling ``handover`` once at the channel's point of no return; None when the
    hand-over was refused and nothing went out."""
    if message.channel == Channel.EMAIL:
        return _email_deliver(message, rendered, handover)
    profile = getattr(message.patient, "patient_profile", None) or getattr(message.patient, "staff_member", None)
    phone = getattr(profile, "phone", "")  # a patient's, or a clinician's staff record's (alerts)
    return sms_backend().send(to=phone, body=rendered.body, handover=handover)
