"""Infusion appointments at a fixed clinic moment, checked in and started through the real
services, for the session record's tests (service, gate, API, board)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import User
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.models import Alert, AlertKind, InfusionRecord, PlanStatus, Questionnaire, TreatmentPlan
from clinical.services.infusions import infusion_record_update, infusion_vitals_record
from clinical.services.scales import infusion_scales_record
from scheduling.models import AppointmentType, Room
from tests.clinical.plans import active_plan
from tests.clinical.regulated_fixtures import consented
from tests.factories import AppointmentFactory, PatientFactory

LA = ZoneInfo("America/Los_Angeles")
START = datetime(2026, 12, 7, 9, tzinfo=LA)  # a Monday, 9:00 Pacific Time
CHECK_IN = START - timedelta(minutes=15)
NORMAL: dict[str, Any] = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98}
DISCHARGE_CHECKLIST = {
    "alert_and_oriented": True,
    "escort_present": True,
    "walking_steadily": True,
    "instructions_given": True,
}


def infusion_url(appointment: Any, action: str = "") -> str:
    return f"/api/v1/infusions/{appointment.pk}/" + (f"{action}/" if action else "")


def infusion_appointment(
    patient: User | None = None,
    *,
    starts_at: datetime = START,
    status: str = AppointmentStatus.BOOKED,
    ready: bool = True,
    dose_mg_per_kg: str = "0.50",
    room: str | None = None,
    childbearing_potential: str = "no",
) -> Appointment:
    """An infusion of the patient's active plan (a fresh one of 0.50 mg/kg unless said), written directly; ``ready``:
    the patient confirmed driver and fasting. The patient's treatment consent is on file."""
    patient = patient or PatientFactory()
    plan = TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).first() or active_plan(
        patient,
        signed_at=starts_at - timedelta(days=10),
        dose_mg_per_kg=dose_mg_per_kg,
        childbearing_potential=childbearing_potential,
    )
    consented(patient, at=starts_at - timedelta(days=10))
    appointment: Appointment = AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        treatment_plan=plan,
        starts_at=starts_at,
        status=status,
        driver_arranged=ready,
        fasting_acknowledged=ready,
        room=Room.objects.get(name=room) if room else None,
    )
    return appointment


def check_in(appointment: Appointment, nurse: User, *, at: datetime = CHECK_IN) -> InfusionRecord:
    appointment_transition(
        actor=nurse, appointment_id=appointment.pk, action=AppointmentEvent.Action.CHECKED_IN, now=at
    )
    return InfusionRecord.objects.get(appointment=appointment)


def answer_questionnaires(appointment: Appointment, *, at: datetime) -> None:
    """This infusion's PHQ-9 and GAD-7 answered by the patient (all 1s), as the start needs."""
    answered = set(
        Questionnaire.objects.filter(appointment=appointment, answered_at__isnull=False).values_list("kind", flat=True)
    )
    for kind, count in (("phq9", 9), ("gad7", 7)):
        if kind in answered:
            continue
        Questionnaire.objects.filter(appointment=appointment, kind=kind, closed_at__isnull=True).delete()
        Questionnaire.objects.create(
            patient=appointment.patient,
            appointment=appointment,
            kind=kind,
            opens_at=appointment.starts_at - timedelta(hours=72),
            items=[1] * count,
            total=count,
            answered_at=at,
            answered_by=appointment.patient,
            created_at=appointment.starts_at - timedelta(hours=72),
        )


def prepare_start(appointment: Appointment, nurse: User, *, at: datetime, weight_kg: str = "70.0") -> None:
    """What the start gate needs besides the baseline: the weight (when none), the medication
    review, both questionnaires answered and the treatment consent on file."""
    consented(appointment.patient, at=at)
    record = InfusionRecord.objects.get(appointment=appointment)
    changes: dict[str, Any] = {"medications_review": "no_change"}
    if record.planned_dose_mg is None:
        changes["weight_kg"] = Decimal(weight_kg)
    infusion_record_update(actor=nurse, appointment_id=appointment.pk, changes=changes, now=at)
    answer_questionnaires(appointment, at=at)


def start(appointment: Appointment, nurse: User, *, at: datetime = START, baseline: bool = True) -> InfusionRecord:
    """Check in (15 minutes before), weigh, review medications, answer the questionnaires, a
    baseline 5 minutes before ``at``, then start at ``at``."""
    check_in(appointment, nurse, at=at - timedelta(minutes=15))
    prepare_start(appointment, nurse, at=at - timedelta(minutes=10))
    if baseline:
        infusion_vitals_record(
            actor=nurse, appointment_id=appointment.pk, taken_at=at - timedelta(minutes=5), now=at, **NORMAL
        )
    appointment_transition(actor=nurse, appointment_id=appointment.pk, action=AppointmentEvent.Action.STARTED, now=at)
    return InfusionRecord.objects.get(appointment=appointment)


def reading(appointment: Appointment, nurse: User, *, at: datetime, **values: Any) -> None:
    infusion_vitals_record(actor=nurse, appointment_id=appointment.pk, now=at, **{**NORMAL, **values})


def record_scales(
    appointment: Appointment, nurse: User, *, at: datetime, moaas: int = 5, cadss6: tuple[int, ...] = (0,) * 6
) -> None:
    """A MOAA/S and a CADSS-6 (alert, no dissociation unless said) assessed at ``at``."""
    infusion_scales_record(
        actor=nurse, appointment_id=appointment.pk, moaas=moaas, cadss6_items=list(cadss6), assessed_at=at, now=at
    )


def self_harm_alert(appointment: Appointment) -> Alert:
    """An answered PHQ-9 of ``appointment`` with item 9 above 0, and its open alert (as the
    questionnaire service raises it; it replaces an earlier PHQ-9 of ``appointment``)."""
    Questionnaire.objects.filter(appointment=appointment, kind="phq9", closed_at__isnull=True).delete()
    questionnaire = Questionnaire.objects.create(
        patient=appointment.patient,
        appointment=appointment,
        kind="phq9",
        opens_at=appointment.starts_at - timedelta(hours=72),
        items=[1, 1, 1, 1, 1, 1, 1, 1, 2],
        total=10,
        answered_at=appointment.starts_at - timedelta(hours=20),
        answered_by=appointment.patient,
        created_at=appointment.starts_at - timedelta(hours=72),
    )
    return Alert.objects.create(
        kind=AlertKind.SELF_HARM,
        patient=appointment.patient,
        appointment=appointment,
        questionnaire=questionnaire,
        raised_at=appointment.starts_at - timedelta(hours=20),
    )
