"""Outcomes of measurement-based care (SPEC.md section 10): one plan's PHQ-9 course, and the
outcome report of a date range.

One plan (``plan_outcome``):

- the sessions are the plan's infusions that were not cancelled and not a no-show, numbered 1, 2,
  ... by their start; each carries the PHQ-9 and GAD-7 totals answered before it (the latest
  answer of each kind for that infusion). Only sessions with at least one answer are listed;
- an infusion was *given* once it started (in progress or completed), at its record's real start
  (the appointment's start when it has no record);
- ``baseline_phq9``: the last PHQ-9 answered before the plan's first infusion was given
  (``baseline_source`` ``check_in``); the signed evaluation's total when there is none
  (``evaluation``);
- ``latest_phq9``: the last PHQ-9 answered after the first infusion was given; none before one
  was given (and then no change, no response, no remission);
- ``change_percent``: (latest - baseline) / baseline x 100, to one decimal (half up), negative
  when better; none without a latest answer or with a baseline of 0;
- ``response``: latest <= 50% of baseline (at least 50% below it; exactly 50% counts), none
  without a latest answer or with a baseline of 0;
- ``remission``: latest < 5, only from a baseline of 10 or more (``remission_applicable``); none
  without a latest answer or below 10 at baseline (not applicable).

The report (``outcome_report``) is over clinic-local dates, ``date_from`` to ``date_to``
inclusive (from 00:00 of the first day to 00:00 of the day after the last, clinic time):

- ``plans_started``: plans activated in the range;
- ``series_completed``: plans whose last planned infusion (the ``infusions_planned``-th
  completed infusion, by start) started in the range;
- ``completed_infusions``: infusions completed whose start is in the range;
- response and remission among plans with at least 4 completed infusions by the end of the range
  and at least one of them in the range (one plan per patient at a time: "patients"), each
  measured as ``plan_outcome`` with sessions up to the end of the range; the rate's denominator is
  the plans with a defined value (a latest PHQ-9, for response a baseline above 0, for remission
  a baseline of 10 or more); a rate is
  a percentage to one decimal, none when nobody qualifies;
- adverse events by code and grade (and how many of them serious): those that occurred in the range;
- blood-pressure alerts per 100 infusions: vital-sign alerts raised in the range naming the
  systolic or diastolic pressure, x 100 / ``completed_infusions``, to one decimal; none without
  infusions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from booking.models import Appointment, AppointmentStatus
from clinical import scoring
from clinical.models import (
    AdverseEvent,
    AdverseEventCode,
    Alert,
    AlertKind,
    Questionnaire,
    TreatmentPlan,
)
from scheduling.models import PlanCounter

MIN_INFUSIONS_FOR_RATES = 4
RESPONSE_FRACTION = Decimal("0.5")
REMISSION_BELOW = 5
REMISSION_BASELINE_AT_LEAST = 10  # below it, remission is not applicable (SPEC.md section 10)
_GIVEN = (AppointmentStatus.IN_PROGRESS, AppointmentStatus.COMPLETED)
BLOOD_PRESSURE_REASONS = frozenset({"systolic", "diastolic"})
_NOT_HELD = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class SessionScores:
    session: int  # 1-based among the plan's infusions held or to be held
    appointment_id: UUID
    starts_at: datetime
    phq9_total: int | None
    gad7_total: int | None


@dataclass(frozen=True)
class PlanOutcome:
    plan_id: UUID
    baseline_phq9: int | None
    latest_phq9: int | None
    change_percent: Decimal | None
    response: bool | None
    remission: bool | None
    sessions: list[SessionScores] = field(default_factory=list)
    baseline_source: str | None = None  # "check_in", "evaluation", or None without a baseline

    @property
    def remission_applicable(self) -> bool:
        return remission_applicable(self.baseline_phq9)


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, to one decimal (half up); none of nothing."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def remission_applicable(baseline: int | None) -> bool:
    return baseline is not None and baseline >= REMISSION_BASELINE_AT_LEAST


def outcome_of(baseline: int | None, latest: int | None) -> tuple[Decimal | None, bool | None, bool | None]:
    """(change in percent, response, remission) of a baseline and a latest PHQ-9 total."""
    measurable = latest is not None and remission_applicable(baseline)
    remission = latest < REMISSION_BELOW if measurable and latest is not None else None
    if latest is None or not baseline:
        return None, None, remission
    change = percent(latest - baseline, baseline)
    return change, Decimal(latest) <= RESPONSE_FRACTION * baseline, remission


@dataclass(frozen=True)
class _Held:
    """One of a plan's infusions that was not cancelled and not a no-show."""

    appointment_id: UUID
    starts_at: datetime
    given_at: datetime | None  # when it started; None while it has not


