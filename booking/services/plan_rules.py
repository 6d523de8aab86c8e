"""The treatment plan's rules for booking infusions and integration sessions.

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
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from booking.errors import BookingConflictError, BookingPermissionError
from booking.models import BLOCKING_STATUSES, Appointment, PlanStatus, TreatmentPlan
from scheduling.models import AppointmentType, PlanCounter


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
        too_close = [other for other in taken if abs((day - other).days) < plan.min_days_between]
        if too_close:
            raise BookingConflictError(
                f"Infusions need at least {plan.min_days_between} days between them; "
                f"there is one on {too_close[0].isoformat()}.",
                code="spacing_violation",
            )
        taken.append(day)
    series = [*plan_infusion_days, *new_days]
    if (max(series) - min(series)).days >= plan.window_days:
        raise BookingConflictError(
            f"The plan's infusions must lie within {plan.window_days} days of its first one.",
            code="outside_plan_window",
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
    if plan is None:
        raise BookingPermissionError(
            "This appointment needs an active treatment plan from a signed evaluation.",
            code="no_active_treatment_plan",
        )
    booked_in_plan = [
        a for a in plan_sessions(appointment_type_counter=counter, plan=plan) if a.pk != moving_appointment_id
    ]
    planned = plan.infusions_planned if counter == PlanCounter.INFUSIONS else plan.integration_sessions_planned
    if moving_appointment_id is None and len(booked_in_plan) >= planned:
        raise BookingConflictError(f"All {planned} sessions of the plan are booked or done.", code="plan_exhausted")
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
