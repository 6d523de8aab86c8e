"""Messages to clinicians about an alert (SPEC.md section 10): written when clinical raises or
escalates one (``clinical.events.AlertRaised`` / ``AlertEscalated``), in the same transaction.

Each recipient gets an email (to their account's address) and a text message (to the phone of
their staff record, when there is one), due at once: an alert does not wait for the quiet hours.
The words are neutral and name nobody (``templates/notifications/clinician_alert.*``); the
link leads to the staff pages, where the clinician signs in to see who and why.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from accounts.models import User
from clinical.events import AlertEscalated, AlertRaised, AlertResolved
from notifications.models import Channel, Kind, OutboxMessage, Status


def staff_channels(user: User) -> list[str]:
    """Email when the account has an address; a text message when the staff record has a phone."""
    phone = getattr(getattr(user, "staff_member", None), "phone", "")
    return [channel for channel, present in ((Channel.EMAIL, user.email), (Channel.SMS, phone)) if present]


def outbox_alert_messages(*, alert_id: UUID, recipient_ids: tuple[UUID, ...], kind: str, now: datetime) -> None:
    recipients = User.objects.filter(pk__in=recipient_ids).select_related("staff_member").order_by("pk")
    rows = [
        OutboxMessage(patient_id=user.pk, alert_id=alert_id, kind=kind, channel=channel, due_at=now)
        for user in recipients
        for channel in staff_channels(user)
    ]
    # The unique rule (alert, clinician, kind, channel): a repeated event writes nothing new.
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)


def on_alert_event(event: object) -> bool:
    """Write (or, once acknowledged, cancel) the messages of an alert event; False when ``event``
    is not one."""
    if isinstance(event, AlertResolved):
        OutboxMessage.objects.filter(alert_id=event.alert_id, status=Status.PENDING).update(status=Status.CANCELLED)
        return True
    if isinstance(event, AlertRaised):
        kind = Kind.CLINICIAN_ALERT
    elif isinstance(event, AlertEscalated):
        kind = Kind.ALERT_ESCALATION
    else:
        return False
    outbox_alert_messages(alert_id=event.alert_id, recipient_ids=event.recipient_ids, kind=kind, now=event.occurred_at)
    return True
