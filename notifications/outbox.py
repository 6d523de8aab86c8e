"""Which messages an appointment change causes, and when they fall due.

Runs inside the booking transaction (booking.events), so the rows commit or roll back with the
change. Timing (SPEC section 5):

- confirmation, reschedule and cancellation notices and "result ready": at once;
- reminders 24 h and 2 h before, and the preparation notice 48 h before (types that ask for it);
  a moment already past when the booking is made gets no row at all;
- before an infusion, "a short check-in form is open" when its questionnaires open, 72 h before
  (clinical/services/questionnaires.py); booked inside the 72 hours, at once. It is a reminder
  kind: a move or a cancellation cancels it, the new time gets its own;
- text messages never fall due between 21:00 and 08:00 clinic time: they wait until 08:00, and a
  reminder that would then arrive after the appointment began is not written.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from accounts.models import User
from booking.events import AppointmentChanged
from booking.models import Appointment, AppointmentEvent, WaitlistEntry, WaitlistStatus
from clinical.events import EvaluationSigned, LetterWritten
from clinical.models import Evaluation, Letter
from clinical.services.questionnaires import OPENS_BEFORE as QUESTIONNAIRE_OPENS_BEFORE
from notifications.alert_messages import on_alert_event
from notifications.models import REMINDER_KINDS, Channel, Kind, OutboxMessage, Status
from notifications.preferences import contact_preferences_of

REMINDER_LEAD = {
    Kind.QUESTIONNAIRE: QUESTIONNAIRE_OPENS_BEFORE,
    Kind.PREPARATION: timedelta(hours=48),
    Kind.REMINDER_24H: timedelta(hours=24),
    Kind.REMINDER_2H: timedelta(hours=2),
}
OFFERS_PER_FREED_TIME = 3  # the first of them to book wins, through the normal booking path
QUIET_FROM = time(21)
QUIET_UNTIL = time(8)


def sms_due_at(due_at: datetime, zone: ZoneInfo) -> datetime:
    """``due_at``, or 08:00 clinic time when it falls in the quiet hours (21:00-08:00)."""
    local = due_at.astimezone(zone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return due_at
    morning = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    # Built from the wall-clock date, so 08:00 stays 08:00 across a daylight-saving change.
    return datetime.combine(morning, QUIET_UNTIL, tzinfo=zone)


def channels_for(patient: User) -> list[str]:
    chosen = contact_preferences_of(user_id=patient.pk)
    has_phone = bool(getattr(getattr(patient, "patient_profile", None), "phone", ""))
    channels: list[str] = [Channel.EMAIL] if chosen.email_enabled and patient.email else []
    if chosen.sms_enabled and has_phone:
        channels.append(Channel.SMS)
    return channels


def _row(appointment: Appointment, kind: str, channel: str, due_at: datetime) -> OutboxMessage:
    return OutboxMessage(
        patient_id=appointment.patient_id,
        appointment=appointment,
        kind=kind,
        channel=channel,
        regarding_start=appointment.starts_at,
        due_at=due_at,
    )


def _write(rows: list[OutboxMessage]) -> None:
    # The unique rule (appointment, kind, channel, start) makes a second copy impossible; a
    # repeated event (a retried request) therefore writes nothing new.
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)


def outbox_notice(appointment: Appointment, kind: str, *, now: datetime) -> None:
    zone = appointment.appointment_type.clinic.zone
    rows = []
    for channel in channels_for(appointment.patient):
        due_at = sms_due_at(now, zone) if channel == Channel.SMS else now
        rows.append(_row(appointment, kind, channel, due_at))
    _write(rows)


def outbox_schedule_reminders(appointment: Appointment, *, now: datetime) -> None:
    zone = appointment.appointment_type.clinic.zone
    kinds = [Kind.REMINDER_24H, Kind.REMINDER_2H]
    if appointment.appointment_type.preparation_notice:
        kinds.insert(0, Kind.PREPARATION)
    if appointment.appointment_type.is_infusion:
        kinds.insert(0, Kind.QUESTIONNAIRE)
    rows = []
    for channel in channels_for(appointment.patient):
        for kind in kinds:
            due_at = appointment.starts_at - REMINDER_LEAD[kind]
            if due_at <= now and kind == Kind.QUESTIONNAIRE:
                due_at = now  # booked inside the 72 hours: the form is open already, say so now
            elif due_at <= now:
                continue  # booked inside the reminder's window: that moment has passed
            if channel == Channel.SMS:
                due_at = sms_due_at(due_at, zone)
                if due_at >= appointment.starts_at:
                    continue
            rows.append(_row(appointment, kind, channel, due_at))
    _write(rows)


def outbox_cancel_pending(appointment: Appointment, *, kinds: tuple[str, ...] = REMINDER_KINDS) -> int:
    return OutboxMessage.objects.filter(appointment=appointment, status=Status.PENDING, kind__in=kinds).update(
        status=Status.CANCELLED
    )


def outbox_waitlist_offers(freed: Appointment, *, now: datetime) -> None:
    """Offer a freed time to the earliest waiting patients whose dates cover it."""
    if freed.starts_at <= now:
        return
    zone = freed.appointment_type.clinic.zone
    day = freed.starts_at.astimezone(zone).date()
    entries = (
        WaitlistEntry.objects.filter(
            appointment_type=freed.appointment_type,
            status=WaitlistStatus.WAITING,
            date_from__lte=day,
            date_to__gte=day,
        )
        .exclude(patient_id=freed.patient_id)
        .select_related("patient__patient_profile")
        .order_by("created_at", "id")[:OFFERS_PER_FREED_TIME]
    )
    rows = []
    for entry in entries:
        for channel in channels_for(entry.patient):
            due_at = sms_due_at(now, zone) if channel == Channel.SMS else now
            row = _row(freed, Kind.WAITLIST_OFFER, channel, due_at)
            row.patient_id = entry.patient_id
            rows.append(row)
    _write(rows)


def outbox_provider_letter(letter_id: UUID, *, now: datetime) -> None:
    """The letter by email to the referring provider (whatever the patient's own channels: it
    is not to them), at once; a repeated event writes nothing new (one message per letter)."""
    letter = Letter.objects.select_related("evaluation").get(pk=letter_id)
    row = OutboxMessage(
        patient_id=letter.patient_id,
        appointment_id=letter.evaluation.appointment_id,
        kind=Kind.PROVIDER_LETTER,
        channel=Channel.EMAIL,
        due_at=now,
        letter=letter,
    )
    _write([row])


def on_domain_event(event: object) -> None:
    """The subscriber registered in NotificationsConfig.ready(); events it has no message for pass."""
    if isinstance(event, LetterWritten):
        outbox_provider_letter(event.letter_id, now=event.occurred_at)
        return
    if on_alert_event(event):
        return
    if isinstance(event, EvaluationSigned):
        evaluation = Evaluation.objects.select_related("appointment").get(pk=event.evaluation_id)
        appointment = _appointment(evaluation.appointment_id)
        outbox_notice(appointment, Kind.RESULT_READY, now=event.occurred_at)
        return
    if not isinstance(event, AppointmentChanged):
        return
    appointment = _appointment(event.appointment_id)
    now = event.occurred_at
    action = event.action
    if action == AppointmentEvent.Action.BOOKED:
        outbox_notice(appointment, Kind.CONFIRMATION, now=now)
        outbox_schedule_reminders(appointment, now=now)
    elif action == AppointmentEvent.Action.RESCHEDULED:
        outbox_cancel_pending(appointment)
        outbox_notice(appointment, Kind.RESCHEDULE, now=now)
        outbox_schedule_reminders(appointment, now=now)
    elif action == AppointmentEvent.Action.CANCELLED:
        outbox_cancel_pending(appointment, kinds=(*REMINDER_KINDS, Kind.CONFIRMATION, Kind.RESCHEDULE))
        outbox_notice(appointment, Kind.CANCELLATION, now=now)
        outbox_waitlist_offers(appointment, now=now)
    else:  # checked in, started, completed, no-show: the reminders have had their day
        outbox_cancel_pending(appointment)


def _appointment(appointment_id: UUID) -> Appointment:
    return Appointment.objects.select_related("appointment_type__clinic", "patient", "patient__patient_profile").get(
        pk=appointment_id
    )
