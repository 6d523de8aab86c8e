"""The treatment plan's rules: its dose within the clinic's limits, and booking its sessions.

The dose (SPEC.md section 4): a plan's mg/kg lies within its route's range at the clinic (its
admin sets them on ``ClinicThresholds``; defaults IV 0.1-1.0, IM 0.1-1.0 mg/kg), checked when a
draft's plan changes and again at signing (400 ``dose_out_of_range``).

Booking infusions and integration sessions against the plan:

Checked by the booking service itself, inside its transaction and after its locks (the patient's
row is locked, so the counts cannot change underneath), for every path: patients and staff alike.

- an active plan is required (403 ``no_active_treatment_plan``);
- the plan's number of sessions is not exceeded; cancelled and no-show sessions do not count
  (409 ``plan_exhausted``);
- infusions keep ``min_days_between`` calendar days (clinic time) from every other infusion of the
  patient (409 ``spacing_violation``);
- a plan's infusions lie within ``window_days`` consecutive days, counted from its earliest
  infusion: with a 21-day window, an infusion on day 1 allows the last one on day 21
  (409 ``outside_plan_window``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import FilteredRelation, Q

from accounts.models import User
from booking.models import BLOCKING_STATUSES, Appointment
from clinical.dosing import DoseRange, dose_problems
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import ClinicThresholds, PlanStatus, Route, TreatmentPlan
from scheduling.models import AppointmentType, PlanCounter


def clinic_dose_limits(clinic_id: int) -> dict[str, DoseRange]:
    """The clinic's mg/kg range per route; SPEC.md's defaults while its admin has set none (read
    only: an unsaved row carries the defaults)."""
    limits = ClinicThresholds.objects.filter(clinic_id=clinic_id).first() or ClinicThresholds(clinic_id=clinic_id)
    return {
        Route.IV: DoseRange(limits.iv_dose_min_mg_per_kg, limits.iv_dose_max_mg_per_kg),
        Route.IM: DoseRange(limits.im_dose_min_mg_per_kg, limits.im_dose_max_mg_per_kg),
    }


def plan_check_dose(plan: TreatmentPlan, *, clinic_id: int) -> None:
    """400 ``dose_out_of_range`` when the plan's mg/kg is outside its route's range at the clinic."""
    problems = dose_problems(route=plan.route, dose_mg_per_kg=plan.dose_mg_per_kg, limits=clinic_dose_limits(clinic_id))
    if problems:
        raise ClinicalError(
            "The dose is outside the clinic's limits for its route.", code="dose_out_of_range", fields=problems
        )


def active_plan_of(patient_id: UUID) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(patient_id=patient_id, status=PlanStatus.ACTIVE).first()


def plan_sessions(
    *, appointment_type_counter: str, plan: TreatmentPlan | None = None, patient_id: UUID | None = None
) -> Iterable[Appointment]:
    rows = Appointment.objects.filter(
        status__in=BLOCKING_STATUSES, appointment_type__counts_against_plan=appointment_type_counter
    )
    if plan is not None:
        rows = rows.filter(treatment_plan=plan)
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    return rows.only("id", "starts_at", "treatment_plan_id")


def _too_close(day: date, others: Iterable[date], min_days_between: int) -> date | None:
    """An infusion day fewer than ``min_days_between`` days from ``day``, if there is one."""
    return next((other for other in others if abs((day - other).days) < min_days_between), None)


def _outside_window(series: list[date], window_days: int) -> bool:
    return (max(series) - min(series)).days >= window_days


def plan_check_spacing_and_window(
    *,
    plan: TreatmentPlan,
    new_days: list[date],
    other_infusion_days: list[date],
    plan_infusion_days: list[date],
) -> None:
    """Refuse ``new_days`` (infusion dates to add) that break the plan's spacing or window."""
    taken = list(other_infusion_days)
    for day in new_days:
        too_close = _too_close(day, taken, plan.min_days_between)
        if too_close is not None:
            raise ClinicalConflictError(
                f"Infusions need at least {plan.min_days_between} days between them; "
                f"there is one on {too_close.isoformat()}.",
                code="spacing_violation",
            )
        taken.append(day)
    if _outside_window([*plan_infusion_days, *new_days], plan.window_days):
        raise ClinicalConflictError(
            f"The plan's infusions must lie within {plan.window_days} days of its first one.",
            code="outside_plan_window",
        )


@dataclass(frozen=True)
class PlanLimits:
    """What a patient's active plan leaves open to a search of a type that counts against it:
    the same rules as ``plan_check_booking``, as a test of one local day."""

    counter: str
    planned: int
    booked: int
    min_days_between: int
    window_days: int
    infusion_days: tuple[date, ...]  # every blocking infusion of the patient, whatever its plan
    plan_days: tuple[date, ...]  # those of the active plan
    is_move: bool = False  # a session being moved: it adds none, whatever the count

    @property
    def exhausted(self) -> bool:
        return not self.is_move and self.booked >= self.planned

    def allows(self, day: date) -> bool:
        if self.exhausted:
            return False
        if self.counter != PlanCounter.INFUSIONS:
            return True
        if _too_close(day, self.infusion_days, self.min_days_between) is not None:
            return False
        return not _outside_window([*self.plan_days, day], self.window_days)


