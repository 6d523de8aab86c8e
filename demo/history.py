"""A realistic treatment history for the demo clinic, written through the product's own services.

Each step runs with the clock it would have had (every service takes ``now``), so the rows are
the ones the clinic would have written: evaluations signed after their visit, series booked
against the plan, questionnaires opened 72 hours before each infusion and answered, readings
every ten minutes, a discharge that completes each infusion. The patients:

- Linda Park: a completed series of six infusions, in remission by the last one; her first began
  after a clinician's pre-dose override of a high baseline pressure; after the series, the letter
  to her referring psychiatrist (``demo/decisions.py``);
- Rosa Álvarez (Spanish): consent signed online in Spanish; may become pregnant, so a negative
  pregnancy test is on file for each infusion; four infusions done, a reading past the
  blood-pressure threshold (the nurse recorded "continued"), an episode of nausea, and her next
  infusion coming up with its questionnaires open;
- James Carter: two infusions done, the second on the clinic day before today (its follow-up call
  is due), then a dose order of 0.75 mg/kg for the rest of his series (``demo/decisions.py``), and
  the next one on the next clinic day, forms not yet answered.

Every other follow-up call was made on its day (the nurse reached the patient).

Every infusion's ketamine is in the controlled-substance log (``demo/controlled.py``).

Messages the history would have sent in the past are marked skipped, so a first `make run` does
not mail the demo patients about visits long gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from booking.models import Appointment, AppointmentEvent
from booking.services.appointments import appointment_book
from booking.services.lifecycle import appointment_confirm_readiness, appointment_transition
from clinical.adverse_event_rules import AdverseEventInput
from clinical.models import Alert, AlertAction, AlertKind, FollowUpCall, PregnancyResult
from clinical.services.adverse_events import adverse_event_record
from clinical.services.alerts import alert_acknowledge
from clinical.services.follow_ups import follow_up_call_record
from clinical.services.infusions import infusion_discharge, infusion_record_update
from clinical.services.pregnancy import infusion_day, pregnancy_test_record
from clinical.services.scales import infusion_scales_record
from clinical.services.start_gate import predose_override_record
from demo.controlled import ControlledDemo
from demo.decisions import dose_order_titrate, series_letter_write
from demo.steps import (
    CHECKLIST,
    HIGH_SYSTOLIC,
    REFERRING_PROVIDER,
    PatientDetails,
    Staff,
    answer_forms,
    demo_staff,
    evaluate,
    patient_create,
    vitals,
)
from notifications.models import OutboxMessage, Status
from scheduling.models import AppointmentType, Clinic

PEAK_MINUTE = 40  # blood pressure peaks around 40 minutes into an infusion
NAUSEA_MINUTE = 30
SATURDAY = 5
PLAN_INFUSIONS = 6  # the plan's (demo.steps.evaluate)
PREDOSE_HIGH_SYSTOLIC = 164  # past the default pre-dose limit of 160, under the alarm threshold of 180


@dataclass(frozen=True)
class HistoryPatient:
    email: str
    first_name: str
    last_name: str
    language: str
    date_of_birth: str
    phone: str
    weight_kg: Decimal
    hour: int  # local start time of their visits, so two patients never want the same chair
    phq9: tuple[int, ...]  # evaluation first, then one total per infusion answered
    gad7: tuple[int, ...]
    infusions_done: int
    evaluation_days_ago: int
    childbearing_potential: str = "no"  # "yes": a pregnancy test at every infusion
    predose_override_on: int = 0  # the infusion whose high baseline a clinician overrode
    last_infusion_yesterday: bool = False  # its follow-up call is due today (or the next clinic day)
    dose_order_after: int = 0  # the infusion after which the clinician orders a new mg/kg


PATIENTS = [
    HistoryPatient(
        "linda@example.com",
        "Linda",
        "Park",
        "en",
        "1979-02-03",
        "+15105550141",
        Decimal("61.5"),
        9,
        (19, 17, 14, 11, 8, 6, 4),
        (13, 12, 10, 9, 7, 6, 5),
        6,
        45,
        predose_override_on=1,
    ),
    HistoryPatient(
        "rosa@example.com",
        "Rosa",
        "Álvarez",
        "es",
        "1990-07-21",
        "+15105550142",
        Decimal("70.0"),
        11,
        (16, 15, 13, 11, 10),
        (14, 13, 12, 10, 9),
        4,
        20,
        childbearing_potential="yes",
    ),
    HistoryPatient(
        "james@example.com",
        "James",
        "Carter",
        "en",
        "1984-11-30",
        "+15105550143",
        Decimal("88.2"),
        13,
        (21, 20, 18),
        (12, 12, 11),
        2,
        12,
        last_infusion_yesterday=True,
        dose_order_after=2,
    ),
]


def _clinic_days(start: date, *, every: int) -> Iterator[date]:
    """Weekdays from ``start`` on, at least ``every`` days apart."""
    day = start
    while True:
        while day.weekday() >= SATURDAY:  # the demo clinic is open Monday to Friday
            day += timedelta(days=1)
        yield day
        day += timedelta(days=every)


def _patient(spec: HistoryPatient, password: str) -> User:
    details = PatientDetails(spec.email, spec.first_name, spec.last_name, spec.language, spec.date_of_birth, spec.phone)
    return patient_create(details, password=password)


def _review_before_discharge(appointment: Appointment, clinician: User, *, at: datetime) -> None:
    """A clinician acknowledges what is still open of the infusion (a worsening PHQ-9): the
    discharge waits for every alert of the infusion (SPEC.md section 10)."""
    for alert in Alert.objects.filter(appointment=appointment, resolved_at__isnull=True):
        note = "Reviewed with the patient before discharge; plan unchanged, follow-up call tomorrow."
        alert_acknowledge(actor=clinician, alert_id=alert.pk, note=note, now=at)


def _clinic_day_before(day: date) -> date:
    """The weekday before ``day``."""
    day -= timedelta(days=1)
    while day.weekday() >= SATURDAY:
        day -= timedelta(days=1)
    return day


def _infusion_days(spec: HistoryPatient, *, evaluation_day: date, today: date) -> list[date]:
    """The days of the infusions done, every third day: from three days after the evaluation, or
    back from the clinic day before today (``last_infusion_yesterday``)."""
    if not spec.last_infusion_yesterday:
        days = _clinic_days(evaluation_day + timedelta(days=3), every=3)
        return [next(days) for _ in range(spec.infusions_done)]
    backwards = [_clinic_day_before(today)]
    while len(backwards) < spec.infusions_done:
        backwards.append(_clinic_day_before(backwards[-1] - timedelta(days=2)))
    return backwards[::-1]


def _check_in(appointment: Appointment, spec: HistoryPatient, staff: Staff, *, number: int) -> None:
    """From the check-in to the start: weight and medications, a pregnancy test when the evaluation
    asks for one, the baseline reading (a high one overridden by the clinician), the start."""
    start = appointment.starts_at
    nurse = staff.nurse
    appointment_transition(
        actor=nurse,
        appointment_id=appointment.pk,
        action=AppointmentEvent.Action.CHECKED_IN,
        now=start - timedelta(minutes=20),
    )
    infusion_record_update(
        actor=nurse,
        appointment_id=appointment.pk,
        changes={"weight_kg": spec.weight_kg, "medications_review": "no_change"},
        now=start - timedelta(minutes=15),
    )
    if spec.childbearing_potential != "no":  # a urine test at the check-in, negative
        pregnancy_test_record(
            actor=nurse,
            appointment_id=appointment.pk,
            result=PregnancyResult.NEGATIVE,
            taken_on=infusion_day(appointment),
            now=start - timedelta(minutes=12),
        )
    overridden = number == spec.predose_override_on
    vitals(appointment, nurse, at=start - timedelta(minutes=5), systolic=PREDOSE_HIGH_SYSTOLIC if overridden else None)
    if overridden:
        predose_override_record(
            actor=staff.clinician,
            appointment_id=appointment.pk,
            note="Anxious before her first infusion; pressure normal at the evaluation. Start, readings as usual.",
            now=start - timedelta(minutes=2),
        )
    appointment_transition(
        actor=nurse, appointment_id=appointment.pk, action=AppointmentEvent.Action.STARTED, now=start
    )


def _infuse(
    appointment: Appointment, spec: HistoryPatient, staff: Staff, *, eventful: bool, number: int, log: ControlledDemo
) -> None:
    """One infusion from check-in to discharge, as the nurse records it."""
    start = appointment.starts_at
    nurse = staff.nurse
    _check_in(appointment, spec, staff, number=number)
    log.draw(appointment, email=spec.email, number=number, at=start + timedelta(minutes=2))
    for minutes in (10, 20, 30, 40, 50):
        high = eventful and minutes == PEAK_MINUTE
        vitals(appointment, nurse, at=start + timedelta(minutes=minutes), systolic=HIGH_SYSTOLIC if high else None)
        if high:
            alert = Alert.objects.get(
                appointment=appointment, kind=AlertKind.VITALS_THRESHOLD, resolved_at__isnull=True
            )
            alert_acknowledge(
                actor=nurse,
                alert_id=alert.pk,
                action=AlertAction.CONTINUED,
                note="Rechecked after five minutes; patient comfortable.",
                now=start + timedelta(minutes=42),
            )
        if eventful and minutes == NAUSEA_MINUTE:
            adverse_event_record(
                actor=nurse,
                appointment_id=appointment.pk,
                event=AdverseEventInput(
                    code="nausea_vomiting",
                    grade=1,
                    serious=False,
                    relatedness="probable",
                    outcome="resolved",
                    action="medication_given",
                    action_detail="Ondansetron 4 mg given; settled.",
                ),
                occurred_at=start + timedelta(minutes=28),
                now=start + timedelta(minutes=31),
            )
    record = infusion_record_update(
        actor=nurse, appointment_id=appointment.pk, changes={}, now=start + timedelta(minutes=51)
    )
    infusion_record_update(
        actor=nurse,
        appointment_id=appointment.pk,
        changes={"dose_given_mg": record.planned_dose_mg},
        now=start + timedelta(minutes=51),
    )
    log.administer(appointment, email=spec.email, number=number, at=start + timedelta(minutes=52))
    for minutes in (65, 80, 88):
        vitals(appointment, nurse, at=start + timedelta(minutes=minutes))
    at = start + timedelta(minutes=85)  # sedation and dissociation, scored before discharge
    infusion_scales_record(actor=nurse, appointment_id=appointment.pk, moaas=5, cadss6_items=[0] * 6, now=at)
    _review_before_discharge(appointment, staff.clinician, at=at)
    infusion_discharge(
        actor=nurse, appointment_id=appointment.pk, checklist=CHECKLIST, now=start + timedelta(minutes=91)
    )


def _follow_up_call(appointment: Appointment, nurse: User, *, today: date, zone: ZoneInfo, eventful: bool) -> None:
    """The nurse calls the patient on the call's day, mid-morning; a call due today is left to do."""
    call = FollowUpCall.objects.get(record__appointment=appointment)
    if call.due_on >= today:
        return
    condition = "Nausea settled that evening; feeling well." if eventful else "Feeling well; no new symptoms."
    follow_up_call_record(
        actor=nurse,
        follow_up_id=call.pk,
        reached=True,
        patient_condition=condition,
        now=datetime.combine(call.due_on, time(10), tzinfo=zone),
    )


