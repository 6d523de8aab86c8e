"""Book all remaining infusions of a plan in one request: the earliest feasible sequence from a
start date, each on the open start nearest the preferred time of day, every rule kept (spacing,
window, count, real resources), all of it or nothing, under the same locks as a single booking.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from booking.models import Appointment
from booking.selectors import MAX_SEARCH_DAYS, availability_engine
from booking.services.appointments import (
    Assignment,
    appointment_insert,
    assign_resources,
    check_then_write,
    lock_booking_resources,
)
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import PlanStatus, TreatmentPlan
from clinical.services.plan_rules import plan_check_spacing_and_window, plan_sessions
from core.roles import BOOKING_STAFF_ROLES, Role
from scheduling.models import AppointmentType, PlanCounter


def _nearest_to(starts: list[datetime], preferred: time, zone: ZoneInfo) -> datetime:
    """The start closest to the preferred wall-clock time; the earlier one on a tie."""

    def distance(start: datetime) -> tuple[int, datetime]:
        local = start.astimezone(zone)
        minutes = local.hour * 60 + local.minute
        return abs(minutes - (preferred.hour * 60 + preferred.minute)), start

    return min(starts, key=distance)


def treatment_plan_book_series(
    *, actor: User, plan_id: UUID, start_date: date, preferred_time: time, now: datetime | None = None
) -> list[Appointment]:
    now = now or timezone.now()
    online = actor.role == Role.PATIENT
    plan = TreatmentPlan.objects.select_related("patient").filter(pk=plan_id).first()
    if plan is None or (online and plan.patient_id != actor.pk):
        raise ClinicalError("No such treatment plan.", code="not_found", status_code=404)
    if not online and actor.role not in BOOKING_STAFF_ROLES:
        raise ClinicalPermissionError("Your role does not book appointments.")
    if plan.status != PlanStatus.ACTIVE:
        raise ClinicalPermissionError("This treatment plan is not active.", code="no_active_treatment_plan")
    infusion = (
        AppointmentType.objects.select_related("clinic")
        .filter(counts_against_plan=PlanCounter.INFUSIONS, is_active=True)
        .order_by("pk")
        .first()
    )
    if infusion is None:
        raise ClinicalError("The clinic offers no infusions.", code="unknown_appointment_type")
    zone = infusion.clinic.zone

    def check() -> list[tuple[datetime, Assignment]]:
        lock_booking_resources(patient_id=plan.patient_id, appointment_type=infusion)
        plan_days = sorted(
            a.starts_at.astimezone(zone).date()
            for a in plan_sessions(appointment_type_counter=PlanCounter.INFUSIONS, plan=plan)
        )
        other_days = [
            a.starts_at.astimezone(zone).date()
            for a in plan_sessions(appointment_type_counter=PlanCounter.INFUSIONS, patient_id=plan.patient_id)
        ]
        remaining = plan.infusions_planned - len(plan_days)
        if remaining <= 0:
            raise ClinicalConflictError("Every infusion of the plan is booked or done.", code="plan_exhausted")
        # The window is anchored on the plan's earliest infusion, or on the first one booked now.
        anchor = min([*plan_days, start_date])
        last_day = min(anchor + timedelta(days=plan.window_days - 1), start_date + timedelta(days=MAX_SEARCH_DAYS - 1))
        if last_day < start_date:
            raise ClinicalConflictError("No sequence fits the plan's window.", code="series_infeasible")
        engine = availability_engine(
            appointment_type=infusion,
            first_day=start_date,
            last_day=last_day,
            patient_id=plan.patient_id,
            online=online,
            now=now,
        )
        by_day: dict[date, list[datetime]] = defaultdict(list)
        for start in engine.open_starts():
            by_day[start.astimezone(zone).date()].append(start)
        chosen: list[datetime] = []
        chosen_days: list[date] = []
        day = start_date
        while len(chosen) < remaining and day <= last_day:
            if by_day.get(day):
                try:
                    plan_check_spacing_and_window(
                        plan=plan,
                        new_days=[day],
                        other_infusion_days=[*other_days, *chosen_days],
                        plan_infusion_days=[*plan_days, *chosen_days],
                    )
                except ClinicalConflictError:
                    day += timedelta(days=1)
                    continue
                chosen.append(_nearest_to(by_day[day], preferred_time, zone))
                chosen_days.append(day)
                day += timedelta(days=plan.min_days_between)
            else:
                day += timedelta(days=1)
        if len(chosen) < remaining:
            raise ClinicalConflictError(
                f"Only {len(chosen)} of the {remaining} remaining infusions fit the plan's rules from "
                f"{start_date.isoformat()}; nothing was booked.",
                code="series_infeasible",
            )
        # Infusions of one series lie on different days (spacing is at least a day), so the
        # resources free for each start stay free for it whatever the others take.
        picked = []
        for start in chosen:
            free = engine.free_resources(start)
            assert free is not None  # it came from the same engine's open starts
            picked.append((start, assign_resources(engine, free)))
        return picked

    def write(picked: list[tuple[datetime, Assignment]]) -> list[Appointment]:
        return [
            appointment_insert(
                patient_id=plan.patient_id,
                appointment_type=infusion,
                starts_at=start,
                assignment=assignment,
                plan_id=plan.pk,
                actor=actor,
                now=now,
                reason="Series booking",
            )
            for start, assignment in picked
        ]

    return check_then_write(check, write)
