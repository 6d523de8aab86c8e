"""Today's work for the demo (SPEC.md section 7, "demo day"), written through the services with the
clock each step would have had, around a quarter hour of today (the anchor, ``A``: now's):

- an infusion to check in, booked at ``A`` + 45 min, its forms answered the day before with PHQ-9
  item 9 above 0: a self-harm alert a clinician acknowledges before it may start;
- one in the chair, started at ``A`` - 30 min (readings every 10 minutes, the one of ``A`` - 10 min
  past the blood-pressure threshold: an open alert for the nurse's action, the next reading due);
- one in recovery, started an infusion and a recovery time before ``A`` (90 min at the demo
  clinic), the infusion ended and the dose recorded: discharge is allowed once a fresh reading is
  taken;
- an evaluation visit at ``A``, checked in, no record yet: the clinician writes and signs it.

The three infusion patients were evaluated (signed, plans active) on an earlier clinic day; the
evaluation patient is new. Each date has its own patients, so the treatment history (Linda,
Rosa, James) and earlier days stay as they are, and a second run on one date adds nothing.

When today's calendar cannot hold that work (a weekend, or hours that do not cover the time
around now), the demo adds an extra opening for today (``ClinicOpening``): today's hours merged
with the time needed, every active staff member on duty. Late in the evening the work is laid
out as of the latest anchor whose visits still end today (21:15 on an ordinary day); before
about 02:00 there is no room today for work begun earlier, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking.availability import availability_engine, availability_for
from booking.models import Appointment, AppointmentEvent
from booking.services.appointments import appointment_book
from booking.services.lifecycle import appointment_confirm_readiness, appointment_transition
from clinical.models import InfusionRecord
from clinical.services.infusions import infusion_record_update
from clinical.services.scales import infusion_scales_record
from core.errors import DomainError
from demo.controlled import ControlledDemo
from demo.steps import HIGH_SYSTOLIC, PatientDetails, Staff, answer_forms, demo_staff, evaluate, patient_create, vitals
from demo.today_layout import (
    CHECK_IN_BEFORE,
    DEMO_CLINIC_LAYOUT,
    EVALUATION_SEARCH_DAYS,
    FIRST_NAMES,
    GRID,
    LAST_NAMES,
    MEASURES,
    READINGS_EVERY,
    RECOVERY_READINGS_EVERY,
    STAGES,
    Layout,
    Measures,
    Stage,
    layout_of,
)
from notifications.models import OutboxMessage, Status
from scheduling.models import AppointmentType, Clinic, StaffMember
from scheduling.openings import merged_blocks, wall_time_exists
from scheduling.selectors import clinic_day
from scheduling.services import clinic_opening_save


@dataclass
class DemoDay:
    """What ``seed_demo_day`` found or wrote for ``day``."""

    day: date
    zone: ZoneInfo
    outcome: Literal["written", "already_there", "too_early", "refused"]
    starts: dict[Stage, datetime] = field(default_factory=dict)
    emails: dict[Stage, str] = field(default_factory=dict)
    opening: list[tuple[time, time]] | None = None  # the hours of the opening added for it
    refusal: str = ""  # the code of the service that refused (outcome "refused")


WORDS: dict[Stage, str] = {
    "to_check_in": "an infusion to check in",
    "in_chair": "an infusion in the chair",
    "in_recovery": "an infusion in recovery",
    "evaluation": "an evaluation visit to write and sign",
}


def demo_day_lines(demo_day: DemoDay) -> list[str]:
    """What the demo day holds, a line per visit, for the commands to print (the demo patients'
    emails: they sign in with them)."""
    if demo_day.outcome == "already_there":
        return [f"Today's demo work ({demo_day.day}) is there already; left as it is."]
    if demo_day.outcome == "refused":
        return [
            f"Today's demo work ({demo_day.day}) was not written: the services said {demo_day.refusal!r} "
            "(today's calendar has no room for it?)."
        ]
    if demo_day.outcome == "too_early":
        return ["Too early in the day for today's demo work (it begins hours before now); run seed_demo_day later."]
    lines = [f"Today's demo work ({demo_day.day}), on the day board:"]
    for stage in sorted(STAGES, key=lambda stage: demo_day.starts[stage]):
        local = demo_day.starts[stage].astimezone(demo_day.zone)
        lines.append(f"  {local:%H:%M} {WORDS[stage]}: {demo_day.emails[stage]}")
    if demo_day.opening:
        hours = ", ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in demo_day.opening)
        lines.append(f"  The clinic is open today {hours} for it (an extra opening, in the admin).")
    return lines


def today_patients(day: date) -> dict[Stage, PatientDetails]:
    """The patients of ``day``'s demo work: new ones each date, their email naming the date."""
    shift = day.toordinal()
    patients = {}
    for index, stage in enumerate(STAGES):
        first = FIRST_NAMES[(shift + index) % len(FIRST_NAMES)]
        last = LAST_NAMES[(3 * shift + index) % len(LAST_NAMES)]
        email = f"{first}.{last}.{day:%Y%m%d}@example.com".lower()
        birth = f"{1970 + 7 * index}-0{index + 2}-1{index}"
        patients[stage] = PatientDetails(email, first, last, "en", birth, f"+1510555016{index}")
    return patients


