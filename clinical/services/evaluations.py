"""Writes of evaluation records and treatment plans: draft, edit, sign, addenda, discontinue.

The clinic's rules (SPEC.md section 4; the pure ones in ``clinical.evaluation_rules`` and
``clinical.dosing``): a draft takes any value inside its range, and its plan's dose stays within
the clinic's limits for its route (400 ``dose_out_of_range``). Signing checks, and names every
reason at once (``code`` is the first one's): completeness (``incomplete_evaluation``), the hard
stops no override passes (``hard_contraindication``), that the record agrees with itself
(``screening_inconsistent``), a suicide-risk assessment when PHQ-9 item 9 is above 0
(``risk_assessment_required``), the dose (``dose_out_of_range``) and the override reason that
active substance use or another contraindication needs for a candidate
(``override_reason_required``). A history of addiction in stable recovery (``in_recovery``) is
not a contraindication. Signing makes the record final; for a candidate it activates the plan (one
active plan per patient, a partial unique index says so too); with PHQ-9 item 9 above 0 it raises
a self-harm alert already acknowledged by the assessment. Every staff read and change of a record
is written to the clinical access log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.models import Appointment, AppointmentStatus
from booking.services.appointments import appointment_cancel_booked
from booking.upcoming import changeable_filter
from clinical import evaluation_rules
from clinical.audit import clinical_audit
from clinical.dosing import infusion_minutes_for, infusion_minutes_problems
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.evaluation_rules import ITEMS, OPTIONAL_RANGES, PLAN_RANGES, RANGES
from clinical.events import EvaluationSigned
from clinical.models import (
    AlertKind,
    ClinicalAccess,
    Decision,
    Evaluation,
    EvaluationAddendum,
    EvaluationStatus,
    PlanStatus,
    SuicideRiskLevel,
    TreatmentPlan,
)
from clinical.services.alerts import alert_raise
from clinical.services.evaluation_checks import Refusal, check_input, clinic_of, range_problems, signing_refusal
from clinical.services.plan_rules import plan_check_dose
from clinical.services.questionnaires import SELF_HARM_REASON
from core.events import publish
from core.roles import CARE_TEAM_ROLES, PLAN_DECIDER_ROLES, Role

EVALUATION_TYPE_CODE = "evaluation"
WRITER_ROLES = (Role.CLINICIAN,)
LIMITED_READER_ROLES = (Role.THERAPIST, Role.ADMIN)

REFERRING_PROVIDER_FIELDS = (
    "referring_provider_name",
    "referring_provider_practice",
    "referring_provider_email",
    "referring_provider_phone",
    "referring_provider_write_back_agreed",
)
EVALUATION_FIELDS = (
    *RANGES,
    *ITEMS,
    *OPTIONAL_RANGES,
    "medications",
    "allergies",
    "allergies_none_known",
    "childbearing_potential",
    *REFERRING_PROVIDER_FIELDS,
    "substance_use",
    "contraindications",
    "decision",
    "rationale",
    "override_reason",
    "suicide_risk_level",
    "suicide_risk_note",
)
PLAN_FIELDS = (*PLAN_RANGES, "route", "notes")


def _require_writer(actor: User) -> None:
    if actor.role not in WRITER_ROLES:
        raise ClinicalPermissionError("Only clinicians write evaluations.")


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
    """Change a draft: any of EVALUATION_FIELDS, and the plan's PLAN_FIELDS (created on first use).
    A refusal names every value at fault and writes nothing."""
    now = now or timezone.now()
    _require_writer(actor)
    changes = {name: value for name, value in changes.items() if name in EVALUATION_FIELDS}
    plan_values = {name: value for name, value in (plan_changes or {}).items() if name in PLAN_FIELDS}
    plan_problems = range_problems(plan_values, PLAN_RANGES)
    if plan_problems:
        raise ClinicalError("Some values are out of range.", code="out_of_range", fields=plan_problems)
    with transaction.atomic():
        evaluation = _locked_draft(evaluation_id)
        check_input(changes, evaluation)
        for name, value in changes.items():
            setattr(evaluation, name, value)
        evaluation.save(update_fields=[*changes, "updated_at"])
        if plan_changes is not None:
            _plan_update(evaluation, plan_values)
        clinical_audit(actor, ClinicalAccess.Action.UPDATE, evaluation, request_id=request_id, at=now)
    return evaluation


def _plan_update(evaluation: Evaluation, values: dict[str, Any]) -> TreatmentPlan:
    """The draft's plan with ``values``: an IV plan runs 40 minutes unless told, an IM one none;
    its dose within the clinic's range for its route."""
    plan, _ = TreatmentPlan.objects.get_or_create(evaluation=evaluation, defaults={"patient_id": evaluation.patient_id})
    for name, value in values.items():
        setattr(plan, name, value)
    problems = infusion_minutes_problems(route=plan.route, minutes=values.get("infusion_minutes"))
    if problems:
        raise ClinicalError(
            "An IM injection has no infusion minutes.", code="infusion_minutes_not_applicable", fields=problems
        )
    plan.infusion_minutes = infusion_minutes_for(route=plan.route, minutes=plan.infusion_minutes)
    plan_check_dose(plan, clinic_id=clinic_of(evaluation))
    plan.save()
    return plan


