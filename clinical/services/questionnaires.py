"""Questionnaires before every infusion (SPEC.md section 10): when they fall due, when they close,
and answering them.

Lifecycle (``questionnaires_follow_appointment``, a ``core.events`` listener running inside
booking's transaction):

- an infusion (a type whose ``counts_against_plan`` is ``infusions``) booked: one PHQ-9 and one
  GAD-7, opening 72 hours before its start (already open when it is booked closer than that);
- moved: every unanswered one closes (``closed_at``) and a new one opens 72 hours before the new
  start. An answer given inside the new 72-hour window (``answered_at`` at or after the new
  opening) still stands for the new time; an older answer is closed too and asked again;
- cancelled, no-show, started or completed: the unanswered ones close. Answers stay as they are.

Answering (``questionnaire_answer``): every item, once. The patient answers their own; a nurse or
a clinician may enter the answers on the patient's behalf (``on_behalf``, ``answered_by`` the
staff member) only on the infusion's own clinic day, the day of its check-in (409 ``not_today``
on another day). Answers are refused before the opening (409 ``questionnaire_not_open``) and once
the infusion has started, or the questionnaire closed (409 ``questionnaire_closed``). Any answer
above 0 to PHQ-9 item 9 raises a self-harm alert in the same transaction, and a worsening PHQ-9
(``scoring.phq9_worsening`` against the patient's previous total) a worsening alert; each belongs
to the questionnaire's infusion, shows on the day board and in the clinicians' queue until a
clinician acknowledges it with a note, and reaches the clinician at once (``alert_raise``). Staff writes
are in the clinical access log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.events import AppointmentChanged
from booking.models import Appointment, AppointmentEvent
from clinical import scoring
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import (
    AlertKind,
    ClinicalAccess,
    Difficulty,
    Evaluation,
    InfusionRecord,
    Questionnaire,
    QuestionnaireKind,
)
from clinical.questionnaire_rules import ANSWER_REFUSALS, answer_refusal
from clinical.services.alerts import alert_raise
from core.roles import CARE_TEAM_ROLES, Role

OPENS_BEFORE = timedelta(hours=72)
ANSWERING_ROLES = (Role.PATIENT, *CARE_TEAM_ROLES)  # a patient, or the care team on their behalf
SELF_HARM_REASON = "phq9_item_9"
_CLOSING_ACTIONS = (
    AppointmentEvent.Action.CANCELLED,
    AppointmentEvent.Action.NO_SHOW,
    AppointmentEvent.Action.STARTED,
    AppointmentEvent.Action.COMPLETED,
)


# -- lifecycle ----------------------------------------------------------------------------------


def _open_new(appointment: Appointment, kinds: Sequence[str], *, now: datetime) -> None:
    rows = [
        Questionnaire(
            patient_id=appointment.patient_id,
            appointment=appointment,
            kind=kind,
            opens_at=appointment.starts_at - OPENS_BEFORE,
            created_at=now,
        )
        for kind in kinds
    ]
    # The partial unique index (one open questionnaire of a kind per appointment) makes a repeated
    # event write nothing new.
    Questionnaire.objects.bulk_create(rows, ignore_conflicts=True)


def questionnaires_open_for(appointment: Appointment, *, now: datetime) -> None:
    """A PHQ-9 and a GAD-7 for an infusion just booked."""
    _open_new(appointment, list(QuestionnaireKind), now=now)


def questionnaires_close_unanswered(appointment: Appointment, *, now: datetime) -> int:
    return Questionnaire.objects.filter(
        appointment=appointment, closed_at__isnull=True, answered_at__isnull=True
    ).update(closed_at=now)


def questionnaires_move(appointment: Appointment, *, now: datetime) -> None:
    """After a move: close what no longer stands for the new start, open the kinds left without one."""
    opens_at = appointment.starts_at - OPENS_BEFORE
    Questionnaire.objects.filter(appointment=appointment, closed_at__isnull=True).filter(
        Q(answered_at__isnull=True) | Q(answered_at__lt=opens_at)
    ).update(closed_at=now)
    standing = set(
        Questionnaire.objects.filter(appointment=appointment, closed_at__isnull=True).values_list("kind", flat=True)
    )
    _open_new(appointment, [kind for kind in QuestionnaireKind if kind not in standing], now=now)


def questionnaires_follow_appointment(event: object) -> None:
    """The ``core.events`` listener registered in ClinicalConfig.ready()."""
    if not isinstance(event, AppointmentChanged):
        return
    if event.action not in (AppointmentEvent.Action.BOOKED, AppointmentEvent.Action.RESCHEDULED, *_CLOSING_ACTIONS):
        return
    appointment = Appointment.objects.select_related("appointment_type").get(pk=event.appointment_id)
    if not appointment.appointment_type.is_infusion:
        return
    if event.action == AppointmentEvent.Action.BOOKED:
        questionnaires_open_for(appointment, now=event.occurred_at)
    elif event.action == AppointmentEvent.Action.RESCHEDULED:
        questionnaires_move(appointment, now=event.occurred_at)
    else:
        questionnaires_close_unanswered(appointment, now=event.occurred_at)


# -- answering ----------------------------------------------------------------------------------


def _not_found() -> ClinicalError:
    return ClinicalError("No such questionnaire.", code="not_found", status_code=404)


def _check_answerable(questionnaire: Questionnaire, appointment: Appointment, *, actor: User, now: datetime) -> None:
    zone = appointment.appointment_type.clinic.zone
    refusal = answer_refusal(
        answered=questionnaire.answered_at is not None,
        closed=questionnaire.closed_at is not None,
        appointment_status=appointment.status,
        started=InfusionRecord.objects.filter(appointment=appointment, started_at__isnull=False).exists(),
        opens_at=questionnaire.opens_at,
        now=now,
        on_behalf=actor.role in CARE_TEAM_ROLES,
        visit_day=appointment.starts_at.astimezone(zone).date(),
        today=now.astimezone(zone).date(),
    )
    if refusal is not None:
        raise ClinicalConflictError(ANSWER_REFUSALS[refusal], code=refusal)


def _previous_phq9_total(questionnaire: Questionnaire, appointment: Appointment) -> int | None:
    """The patient's PHQ-9 total before this one: their latest answered questionnaire, otherwise
    the evaluation's total of the infusion's plan."""
    latest = (
        Questionnaire.objects.filter(
            patient_id=questionnaire.patient_id, kind=scoring.PHQ9, answered_at__isnull=False, total__isnull=False
        )
        .exclude(pk=questionnaire.pk)
        .order_by("-answered_at")
        .values_list("total", flat=True)
        .first()
    )
    if latest is not None or appointment.treatment_plan_id is None:
        return latest
    return (
        Evaluation.objects.filter(plan__pk=appointment.treatment_plan_id).values_list("phq9_total", flat=True).first()
    )


def _raise_alerts(questionnaire: Questionnaire, appointment: Appointment, *, now: datetime) -> None:
    """A self-harm answer, and a worsening PHQ-9, each raise an alert of this infusion."""
    items = questionnaire.items or []
    if scoring.raises_self_harm_alert(questionnaire.kind, items):
        alert_raise(
            kind=AlertKind.SELF_HARM,
            appointment=appointment,
            questionnaire=questionnaire,
            reasons=[SELF_HARM_REASON],
            at=now,
        )
    if questionnaire.kind != scoring.PHQ9 or questionnaire.total is None:
        return
    previous = _previous_phq9_total(questionnaire, appointment)
    worsening = scoring.phq9_worsening(total=questionnaire.total, previous_total=previous)
    if worsening:
        alert_raise(
            kind=AlertKind.WORSENING, appointment=appointment, questionnaire=questionnaire, reasons=worsening, at=now
        )


@locking.retried_once_on_deadlock
def questionnaire_answer(
    *,
    actor: User,
    questionnaire_id: UUID,
    items: Sequence[int],
    difficulty: str = "",
    request_id: str = "",
    now: datetime | None = None,
) -> Questionnaire:
    """Record every answer of a questionnaire at once; the total is computed here."""
    now = now or timezone.now()
    if actor.role not in ANSWERING_ROLES:
        raise ClinicalPermissionError("Your role does not answer questionnaires.")
    found = Questionnaire.objects.filter(pk=questionnaire_id).values_list("appointment_id", "patient_id").first()
    if found is None or (actor.role == Role.PATIENT and found[1] != actor.pk):
        raise _not_found()
    with transaction.atomic():
        # The patient, then the appointment (booking's lock order, as its start transition and a
        # move take them): an answer and a start never interleave, so the start gate sees any
        # self-harm alert this answer raises, and an answer never deadlocks with a move.
        appointment = locking.lock_appointment(
            appointment_id=found[0], rows=Appointment.objects.select_related("appointment_type__clinic")
        )
        if appointment is None:
            raise _not_found()
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire_id)
        problems = scoring.items_problems(questionnaire.kind, items)
        if difficulty and difficulty not in Difficulty.values:
            problems["difficulty"] = [f"One of {', '.join(Difficulty.values)}, or nothing."]
        if problems:
            raise ClinicalError("Some answers are missing or out of range.", code="invalid_answers", fields=problems)
        _check_answerable(questionnaire, appointment, actor=actor, now=now)
        on_behalf = actor.role != Role.PATIENT
        questionnaire.items = list(items)
        questionnaire.total = scoring.questionnaire_total(items)
        questionnaire.answered_at = now
        questionnaire.answered_by = actor
        questionnaire.on_behalf = on_behalf
        questionnaire.difficulty = difficulty
        questionnaire.save(update_fields=["items", "total", "difficulty", "answered_at", "answered_by", "on_behalf"])
        _raise_alerts(questionnaire, appointment, now=now)
        if on_behalf:
            clinical_audit(actor, ClinicalAccess.Action.ANSWER, questionnaire, request_id=request_id, at=now)
    return questionnaire
