"""Book all remaining infusions of a plan in one request: the earliest feasible sequence from a
start date, each on the open start nearest the preferred time of day, every rule kept (spacing,
window, count, real resources), all of it or nothing, under the same locks as a single booking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from booking import locking
from booking.availability import MAX_SEARCH_DAYS, availability_engine
from booking.models import Appointment
from booking.services.appointments import appointment_insert
from booking.services.assignment import Assignment, assign_resources
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.models import PlanStatus, TreatmentPlan
from clinical.services.plan_rules import plan_check_spacing_and_window, plan_sessions
from core.roles import BOOKING_STAFF_ROLES, Role
from scheduling.availability import AvailabilityEngine
from scheduling.models import AppointmentType, PlanCounter


@dataclass(frozen=True)
class _SeriesRequest:
    plan: TreatmentPlan
    infusion: AppointmentType
    start_date: date
    preferred_time: time
    online: bool
    now: datetime

    @property
    def zone(self) -> ZoneInfo:
        return self.infusion.clinic.zone


@dataclass(frozen=True)
class _BookedDays:
    """Local days of the blocking infusions already held: the plan's (sorted) and the patient's."""

    plan: list[date]
    patient: list[date]


def _nearest_to(starts: list[datetime], preferred: time, zone: ZoneInfo) -> datetime:
    """The start closest to the preferred wall-clock time; the earlier one on a tie."""

    def distance(start: datetime) -> tuple[int, datetime]:
        local = start.astimezone(zone)
        minutes = local.hour * 60 + local.minute
        return abs(minutes - (preferred.hour * 60 + preferred.minute)), start

    return min(starts, key=distance)


@locking.retried_once_on_deadlock
def treatment_plan_book_series(
    *, actor: User, plan_id: UUID, start_date: date, preferred_time: time, now: datetime | None = None
) -> list[Appointment]:
    """Book every remaining infusion of the plan from ``start_date``, all of it or nothing."""
    now = now or timezone.now()
    online = actor.role == Role.PATIENT
    plan = _plan_to_book(actor=actor, plan_id=plan_id, online=online)
    request = _SeriesRequest(
        plan=plan,
        infusion=_infusion_type(),
        start_date=start_date,
        preferred_time=preferred_time,
        online=online,
        now=now,
    )
    return locking.check_then_write(
        patient_id=plan.patient_id,
        appointment_type=request.infusion,
        check=lambda: _choose_series(request),
        write=lambda picked: _insert_series(request, picked=picked, actor=actor),
    )


def _plan_to_book(*, actor: User, plan_id: UUID, online: bool) -> TreatmentPlan:
    plan = TreatmentPlan.objects.select_related("patient").filter(pk=plan_id).first()
    if plan is None or (online and plan.patient_id != actor.pk):
        raise ClinicalError("No such treatment plan.", code="not_found", status_code=404)
    if not online and actor.role not in BOOKING_STAFF_ROLES:
        raise ClinicalPermissionError("Your role does not book appointments.")
    if plan.status != PlanStatus.ACTIVE:
        raise ClinicalPermissionError("This treatment plan is not active.", code="no_active_treatment_plan")
    return plan


def _infusion_type() -> AppointmentType:
    infusion = (
        AppointmentType.objects.select_related("clinic")
        .filter(counts_against_plan=PlanCounter.INFUSIONS, is_active=True)
        .order_by("pk")
        .first()
    )
    if infusion is None:
        raise ClinicalError("The clinic offers no infusions.", code="unknown_appointment_type")
    return infusion


def _choose_series(request: _SeriesRequest) -> list[tuple[datetime, Assignment]]:
    """After the locks: every remaining infusion on a day the plan allows, with its resources."""
    booked = _booked_days(request)
    remaining = _remaining_infusions(request.plan, booked)
    last_day = _last_series_day(request, booked)
    engine = _series_engine(request, last_day=last_day)
    open_starts = _open_starts_by_day(engine, request.zone)
    chosen = _pick_starts(request, booked=booked, open_starts=open_starts, remaining=remaining, last_day=last_day)
    _require_every_infusion(request, chosen=chosen, remaining=remaining)
    return [(start, _assignment_for(engine, start)) for start in chosen]


def _booked_days(request: _SeriesRequest) -> _BookedDays:
    def days(sessions: Iterable[Appointment]) -> list[date]:
        return [session.starts_at.astimezone(request.zone).date() for session in sessions]

    return _BookedDays(
        plan=sorted(days(plan_sessions(appointment_type_counter=PlanCounter.INFUSIONS, plan=request.plan))),
        patient=days(plan_sessions(appointment_type_counter=PlanCounter.INFUSIONS, patient_id=request.plan.patient_id)),
    )


def _remaining_infusions(plan: TreatmentPlan, booked: _BookedDays) -> int:
    remaining = plan.infusions_planned - len(booked.plan)
    if remaining <= 0:
        raise ClinicalConflictError("Every infusion of the plan is booked or done.", code="plan_exhausted")
    return remaining


def _last_series_day(request: _SeriesRequest, booked: _BookedDays) -> date:
    # The window is anchored on the plan's earliest infusion, or on the first one booked now.
    anchor = min([*booked.plan, request.start_date])
    window_end = anchor + timedelta(days=request.plan.window_days - 1)
    last_day = min(window_end, request.start_date + timedelta(days=MAX_SEARCH_DAYS - 1))
    if last_day < request.start_date:
        raise ClinicalConflictError("No sequence fits the plan's window.", code="series_infeasible")
    return last_day


def _series_engine(request: _SeriesRequest, *, last_day: date) -> AvailabilityEngine:
    return availability_engine(
        appointment_type=request.infusion,
        first_day=request.start_date,
        last_day=last_day,
        patient_id=request.plan.patient_id,
        online=request.online,
        now=request.now,
    )


def _open_starts_by_day(engine: AvailabilityEngine, zone: ZoneInfo) -> dict[date, list[datetime]]:
    by_day: dict[date, list[datetime]] = defaultdict(list)
    for start in engine.open_starts():
        by_day[start.astimezone(zone).date()].append(start)
    return by_day


def _pick_starts(
    request: _SeriesRequest,
    *,
    booked: _BookedDays,
    open_starts: dict[date, list[datetime]],
    remaining: int,
    last_day: date,
) -> list[datetime]:
    """Greedily from the start date: the first day with an open start the plan allows, its start
    nearest the preferred time, then onwards from the plan's spacing later."""
    chosen: list[datetime] = []
    chosen_days: list[date] = []
    day = request.start_date
    while len(chosen) < remaining and day <= last_day:
        if open_starts.get(day) and _plan_allows(request.plan, day=day, booked=booked, chosen_days=chosen_days):
            chosen.append(_nearest_to(open_starts[day], request.preferred_time, request.zone))
            chosen_days.append(day)
            day += timedelta(days=request.plan.min_days_between)
        else:
            day += timedelta(days=1)
    return chosen


