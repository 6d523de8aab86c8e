"""A patient's own data as one JSON document (SPEC.md section 11): their profile, contact
preferences and language, appointments with their history, the outcome of their evaluation as
they read it on /account/ (the decision, the signing date, the plan and its progress, how their
treatment is going), their answered questionnaires, their waitlist entries and the messages sent
to them.

What a patient reads, never more: no screening values, contraindications, rationale, override
reasons, dose, route, plan notes, alerts or clinicians' notes; no staff member's reasons for a
change of an appointment. The rendered text of a message is not stored (only its kind, channel
and time), which the document says.

A fixed number of queries, whatever the number of appointments, questionnaires or messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import PatientProfile, User
from booking.models import Appointment, AppointmentEvent, WaitlistEntry
from clinical import scoring
from clinical.models import Questionnaire
from clinical.outcome_selectors import PlanOutcome, patient_outcome, plan_outcome
from clinical.selectors import PlanProgress, TreatmentSummary, treatment_summary_for_patient
from core.roles import Role
from notifications.models import OutboxMessage, Status
from notifications.preferences import contact_preferences_of
from scheduling.selectors import clinic_zone

FORMAT_VERSION = 1
# Delivered, or handed over with no answer from the provider (it may well have arrived).
MESSAGE_STATUSES_SENT = (Status.SENT, Status.UNCONFIRMED)
MESSAGES_NOTE = (
    "The text of a message is written when it is sent and not kept: each row gives its kind, "
    "channel and the time it was sent."
)


def _instant(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 with the clinic's offset."""
    return value.astimezone(zone).isoformat() if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(patient: User) -> dict[str, Any]:
    profile = PatientProfile.objects.filter(user_id=patient.pk).first()
    return {
        "id": str(patient.pk),
        "email": patient.email,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": _day(profile.date_of_birth) if profile else None,
        "phone": profile.phone if profile else None,
        "language": patient.language,
    }


def _event(event: AppointmentEvent, zone: ZoneInfo) -> dict[str, Any]:
    by_patient = event.actor_role == Role.PATIENT
    return {
        "action": event.action,
        "at": _instant(event.occurred_at, zone),
        "by": "you" if by_patient else "clinic",
        "from_status": event.from_status or None,
        "to_status": event.to_status,
        "from_starts_at": _instant(event.from_starts_at, zone),
        "to_starts_at": _instant(event.to_starts_at, zone),
        # The patient's own words only: a staff member's reason is the clinic's record.
        "reason": (event.reason or None) if by_patient else None,
    }


def _appointments(patient: User, zone: ZoneInfo) -> list[dict[str, Any]]:
    rows = (
        Appointment.objects.filter(patient_id=patient.pk)
        .select_related("appointment_type", "room", "staff__user")
        .prefetch_related(Prefetch("events", queryset=AppointmentEvent.objects.order_by("occurred_at", "id")))
        .order_by("starts_at", "id")
    )
    return [
        {
            "id": str(appointment.pk),
            "type": appointment.appointment_type.code,
            "type_name": appointment.appointment_type.name,
            "starts_at": _instant(appointment.starts_at, zone),
            "ends_at": _instant(appointment.ends_at, zone),
            "status": appointment.status,
            "is_late_cancellation": appointment.is_late_cancellation,
            "room": appointment.room.name if appointment.room else None,
            "staff": appointment.staff.user.full_name if appointment.staff else None,
            "driver_arranged": appointment.driver_arranged,
            "fasting_acknowledged": appointment.fasting_acknowledged,
            "readiness_confirmed_at": _instant(appointment.readiness_confirmed_at, zone),
            "booked_at": _instant(appointment.created_at, zone),
            "history": [_event(event, zone) for event in appointment.events.all()],
        }
        for appointment in rows
    ]


def _evaluation(summary: TreatmentSummary) -> dict[str, Any] | None:
    if summary.evaluation_id is None:
        return None
    return {"id": str(summary.evaluation_id), "decision": summary.decision, "signed_on": _day(summary.signed_on)}


def _progress(progress: PlanProgress) -> dict[str, int]:
    return {
        "infusions_booked": progress.infusions_booked,
        "infusions_completed": progress.infusions_completed,
        "integration_sessions_booked": progress.integration_sessions_booked,
        "integration_sessions_completed": progress.integration_sessions_completed,
    }