def plan_limits_for_search(
    *,
    patient_id: UUID,
    appointment_type: AppointmentType,
    zone: ZoneInfo,
    moving_appointment_id: UUID | None = None,
) -> PlanLimits | None:
    """The patient's plan limits for a search of ``appointment_type``, in one query; None when the
    type does not count against plans or the patient has no active plan (the search then shows
    the clinic's open times, and booking says why it refuses). A session being moved
    (``moving_appointment_id``) is left out, as booking leaves it out."""
    counter = appointment_type.counts_against_plan
    if not counter:
        return None
    # One row per blocking appointment of the patient (or one with none), each beside their active
    # plan (at most one, by a unique index); both joined only where they qualify, so a patient
    # without appointments still gets their plan. The counter is checked here: a join condition
    # cannot reach through to the appointment type.
    rows = list(
        User.objects.filter(pk=patient_id)
        .annotate(
            plan=FilteredRelation("treatment_plans", condition=Q(treatment_plans__status=PlanStatus.ACTIVE)),
            session=FilteredRelation("appointments", condition=Q(appointments__status__in=BLOCKING_STATUSES)),
        )
        .values_list(
            "plan__id",
            "plan__infusions_planned",
            "plan__integration_sessions_planned",
            "plan__min_days_between",
            "plan__window_days",
            "session__id",
            "session__starts_at",
            "session__treatment_plan_id",
            "session__appointment_type__counts_against_plan",
        )
    )
    if not rows or rows[0][0] is None:
        return None
    plan_id, infusions_planned, integration_planned, min_days_between, window_days = rows[0][:5]
    sessions = [
        (starts_at.astimezone(zone).date(), plan)
        for *_, session_id, starts_at, plan, session_counter in rows
        if starts_at is not None and session_counter == counter and session_id != moving_appointment_id
    ]
    plan_days = tuple(day for day, plan in sessions if plan == plan_id)
    return PlanLimits(
        counter=counter,
        planned=infusions_planned if counter == PlanCounter.INFUSIONS else integration_planned,
        booked=len(plan_days),
        min_days_between=min_days_between,
        window_days=window_days,
        infusion_days=tuple(day for day, _ in sessions),
        plan_days=plan_days,
        is_move=moving_appointment_id is not None,
    )


def plan_check_booking(
    *,
    patient_id: UUID,
    appointment_type: AppointmentType,
    starts_at: datetime,
    zone: ZoneInfo,
    moving_appointment_id: UUID | None = None,
) -> TreatmentPlan | None:
    """The plan a booking of ``appointment_type`` counts against, or a refusal; None when the
    type does not count against plans."""
    counter = appointment_type.counts_against_plan
    if not counter:
        return None
    plan = active_plan_of(patient_id)
    if plan is None and TreatmentPlan.objects.filter(patient_id=patient_id, status=PlanStatus.SUSPENDED).exists():
        raise ClinicalConflictError(
            "The treatment plan is suspended until a clinician reviews it.", code="plan_suspended"
        )
    if plan is None:
        raise ClinicalPermissionError(
            "This appointment needs an active treatment plan from a signed evaluation.",
            code="no_active_treatment_plan",
        )
    booked_in_plan = [
        a for a in plan_sessions(appointment_type_counter=counter, plan=plan) if a.pk != moving_appointment_id
    ]
    planned = plan.sessions_planned(counter)
    if moving_appointment_id is None and len(booked_in_plan) >= planned:
        raise ClinicalConflictError(f"All {planned} sessions of the plan are booked or done.", code="plan_exhausted")
    if counter == PlanCounter.INFUSIONS:
        others = [
            a.starts_at.astimezone(zone).date()
            for a in plan_sessions(appointment_type_counter=counter, patient_id=patient_id)
            if a.pk != moving_appointment_id
        ]
        plan_check_spacing_and_window(
            plan=plan,
            new_days=[starts_at.astimezone(zone).date()],
            other_infusion_days=others,
            plan_infusion_days=[a.starts_at.astimezone(zone).date() for a in booked_in_plan],
        )
    return plan


class TreatmentPlanGate:
    """booking's ``PlanGate``, registered by ClinicalConfig.ready()."""

    def check_booking(
        self,
        *,
        patient_id: UUID,
        appointment_type: AppointmentType,
        starts_at: datetime,
        zone: ZoneInfo,
        moving_appointment_id: UUID | None = None,
    ) -> UUID | None:
        plan = plan_check_booking(
            patient_id=patient_id,
            appointment_type=appointment_type,
            starts_at=starts_at,
            zone=zone,
            moving_appointment_id=moving_appointment_id,
        )
        return plan.pk if plan is not None else None

    def limits_for_search(
        self,
        *,
        patient_id: UUID,
        appointment_type: AppointmentType,
        zone: ZoneInfo,
        moving_appointment_id: UUID | None = None,
    ) -> PlanLimits | None:
        return plan_limits_for_search(
            patient_id=patient_id,
            appointment_type=appointment_type,
            zone=zone,
            moving_appointment_id=moving_appointment_id,
        )