def demo_anchor(now: datetime, zone: ZoneInfo, layout: Layout = DEMO_CLINIC_LAYOUT) -> datetime | None:
    """The quarter hour the work is laid out around: now's, or in the late evening the latest
    whose visits still end today; None when work begun earlier today cannot fit (small hours)."""
    local = now.astimezone(zone)
    today = local.date()
    # In UTC: every offset is a whole number of quarter hours, so the local grid is kept.
    anchor = now.astimezone(UTC) - timedelta(
        minutes=local.minute % 15, seconds=local.second, microseconds=local.microsecond
    )
    while (anchor + layout.last_end).astimezone(zone).date() != today:
        anchor -= GRID
    if (anchor + layout.first_step).astimezone(zone).date() != today:
        return None
    return anchor


def seed_demo_day(*, password: str, now: datetime | None = None) -> DemoDay:
    """Write today's demo work once per date (all of it or nothing)."""
    now = now or timezone.now()
    clinic = Clinic.objects.order_by("pk").first()
    assert clinic is not None, "seed_demo first"
    zone = clinic.zone
    today = now.astimezone(zone).date()
    patients = today_patients(today)
    emails = {stage: details.email for stage, details in patients.items()}
    if User.objects.filter(email__in=emails.values()).exists():
        return DemoDay(today, zone, "already_there", emails=emails)
    layout = layout_of(AppointmentType.objects.get(code="infusion"))
    anchor = demo_anchor(now, zone, layout)
    if anchor is None:
        return DemoDay(today, zone, "too_early")
    starts = {stage: anchor + offset for stage, offset in layout.starts.items()}
    try:
        with transaction.atomic():
            opening = _open_today_if_needed(clinic, today, anchor=anchor, layout=layout)
            users = {stage: patient_create(details, password=password) for stage, details in patients.items()}
            _write_work(users, starts, demo_staff(), now=now, zone=zone)
            # What the worker would have sent before now stays unsent: the demo starts now.
            OutboxMessage.objects.filter(patient__in=users.values(), status=Status.PENDING, due_at__lt=now).update(
                status=Status.SKIPPED
            )
    except DomainError as refused:
        # A calendar too full even with the opening (or a rule the demo did not foresee): nothing
        # is written, and the launch goes on without today's work.
        return DemoDay(today, zone, "refused", refusal=refused.code)
    return DemoDay(today, zone, "written", starts=starts, emails=emails, opening=opening)


# -- the calendar ---------------------------------------------------------------------------------------


def _types() -> tuple[AppointmentType, AppointmentType]:
    return AppointmentType.objects.get(code="infusion"), AppointmentType.objects.get(code="evaluation")