def _plan_allows(plan: TreatmentPlan, *, day: date, booked: _BookedDays, chosen_days: list[date]) -> bool:
    try:
        plan_check_spacing_and_window(
            plan=plan,
            new_days=[day],
            other_infusion_days=[*booked.patient, *chosen_days],
            plan_infusion_days=[*booked.plan, *chosen_days],
        )
    except ClinicalConflictError:
        return False
    return True


def _require_every_infusion(request: _SeriesRequest, *, chosen: list[datetime], remaining: int) -> None:
    if len(chosen) < remaining:
        raise ClinicalConflictError(
            f"Only {len(chosen)} of the {remaining} remaining infusions fit the plan's rules from "
            f"{request.start_date.isoformat()}; nothing was booked.",
            code="series_infeasible",
        )


def _assignment_for(engine: AvailabilityEngine, start: datetime) -> Assignment:
    # Infusions of one series lie on different days (spacing is at least a day), so the
    # resources free for each start stay free for it whatever the others take.
    free = engine.free_resources(start)
    assert free is not None  # it came from the same engine's open starts
    return assign_resources(engine, free)


def _insert_series(
    request: _SeriesRequest, *, picked: list[tuple[datetime, Assignment]], actor: User
) -> list[Appointment]:
    return [
        appointment_insert(
            patient_id=request.plan.patient_id,
            appointment_type=request.infusion,
            starts_at=start,
            assignment=assignment,
            plan_id=request.plan.pk,
            actor=actor,
            now=request.now,
            reason="Series booking",
        )
        for start, assignment in picked
    ]
