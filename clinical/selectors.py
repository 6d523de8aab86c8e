"""Reads of a patient's treatment: which appointment types are open to them, their plan's
progress and their evaluation's outcome in the words a patient reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db.models import Case, F, UUIDField, When

from booking.models import BLOCKING_STATUSES, Appointment, AppointmentStatus
from booking.record_links import RecordColumns
from booking.upcoming import upcoming_filter
from clinical.models import Decision, Evaluation, EvaluationAddendum, EvaluationStatus, PlanStatus, TreatmentPlan
from clinical.services.plan_rules import active_plan_of
from scheduling.models import AppointmentType, PlanCounter
from scheduling.online_booking import open_online_filter


@dataclass(frozen=True)
class PlanProgress:
    plan_id: UUID
    status: str
    infusions_planned: int
    infusions_booked: int  # upcoming (booked, checked in or under way)
    infusions_completed: int
    integration_sessions_planned: int
    integration_sessions_booked: int
    integration_sessions_completed: int

    @property
    def infusions_left_to_book(self) -> int:
        return max(self.infusions_planned - self.infusions_booked - self.infusions_completed, 0)

    @property
    def integration_sessions_left_to_book(self) -> int:
        planned = self.integration_sessions_planned
        return max(planned - self.integration_sessions_booked - self.integration_sessions_completed, 0)

    @property
    def series_finished(self) -> bool:
        """The plan is over: completed, or every planned session of each kind done."""
        every_session_done = (
            self.infusions_completed >= self.infusions_planned
            and self.integration_sessions_completed >= self.integration_sessions_planned
        )
        return self.status == PlanStatus.COMPLETED or every_session_done

    @property
    def nothing_left_to_book(self) -> bool:
        return self.infusions_left_to_book == 0 and self.integration_sessions_left_to_book == 0


def plan_progress(plan: TreatmentPlan) -> PlanProgress:
    """Planned, booked (upcoming) and completed sessions of each kind (one query)."""
    counts: dict[tuple[str, str], int] = {}
    for counter, status in plan.appointments.filter(status__in=BLOCKING_STATUSES).values_list(
        "appointment_type__counts_against_plan", "status"
    ):
        key = (counter, "completed" if status == AppointmentStatus.COMPLETED else "booked")
        counts[key] = counts.get(key, 0) + 1
    return PlanProgress(
        plan_id=plan.pk,
        status=plan.status,
        infusions_planned=plan.infusions_planned,
        infusions_booked=counts.get((PlanCounter.INFUSIONS, "booked"), 0),
        infusions_completed=counts.get((PlanCounter.INFUSIONS, "completed"), 0),
        integration_sessions_planned=plan.integration_sessions_planned,
        integration_sessions_booked=counts.get((PlanCounter.INTEGRATION_SESSIONS, "booked"), 0),
        integration_sessions_completed=counts.get((PlanCounter.INTEGRATION_SESSIONS, "completed"), 0),
    )


def evaluation_link_columns() -> RecordColumns:
    """How booking's appointment reads find the visit's evaluation (``booking.record_links``): its id
    through the one-to-one join, and the same id only once the record is signed (a signed record
    always has ``signed_at``)."""
    return RecordColumns(
        record_id=F("evaluation__id"),
        signed_record_id=Case(
            When(evaluation__signed_at__isnull=False, then=F("evaluation__id")), output_field=UUIDField()
        ),
    )


def bookable_types_for(*, patient_id: UUID | None) -> list[AppointmentType]:
    """The types a person may book online: anyone (signed in or not) those open to any patient;
    a patient with an active plan also those that need one."""
    has_plan = patient_id is not None and active_plan_of(patient_id) is not None
    open_to = open_online_filter(signed_in=patient_id is not None, has_active_plan=has_plan)
    return list(AppointmentType.objects.select_related("clinic").filter(open_to, is_active=True).order_by("pk"))


@dataclass(frozen=True)
class TreatmentSummary:
    """What a patient sees of their treatment: the decision of their latest signed evaluation,
    its signing date (clinic time) and their plan's progress. Never screening values,
    contraindications, rationale or notes."""

    evaluation_id: UUID | None
    decision: str | None
    signed_on: date | None
    plan: TreatmentPlan | None
    progress: PlanProgress | None


def treatment_summary_for_patient(*, patient_id: UUID) -> TreatmentSummary:
    evaluation = (
        Evaluation.objects.select_related("appointment__appointment_type__clinic")
        .filter(patient_id=patient_id, status=EvaluationStatus.SIGNED)
        .order_by("-signed_at")
        .first()
    )
    if evaluation is None or evaluation.signed_at is None:
        return TreatmentSummary(None, None, None, None, None)
    zone = evaluation.appointment.appointment_type.clinic.zone
    plan = TreatmentPlan.objects.filter(evaluation=evaluation).exclude(status=PlanStatus.DRAFT).first()
    return TreatmentSummary(
        evaluation_id=evaluation.pk,
        decision=Decision(evaluation.decision) if evaluation.decision else None,
        signed_on=evaluation.signed_at.astimezone(zone).date(),
        plan=plan,
        progress=plan_progress(plan) if plan is not None else None,
    )


# -- the staff pages: a clinician's evaluations to write, and the parts of one record --

EVALUATION_TYPE_CODE = "evaluation"
EVALUATIONS_TO_WRITE_DAYS = 14
VISIT_TAKEN_PLACE = (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS, AppointmentStatus.COMPLETED)


@dataclass(frozen=True)
class EvaluationToWrite:
    appointment: Appointment
    draft_id: UUID | None  # the draft record, when one is open


def evaluations_to_write(*, clinician_id: UUID, now: datetime) -> list[EvaluationToWrite]:
    """The clinician's evaluation visits of the last 14 days that took place (checked in, in
    progress or completed) and have no signed record yet, earliest first (one query)."""
    rows = (
        Appointment.objects.select_related("patient", "evaluation", "appointment_type__clinic")
        .filter(
            appointment_type__code=EVALUATION_TYPE_CODE,
            status__in=VISIT_TAKEN_PLACE,
            staff__user_id=clinician_id,
            starts_at__gte=now - timedelta(days=EVALUATIONS_TO_WRITE_DAYS),
        )
        .exclude(evaluation__status=EvaluationStatus.SIGNED)
        .order_by("starts_at", "id")
    )
    result = []
    for appointment in rows:
        draft = getattr(appointment, "evaluation", None)
        result.append(EvaluationToWrite(appointment, draft.pk if draft is not None else None))
    return result


EVALUATIONS_AHEAD_DAYS = 14


def evaluations_upcoming(*, clinician_id: UUID, now: datetime) -> list[EvaluationToWrite]:
    """The clinician's evaluation visits still ahead in the next 14 days (upcoming, the patient not
    yet arrived: those that took place are ``evaluations_to_write``), soonest first (one query)."""
    rows = (
        Appointment.objects.select_related("patient", "evaluation", "appointment_type__clinic")
        .filter(
            upcoming_filter(now=now),
            appointment_type__code=EVALUATION_TYPE_CODE,
            staff__user_id=clinician_id,
            starts_at__lt=now + timedelta(days=EVALUATIONS_AHEAD_DAYS),
        )
        .exclude(status__in=VISIT_TAKEN_PLACE)
        .order_by("starts_at", "id")
    )
    return [EvaluationToWrite(row, getattr(getattr(row, "evaluation", None), "pk", None)) for row in rows]


@dataclass(frozen=True)
class EvaluationRecordParts:
    """What the evaluation page shows around a record read with ``evaluation_read``."""

    appointment: Appointment  # with its patient and clinic
    plan: TreatmentPlan | None
    progress: PlanProgress | None  # of a plan past its draft
    addenda: list[EvaluationAddendum]


def evaluation_record_parts(*, evaluation: Evaluation) -> EvaluationRecordParts:
    """The visit, the plan (and its progress once active) and the addenda of a record (four
    queries at most)."""
    appointment = Appointment.objects.select_related("patient", "appointment_type__clinic").get(
        pk=evaluation.appointment_id
    )
    plan = TreatmentPlan.objects.filter(evaluation_id=evaluation.pk).first()
    progress = plan_progress(plan) if plan is not None and plan.status != PlanStatus.DRAFT else None
    addenda = list(EvaluationAddendum.objects.select_related("author").filter(evaluation_id=evaluation.pk))
    return EvaluationRecordParts(appointment=appointment, plan=plan, progress=progress, addenda=addenda)
