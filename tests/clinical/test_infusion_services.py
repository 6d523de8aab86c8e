"""The infusion session record's services: the record's life, weight and dose arithmetic, readings
and their alerts and the discharge (adverse events: test_adverse_events.py), with exact values and
nothing written on a refusal."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.dosing import planned_dose
from clinical.errors import ClinicalError
from clinical.infusion_rules import reading_reasons
from clinical.models import (
    AdverseEvent,
    Alert,
    AlertKind,
    ClinicalAccess,
    ClinicThresholds,
    InfusionRecord,
    PlanStatus,
    VitalsReading,
)
from clinical.services.alerts import alert_acknowledge
from clinical.services.infusion_discharge import infusion_discharge
from clinical.services.infusion_record import infusion_record_read
from clinical.services.infusions import (
    infusion_record_update,
    infusion_vitals_record,
)
from scheduling.models import Clinic
from tests.clinical.infusion_fixtures import (
    CHECK_IN,
    DISCHARGE_CHECKLIST,
    NORMAL,
    START,
    check_in,
    infusion_appointment,
    prepare_start,
    reading,
    record_scales,
    start,
)
from tests.clinical.plans import active_plan
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

CHECKLIST = DISCHARGE_CHECKLIST
RECOVERED = START + timedelta(minutes=90)


def refused(call, code: str) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


def snapshot(appointment: Appointment) -> tuple:
    return (
        list(InfusionRecord.objects.filter(appointment=appointment).values()),
        list(VitalsReading.objects.filter(record__appointment=appointment).values()),
        list(AdverseEvent.objects.filter(record__appointment=appointment).values()),
        list(Alert.objects.filter(appointment=appointment).values()),
        Appointment.objects.values("status").get(pk=appointment.pk),
        appointment.events.count(),
    )


# -- the dose ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mg_per_kg", "weight", "expected"),
    [
        ("0.50", "70.0", "35.0"),
        ("0.50", "70.3", "35.2"),  # 35.15 rounds half up
        ("0.50", "70.1", "35.1"),  # 35.05 rounds half up
        ("0.75", "81.4", "61.1"),  # 61.05
        ("0.05", "25.0", "1.3"),  # 1.25
        ("2.00", "350.0", "700.0"),
    ],
)
def test_the_planned_dose_is_mg_per_kg_times_weight_to_a_tenth_rounded_half_up(mg_per_kg, weight, expected):
    assert planned_dose(dose_mg_per_kg=Decimal(mg_per_kg), weight_kg=Decimal(weight)) == Decimal(expected)


def test_a_weight_today_sets_the_planned_dose_before_the_start(demo_clinic, nurse_user):
    appointment = infusion_appointment(dose_mg_per_kg="0.50")
    record = infusion_record_update(
        actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("70.3")}, now=CHECK_IN
    )
    assert (record.weight_kg, record.weight_measured_on) == (Decimal("70.3"), date(2026, 12, 7))
    assert (record.dose_mg_per_kg, record.planned_dose_mg) == (Decimal("0.50"), Decimal("35.2"))
    assert record.started_at is None


def test_the_latest_weight_of_the_last_30_days_is_taken_over_and_says_when(demo_clinic, nurse_user, patient):
    earlier = infusion_appointment(patient, starts_at=START - timedelta(days=30))
    infusion_record_update(
        actor=nurse_user,
        appointment_id=earlier.pk,
        changes={"weight_kg": Decimal("80.0")},
        now=START - timedelta(days=30),
    )
    today = infusion_appointment(patient)
    record = infusion_record_read(actor=nurse_user, appointment_id=today.pk, now=CHECK_IN)
    assert (record.weight_kg, record.weight_measured_on, record.planned_dose_mg) == (
        Decimal("80.0"),
        date(2026, 11, 7),
        Decimal("40.0"),
    )


def test_a_weight_older_than_30_days_is_not_taken_over(demo_clinic, nurse_user, patient):
    earlier = infusion_appointment(patient, starts_at=START - timedelta(days=31))
    infusion_record_update(
        actor=nurse_user,
        appointment_id=earlier.pk,
        changes={"weight_kg": Decimal("80.0")},
        now=START - timedelta(days=31),
    )
    record = infusion_record_read(actor=nurse_user, appointment_id=infusion_appointment(patient).pk, now=CHECK_IN)
    assert (record.weight_kg, record.weight_measured_on, record.planned_dose_mg) == (None, None, None)


def test_the_dose_given_may_equal_the_plan_or_be_less_with_a_reason(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)  # the dose is given once started
    infusion_record_update(actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("70.0")})
    same = infusion_record_update(
        actor=nurse_user, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("35.0")}
    )
    assert same.dose_given_mg == Decimal("35.0")
    less = infusion_record_update(
        actor=nurse_user,
        appointment_id=appointment.pk,
        changes={"dose_given_mg": Decimal("30.0"), "dose_reason": "Stopped early: nausea."},
    )
    assert (less.dose_given_mg, less.dose_reason) == (Decimal("30.0"), "Stopped early: nausea.")


def test_more_than_planned_is_refused_and_less_needs_a_reason(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    infusion_record_update(actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("70.0")})
    before = snapshot(appointment)
    above = refused(
        lambda: infusion_record_update(
            actor=nurse_user, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("35.1")}
        ),
        "dose_above_plan",
    )
    assert (above.status_code, above.fields) == (400, {"dose_given_mg": ["At most 35.0 mg."]})
    less = refused(
        lambda: infusion_record_update(
            actor=nurse_user, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("34.9")}
        ),
        "dose_reason_required",
    )
    assert (less.status_code, less.fields) == (400, {"dose_reason": ["Required when less than planned is given."]})
    assert snapshot(appointment) == before


def test_a_lower_weight_after_the_dose_is_checked_against_the_new_plan(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    infusion_record_update(
        actor=nurse_user,
        appointment_id=appointment.pk,
        changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
    )
    refused(
        lambda: infusion_record_update(
            actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("60.0")}
        ),
        "dose_above_plan",
    )
    assert InfusionRecord.objects.get(appointment=appointment).weight_kg == Decimal("70.0")


def test_no_dose_without_a_weight_and_no_weight_out_of_range(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    error = refused(
        lambda: infusion_record_update(
            actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("24.9")}
        ),
        "out_of_range",
    )
    assert error.fields == {"weight_kg": ["Must be between 25.0 and 350.0."]}
    assert not InfusionRecord.objects.exists()  # the record a refused write would have made is not made
    start(appointment, nurse_user)
    infusion_record_update(actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": None})
    error = refused(
        lambda: infusion_record_update(
            actor=nurse_user, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("30.0")}
        ),
        "weight_missing",
    )
    assert error.status_code == 409


# -- the record's life --------------------------------------------------------------------------------------


def test_check_in_makes_the_record_and_the_start_stamps_its_real_time(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    record = check_in(appointment, nurse_user)
    assert (record.plan_id, record.patient_id, record.created_at) == (
        appointment.treatment_plan_id,
        appointment.patient_id,
        CHECK_IN,
    )
    assert record.started_at is None
    started = start(infusion_appointment(), nurse_user, at=START + timedelta(minutes=7))
    assert started.started_at == START + timedelta(minutes=7)


def test_a_non_infusion_or_unknown_appointment_has_no_record(demo_clinic, nurse_user, patient):
    from tests.clinical.evaluation_fixtures import evaluation_appointment

    evaluation = evaluation_appointment(patient, starts_at=START)
    refused(lambda: infusion_record_read(actor=nurse_user, appointment_id=evaluation.pk), "not_found")
    refused(lambda: infusion_record_read(actor=nurse_user, appointment_id=Appointment.objects.model().pk), "not_found")
    assert not InfusionRecord.objects.exists()


@pytest.mark.parametrize("role", ["therapist_user", "admin_user", "patient"])
def test_only_nurses_and_clinicians_keep_the_record(demo_clinic, role, request):
    actor = request.getfixturevalue(role)
    appointment = infusion_appointment()
    refused(lambda: infusion_record_read(actor=actor, appointment_id=appointment.pk), "permission_denied")
    refused(
        lambda: infusion_record_update(actor=actor, appointment_id=appointment.pk, changes={"weight_kg": 70}),
        "permission_denied",
    )
    assert not InfusionRecord.objects.exists()


def test_every_staff_read_and_write_is_audited(demo_clinic, nurse_user, clinician_user):
    appointment = infusion_appointment()
    record = infusion_record_read(
        actor=clinician_user, appointment_id=appointment.pk, request_id="req-read-1", now=START
    )
    infusion_record_update(
        actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("70.0")}, request_id="req-w"
    )
    trail = list(
        ClinicalAccess.objects.order_by("id").values_list(
            "actor_id", "action", "object_type", "object_id", "request_id"
        )
    )
    assert trail == [
        (clinician_user.pk, "create", "infusionrecord", record.pk, "req-read-1"),
        (clinician_user.pk, "read", "infusionrecord", record.pk, "req-read-1"),
        (nurse_user.pk, "update", "infusionrecord", record.pk, "req-w"),
    ]


def test_the_nurse_records_readiness_until_the_start(demo_clinic, nurse_user):
    appointment = infusion_appointment(ready=False)
    check_in(appointment, nurse_user)
    prepare_start(appointment, nurse_user, at=CHECK_IN)
    record = infusion_record_update(
        actor=nurse_user, appointment_id=appointment.pk, changes={"readiness_checked": True}, now=CHECK_IN
    )
    assert (record.readiness_checked_at, record.readiness_checked_by_id) == (CHECK_IN, nurse_user.pk)
    reading(appointment, nurse_user, at=START - timedelta(minutes=2))
    appointment_transition(
        actor=nurse_user, appointment_id=appointment.pk, action=AppointmentEvent.Action.STARTED, now=START
    )
    refused(
        lambda: infusion_record_update(
            actor=nurse_user, appointment_id=appointment.pk, changes={"readiness_checked": False}, now=START
        ),
        "infusion_started",
    )


# -- readings and threshold alerts ------------------------------------------------------------------------------


def test_the_default_thresholds_and_their_edges(demo_clinic):
    thresholds = ClinicThresholds(clinic=Clinic.objects.get())
    assert reading_reasons(thresholds, systolic=179, diastolic=109, heart_rate=129, spo2=92) == []
    assert reading_reasons(thresholds, systolic=180, diastolic=110, heart_rate=130, spo2=91) == [
        "systolic",
        "diastolic",
        "heart_rate_high",
        "spo2_low",
    ]
    assert reading_reasons(thresholds, systolic=120, diastolic=80, heart_rate=45, spo2=92) == ["heart_rate_low"]
    assert reading_reasons(thresholds, systolic=120, diastolic=80, heart_rate=46, spo2=92) == []


def test_a_reading_inside_the_thresholds_raises_nothing(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    recorded = infusion_vitals_record(
        actor=nurse_user, appointment_id=appointment.pk, note="Calm.", now=START - timedelta(minutes=3), **NORMAL
    )
    assert recorded.alert is None
    values = VitalsReading.objects.values("taken_at", "systolic", "diastolic", "heart_rate", "spo2", "note").get()
    assert values == {"taken_at": START - timedelta(minutes=3), **NORMAL, "note": "Calm."}


def test_a_reading_past_the_thresholds_raises_an_alert_until_the_action_is_recorded(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    recorded = infusion_vitals_record(
        actor=nurse_user,
        appointment_id=appointment.pk,
        systolic=186,
        diastolic=112,
        heart_rate=88,
        spo2=97,
        now=START + timedelta(minutes=10),
    )
    alert = recorded.alert
    assert alert is not None
    assert (alert.kind, alert.reasons, alert.raised_at, alert.resolved_at, alert.reading_id) == (
        AlertKind.VITALS_THRESHOLD,
        ["systolic", "diastolic"],
        START + timedelta(minutes=10),
        None,
        recorded.reading.pk,
    )
    resolved = alert_acknowledge(
        actor=nurse_user,
        alert_id=alert.pk,
        action="paused",
        note="Paused 5 minutes; rechecked.",
        now=START + timedelta(minutes=12),
    )
    assert (resolved.resolved_at, resolved.resolved_by_id, resolved.action, resolved.note) == (
        START + timedelta(minutes=12),
        nurse_user.pk,
        "paused",
        "Paused 5 minutes; rechecked.",
    )


def test_the_clinics_own_thresholds_apply(demo_clinic, nurse_user):
    ClinicThresholds.objects.create(clinic=demo_clinic, systolic_at_least=160)
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    recorded = infusion_vitals_record(
        actor=nurse_user, appointment_id=appointment.pk, now=START, **{**NORMAL, "systolic": 165}
    )
    assert recorded.alert is not None
    assert recorded.alert.reasons == ["systolic"]


@pytest.mark.parametrize(
    ("values", "code", "fields"),
    [
        ({"systolic": 301}, "out_of_range", {"systolic": ["Must be between 50 and 300."]}),
        (
            {"diastolic": 19, "spo2": 49},
            "out_of_range",
            {"diastolic": ["Must be between 20 and 200."], "spo2": ["Must be between 50 and 100."]},
        ),
        ({"heart_rate": 251}, "out_of_range", {"heart_rate": ["Must be between 20 and 250."]}),
        (
            {"systolic": 90, "diastolic": 90},
            "diastolic_not_below_systolic",
            {"diastolic": ["Must be below the systolic pressure."]},
        ),
    ],
)
def test_implausible_readings_are_refused_per_field(demo_clinic, nurse_user, values, code, fields):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    before = snapshot(appointment)
    error = refused(
        lambda: infusion_vitals_record(
            actor=nurse_user, appointment_id=appointment.pk, now=START, **{**NORMAL, **values}
        ),
        code,
    )
    assert (error.status_code, error.fields) == (400, fields)
    assert snapshot(appointment) == before


def test_a_reading_is_neither_in_the_future_nor_before_the_day_nor_before_check_in(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    refused(
        lambda: infusion_vitals_record(actor=nurse_user, appointment_id=appointment.pk, now=CHECK_IN, **NORMAL),
        "visit_not_started",
    )
    check_in(appointment, nurse_user)
    before = snapshot(appointment)
    for taken_at in (START + timedelta(minutes=1), START.replace(hour=0) - timedelta(seconds=1)):
        error = refused(
            lambda taken_at=taken_at: infusion_vitals_record(
                actor=nurse_user, appointment_id=appointment.pk, taken_at=taken_at, now=START, **NORMAL
            ),
            "taken_at_out_of_range",
        )
        assert error.fields == {"taken_at": ["Not in the future, nor before the appointment's day."]}
    assert snapshot(appointment) == before


# -- discharge -----------------------------------------------------------------------------------------------------


def ready_for_discharge(appointment: Appointment, nurse) -> None:
    start(appointment, nurse)
    infusion_record_update(
        actor=nurse,
        appointment_id=appointment.pk,
        changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
        now=START + timedelta(minutes=50),
    )
    reading(appointment, nurse, at=RECOVERED - timedelta(minutes=5))
    record_scales(appointment, nurse, at=RECOVERED - timedelta(minutes=5))


def test_discharge_completes_the_infusion_in_one_go(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    ready_for_discharge(appointment, nurse_user)
    record = infusion_discharge(actor=nurse_user, appointment_id=appointment.pk, checklist=CHECKLIST, now=RECOVERED)
    assert (record.discharged_at, record.discharged_by_id, record.infusion_ended_at) == (
        RECOVERED,
        nurse_user.pk,
        START + timedelta(minutes=50),
    )
    assert (record.alert_and_oriented, record.escort_present, record.walking_steadily, record.instructions_given) == (
        True,
        True,
        True,
        True,
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert list(appointment.events.values_list("action", flat=True))[-1] == AppointmentEvent.Action.COMPLETED
    assert ClinicalAccess.objects.filter(action="discharge", object_id=record.pk).count() == 1
    error = refused(
        lambda: infusion_vitals_record(actor=nurse_user, appointment_id=appointment.pk, now=RECOVERED, **NORMAL),
        "record_discharged",
    )
    assert error.status_code == 409


def test_the_last_infusions_discharge_completes_the_plan(demo_clinic, nurse_user):
    patient = PatientFactory()
    plan = active_plan(patient, signed_at=START - timedelta(days=10), infusions_planned=1)
    appointment = infusion_appointment(patient)
    ready_for_discharge(appointment, nurse_user)
    infusion_discharge(actor=nurse_user, appointment_id=appointment.pk, checklist=CHECKLIST, now=RECOVERED)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED


def test_an_early_discharge_names_everything_missing_and_writes_nothing(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    infusion_vitals_record(
        actor=nurse_user,
        appointment_id=appointment.pk,
        now=START + timedelta(minutes=80),
        **{**NORMAL, "systolic": 182},
    )
    before = snapshot(appointment)
    error = refused(
        lambda: infusion_discharge(
            actor=nurse_user,
            appointment_id=appointment.pk,
            checklist={"alert_and_oriented": True, "escort_present": False, "walking_steadily": False},
            now=START + timedelta(minutes=89),
        ),
        "discharge_not_ready",
    )
    assert error.status_code == 409
    assert error.fields == {
        "missing": [
            "recovery_time",
            "vitals_near_baseline",
            "sedation",
            "dissociation_scale",
            "open_alert",
            "dose_given",
            "checklist",
        ],
        "checklist": ["escort_present", "walking_steadily", "instructions_given"],
    }
    assert snapshot(appointment) == before


def test_without_a_reading_in_the_last_15_minutes_there_is_no_discharge(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    ready_for_discharge(appointment, nurse_user)  # its reading at +85
    error = refused(
        lambda: infusion_discharge(
            actor=nurse_user, appointment_id=appointment.pk, checklist=CHECKLIST, now=RECOVERED + timedelta(minutes=11)
        ),
        "discharge_not_ready",
    )
    assert error.fields == {"missing": ["recent_reading"]}
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.IN_PROGRESS


def test_a_nurses_stop_time_starts_the_recovery_early(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    start(appointment, nurse_user)
    infusion_record_update(
        actor=nurse_user,
        appointment_id=appointment.pk,
        changes={
            "weight_kg": Decimal("70.0"),
            "dose_given_mg": Decimal("20.0"),
            "dose_reason": "Stopped at 30 minutes: distress.",
            "infusion_ended_at": START + timedelta(minutes=30),
        },
        now=START + timedelta(minutes=31),
    )
    reading(appointment, nurse_user, at=START + timedelta(minutes=70))
    record_scales(appointment, nurse_user, at=START + timedelta(minutes=70))
    record = infusion_discharge(
        actor=nurse_user, appointment_id=appointment.pk, checklist=CHECKLIST, now=START + timedelta(minutes=70)
    )
    assert record.discharged_at == START + timedelta(minutes=70)


def test_a_discharge_before_the_start_is_refused(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    refused(
        lambda: infusion_discharge(actor=nurse_user, appointment_id=appointment.pk, checklist=CHECKLIST, now=START),
        "visit_not_started",
    )
    assert InfusionRecord.objects.get(appointment=appointment).discharged_at is None


@pytest.mark.parametrize("dose", [Decimal("0.0"), Decimal("-5.0")])
def test_a_dose_given_of_zero_or_less_is_refused_out_of_range(demo_clinic, nurse_user, dose):
    appointment = infusion_appointment()
    infusion_record_update(actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("70.0")})
    before = snapshot(appointment)

    error = refused(
        lambda: infusion_record_update(
            actor=nurse_user,
            appointment_id=appointment.pk,
            changes={"dose_given_mg": dose, "dose_reason": "Stopped at once."},
        ),
        "out_of_range",
    )

    assert (error.status_code, error.fields) == (400, {"dose_given_mg": ["Must be between 0.1 and 99999.9."]})
    assert snapshot(appointment) == before
