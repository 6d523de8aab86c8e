"""The nurses' day board with section 10 on it: the day's rooms and rows
(``clinical.schedule_selectors.day_board``) with each row's questionnaire state, open alerts and
planned dose filled in here.

Per row:

- ``questionnaire``: the infusion's PHQ-9 and GAD-7 (those not closed): ``"due"`` while one is
  unanswered, ``"answered"`` once both are; None when the appointment has none;
- ``alerts``, in this order: ``"self_harm"`` (an open self-harm alert of the patient raised for
  this infusion or an earlier one: it blocks the start; never on an infusion before the one whose
  questionnaire raised it), what an open alert of a reading of this session is past, until its
  action is recorded: ``"blood_pressure"``, ``"heart_rate"``, ``"spo2"`` (the latest open alert's
  reasons), ``"adverse_event"``, ``"worsening"``, ``"pregnancy_positive"`` (an open alert of
  that kind of this appointment), and ``"vitals_overdue"`` (a due reading more than 5 minutes
  late, from the readings schedule at ``now``, while the infusion is under way);
- ``planned_dose_mg``: the session record's, once the weight is recorded.

The next-day follow-up calls (the nurses' list, ``clinical.follow_up_selectors``) ride on that same
query as a fact: ``facts["follow_up_calls_open"]``, how many calls due that day or before are not
yet recorded (the page links to the list; a list of its own would cost the page a ninth query,
over SPEC.md section 9's eight).

One query beyond the board's rows, whatever the number of appointments (see ``_sessions``). A layer
above may ask for facts of the whole day to be read in that same query (``day_facts``: the
controlled-substance log's count and discrepancy, SPEC.md section 12); they come back in
``ClinicalDayBoard.facts``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Exists, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.expressions import BaseExpression
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus
from clinical.alert_selectors import open_self_harm_for_board_row
from clinical.follow_up_selectors import follow_up_facts
from clinical.models import Alert, AlertKind, Questionnaire
from clinical.readings_schedule import overdue_readings
from clinical.schedule_selectors import BoardRoom, BoardRow, DayBoard, day_board
from scheduling.models import Clinic

# Day-wide facts a layer above asks the board's query to read: name -> expression, for the day.
DayFacts = Callable[[date], Mapping[str, BaseExpression]]

SELF_HARM = "self_harm"
# Alerts of an appointment a clinician reviews, shown on its row by kind, in this order.
REVIEW_ALERTS = (AlertKind.ADVERSE_EVENT.value, AlertKind.WORSENING.value, AlertKind.PREGNANCY_POSITIVE.value)
VITALS_OVERDUE = "vitals_overdue"
# What a nurse reads first: the vital sign past its threshold, from the alert's reasons.
THRESHOLD_ALERTS = (
    ("blood_pressure", {"systolic", "diastolic"}),
    ("heart_rate", {"heart_rate_high", "heart_rate_low"}),
    ("spo2", {"spo2_low"}),
)
QUESTIONNAIRE_DUE = "due"
QUESTIONNAIRE_ANSWERED = "answered"


def threshold_alert_names(reasons: list[str] | tuple[str, ...]) -> list[str]:
    """The vital signs a threshold alert's reasons name ("systolic" -> "blood_pressure")."""
    return [name for name, named in THRESHOLD_ALERTS if named & set(reasons)]


@dataclass
class _Session:
    started_at: datetime | None = None
    infusion_ended_at: datetime | None = None
    discharged_at: datetime | None = None
    planned_dose_mg: Decimal | None = None
    taken: list[datetime] = field(default_factory=list)
    questionnaire: str | None = None
    self_harm: bool = False
    threshold_reasons: tuple[str, ...] = ()
    review: tuple[str, ...] = ()  # the open alerts of REVIEW_ALERTS' kinds


@dataclass(frozen=True)
class ClinicalDayBoard(DayBoard):
    facts: Mapping[str, object] = field(default_factory=dict)

    def signature(self) -> str:
        facts = repr(sorted(self.facts.items()))
        return hashlib.sha256(f"{super().signature()}{facts}".encode()).hexdigest()[:32]


def _row_facts() -> dict[str, BaseExpression]:
    """Each appointment's questionnaire and alert facts, as correlated subqueries (indexed columns)."""
    open_questionnaires = Questionnaire.objects.filter(appointment=OuterRef("pk"), closed_at__isnull=True)
    open_alerts = Alert.objects.filter(appointment=OuterRef("pk"), resolved_at__isnull=True)
    return {
        "has_questionnaire": Exists(open_questionnaires),
        "has_unanswered": Exists(open_questionnaires.filter(answered_at__isnull=True)),
        "threshold_reasons": Subquery(
            open_alerts.filter(kind=AlertKind.VITALS_THRESHOLD).order_by("-raised_at").values("reasons")[:1],
            output_field=JSONField(),
        ),
        "has_self_harm": Exists(open_self_harm_for_board_row()),
        **{f"has_{kind}": Exists(open_alerts.filter(kind=kind)) for kind in REVIEW_ALERTS},
    }