def _plan(summary: TreatmentSummary, zone: ZoneInfo) -> dict[str, Any] | None:
    plan = summary.plan
    if plan is None or summary.progress is None:
        return None
    return {
        "id": str(plan.pk),
        "status": plan.status,
        "infusions_planned": plan.infusions_planned,
        "integration_sessions_planned": plan.integration_sessions_planned,
        "min_days_between": plan.min_days_between,
        "window_days": plan.window_days,
        "activated_at": _instant(plan.activated_at, zone),
        "ended_at": _instant(plan.ended_at, zone),
        "progress": _progress(summary.progress),
    }


def _outcome(outcome: PlanOutcome | None) -> dict[str, Any] | None:
    """How the treatment is going as /account/ tells it (``patient_outcome``): from the patient's
    own answers only, nothing from which the evaluation's score (a screening value) follows."""
    seen = patient_outcome(outcome)
    if seen is None:
        return None
    return {
        "latest_phq9_total": seen.latest,
        "phq9_max_total": seen.max_total,
        "compared_with": seen.compared_with,
        "change_whole_percent": seen.change_whole_percent,
        "direction": seen.direction,
        "response": seen.response,
        "remission": seen.remission,
    }


def _questionnaires(patient: User, zone: ZoneInfo) -> list[dict[str, Any]]:
    rows = Questionnaire.objects.filter(patient_id=patient.pk, answered_at__isnull=False).order_by("answered_at", "id")
    return [
        {
            "id": str(row.pk),
            "kind": row.kind,
            "appointment": str(row.appointment_id),
            "items": row.items,
            "total": row.total,
            "max_total": scoring.MAX_TOTALS[row.kind],
            "band": scoring.questionnaire_band(row.kind, row.total) if row.total is not None else None,
            "answered_at": _instant(row.answered_at, zone),
            "on_behalf": row.on_behalf,
        }
        for row in rows
    ]


def _waitlist(patient: User) -> list[dict[str, Any]]:
    rows = WaitlistEntry.objects.filter(patient_id=patient.pk).select_related("appointment_type")
    return [
        {
            "type": entry.appointment_type.code,
            "date_from": _day(entry.date_from),
            "date_to": _day(entry.date_to),
            "status": entry.status,
        }
        for entry in rows.order_by("created_at", "id")
    ]


def _messages(patient: User, zone: ZoneInfo) -> dict[str, Any]:
    # An unconfirmed message has no sent_at: the time it was handed over is the best known.
    rows = (
        OutboxMessage.objects.filter(patient_id=patient.pk, status__in=MESSAGE_STATUSES_SENT)
        .annotate(sent_or_handed_over_at=Coalesce("sent_at", "claimed_at"))
        .order_by("sent_or_handed_over_at", "id")
    )
    return {
        "note": MESSAGES_NOTE,
        "sent": [
            {
                "kind": message.kind,
                "channel": message.channel,
                "appointment": str(message.appointment_id) if message.appointment_id else None,
                "sent_at": _instant(message.sent_or_handed_over_at, zone),
                "confirmed": message.status == Status.SENT,
            }
            for message in rows
        ],
    }


def patient_data_export(*, patient: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything the patient's account holds that they may read, in one JSON-ready dict (ids and
    instants as strings, instants in the clinic's zone with its offset)."""
    zone = clinic_zone()
    summary = treatment_summary_for_patient(patient_id=patient.pk)
    preferences = contact_preferences_of(user_id=patient.pk)
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _instant(now or timezone.now(), zone),
        "time_zone": str(zone),
        "profile": _profile(patient),
        "contact_preferences": {"email_enabled": preferences.email_enabled, "sms_enabled": preferences.sms_enabled},
        "appointments": _appointments(patient, zone),
        "evaluation": _evaluation(summary),
        "treatment_plan": _plan(summary, zone),
        "treatment_outcome": _outcome(plan_outcome(summary.plan) if summary.plan is not None else None),
        "questionnaires": _questionnaires(patient, zone),
        "waitlist": _waitlist(patient),
        "messages": _messages(patient, zone),
    }
