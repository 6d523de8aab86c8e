"""Writes of evaluation records and treatment plans: draft, edit, sign, addenda, discontinue.

The clinic's rules: a history of addiction in stable recovery (``in_recovery``) is not a
contraindication; active substance use or any listed contraindication allows a ``candidate``
decision only with an override reason. Signing checks completeness, makes the record final and,
for a candidate, activates the plan (one active plan per patient, a partial unique index says so
too). Every staff read and change of a record is written to the clinical access log.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.models import Appointment, AppointmentStatus
from booking.services.appointments import appointment_cancel_booked
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.events import EvaluationSigned
from clinical.models import (
    ClinicalAccess,
    Contraindication,
    Decision,
    Evaluation,
    EvaluationAddendum,
    EvaluationStatus,
    PlanStatus,
    SubstanceUse,
    TreatmentPlan,
)
from core.events import publish
from core.roles import Role

EVALUATION_TYPE_CODE = "evaluation"
WRITER_ROLES = (Role.CLINICIAN,)
FULL_READER_ROLES = (Role.CLINICIAN, Role.NURSE)
LIMITED_READER_ROLES = (Role.THERAPIST, Role.ADMIN)

# Field -> (low, high) inclusive ranges of the screening and vital signs.
RANGES: dict[str, tuple[int, int]] = {
    "phq9_total": (0, 27),
    "gad7_total": (0, 21),
    "systolic_bp": (50, 260),
    "diastolic_bp": (30, 160),
    "heart_rate": (20, 250),
}
PLAN_RANGES: dict[str, tuple[Any, Any]] = {
    "infusions_planned": (1, 12),
    "min_days_between": (1, 14),
    "window_days": (1, 90),
    "integration_sessions_planned": (0, 12),
    "dose_mg_per_kg": (Decimal("0.05"), Decimal("2.00")),
}
EVALUATION_FIELDS = (
    *RANGES,
    "substance_use",
    "contraindications",
    "decision",
    "rationale",
    "override_reason",
)
PLAN_FIELDS = (*PLAN_RANGES, "route", "notes")


def _require_writer(actor: User) -> None:
    if actor.role not in WRITER_ROLES:
        raise ClinicalPermissionError("Only clinicians write evaluations.")


def _check_ranges(values: dict[str, Any], ranges: dict[str, tuple[Any, Any]]) -> None:
    wrong = {
        name: [f"Must be between {low} and {high}."]
        for name, (low, high) in ranges.items()
        if values.get(name) is not None and not low <= values[name] <= high
    }
    if wrong:
        raise ClinicalError("Some values are out of range.", code="out_of_range", fields=wrong)


def _check_codes(values: dict[str, Any]) -> None:
    codes = values.get("contraindications")
    if codes is None:
        return
    unknown = sorted(set(codes) - set(Contraindication.values))
    if unknown or len(set(codes)) != len(codes):
        raise ClinicalError(
            "Unknown or repeated contraindication codes.",
            code="unknown_contraindication",
            fields={"contraindications": unknown or ["Repeated."]},
        )
    values["contraindications"] = sorted(codes)


def _locked_draft(evaluation_id: UUID) -> Evaluation:
    evaluation = Evaluation.objects.select_for_update().filter(pk=evaluation_id).first()
    if evaluation is None:
        raise ClinicalError("No such evaluation.", code="not_found", status_code=404)
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ClinicalConflictError("A signed evaluation never changes; add an addendum.", code="evaluation_signed")
    return evaluation


def evaluation_create(
    *, actor: User, appointment_id: UUID, request_id: str = "", now: datetime | None = None
) -> Evaluation:
    """Open the draft record of an evaluation appointment (one per appointment)."""
    now = now or timezone.now()
    _require_writer(actor)
    appointment = Appointment.objects.select_related("appointment_type").filter(pk=appointment_id).first()
    if appointment is None or appointment.appointment_type.code != EVALUATION_TYPE_CODE:
        raise ClinicalError(
            "No such evaluation appointment.", code="unknown_appointment", fields={"appointment": ["Unknown."]}
        )
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise ClinicalConflictError("This appointment did not take place.", code="invalid_status")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                appointment=appointment, patient_id=appointment.patient_id, clinician=actor
            )
            clinical_audit(actor, ClinicalAccess.Action.CREATE, evaluation, request_id=request_id, at=now)
    except IntegrityError as error:
        raise ClinicalConflictError("This appointment already has an evaluation.", code="evaluation_exists") from error
    return evaluation


def evaluation_update(
    *,
    actor: User,
    evaluation_id: UUID,
    changes: dict[str, Any],
    plan_changes: dict[str, Any] | None = None,
    request_id: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """Change a draft: any of EVALUATION_FIELDS, and the plan's PLAN_FIELDS (created on first use)."""
    now = now or timezone.now()
    _require_writer(actor)
    changes = {name: value for name, value in changes.items() if name in EVALUATION_FIELDS}
    _check_ranges(changes, RANGES)
    _check_codes(changes)
    plan_values = {name: value for name, value in (plan_changes or {}).items() if name in PLAN_FIELDS}
    _check_ranges(plan_values, PLAN_RANGES)
    with transaction.atomic():
        evaluation = _locked_draft(evaluation_id)
        for name, value in changes.items():
            setattr(evaluation, name, value)
        evaluation.save(update_fields=[*changes, "updated_at"])
        if plan_changes is not None:
            plan, _ = TreatmentPlan.objects.get_or_create(
                evaluation=evaluation, defaults={"patient_id": evaluation.patient_id}
            )
            for name, value in plan_values.items():
                setattr(plan, name, value)
            plan.save()
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, evaluation, request_id=request_id, at=now)
    return evaluation


