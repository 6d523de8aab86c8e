"""What a message says: the minimum (first name, local date and time, the neutral clinic name,
address, phone and links). Never the treatment, a diagnosis or a screening value: the templates
receive nothing that could carry them (no appointment type, no evaluation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine

from notifications.models import OutboxMessage

# Plain text, so no HTML escaping: "O'Brien" stays "O'Brien".
_ENGINE = Engine(dirs=[str(Path(__file__).parent / "templates" / "notifications")], autoescape=False)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


def _clock(local: datetime) -> str:
    return f"{int(local.strftime('%I'))}:{local:%M %p}"


def message_context(message: OutboxMessage) -> dict[str, Any]:
    appointment = message.appointment
    assert appointment is not None
    clinic = appointment.appointment_type.clinic
    local = (message.regarding_start or appointment.starts_at).astimezone(clinic.zone)
    site = settings.SITE_URL.rstrip("/")
    return {
        "first_name": message.patient.first_name,
        "when": f"{local:%A, %B} {local.day} at {_clock(local)}",
        "when_date": f"{local:%A, %B} {local.day}",
        "when_time": _clock(local),
        "clinic_name": clinic.name,
        "clinic_address": clinic.address,
        "clinic_phone": clinic.phone,
        "manage_url": f"{site}/appointments/{appointment.pk}",
        "readiness_url": f"{site}/appointments/{appointment.pk}/readiness",
        "booking_url": f"{site}/book",
        "account_url": f"{site}/account",
    }


def message_render(message: OutboxMessage) -> RenderedMessage:
    context = Context(message_context(message))
    body = _ENGINE.get_template(f"{message.kind}.{message.channel}.txt").render(context).strip()
    subject = ""
    if message.channel == "email":
        subject = _ENGINE.get_template(f"{message.kind}.subject.txt").render(context).strip()
    return RenderedMessage(subject=subject, body=body)