def _session_rows(rows: list[BoardRow], facts: Mapping[str, BaseExpression]) -> QuerySet[Any, Any]:
    """The one query of ``_sessions``: per appointment, its session record's times and dose, one row
    per reading, the questionnaire and alert flags (``_row_facts``), and the day's facts asked for."""
    return (
        Appointment.objects.filter(pk__in=[row.appointment.pk for row in rows])
        .annotate(**_row_facts(), **facts)
        .values_list(
            "pk",
            "infusion_record__started_at",
            "infusion_record__infusion_ended_at",
            "infusion_record__discharged_at",
            "infusion_record__planned_dose_mg",
            "infusion_record__readings__taken_at",
            "has_questionnaire",
            "has_unanswered",
            "threshold_reasons",
            "has_self_harm",
            *(f"has_{kind}" for kind in REVIEW_ALERTS),
            *facts,
        )
    )


def _sessions(
    rows: list[BoardRow], facts: Mapping[str, BaseExpression]
) -> tuple[dict[UUID, _Session], dict[str, object]]:
    """What section 10 knows of each of the day's appointments, in one query: the appointment's
    session record (a one-to-one join) and its readings (one row per reading), each row with
    whether the appointment has open questionnaires, an unanswered one, an open threshold alert,
    and whether its patient has an open self-harm alert (correlated EXISTS, on indexed columns)."""
    found = _session_rows(rows, facts)
    sessions: dict[UUID, _Session] = defaultdict(_Session)
    read: dict[str, object] = {}
    for (
        pk,
        started_at,
        ended_at,
        discharged_at,
        dose,
        taken_at,
        questionnaire,
        unanswered,
        threshold,
        harm,
        *rest,
    ) in found:
        review, day = rest[: len(REVIEW_ALERTS)], rest[len(REVIEW_ALERTS) :]
        read = dict(zip(facts, day, strict=True))
        session = sessions[pk]
        session.started_at, session.infusion_ended_at, session.discharged_at = started_at, ended_at, discharged_at
        session.planned_dose_mg = dose
        if taken_at is not None:
            session.taken.append(taken_at)
        if questionnaire:
            session.questionnaire = QUESTIONNAIRE_DUE if unanswered else QUESTIONNAIRE_ANSWERED
        session.threshold_reasons, session.self_harm = tuple(threshold or ()), bool(harm)
        session.review = tuple(kind for kind, present in zip(REVIEW_ALERTS, review, strict=True) if present)
    return sessions, read


def _facts_alone(clinic: Clinic | None, facts: Mapping[str, BaseExpression]) -> dict[str, object]:
    """The day's facts when the board has no row to read them with."""
    if clinic is None or not facts:
        return {}
    found = Clinic.objects.filter(pk=clinic.pk).annotate(**facts).values_list(*facts).first()
    return dict(zip(facts, found, strict=True)) if found else {}


def _overdue(row: BoardRow, session: _Session, now: datetime) -> bool:
    appointment = row.appointment
    if appointment.status != AppointmentStatus.IN_PROGRESS or session.started_at is None:
        return False
    appointment_type = appointment.appointment_type
    ends_at = session.infusion_ended_at or session.started_at + timedelta(minutes=appointment_type.duration_minutes)
    return bool(
        overdue_readings(
            started_at=session.started_at,
            infusion_ends_at=ends_at,
            recovery_minutes=appointment_type.recovery_minutes,
            taken=session.taken,
            now=now,
            discharged_at=session.discharged_at,
        )
    )


def clinical_day_board(
    *, day: date | None = None, now: datetime | None = None, day_facts: DayFacts | None = None
) -> ClinicalDayBoard:
    """The day board of ``day`` (clinic-local; today when None) with section 10's columns at ``now``,
    and the ``day_facts`` asked for."""
    now = now or timezone.now()
    board = day_board(day=day)
    facts = {**(day_facts(board.day) if day_facts else {}), **follow_up_facts(board.day)}
    rows = [row for section in board.rooms for row in section.rows] + board.unassigned
    if not rows:
        return ClinicalDayBoard(**vars(board), facts=_facts_alone(board.clinic, facts))
    sessions, read = _sessions(rows, facts)

    def filled(row: BoardRow) -> BoardRow:
        session = sessions.get(row.appointment.pk) or _Session()
        alerts = []
        if session.self_harm:
            alerts.append(SELF_HARM)
        alerts.extend(threshold_alert_names(session.threshold_reasons))
        alerts.extend(session.review)
        if _overdue(row, session, now):
            alerts.append(VITALS_OVERDUE)
        return replace(
            row, questionnaire=session.questionnaire, alerts=tuple(alerts), planned_dose_mg=session.planned_dose_mg
        )

    return ClinicalDayBoard(
        clinic=board.clinic,
        day=board.day,
        zone=board.zone,
        rooms=[BoardRoom(room=section.room, rows=[filled(row) for row in section.rows]) for section in board.rooms],
        unassigned=[filled(row) for row in board.unassigned],
        facts=read,
    )