def _raise_self_harm_alert(evaluation: Evaluation, *, actor: User, request_id: str, now: datetime) -> None:
    """PHQ-9 item 9 above 0 at the evaluation: an alert for the clinicians' queue, raised already
    acknowledged by the assessment signed with it (so it blocks no start). It belongs to the
    evaluation visit, not to an infusion."""
    if not evaluation_rules.self_harm_answered(evaluation.phq9_items):
        return
    level = SuicideRiskLevel(evaluation.suicide_risk_level).label.lower()
    alert = alert_raise(
        kind=AlertKind.SELF_HARM,
        appointment=Appointment.objects.get(pk=evaluation.appointment_id),
        evaluation=evaluation,
        reasons=[SELF_HARM_REASON],
        at=now,
        acknowledged_by=actor,
        note=f"Suicide-risk assessment at the evaluation: {level} risk. {evaluation.suicide_risk_note.strip()}",
    )
    clinical_audit(actor, ClinicalAccess.Action.ACKNOWLEDGE, alert, request_id=request_id, at=now)


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


def evaluation_sign_refusal(evaluation: Evaluation) -> Refusal:
    """Every reason ``evaluation_sign`` would refuse the draft for now, the visit's status included,
    for the page that asks to confirm the signature. A read: it writes nothing."""
    refusal = signing_refusal(evaluation)
    status = Appointment.objects.filter(pk=evaluation.appointment_id).values_list("status", flat=True).first()
    if status not in VISIT_TOOK_PLACE:
        visit = {"appointment": ["The visit has not taken place yet."]}
        refusal.add("visit_not_started", "The evaluation is signed once its visit has taken place.", visit)
    return refusal


def evaluation_sign(
    *, actor: User, evaluation_id: UUID, request_id: str = "", now: datetime | None = None
) -> Evaluation:
    now = now or timezone.now()
    _require_writer(actor)
    try:
        with transaction.atomic():
            evaluation = _locked_draft(evaluation_id)
            _check_visit_took_place(evaluation)
            signing_refusal(evaluation).raise_if_any()
            if evaluation.decision == Decision.CANDIDATE:
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
            _raise_self_harm_alert(evaluation, actor=actor, request_id=request_id, now=now)
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
    if actor.role not in (*CARE_TEAM_ROLES, *LIMITED_READER_ROLES):
        raise ClinicalPermissionError("Your role does not read evaluations.")
    clinical_audit(actor, ClinicalAccess.Action.READ, evaluation, request_id=request_id, at=now)
    return evaluation, actor.role in CARE_TEAM_ROLES


@locking.retried_once_on_deadlock
def treatment_plan_discontinue(
    *, actor: User, plan_id: UUID, reason: str, request_id: str = "", now: datetime | None = None
) -> TreatmentPlan:
    """End an active or suspended plan; its future booked appointments are cancelled with the reason."""
    now = now or timezone.now()
    if actor.role not in PLAN_DECIDER_ROLES:
        raise ClinicalPermissionError("Only a clinician ends a plan.")
    if not reason.strip():
        raise ClinicalError("Say why the plan ends.", code="invalid", fields={"reason": ["Required."]})
    with transaction.atomic():
        # The patient's row first, the first lock of booking's order: a booking under way either
        # finishes before (and its infusion is cancelled here) or starts after (and finds no active plan).
        patient_id = TreatmentPlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True).first()
        if patient_id is not None:
            locking.lock_patient(patient_id=patient_id)
        ended = TreatmentPlan.objects.filter(pk=plan_id, status__in=(PlanStatus.ACTIVE, PlanStatus.SUSPENDED)).update(
            status=PlanStatus.DISCONTINUED, ended_at=now, ended_reason=reason
        )
        if ended != 1:
            if not TreatmentPlan.objects.filter(pk=plan_id).exists():
                raise ClinicalError("No such plan.", code="not_found", status_code=404)
            raise ClinicalConflictError("Only an active or suspended plan can be discontinued.", code="invalid_status")
        plan = TreatmentPlan.objects.get(pk=plan_id)
        future = Appointment.objects.filter(changeable_filter(now=now), treatment_plan=plan)
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