@dataclass(frozen=True)
class _Answer:
    appointment_id: UUID
    kind: str
    total: int
    answered_at: datetime


def _sessions(held: list[_Held], answers: list[_Answer]) -> list[SessionScores]:
    latest: dict[tuple[UUID, str], tuple[datetime, int]] = {}
    for answer in answers:
        key = (answer.appointment_id, answer.kind)
        if key not in latest or answer.answered_at >= latest[key][0]:
            latest[key] = (answer.answered_at, answer.total)
    sessions = []
    for number, infusion in enumerate(held, start=1):
        phq9 = latest.get((infusion.appointment_id, "phq9"))
        gad7 = latest.get((infusion.appointment_id, "gad7"))
        if phq9 is None and gad7 is None:
            continue
        sessions.append(
            SessionScores(
                session=number,
                appointment_id=infusion.appointment_id,
                starts_at=infusion.starts_at,
                phq9_total=phq9[1] if phq9 else None,
                gad7_total=gad7[1] if gad7 else None,
            )
        )
    return sessions


def _baseline_and_latest(
    held: list[_Held], answers: list[_Answer], evaluation_total: int | None
) -> tuple[int | None, str | None, int | None]:
    """(baseline, its source, latest): the PHQ-9s answered before and after the first infusion
    given (SPEC.md section 10)."""
    given = [infusion.given_at for infusion in held if infusion.given_at is not None]
    first_given = min(given) if given else None
    phq9s = sorted((a for a in answers if a.kind == scoring.PHQ9), key=lambda a: a.answered_at)
    before = [a.total for a in phq9s if first_given is None or a.answered_at < first_given]
    after = [a.total for a in phq9s if first_given is not None and a.answered_at >= first_given]
    latest = after[-1] if after else None
    if before:
        return before[-1], "check_in", latest
    return evaluation_total, ("evaluation" if evaluation_total is not None else None), latest


def _plan_outcome(
    plan_id: UUID, evaluation_total: int | None, held: list[_Held], answers: list[_Answer]
) -> PlanOutcome:
    baseline, source, latest = _baseline_and_latest(held, answers, evaluation_total)
    change, response, remission = outcome_of(baseline, latest)
    sessions = _sessions(held, answers)
    return PlanOutcome(plan_id, baseline, latest, change, response, remission, sessions, source)


def _held_infusions(plan_ids: list[UUID], *, until: datetime | None = None) -> dict[UUID, list[_Held]]:
    rows = Appointment.objects.filter(
        treatment_plan_id__in=plan_ids, appointment_type__counts_against_plan=PlanCounter.INFUSIONS
    ).exclude(status__in=_NOT_HELD)
    if until is not None:
        rows = rows.filter(starts_at__lt=until)
    by_plan: dict[UUID, list[_Held]] = defaultdict(list)
    for plan_id, appointment_id, starts_at, status, started_at in rows.order_by("starts_at", "id").values_list(
        "treatment_plan_id", "id", "starts_at", "status", "infusion_record__started_at"
    ):
        given_at = (started_at or starts_at) if status in _GIVEN else None
        if until is not None and given_at is not None and given_at >= until:
            given_at = None  # not yet given at the end of the range
        by_plan[plan_id].append(_Held(appointment_id, starts_at, given_at))
    return by_plan


def _answers(appointment_ids: list[UUID], *, until: datetime | None = None) -> dict[UUID, list[_Answer]]:
    """Answered questionnaires of these appointments (before ``until``), by appointment."""
    by_appointment: dict[UUID, list[_Answer]] = defaultdict(list)
    rows = Questionnaire.objects.filter(appointment_id__in=appointment_ids, answered_at__isnull=False)
    if until is not None:
        rows = rows.filter(answered_at__lt=until)
    for appointment_id, kind, total, answered_at in rows.values_list("appointment_id", "kind", "total", "answered_at"):
        if total is not None and answered_at is not None:  # always, for an answered one
            by_appointment[appointment_id].append(_Answer(appointment_id, kind, total, answered_at))
    return by_appointment