def _treat(
    spec: HistoryPatient, patient: User, staff: Staff, *, today: date, zone: ZoneInfo, log: ControlledDemo
) -> None:
    """The evaluation, the infusions done (every third day), then the next one booked ahead."""
    days = _clinic_days(today - timedelta(days=spec.evaluation_days_ago), every=1)
    evaluation_day = next(days)
    evaluation_at = datetime.combine(evaluation_day, time(spec.hour), tzinfo=zone)
    evaluate(
        patient,
        staff,
        at=evaluation_at,
        phq9=spec.phq9[0],
        gad7=spec.gad7[0],
        childbearing_potential=spec.childbearing_potential,
        referring_provider=REFERRING_PROVIDER,
    )
    infusion_type = AppointmentType.objects.get(code="infusion")
    infusion_days = _infusion_days(spec, evaluation_day=evaluation_day, today=today)
    booked_at = datetime.combine(evaluation_day, time(17), tzinfo=zone)
    for number, day in enumerate(infusion_days, start=1):
        start = datetime.combine(day, time(spec.hour), tzinfo=zone)
        appointment = appointment_book(
            actor=staff.admin, patient=patient, appointment_type=infusion_type, starts_at=start, now=booked_at
        )
        appointment_confirm_readiness(
            actor=patient,
            appointment_id=appointment.pk,
            driver_arranged=True,
            fasting_acknowledged=True,
            now=start - timedelta(days=1),
        )
        answer_forms(
            appointment, patient, phq9=spec.phq9[number], gad7=spec.gad7[number], at=start - timedelta(hours=20)
        )
        eventful = spec.language == "es" and number == 2  # noqa: PLR2004
        _infuse(appointment, spec, staff, eventful=eventful, number=number, log=log)
        _follow_up_call(appointment, staff.nurse, today=today, zone=zone, eventful=eventful)
        if number == spec.dose_order_after:
            dose_order_titrate(patient, staff.clinician, at=start + timedelta(hours=3))
        booked_at = start + timedelta(hours=2)
    if spec.infusions_done == PLAN_INFUSIONS:
        series_letter_write(patient, staff.clinician, at=start + timedelta(days=2, hours=2))
    else:
        next_day = next(_clinic_days(today + timedelta(days=1), every=1))
        start = datetime.combine(next_day, time(spec.hour), tzinfo=zone)
        appointment_book(
            actor=staff.admin, patient=patient, appointment_type=infusion_type, starts_at=start, now=booked_at
        )


def seed_treatment_history(*, password: str, now: datetime | None = None) -> list[str]:
    """Write the history once (it refuses a database that already has it); the logins made."""
    now = now or timezone.now()
    clinic = Clinic.objects.get()
    zone = clinic.zone
    today = now.astimezone(zone).date()
    staff = demo_staff()
    # One vial a patient, received before the first evaluation; two infusions waste a rest.
    log = ControlledDemo(
        nurse=staff.nurse,
        witness=staff.clinician,
        password=password,
        waste_on={("linda@example.com", 6), ("rosa@example.com", 2)},
    )
    received_on = today - timedelta(days=max(spec.evaluation_days_ago for spec in PATIENTS) + 7)
    log.receive(
        emails=[spec.email for spec in PATIENTS], on=received_on, at=datetime.combine(received_on, time(8), tzinfo=zone)
    )
    for spec in PATIENTS:
        patient = _patient(spec, password)
        _treat(spec, patient, staff, today=today, zone=zone, log=log)
    # What the worker would have sent long ago stays unsent: the demo starts today.
    OutboxMessage.objects.filter(status=Status.PENDING, due_at__lt=now).update(status=Status.SKIPPED)
    return [spec.email for spec in PATIENTS]