def _missing_for_signing(evaluation: Evaluation) -> dict[str, list[str]]:
    missing = {name: ["Required to sign."] for name in RANGES if getattr(evaluation, name) is None}
    for name in ("substance_use", "decision", "rationale"):
        if not getattr(evaluation, name):
            missing[name] = ["Required to sign."]
    if evaluation.decision == Decision.CANDIDATE:
        plan = TreatmentPlan.objects.filter(evaluation=evaluation).first()
        if plan is None:
            missing["plan"] = ["A candidate needs a treatment plan."]
        else:
            for name in ("dose_mg_per_kg", "route"):
                if not getattr(plan, name):
                    missing[f"plan.{name}"] = ["Required to sign."]
    return missing


def needs_override(evaluation: Evaluation) -> bool:
    """Active use or a listed contraindication; recovery alone is not a contraindication."""
    return evaluation.substance_use == SubstanceUse.ACTIVE or bool(evaluation.contraindications)


VISIT_TOOK_PLACE = (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS, AppointmentStatus.COMPLETED)


def _check_visit_took_place(evaluation: Evaluation) -> None:
    """A draft may be prepared ahead, but it is signed only once the visit has taken place: its
    appointment checked in, under way or completed (SPEC.md section 4). The status decides, not
    the clock: a booked visit whose time has passed may still turn out a no-show."""
    status = Appointment.objects.filter(pk=evaluation.appointment_id).values_list("status", flat=True).first()
    if status not in VISIT_TOOK_PLACE:
        raise ClinicalConflictError(
            "The evaluation is signed once its visit has taken place.", code="visit_not_started"
        )


def evaluation_sign(
    *, actor: User, evaluation_id: UUID, request_id: str = "", now: datetime | None = None
) -> Evaluation:
    now = now or timezone.now()
    _require_writer(actor)
    try:
        with transaction.atomic():
            evaluation = _locked_draft(evaluation_id)
            _check_visit_took_place(evaluation)
            missing = _missing_for_signing(evaluation)
            if missing:
                raise ClinicalError("The evaluation is not complete.", code="incomplete_evaluation", fields=missing)
            candidate = evaluation.decision == Decision.CANDIDATE
            if candidate and needs_override(evaluation) and not evaluation.override_reason.strip():
                raise ClinicalError(
                    "Active substance use or a contraindication needs an override reason for a candidate decision.",
                    code="override_reason_required",
                    fields={"override_reason": ["Required with this decision."]},
                )
            if candidate:
                if TreatmentPlan.objects.filter(patient_id=evaluation.patient_id, status=PlanStatus.ACTIVE).exists():
                    raise ClinicalConflictError(
                        "The patient already has an active plan; discontinue it first.", code="active_plan_exists"
                    )
                TreatmentPlan.objects.filter(evaluation=evaluation, status=PlanStatus.DRAFT).update(
                    status=PlanStatus.ACTIVE, activated_at=now
                )
            signed = Evaluation.objects.filter(pk=evaluation.pk, status=EvaluationStatus.DRAFT).update(
                status=EvaluationStatus.SIGNED, signed_at=now, signed_by=actor, updated_at=now
            )
            if signed != 1:
                raise ClinicalConflictError("The evaluation was signed meanwhile.", code="evaluation_signed")
            clinical_audit(actor, ClinicalAccess.Action.SIGN, evaluation, request_id=request_id, at=now)
            publish(EvaluationSigned(evaluation_id=evaluation.pk, occurred_at=now))
    except IntegrityError as error:
        # The partial unique index: another plan of the patient became active concurrently.
        raise ClinicalConflictError("The patient already has an active plan.", code="active_plan_exists") from error
    evaluation.refresh_from_db()
    return evaluation


