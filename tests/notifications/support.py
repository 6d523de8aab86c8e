from datetime import datetime
from zoneinfo import ZoneInfo

from booking.models import Appointment
from notifications.models import Channel, OutboxMessage

LA = ZoneInfo("America/Los_Angeles")
BOOKED_AT = datetime(2026, 12, 1, 9, tzinfo=LA)
START = datetime(2026, 12, 4, 10, tzinfo=LA)


def row(appointment: Appointment, kind: str) -> OutboxMessage:
    """The appointment's email outbox row of ``kind``."""
    return OutboxMessage.objects.get(appointment=appointment, kind=kind, channel=Channel.EMAIL)