def plan_outcomes(plans: list[tuple[UUID, int | None]], *, until: datetime | None = None) -> list[PlanOutcome]:
    """The outcome of each (plan id, evaluation's PHQ-9), counting infusions that start and
    answers given before ``until`` (all when none) (two queries whatever the number of plans)."""
    infusions = _held_infusions([plan_id for plan_id, _ in plans], until=until)
    answers = _answers([infusion.appointment_id for rows in infusions.values() for infusion in rows], until=until)
    outcomes = []
    for plan_id, evaluation_total in plans:
        held = infusions.get(plan_id, [])
        plan_answers = [answer for infusion in held for answer in answers.get(infusion.appointment_id, [])]
        outcomes.append(_plan_outcome(plan_id, evaluation_total, held, plan_answers))
    return outcomes


def plan_outcome(plan: TreatmentPlan) -> PlanOutcome:
    """One plan's outcome (three queries: the evaluation's baseline, the infusions, the answers)."""
    baseline = TreatmentPlan.objects.filter(pk=plan.pk).values_list("evaluation__phq9_total", flat=True).first()
    return plan_outcomes([(plan.pk, baseline)])[0]


# -- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdverseEventCount:
    code: str
    grade: int
    count: int
    serious: int  # of them, those marked serious (counted apart, SPEC.md section 10)


@dataclass(frozen=True)
class OutcomeReport:
    date_from: date
    date_to: date
    time_zone: str
    plans_started: int
    series_completed: int
    completed_infusions: int
    patients_with_enough_infusions: int  # at least MIN_INFUSIONS_FOR_RATES completed
    responders: int
    response_measured: int
    response_rate_percent: Decimal | None
    remitters: int
    remission_measured: int
    remission_rate_percent: Decimal | None
    adverse_events: list[AdverseEventCount]
    blood_pressure_alerts: int
    blood_pressure_alerts_per_100_infusions: Decimal | None


def _bounds(date_from: date, date_to: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    # Built from wall-clock midnights, so a daylight-saving day is as long as it really is.
    return (
        datetime.combine(date_from, time(0), tzinfo=zone),
        datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=zone),
    )


def _completed_infusions(until: datetime) -> dict[UUID, list[datetime]]:
    """Starts of completed infusions before ``until``, by plan, in order."""
    by_plan: dict[UUID, list[datetime]] = defaultdict(list)
    rows = Appointment.objects.filter(
        appointment_type__counts_against_plan=PlanCounter.INFUSIONS,
        status=AppointmentStatus.COMPLETED,
        treatment_plan__isnull=False,
        starts_at__lt=until,
    ).order_by("starts_at", "id")
    for plan_id, starts_at in rows.values_list("treatment_plan_id", "starts_at"):
        by_plan[plan_id].append(starts_at)
    return by_plan


def _adverse_events(start: datetime, end: datetime) -> list[AdverseEventCount]:
    rows = AdverseEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).values_list(
        "code", "grade", "serious"
    )
    counted: Counter[tuple[str, int]] = Counter()
    serious: Counter[tuple[str, int]] = Counter()
    for code, grade, is_serious in rows:
        counted[(code, grade)] += 1
        serious[(code, grade)] += bool(is_serious)
    codes = list(AdverseEventCode.values)
    return [
        AdverseEventCount(code, grade, count, serious[(code, grade)])
        for (code, grade), count in sorted(counted.items(), key=lambda item: (codes.index(item[0][0]), item[0][1]))
    ]


def _blood_pressure_alerts(start: datetime, end: datetime) -> int:
    # Reasons are a JSON list; SQLite has no JSON containment, and the range holds few alerts.
    reasons = Alert.objects.filter(
        kind=AlertKind.VITALS_THRESHOLD, raised_at__gte=start, raised_at__lt=end
    ).values_list("reasons", flat=True)
    return sum(1 for named in reasons if BLOOD_PRESSURE_REASONS & set(named or ()))


