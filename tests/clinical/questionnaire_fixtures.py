"""Infusions with their questionnaires, for the questionnaire, outcome and report tests.

``book_infusion`` goes through booking's service (its events open the questionnaires);
``infusion_with_questionnaires`` writes the rows directly, for tests of answering and reading.
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.models import Appointment, AppointmentStatus
from booking.services.appointments import appointment_book
from clinical.models import Questionnaire, TreatmentPlan
from clinical.services.questionnaires import OPENS_BEFORE
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory, UserFactory

LA = ZoneInfo("America/Los_Angeles")
BOOKED_AT = datetime(2026, 12, 1, 8, tzinfo=LA)  # a Tuesday morning
START = datetime(2026, 12, 7, 10, tzinfo=LA)  # the Monday after
PHQ9_CALM = [0, 1, 0, 1, 0, 1, 0, 0, 0]  # total 3, item 9 zero
GAD7_CALM = [1, 1, 0, 0, 0, 0, 0]  # total 2


def plan_of(patient: Any, *, signed_at: datetime = BOOKED_AT - timedelta(days=2), **overrides: Any) -> TreatmentPlan:
    return active_plan(patient, signed_at=signed_at, **overrides)


def book_infusion(patient: Any, *, starts_at: datetime, now: datetime, actor: Any = None) -> Appointment:
    """An infusion booked through booking's service by the front desk (the plan must be active)."""
    return appointment_book(
        actor=actor or UserFactory(role=Role.ADMIN),
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        starts_at=starts_at,
        now=now,
    )


def infusion_with_questionnaires(
    plan: TreatmentPlan,
    *,
    starts_at: datetime = START,
    status: str = AppointmentStatus.BOOKED,
    created_at: datetime = BOOKED_AT,
) -> tuple[Appointment, Questionnaire, Questionnaire]:
    """An infusion of ``plan`` and its open PHQ-9 and GAD-7, written directly."""
    appointment: Appointment = AppointmentFactory(
        patient=plan.patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        treatment_plan=plan,
        starts_at=starts_at,
        status=status,
    )
    phq9, gad7 = (
        Questionnaire.objects.create(
            patient=plan.patient,
            appointment=appointment,
            kind=kind,
            opens_at=starts_at - OPENS_BEFORE,
            created_at=created_at,
        )
        for kind in ("phq9", "gad7")
    )
    return appointment, phq9, gad7


def answered(questionnaire: Questionnaire, items: list[int], *, at: datetime, by: Any = None) -> Questionnaire:
    """Answers written directly (the answering rules have their own tests)."""
    questionnaire.items = items
    questionnaire.total = sum(items)
    questionnaire.answered_at = at
    questionnaire.answered_by = by or questionnaire.patient
    questionnaire.save()
    return questionnaire


def open_phq9_today(patient: Any, *, now: datetime) -> Questionnaire:
    """A PHQ-9 open at ``now`` before an infusion three hours later the same day (staff may enter
    it too), of ``patient`` (a fresh patient with an active plan when None)."""
    from tests.factories import PatientFactory

    owner = patient if patient is not None else PatientFactory()
    plan = TreatmentPlan.objects.filter(patient=owner, status="active").first() or plan_of(
        owner, signed_at=now - timedelta(days=2)
    )
    _, phq9, _ = infusion_with_questionnaires(plan, starts_at=now + timedelta(hours=3), created_at=now)
    return phq9


def plan_with_baseline(
    patient: Any, *, phq9: int, signed_at: datetime = BOOKED_AT - timedelta(days=2), **overrides: Any
):
    """An active plan whose signed evaluation's PHQ-9 total (the outcome's baseline) is ``phq9``."""
    from booking.models import AppointmentStatus as Status
    from clinical.models import Evaluation, EvaluationStatus, PlanStatus, Route

    clinician = UserFactory(role=Role.CLINICIAN)
    appointment = AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=signed_at - timedelta(hours=2),
        status=Status.COMPLETED,
    )
    evaluation = Evaluation.objects.create(
        appointment=appointment,
        patient=patient,
        clinician=clinician,
        status=EvaluationStatus.SIGNED,
        phq9_total=phq9,
        gad7_total=10,
        systolic_bp=120,
        diastolic_bp=80,
        heart_rate=70,
        substance_use="none",
        decision="candidate",
        rationale="Meets criteria.",
        signed_at=signed_at,
        signed_by=clinician,
    )
    fields = {
        "infusions_planned": 6,
        "min_days_between": 2,
        "window_days": 21,
        "dose_mg_per_kg": "0.50",
        "route": Route.IV,
        "status": PlanStatus.ACTIVE,
        "activated_at": signed_at,
        **overrides,
    }
    return TreatmentPlan.objects.create(evaluation=evaluation, patient=patient, **fields)