def _calendar_holds(day: date, anchor: datetime, layout: Layout) -> bool:
    """Whether today's calendar offers each of the day's visits (the engine's own answer)."""
    infusion, evaluation = _types()
    booked_at = anchor - timedelta(days=3)
    for stage, offset in layout.starts.items():
        start = anchor + offset
        appointment_type = evaluation if stage == "evaluation" else infusion
        engine = availability_engine(
            appointment_type=appointment_type, first_day=day, last_day=day, online=False, now=booked_at
        )
        if engine.free_resources(start) is None:
            return False
    return True


def _wall_time(instant: datetime, zone: ZoneInfo, *, up: bool) -> time:
    """The local time of ``instant``, rounded out to the whole hour when that time exists that day."""
    local = instant.astimezone(zone)
    exact = local.time().replace(tzinfo=None)
    if local.minute == 0:
        return exact
    rounded = local.replace(minute=0) + (timedelta(hours=1) if up else timedelta(0))
    if rounded.date() != local.date() or not wall_time_exists(local.date(), rounded.time(), zone):
        return exact
    return rounded.time()


def _open_today_if_needed(
    clinic: Clinic, day: date, *, anchor: datetime, layout: Layout
) -> list[tuple[time, time]] | None:
    """An extra opening for today when the calendar cannot hold the work: today's hours (or the
    opening's already there) merged with the time needed, and every active staff member on duty."""
    if _calendar_holds(day, anchor, layout):
        return None
    current = clinic_day(clinic=clinic, day=day)
    needed = (
        _wall_time(anchor + layout.starts["in_recovery"], clinic.zone, up=False),
        _wall_time(anchor + layout.last_end, clinic.zone, up=True),
    )
    blocks = merged_blocks([*current.blocks, needed])
    staff = set(StaffMember.objects.filter(clinic=clinic, is_active=True))
    if current.opening is not None:
        staff |= set(current.opening.staff.all())
    clinic_opening_save(
        clinic=clinic,
        day=day,
        blocks=blocks,
        staff=sorted(staff, key=lambda member: str(member.pk)),
        reason="Demo day: work to try today",
    )
    return blocks


# -- the work -----------------------------------------------------------------------------------------


def _earlier_evaluation_start(patient: User, today: date, zone: ZoneInfo) -> datetime:
    """The first open evaluation time of the latest clinic day at least four days before today."""
    _, evaluation = _types()
    for days_before in EVALUATION_SEARCH_DAYS:
        day = today - timedelta(days=days_before)
        booking_moment = datetime.combine(day - timedelta(days=5), time(12), tzinfo=zone)
        slots = availability_for(
            appointment_type=evaluation,
            first_day=day,
            last_day=day,
            patient_id=patient.pk,
            online=False,
            now=booking_moment,
        )
        if slots:
            return slots[0].start
    raise DomainError("No open evaluation time in the four weeks before today.", code="no_evaluation_time")