def outcome_report(*, date_from: date, date_to: date, zone: ZoneInfo) -> OutcomeReport:
    """The outcome report of clinic-local dates ``date_from`` to ``date_to`` (see the module's
    docstring for what each figure counts); a fixed number of queries."""
    start, end = _bounds(date_from, date_to, zone)
    plans_started = TreatmentPlan.objects.filter(activated_at__gte=start, activated_at__lt=end).count()
    completed = _completed_infusions(end)
    planned = dict(TreatmentPlan.objects.filter(pk__in=list(completed)).values_list("pk", "infusions_planned"))
    series_completed = sum(
        1
        for plan_id, starts in completed.items()
        if len(starts) >= planned[plan_id] and start <= starts[planned[plan_id] - 1] < end
    )
    completed_in_range = sum(1 for starts in completed.values() for at in starts if at >= start)
    cohort = [
        plan_id
        for plan_id, starts in completed.items()
        if len(starts) >= MIN_INFUSIONS_FOR_RATES and any(at >= start for at in starts)
    ]
    baselines = dict(TreatmentPlan.objects.filter(pk__in=cohort).values_list("pk", "evaluation__phq9_total"))
    outcomes = plan_outcomes([(plan_id, baselines[plan_id]) for plan_id in cohort], until=end)
    response_measured = [o.response for o in outcomes if o.response is not None]
    remission_measured = [o.remission for o in outcomes if o.remission is not None]
    bp_alerts = _blood_pressure_alerts(start, end)
    return OutcomeReport(
        date_from=date_from,
        date_to=date_to,
        time_zone=str(zone),
        plans_started=plans_started,
        series_completed=series_completed,
        completed_infusions=completed_in_range,
        patients_with_enough_infusions=len(cohort),
        responders=sum(response_measured),
        response_measured=len(response_measured),
        response_rate_percent=percent(sum(response_measured), len(response_measured)),
        remitters=sum(remission_measured),
        remission_measured=len(remission_measured),
        remission_rate_percent=percent(sum(remission_measured), len(remission_measured)),
        adverse_events=_adverse_events(start, end),
        blood_pressure_alerts=bp_alerts,
        blood_pressure_alerts_per_100_infusions=percent(bp_alerts, completed_in_range),
    )


# -- what the patient reads --------------------------------------------------------------------


@dataclass(frozen=True)
class PatientOutcome:
    """A plan's outcome as its patient reads it, from their own answers only: the latest PHQ-9
    total, how far it moved from their own baseline check-in (the PHQ-9 they answered before the
    plan's first infusion) in whole percent, and what that means.

    Never a figure set against the evaluation's score when that is the plan's baseline (SPEC.md
    section 10's fallback): the patient knows their latest total, so a percentage against the
    evaluation gives its score away, and "the same", "lower", "down by half" or a remission that
    needs a baseline of 10 bound it (issue 18). Staff read the plan's outcome as it is."""

    latest: int
    max_total: int
    compared_with: str | None  # "first_check_in"; None when the baseline is not their answer
    change_whole_percent: int | None  # how far from the first check-in, unsigned
    direction: str | None  # "lower" (better), "higher" or "same"
    response: bool  # at least 50% below the first check-in
    remission: bool  # the latest below 5, from a first check-in of 10 or more


def patient_outcome(outcome: PlanOutcome | None) -> PatientOutcome | None:
    if outcome is None or outcome.latest_phq9 is None:
        return None
    latest = outcome.latest_phq9
    first = outcome.baseline_phq9 if outcome.baseline_source == "check_in" else None
    measured = first is not None and first > 0  # no percentage of nothing
    direction = None
    if measured and first is not None:
        direction = "lower" if latest < first else "higher" if latest > first else "same"
    return PatientOutcome(
        latest=latest,
        max_total=scoring.MAX_TOTALS[scoring.PHQ9],
        compared_with="first_check_in" if first is not None else None,
        # Straight to whole percent (76.47 is 76, not 76.5 then 77).
        change_whole_percent=int((Decimal(abs(latest - first)) * 100 / first).quantize(Decimal(1), ROUND_HALF_UP))
        if measured and first is not None
        else None,
        direction=direction,
        response=measured and first is not None and Decimal(latest) <= RESPONSE_FRACTION * first,
        remission=first is not None and outcome.remission is True,
    )
