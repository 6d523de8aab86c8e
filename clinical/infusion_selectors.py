"""Reads of the infusion session record: everything the API and the page show of one session.

``infusion_session(record=..., now=...)`` gathers the record with its readings (and what each
was past), the readings schedule at ``now`` with each due time's status, adverse events, the
appointment's alerts and the patient's open self-harm alerts (of it or an earlier infusion), the
infusion's questionnaires, the pre-dose overrides and the scale assessments, in a fixed number of
queries.
Callers get the record through ``clinical.services.infusion_record.infusion_record_read``
(which checks the role and audits the read) or a write service, then call this. A read never
writes: a clinic without its thresholds row reads SPEC.md's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db.models import Q, Subquery

from booking.models import BLOCKING_STATUSES, Appointment
from clinical.alert_selectors import alerts_of_infusion_filter, infusion_alerts_filter
from clinical.infusion_rules import infusion_ends_at, recovery_ends_at
from clinical.models import (
    AdverseEvent,
    Alert,
    ClinicThresholds,
    InfusionRecord,
    PredoseOverride,
    Questionnaire,
    ScaleAssessment,
    VitalsReading,
)
from clinical.readings_schedule import ScheduledReading, readings_schedule, readings_status
from clinical.scale_selectors import scale_assessments
from scheduling.models import PlanCounter


@dataclass(frozen=True)
class ReadingView:
    reading: VitalsReading
    past_thresholds: list[str]  # the reasons of its alert (empty: inside the thresholds)


@dataclass(frozen=True)
class InfusionSession:
    record: InfusionRecord
    appointment: Appointment
    session_number: int | None  # infusion k of the plan's N
    sessions_planned: int
    weight_measured_today: bool
    readiness_confirmed_by_patient: bool
    infusion_ends_at: datetime | None
    recovery_ends_at: datetime | None
    readings: list[ReadingView]
    schedule: list[ScheduledReading]  # empty before the start
    adverse_events: list[AdverseEvent]
    alerts: list[Alert]  # the appointment's, and the patient's open self-harm alerts, oldest first
    thresholds: ClinicThresholds
    questionnaires: list[Questionnaire]  # the infusion's PHQ-9 then GAD-7, open or answered
    predose_overrides: list[PredoseOverride]  # oldest first
    scale_assessments: list[ScaleAssessment]  # MOAA/S and CADSS-6, oldest first

    @property
    def open_alerts(self) -> list[Alert]:
        return [alert for alert in self.alerts if alert.resolved_at is None]


def _session_number(appointment: Appointment) -> int | None:
    if appointment.treatment_plan_id is None:
        return None
    earlier = Appointment.objects.filter(
        treatment_plan_id=appointment.treatment_plan_id,
        appointment_type__counts_against_plan=PlanCounter.INFUSIONS,
        status__in=BLOCKING_STATUSES,
    ).filter(Q(starts_at__lt=appointment.starts_at) | Q(starts_at=appointment.starts_at, pk__lte=appointment.pk))
    return earlier.count() if appointment.status in BLOCKING_STATUSES else None


def clinic_thresholds(clinic_id: int) -> ClinicThresholds:
    """The clinic's thresholds, or SPEC.md's defaults (the model's) while none are saved."""
    return ClinicThresholds.objects.filter(clinic_id=clinic_id).first() or ClinicThresholds(clinic_id=clinic_id)


def session_alert(*, appointment_id: UUID, alert_id: UUID) -> Alert | None:
    """One alert the session's page shows (``InfusionSession.alerts``), in one query; None if it
    is not one of them."""
    appointment = Appointment.objects.filter(pk=appointment_id)
    shown = infusion_alerts_filter(
        appointment_id=appointment_id,
        patient_id=Subquery(appointment.values("patient_id")[:1]),
        starts_at=Subquery(appointment.values("starts_at")[:1]),
    )
    return Alert.objects.filter(shown, pk=alert_id).first()


def is_infusion_appointment(appointment_id: UUID) -> bool:
    """Whether the appointment is an infusion (one of a plan's infusions), in one query."""
    return Appointment.objects.filter(
        pk=appointment_id, appointment_type__counts_against_plan=PlanCounter.INFUSIONS
    ).exists()


def session_questionnaire(*, appointment_id: UUID, questionnaire_id: UUID) -> Questionnaire | None:
    """One of the infusion's questionnaires (None if it is another appointment's)."""
    return Questionnaire.objects.filter(pk=questionnaire_id, appointment_id=appointment_id).first()


def infusion_session(*, record: InfusionRecord, now: datetime) -> InfusionSession:
    appointment = (
        Appointment.objects.select_related("appointment_type__clinic", "treatment_plan", "patient", "room")
        .filter(pk=record.appointment_id)
        .get()
    )
    zone = appointment.appointment_type.clinic.zone
    readings = list(VitalsReading.objects.filter(record=record).select_related("alert").order_by("taken_at", "id"))
    views = [
        ReadingView(reading, list(reading.alert.reasons) if hasattr(reading, "alert") else []) for reading in readings
    ]
    ended = infusion_ends_at(record, appointment)
    schedule: list[ScheduledReading] = []
    if record.started_at is not None and ended is not None:
        due = readings_schedule(
            started_at=record.started_at,
            infusion_ends_at=ended,
            recovery_minutes=appointment.appointment_type.recovery_minutes,
        )
        schedule = readings_status(
            schedule=due,
            taken=[reading.taken_at for reading in readings],
            now=now,
            discharged_at=record.discharged_at,
        )
    alerts = list(
        Alert.objects.filter(alerts_of_infusion_filter(appointment))
        .select_related("reading", "questionnaire", "adverse_event", "resolved_by")
        .order_by("raised_at", "id")
    )
    today: date = now.astimezone(zone).date()
    plan = appointment.treatment_plan
    return InfusionSession(
        record=record,
        appointment=appointment,
        session_number=_session_number(appointment),
        sessions_planned=plan.infusions_planned if plan is not None else 0,
        weight_measured_today=record.weight_measured_on == today,
        readiness_confirmed_by_patient=appointment.driver_arranged and appointment.fasting_acknowledged,
        infusion_ends_at=ended,
        recovery_ends_at=recovery_ends_at(record, appointment),
        readings=views,
        schedule=schedule,
        adverse_events=list(AdverseEvent.objects.filter(record=record).order_by("occurred_at", "id")),
        alerts=alerts,
        thresholds=clinic_thresholds(appointment.appointment_type.clinic_id),
        questionnaires=list(
            Questionnaire.objects.filter(appointment=appointment)
            .filter(Q(closed_at__isnull=True) | Q(answered_at__isnull=False))  # closed unanswered ones are gone
            .select_related("answered_by")
            .order_by("-kind")  # PHQ-9 first
        ),
        predose_overrides=list(
            PredoseOverride.objects.filter(record=record).select_related("recorded_by").order_by("recorded_at", "id")
        ),
        scale_assessments=scale_assessments(record=record),
    )