def _write_work(
    users: dict[Stage, User], starts: dict[Stage, datetime], staff: Staff, *, now: datetime, zone: ZoneInfo
) -> None:
    infusion, evaluation = _types()
    # The ketamine of today's infusions is in the controlled-substance log: a vial each, received
    # before the first start, drawn at the start and, once given, administered (no rest to waste).
    log = ControlledDemo(nurse=staff.nurse, witness=staff.clinician, password="", waste_on=set())
    under_way = [stage for stage in MEASURES if stage != "to_check_in"]
    received_at = min(starts[stage] for stage in under_way) - timedelta(minutes=30)
    log.receive(
        emails=[users[stage].email for stage in under_way], on=received_at.astimezone(zone).date(), at=received_at
    )
    for stage, measures in MEASURES.items():
        patient = users[stage]
        evaluated_at = _earlier_evaluation_start(patient, now.astimezone(zone).date(), zone)
        evaluate(patient, staff, at=evaluated_at, phq9=measures.evaluation_phq9, gad7=measures.evaluation_gad7)
        start = starts[stage]
        appointment = appointment_book(
            actor=staff.admin,
            patient=patient,
            appointment_type=infusion,
            starts_at=start,
            now=evaluated_at + timedelta(hours=2),
        )
        appointment_confirm_readiness(
            actor=patient,
            appointment_id=appointment.pk,
            driver_arranged=True,
            fasting_acknowledged=True,
            now=start - timedelta(days=1),
        )
        answer_forms(
            appointment,
            patient,
            phq9=measures.phq9,
            gad7=measures.gad7,
            at=start - timedelta(hours=20),
            self_harm=stage == "to_check_in",
        )
        if stage != "to_check_in":
            _infusion_under_way(
                appointment, measures, staff, ended=stage == "in_recovery", until=starts["evaluation"], log=log
            )
    visit_start = starts["evaluation"]
    visit = appointment_book(
        actor=staff.admin,
        patient=users["evaluation"],
        appointment_type=evaluation,
        starts_at=visit_start,
        now=visit_start - timedelta(days=3),
    )
    appointment_transition(
        actor=staff.nurse,
        appointment_id=visit.pk,
        action=AppointmentEvent.Action.CHECKED_IN,
        now=visit_start - timedelta(minutes=10),
    )


def _infusion_under_way(
    appointment: Appointment, measures: Measures, staff: Staff, *, ended: bool, until: datetime, log: ControlledDemo
) -> None:
    """Check-in, weight, baseline and start, then the readings every 10 minutes before the anchor
    (``until``): in the chair the latest is past the blood-pressure threshold (an open alert) and
    the next falls due at the anchor; when ``ended``, the whole infusion, its end and dose, and the
    recovery readings every 15 minutes before the anchor, when recovery is over."""
    start, nurse = appointment.starts_at, staff.nurse
    infusion_ends = start + timedelta(minutes=appointment.appointment_type.duration_minutes)

    def record(changes: dict[str, Any], at: datetime) -> InfusionRecord:
        return infusion_record_update(actor=nurse, appointment_id=appointment.pk, changes=changes, now=at)

    def transition(action: str, at: datetime) -> None:
        appointment_transition(actor=nurse, appointment_id=appointment.pk, action=action, now=at)

    transition(AppointmentEvent.Action.CHECKED_IN, start - CHECK_IN_BEFORE)
    record({"weight_kg": measures.weight_kg, "medications_review": "no_change"}, start - timedelta(minutes=15))
    vitals(appointment, nurse, at=start - timedelta(minutes=5))
    transition(AppointmentEvent.Action.STARTED, start)
    email = appointment.patient.email
    log.draw(appointment, email=email, number=1, at=start + timedelta(minutes=2))
    during = [at for at in _every(READINGS_EVERY, after=start, through=infusion_ends) if at < until]
    for at in during:
        high = not ended and at == during[-1]
        vitals(appointment, nurse, at=at, systolic=HIGH_SYSTOLIC if high else None)
    if not ended:
        return
    planned = record({"infusion_ended_at": infusion_ends}, infusion_ends + timedelta(minutes=1)).planned_dose_mg
    record({"dose_given_mg": planned}, infusion_ends + timedelta(minutes=1))
    log.administer(appointment, email=email, number=1, at=infusion_ends + timedelta(minutes=2))
    scored_at = infusion_ends + timedelta(minutes=5)  # sedation and dissociation at the infusion's end
    infusion_scales_record(actor=nurse, appointment_id=appointment.pk, moaas=5, cadss6_items=[0] * 6, now=scored_at)
    for at in _every(RECOVERY_READINGS_EVERY, after=infusion_ends, through=until):
        if at < until:
            vitals(appointment, nurse, at=at)


def _every(step: timedelta, *, after: datetime, through: datetime) -> list[datetime]:
    """``after + step``, ``after + 2 step``... up to ``through``."""
    moments = []
    moment = after + step
    while moment <= through:
        moments.append(moment)
        moment += step
    return moments