def evaluation_add_addendum(
    *, actor: User, evaluation_id: UUID, text: str, request_id: str = "", now: datetime | None = None
) -> EvaluationAddendum:
    now = now or timezone.now()
    _require_writer(actor)
    evaluation = Evaluation.objects.filter(pk=evaluation_id).first()
    if evaluation is None:
        raise ClinicalError("No such evaluation.", code="not_found", status_code=404)
    if evaluation.status != EvaluationStatus.SIGNED:
        raise ClinicalConflictError("A draft is edited, not amended.", code="evaluation_not_signed")
    if not text.strip():
        raise ClinicalError("An addendum needs text.", code="invalid", fields={"text": ["Required."]})
    with transaction.atomic():
        addendum = EvaluationAddendum.objects.create(evaluation=evaluation, author=actor, text=text, created_at=now)
        clinical_audit(actor, ClinicalAccess.Action.ADDENDUM, evaluation, request_id=request_id, at=now)
    return addendum


def evaluation_read(
    *, actor: User, evaluation_id: UUID, request_id: str = "", now: datetime | None = None
) -> tuple[Evaluation, bool]:
    """The record and whether the reader sees it whole (clinicians, nurses) or the limited view.

    A patient sees only their own, signed evaluation; anything else is "not found".
    """
    now = now or timezone.now()
    evaluation = Evaluation.objects.filter(pk=evaluation_id).first()
    if evaluation is None:
        raise ClinicalError("No such evaluation.", code="not_found", status_code=404)
    if actor.role == Role.PATIENT:
        if evaluation.patient_id != actor.pk or evaluation.status != EvaluationStatus.SIGNED:
            raise ClinicalError("No such evaluation.", code="not_found", status_code=404)
        return evaluation, False
    if actor.role not in (*FULL_READER_ROLES, *LIMITED_READER_ROLES):
        raise ClinicalPermissionError("Your role does not read evaluations.")
    clinical_audit(actor, ClinicalAccess.Action.READ, evaluation, request_id=request_id, at=now)
    return evaluation, actor.role in FULL_READER_ROLES


@locking.retried_once_on_deadlock
def treatment_plan_discontinue(
    *, actor: User, plan_id: UUID, reason: str, request_id: str = "", now: datetime | None = None
) -> TreatmentPlan:
    """End an active plan; its future booked appointments are cancelled with the reason."""
    now = now or timezone.now()
    _require_writer(actor)
    if not reason.strip():
        raise ClinicalError("Say why the plan ends.", code="invalid", fields={"reason": ["Required."]})
    with transaction.atomic():
        # The patient's row first, the first lock of booking's order: a booking under way either
        # finishes before (and its infusion is cancelled here) or starts after (and finds no active plan).
        patient_id = TreatmentPlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True).first()
        if patient_id is not None:
            locking.lock_patient(patient_id=patient_id)
        ended = TreatmentPlan.objects.filter(pk=plan_id, status=PlanStatus.ACTIVE).update(
            status=PlanStatus.DISCONTINUED, ended_at=now, ended_reason=reason
        )
        if ended != 1:
            if not TreatmentPlan.objects.filter(pk=plan_id).exists():
                raise ClinicalError("No such plan.", code="not_found", status_code=404)
            raise ClinicalConflictError("Only an active plan can be discontinued.", code="invalid_status")
        plan = TreatmentPlan.objects.get(pk=plan_id)
        future = Appointment.objects.filter(treatment_plan=plan, status=AppointmentStatus.BOOKED, starts_at__gt=now)
        for appointment in list(future):
            appointment_cancel_booked(
                appointment=appointment,
                actor=actor,
                reason=f"Treatment plan discontinued: {reason}",
                now=now,
                not_begun_by=now,
            )
        clinical_audit(actor, ClinicalAccess.Action.DISCONTINUE, plan, request_id=request_id, at=now)
    return plan
