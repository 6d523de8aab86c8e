"""Pregnancy tests (SPEC.md section 12): when the evaluation says childbearing potential ``yes``
or ``unknown``, each infusion needs a result taken on its day or up to 7 days before
(``clinical/regulated_rules.py``). A positive result, in the same transaction as the test:
suspends the plan (a suspended plan is not active: bookings are refused with ``plan_suspended``
and the start with ``plan_active``), and raises an alert for a clinician. A clinician resumes the
plan (``treatment_plan_resume``) or ends it (``treatment_plan_discontinue``); the care team reads
why it is suspended (``plan_suspension_read``: the positive test behind it).

Writes lock like the session record's (the patient, the appointment, the record, in that order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.models import Appointment
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.infusion_rules import RECORD_ROLES
from clinical.models import (
    AlertKind,
    ClinicalAccess,
    Evaluation,
    EvaluationStatus,
    PlanStatus,
    PregnancyResult,
    PregnancyTest,
    TreatmentPlan,
)
from clinical.regulated_rules import PregnancyStatus, pregnancy_status, pregnancy_test_required
from clinical.services.alerts import alert_raise
from clinical.services.infusion_record import check_writable, record_lock_for_write
from core.roles import PLAN_DECIDER_ROLES


def _infusion_appointment(appointment_id: UUID) -> Appointment:
    appointment = (
        Appointment.objects.select_related("appointment_type__clinic", "treatment_plan", "patient")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or not appointment.appointment_type.is_infusion:
        raise ClinicalError("No such infusion appointment.", code="not_found", status_code=404)
    return appointment


def infusion_day(appointment: Appointment) -> date:
    return appointment.starts_at.astimezone(appointment.appointment_type.clinic.zone).date()


def _childbearing_potential(appointment: Appointment) -> str:
    """The evaluation's answer behind the infusion's plan (else the patient's latest signed one)."""
    plan = appointment.treatment_plan
    if plan is not None:
        return Evaluation.objects.filter(pk=plan.evaluation_id).values_list("childbearing_potential", flat=True).get()
    latest = (
        Evaluation.objects.filter(patient_id=appointment.patient_id, status=EvaluationStatus.SIGNED)
        .order_by("-signed_at")
        .values_list("childbearing_potential", flat=True)
        .first()
    )
    return latest or ""


def pregnancy_test_needed(appointment: Appointment) -> bool:
    return pregnancy_test_required(_childbearing_potential(appointment))


def pregnancy_status_of(appointment: Appointment) -> PregnancyStatus:
    """``satisfied`` (not needed, or a negative test counts), ``missing`` or ``positive``."""
    if not pregnancy_test_needed(appointment):
        return "satisfied"
    tests = PregnancyTest.objects.filter(patient_id=appointment.patient_id).order_by("taken_on", "recorded_at")
    return pregnancy_status(tests.values_list("taken_on", "result"), infusion_day=infusion_day(appointment))


@dataclass(frozen=True)
class PregnancyTests:
    appointment: Appointment
    needed: bool
    status: PregnancyStatus
    tests: list[PregnancyTest]


def pregnancy_tests_read(
    *, actor: User, appointment_id: UUID, request_id: str = "", now: datetime | None = None
) -> PregnancyTests:
    """What the infusion needs and the patient's tests, newest first; each read audited."""
    now = now or timezone.now()
    if actor.role not in RECORD_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians keep the infusion record.")
    appointment = _infusion_appointment(appointment_id)
    tests = list(PregnancyTest.objects.filter(patient_id=appointment.patient_id).select_related("recorded_by"))
    with transaction.atomic():
        for test in tests:
            clinical_audit(actor, ClinicalAccess.Action.READ, test, request_id=request_id, at=now)
    return PregnancyTests(appointment, pregnancy_test_needed(appointment), pregnancy_status_of(appointment), tests)


@dataclass(frozen=True)
class PlanSuspension:
    plan: TreatmentPlan
    positive_test: PregnancyTest | None  # the plan's latest positive test (None: none recorded says why)


def plan_suspension_read(
    *, actor: User, plan_id: UUID, request_id: str = "", now: datetime | None = None
) -> PlanSuspension | None:
    """Why the plan is suspended, for the care team: the latest positive test taken at one of its
    appointments (the read audited). None when the plan is not suspended."""
    now = now or timezone.now()
    if actor.role not in RECORD_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians read the pregnancy tests.")
    plan = TreatmentPlan.objects.filter(pk=plan_id, status=PlanStatus.SUSPENDED).first()
    if plan is None:
        return None
    test = (
        PregnancyTest.objects.filter(appointment__treatment_plan_id=plan_id, result=PregnancyResult.POSITIVE)
        .order_by("-taken_on", "-recorded_at")
        .first()
    )
    if test is not None:
        clinical_audit(actor, ClinicalAccess.Action.READ, test, request_id=request_id, at=now)
    return PlanSuspension(plan, test)


def _input_problems(*, result: str, taken_on: date | None, today: date) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if result not in PregnancyResult.values:
        problems["result"] = ["Either negative or positive."]
    if taken_on is None:
        problems["taken_on"] = ["Required."]
    elif taken_on > today:
        problems["taken_on"] = ["Not in the future."]
    return problems


@locking.retried_once_on_deadlock
def pregnancy_test_record(
    *,
    actor: User,
    appointment_id: UUID,
    result: str,
    taken_on: date | None,
    request_id: str = "",
    now: datetime | None = None,
) -> PregnancyTest:
    """A nurse or clinician records a test at an infusion (400 naming every field, 409 when the
    record is closed); a positive one suspends the plan and raises an alert."""
    now = now or timezone.now()
    if actor.role not in RECORD_ROLES:
        raise ClinicalPermissionError("Only nurses and clinicians record a pregnancy test.")
    appointment = _infusion_appointment(appointment_id)
    today = now.astimezone(appointment.appointment_type.clinic.zone).date()
    problems = _input_problems(result=result, taken_on=taken_on, today=today)
    if problems:
        code = "taken_on_out_of_range" if list(problems) == ["taken_on"] and taken_on else "invalid"
        raise ClinicalError("The test is not recorded.", code=code, fields=problems)
    assert taken_on is not None
    with transaction.atomic():
        locked = record_lock_for_write(actor=actor, appointment_id=appointment_id, now=now, request_id=request_id)
        check_writable(locked)
        test = PregnancyTest.objects.create(
            patient_id=locked.appointment.patient_id,
            appointment=locked.appointment,
            result=result,
            taken_on=taken_on,
            recorded_by=actor,
            recorded_at=now,
        )
        clinical_audit(actor, ClinicalAccess.Action.CREATE, test, request_id=request_id, at=now)
        if result == PregnancyResult.POSITIVE:
            _suspend_and_alert(locked.appointment, actor=actor, request_id=request_id, now=now)
    return test


def _suspend_and_alert(appointment: Appointment, *, actor: User, request_id: str, now: datetime) -> None:
    plan_id = appointment.treatment_plan_id
    if plan_id is not None:
        suspended = TreatmentPlan.objects.filter(pk=plan_id, status=PlanStatus.ACTIVE).update(
            status=PlanStatus.SUSPENDED
        )
        if suspended:
            plan = TreatmentPlan.objects.get(pk=plan_id)
            clinical_audit(actor, ClinicalAccess.Action.UPDATE, plan, request_id=request_id, at=now)
    alert_raise(kind=AlertKind.PREGNANCY_POSITIVE, appointment=appointment, reasons=[], at=now)


@locking.retried_once_on_deadlock
def treatment_plan_resume(
    *, actor: User, plan_id: UUID, request_id: str = "", now: datetime | None = None
) -> TreatmentPlan:
    """A clinician resumes a suspended plan (409 ``invalid_status`` unless suspended, 409
    ``active_plan_exists`` when another plan of the patient became active meanwhile)."""
    now = now or timezone.now()
    if actor.role not in PLAN_DECIDER_ROLES:
        raise ClinicalPermissionError("Only a clinician resumes a plan.")
    with transaction.atomic():
        patient_id = TreatmentPlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True).first()
        if patient_id is None:
            raise ClinicalError("No such plan.", code="not_found", status_code=404)
        locking.lock_patient(patient_id=patient_id)
        try:
            with transaction.atomic():
                resumed = TreatmentPlan.objects.filter(pk=plan_id, status=PlanStatus.SUSPENDED).update(
                    status=PlanStatus.ACTIVE
                )
        except IntegrityError as error:  # one active plan per patient
            raise ClinicalConflictError("Another plan of the patient is active.", code="active_plan_exists") from error
        if resumed != 1:
            raise ClinicalConflictError("Only a suspended plan can be resumed.", code="invalid_status")
        plan = TreatmentPlan.objects.get(pk=plan_id)
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, plan, request_id=request_id, at=now)
    return plan
