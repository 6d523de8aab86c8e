"""Section 10's "Before the start" (SPEC.md): every row of the table alone, all at once in the
table's order, the pre-dose limits and the single-dose cap at their edges, the clinician's
pre-dose override, the regulated rows (consent, pregnancy test) answered by the regulated record,
and the chair records that wait for the check-in or the start (``visit_not_started``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.lifecycle import appointment_transition
from clinical.errors import ClinicalError
from clinical.models import (
    AdverseEvent,
    ClinicalAccess,
    InfusionRecord,
    PlanStatus,
    PredoseOverride,
    PregnancyTest,
    Questionnaire,
    TreatmentPlan,
    VitalsReading,
)
from clinical.services.adverse_events import adverse_event_record
from clinical.services.infusions import (
    infusion_record_update,
    infusion_vitals_record,
)
from clinical.services.start_gate import predose_override_record, start_missing
from core.errors import DomainError
from tests.clinical.adverse_event_fixtures import NAUSEA
from tests.clinical.infusion_fixtures import (
    CHECK_IN,
    NORMAL,
    START,
    check_in,
    infusion_appointment,
    prepare_start,
    self_harm_alert,
)
from tests.clinical.regulated_fixtures import LONG_AGO, consent_document

pytestmark = pytest.mark.django_db

BASELINE_AT = START - timedelta(minutes=5)
TABLE = [
    "self_harm_acknowledgement",
    "plan_active",
    "consent",
    "pregnancy_test",
    "weight",
    "dose_within_cap",
    "medications_reviewed",
    "questionnaires",
    "readiness",
    "baseline_reading",
    "baseline_in_range",
]


def ready(nurse: Any, *, weight_kg: str = "70.0", baseline: dict[str, int] | None = None, **kwargs: Any) -> Appointment:
    """An infusion with everything the start needs: checked in, weighed, medications reviewed,
    both forms answered, ready, and a baseline (``NORMAL`` unless said) 5 minutes before START."""
    appointment = infusion_appointment(**kwargs)
    check_in(appointment, nurse)
    prepare_start(appointment, nurse, at=CHECK_IN, weight_kg=weight_kg)
    reading = {**NORMAL, **(baseline or {})}
    infusion_vitals_record(actor=nurse, appointment_id=appointment.pk, taken_at=BASELINE_AT, now=START, **reading)
    return appointment


def refused_start(appointment: Appointment, nurse: Any) -> DomainError:
    before = (
        Appointment.objects.values("status", "updated_at").get(pk=appointment.pk),
        list(InfusionRecord.objects.filter(appointment=appointment).values()),
    )
    with pytest.raises(DomainError) as caught:
        appointment_transition(
            actor=nurse, appointment_id=appointment.pk, action=AppointmentEvent.Action.STARTED, now=START
        )
    after = (
        Appointment.objects.values("status", "updated_at").get(pk=appointment.pk),
        list(InfusionRecord.objects.filter(appointment=appointment).values()),
    )
    assert after == before
    assert caught.value.status_code == 409
    return caught.value


def started(appointment: Appointment, nurse: Any) -> str:
    return appointment_transition(
        actor=nurse, appointment_id=appointment.pk, action=AppointmentEvent.Action.STARTED, now=START
    ).status


# -- each row alone ---------------------------------------------------------------------------------------


def test_everything_ready_starts(demo_clinic, nurse_user):
    appointment = ready(nurse_user)
    assert start_missing(appointment=appointment, now=START) == []
    assert started(appointment, nurse_user) == AppointmentStatus.IN_PROGRESS


def _self_harm(appointment: Appointment, nurse: Any) -> None:
    self_harm_alert(appointment)  # an answered PHQ-9 with item 9 above 0


def _plan_ended(appointment: Appointment, nurse: Any) -> None:
    TreatmentPlan.objects.filter(appointments=appointment).update(status=PlanStatus.DISCONTINUED)


def _consent(appointment: Appointment, nurse: Any) -> None:
    consent_document(version=2, effective_on=LONG_AGO)  # a new version the patient has not signed


def _pregnancy_missing(appointment: Appointment, nurse: Any) -> None:
    """Nothing to do: the evaluation says childbearing potential unknown (READY_WITH) and no test is on file."""


def _pregnancy_test(appointment: Appointment, nurse: Any, *, result: str, taken_on: date) -> None:
    PregnancyTest.objects.create(
        patient=appointment.patient, appointment=appointment, result=result, taken_on=taken_on,
        recorded_by=nurse, recorded_at=CHECK_IN,
    )  # fmt: skip


def _no_weight(appointment: Appointment, nurse: Any) -> None:
    infusion_record_update(actor=nurse, appointment_id=appointment.pk, changes={"weight_kg": None}, now=CHECK_IN)


def _over_cap(appointment: Appointment, nurse: Any) -> None:
    # 200.2 kg at 0.50 mg/kg: 100.1 mg, above the default cap of 100 mg.
    infusion_record_update(
        actor=nurse, appointment_id=appointment.pk, changes={"weight_kg": Decimal("200.2")}, now=CHECK_IN
    )


def _medications(appointment: Appointment, nurse: Any) -> None:
    infusion_record_update(actor=nurse, appointment_id=appointment.pk, changes={"medications_review": ""}, now=CHECK_IN)


def _gad7_unanswered(appointment: Appointment, nurse: Any) -> None:
    Questionnaire.objects.filter(appointment=appointment, kind="gad7").delete()


def _not_ready(appointment: Appointment, nurse: Any) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(fasting_acknowledged=False)


def _old_baseline(appointment: Appointment, nurse: Any) -> None:
    VitalsReading.objects.filter(record__appointment=appointment).update(
        taken_at=START - timedelta(minutes=15, seconds=1)
    )


def _high_baseline(appointment: Appointment, nurse: Any) -> None:
    infusion_vitals_record(
        actor=nurse, appointment_id=appointment.pk, taken_at=START - timedelta(minutes=1), now=START,
        **{**NORMAL, "systolic": 170, "diastolic": 105},
    )  # fmt: skip


ALONE = [
    ("self_harm_acknowledgement", "self_harm_unacknowledged", _self_harm),
    ("plan_active", "plan_not_active", _plan_ended),
    ("consent", "consent_missing", _consent),
    ("pregnancy_test", "pregnancy_test_missing", _pregnancy_missing),
    ("weight", "weight_missing", _no_weight),
    ("dose_within_cap", "dose_over_cap", _over_cap),
    ("medications_reviewed", "medications_not_reviewed", _medications),
    ("questionnaires", "questionnaires_unanswered", _gad7_unanswered),
    ("readiness", "readiness_missing", _not_ready),
    ("baseline_reading", "baseline_missing", _old_baseline),
    ("baseline_in_range", "predose_out_of_range", _high_baseline),
]


def test_the_rows_are_the_tables_in_its_order():
    assert [item for item, _code, _make in ALONE] == TABLE


# A signed evaluation never changes: the row's infusion is made with its answer.
READY_WITH: dict[str, dict[str, Any]] = {"pregnancy_test": {"childbearing_potential": "unknown"}}


@pytest.mark.parametrize(("item", "code", "make"), ALONE, ids=[row[0] for row in ALONE])
def test_each_row_alone_blocks_the_start(demo_clinic, nurse_user, item, code, make):
    appointment = ready(nurse_user, **READY_WITH.get(item, {}))
    make(appointment, nurse_user)
    error = refused_start(appointment, nurse_user)
    assert (error.code, error.fields) == (code, {"missing": [item]})


def test_a_positive_pregnancy_test_has_its_own_code(demo_clinic, nurse_user):
    """The test written directly (the service would also suspend the plan: test_pregnancy_tests.py)."""
    appointment = ready(nurse_user, childbearing_potential="yes")
    _pregnancy_test(appointment, nurse_user, result="positive", taken_on=START.date())
    error = refused_start(appointment, nurse_user)
    assert (error.code, error.fields) == ("pregnancy_test_positive", {"missing": ["pregnancy_test"]})


def test_a_negative_test_of_the_week_satisfies_the_pregnancy_row(demo_clinic, nurse_user):
    appointment = ready(nurse_user, childbearing_potential="unknown")
    _pregnancy_test(appointment, nurse_user, result="negative", taken_on=START.date() - timedelta(days=7))
    assert start_missing(appointment=appointment, now=START) == []
    assert started(appointment, nurse_user) == AppointmentStatus.IN_PROGRESS


def test_without_childbearing_potential_no_test_is_asked_and_with_a_consent_the_start_goes(demo_clinic, nurse_user):
    appointment = ready(nurse_user)  # the evaluation says "no"; the consent is on file
    missing = start_missing(appointment=appointment, now=START)
    assert ("consent" in missing, "pregnancy_test" in missing) == (False, False)
    assert started(appointment, nurse_user) == AppointmentStatus.IN_PROGRESS


# -- all at once ------------------------------------------------------------------------------------------------


def test_everything_missing_is_listed_in_the_tables_order(demo_clinic, nurse_user):
    """Weight and baseline missing (so neither the cap nor the range can be judged)."""
    appointment = infusion_appointment(ready=False)
    check_in(appointment, nurse_user)
    self_harm_alert(appointment)
    Questionnaire.objects.filter(appointment=appointment).update(answered_at=None, total=None, items=None)
    _plan_ended(appointment, nurse_user)
    error = refused_start(appointment, nurse_user)
    assert error.code == "self_harm_unacknowledged"
    assert error.fields == {
        "missing": [
            "self_harm_acknowledgement",
            "plan_active",
            "weight",
            "medications_reviewed",
            "questionnaires",
            "readiness",
            "baseline_reading",
        ]
    }


def test_everything_missing_with_a_dose_over_the_cap_and_a_high_baseline(demo_clinic, nurse_user):
    appointment = infusion_appointment(ready=False, childbearing_potential="unknown")
    check_in(appointment, nurse_user)
    infusion_record_update(
        actor=nurse_user, appointment_id=appointment.pk, changes={"weight_kg": Decimal("200.2")}, now=CHECK_IN
    )
    self_harm_alert(appointment)
    Questionnaire.objects.filter(appointment=appointment).update(answered_at=None, total=None, items=None)
    _plan_ended(appointment, nurse_user)
    _high_baseline(appointment, nurse_user)
    error = refused_start(appointment, nurse_user)
    assert error.fields == {
        "missing": [
            "self_harm_acknowledgement",
            "plan_active",
            "pregnancy_test",
            "dose_within_cap",
            "medications_reviewed",
            "questionnaires",
            "readiness",
            "baseline_in_range",
        ]
    }
    _consent(appointment, nurse_user)
    fresh = Appointment.objects.get(pk=appointment.pk)
    assert start_missing(appointment=fresh, now=START) == [
        item for item in TABLE if item not in ("weight", "baseline_reading")
    ]


# -- the pre-dose limits and the cap at their edges -----------------------------------------------------------------

EDGES = [
    ({"systolic": 159}, True),
    ({"systolic": 160}, False),
    ({"diastolic": 99}, True),
    ({"diastolic": 100}, False),
    ({"heart_rate": 109}, True),
    ({"heart_rate": 110}, False),
    ({"heart_rate": 50}, True),
    ({"heart_rate": 49}, False),
    ({"spo2": 94}, True),
    ({"spo2": 93}, False),
]


@pytest.mark.parametrize(("values", "passes"), EDGES, ids=[f"{v}-{p}" for v, p in EDGES])
def test_the_pre_dose_limits_at_their_edges(demo_clinic, nurse_user, values, passes):
    appointment = ready(nurse_user, baseline=values)
    expected = [] if passes else ["baseline_in_range"]
    assert start_missing(appointment=appointment, now=START) == expected


@pytest.mark.parametrize(("weight", "planned", "passes"), [("200.0", "100.0", True), ("200.2", "100.1", False)])
def test_the_single_dose_cap_at_its_edge(demo_clinic, nurse_user, weight, planned, passes):
    appointment = ready(nurse_user, weight_kg=weight)
    assert InfusionRecord.objects.get(appointment=appointment).planned_dose_mg == Decimal(planned)
    assert start_missing(appointment=appointment, now=START) == ([] if passes else ["dose_within_cap"])


# -- the clinician's pre-dose override ------------------------------------------------------------------------


def test_a_clinicians_override_after_the_reading_lets_the_start_go(demo_clinic, nurse_user, clinician_user):
    appointment = ready(nurse_user, baseline={"systolic": 170, "diastolic": 105})
    assert start_missing(appointment=appointment, now=START) == ["baseline_in_range"]
    override = predose_override_record(
        actor=clinician_user, appointment_id=appointment.pk, note="Known hypertension; reviewed.", now=START
    )
    assert (override.note, override.recorded_by_id, override.recorded_at) == (
        "Known hypertension; reviewed.",
        clinician_user.pk,
        START,
    )
    assert ClinicalAccess.objects.filter(actor=clinician_user, action="update").count() == 1
    assert start_missing(appointment=appointment, now=START) == []
    # A later reading past the limits needs a new override.
    later = START + timedelta(minutes=2)
    infusion_vitals_record(actor=nurse_user, appointment_id=appointment.pk, now=later, **{**NORMAL, "spo2": 93})
    assert start_missing(appointment=appointment, now=later) == ["baseline_in_range"]


def test_an_override_by_a_nurse_or_without_a_note_is_refused_and_writes_nothing(
    demo_clinic, nurse_user, clinician_user
):
    appointment = ready(nurse_user, baseline={"systolic": 170, "diastolic": 105})
    accesses = ClinicalAccess.objects.count()
    with pytest.raises(ClinicalError) as caught:
        predose_override_record(actor=nurse_user, appointment_id=appointment.pk, note="Fine.", now=START)
    assert (caught.value.code, caught.value.status_code) == ("permission_denied", 403)
    with pytest.raises(ClinicalError) as caught:
        predose_override_record(actor=clinician_user, appointment_id=appointment.pk, note="  ", now=START)
    assert (caught.value.code, caught.value.status_code, caught.value.fields) == (
        "note_required",
        400,
        {"note": ["Required."]},
    )
    assert (PredoseOverride.objects.count(), ClinicalAccess.objects.count()) == (0, accesses)


# -- chair records wait for the visit ---------------------------------------------------------------------------


def test_chair_records_wait_for_the_check_in_and_the_dose_for_the_start(demo_clinic, nurse_user, clinician_user):
    appointment = infusion_appointment()
    calls = [
        lambda: infusion_vitals_record(actor=nurse_user, appointment_id=appointment.pk, now=CHECK_IN, **NORMAL),
        lambda: adverse_event_record(actor=nurse_user, appointment_id=appointment.pk, event=NAUSEA, now=CHECK_IN),
        lambda: predose_override_record(
            actor=clinician_user, appointment_id=appointment.pk, note="Reviewed.", now=CHECK_IN
        ),
    ]
    for call in calls:
        with pytest.raises(ClinicalError) as caught:
            call()
        assert (caught.value.code, caught.value.status_code) == ("visit_not_started", 409)
    check_in(appointment, nurse_user)
    prepare_start(appointment, nurse_user, at=CHECK_IN)
    with pytest.raises(ClinicalError) as caught:
        infusion_record_update(
            actor=nurse_user, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("35.0")}, now=START
        )
    assert (caught.value.code, caught.value.status_code) == ("visit_not_started", 409)
    record = InfusionRecord.objects.get(appointment=appointment)
    assert (record.dose_given_mg, VitalsReading.objects.count(), AdverseEvent.objects.count()) == (None, 0, 0)
