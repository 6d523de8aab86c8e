"""The demo treatment history (`make run`): written through the services, so it obeys every rule
it would in real life, and it gives the board, the chart and the report something to show."""

from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from booking.management.commands.seed_demo import seed_demo_clinic
from booking.models import Appointment, AppointmentStatus
from clinical.dose_order_selectors import session_dose_of
from clinical.follow_up_selectors import follow_up_calls_of
from clinical.models import (
    AdverseEvent,
    Alert,
    DoseOrder,
    Evaluation,
    FollowUpCall,
    InfusionRecord,
    Letter,
    PatientConsent,
    PlanStatus,
    PredoseOverride,
    PregnancyTest,
    Questionnaire,
    TreatmentPlan,
)
from clinical.outcome_selectors import plan_outcome
from clinical.services.pregnancy import infusion_day
from notifications.models import OutboxMessage, Status

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 2, 8, tzinfo=LA)  # a Wednesday morning
HISTORY = ("linda@example.com", "rosa@example.com", "james@example.com")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for the module, in a transaction rolled back at its end (each test runs in a
    savepoint inside it): the history is a few hundred service calls."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo_clinic(password="demo-password-for-tests")
        with time_machine.travel(NOW, tick=False):
            call_command("seed_demo_history", "--password", "demo-password-for-tests", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def history(seeded, db):
    return None


def test_the_history_has_series_done_and_under_way(history):
    # Today's demo work (tests/demo/test_today.py) has patients of its own: left out here.
    plans = dict(TreatmentPlan.objects.filter(patient__email__in=HISTORY).values_list("patient__email", "status"))
    assert plans == {
        "linda@example.com": PlanStatus.COMPLETED,
        "rosa@example.com": PlanStatus.ACTIVE,
        "james@example.com": PlanStatus.ACTIVE,
    }
    records = InfusionRecord.objects.filter(patient__email__in=HISTORY)
    assert records.count() == records.filter(discharged_at__isnull=False).count() == 12
    upcoming = Appointment.objects.filter(
        patient__email__in=HISTORY, status=AppointmentStatus.BOOKED, starts_at__gt=NOW
    )
    assert sorted(upcoming.values_list("patient__email", flat=True)) == ["james@example.com", "rosa@example.com"]
    # Their next infusion is within 72 hours: its two forms are open and unanswered.
    assert Questionnaire.objects.filter(appointment__in=upcoming, answered_at__isnull=True).count() == 4


def test_one_reading_past_the_threshold_was_acted_on_and_one_adverse_event_recorded(history):
    alert = Alert.objects.get(patient__email__in=HISTORY, kind="vitals_threshold")
    assert (alert.kind, alert.reasons, alert.action) == ("vitals_threshold", ["systolic"], "continued")
    assert alert.patient is not None  # a count discrepancy alone has none (SPEC.md section 12)
    assert alert.patient.email == "rosa@example.com"
    assert list(AdverseEvent.objects.values_list("code", "grade", "serious")) == [("nausea_vomiting", 1, False)]  # all


def test_a_phq9_of_20_or_more_raised_a_worsening_alert_a_clinician_acknowledged_before_the_discharge(history):
    alert = Alert.objects.get(patient__email__in=HISTORY, kind="worsening")
    assert (alert.patient and alert.patient.email, alert.reasons, alert.resolved_by and alert.resolved_by.role) == (
        "james@example.com",
        ["phq9_severe"],
        "clinician",
    )
    assert alert.appointment is not None
    discharged_at = alert.appointment.infusion_record.discharged_at
    assert alert.resolved_at is not None
    assert discharged_at is not None
    assert alert.resolved_at < discharged_at
    assert OutboxMessage.objects.filter(alert=alert, kind="clinician_alert").exists()


def test_a_phq9_of_20_before_the_first_infusion_raised_a_worsening_alert(history):
    worsening = Alert.objects.filter(patient__email__in=HISTORY, kind="worsening")
    assert list(worsening.values_list("patient__email", "reasons")) == [("james@example.com", ["phq9_severe"])]


def test_the_completed_series_reads_as_a_remission(history):
    outcome = plan_outcome(TreatmentPlan.objects.get(patient__email="linda@example.com"))

    # The baseline is the check-in before the first infusion (17), not the evaluation's 19.
    assert (outcome.baseline_phq9, outcome.latest_phq9, outcome.response, outcome.remission) == (17, 4, True, True)


def test_rosa_signed_the_consent_online_in_spanish(history):
    consent = PatientConsent.objects.get(patient__email="rosa@example.com")

    assert (consent.method, consent.language, consent.typed_name) == ("online", "es", "Rosa Álvarez")
    assert consent.recorded_by == consent.patient


def test_rosa_may_become_pregnant_and_has_a_negative_test_on_file_for_each_infusion(history):
    tests = PregnancyTest.objects.filter(patient__email__in=HISTORY).select_related("appointment__appointment_type")

    assert [(test.patient.email, test.result) for test in tests] == [("rosa@example.com", "negative")] * 4
    assert all(test.taken_on == infusion_day(test.appointment) for test in tests)
    infusions = InfusionRecord.objects.filter(patient__email="rosa@example.com")
    assert {test.appointment_id for test in tests} == set(infusions.values_list("appointment_id", flat=True))


def test_a_clinician_overrode_lindas_high_baseline_before_her_first_infusion(history):
    override = PredoseOverride.objects.select_related("record__appointment", "recorded_by").get()
    first = InfusionRecord.objects.filter(patient__email="linda@example.com").order_by("started_at").first()

    assert override.record == first
    assert override.recorded_by.email == "clinician@example.com"
    assert override.note
    baseline = first.readings.filter(taken_at__lt=first.started_at).latest("taken_at")
    assert baseline.systolic >= 160  # past the pre-dose limit: the start needed the override
    assert baseline.recorded_at <= override.recorded_at < first.appointment.starts_at


def test_one_follow_up_call_is_due_today_and_every_earlier_one_was_made(history):
    calls = FollowUpCall.objects.filter(patient__email__in=HISTORY)
    today = NOW.date()
    due = follow_up_calls_of(day=today, open_only=True)

    assert calls.count() == 12  # one per discharge
    assert [(call.patient.email, call.due_on) for call in due] == [("james@example.com", today)]
    made = calls.exclude(pk=due[0].pk)
    assert made.filter(reached=True, recorded_by__email="nurse@example.com").count() == 11
    assert all(call.recorded_at and call.recorded_at.astimezone(LA).date() == call.due_on for call in made)


def test_each_evaluation_names_the_referring_psychiatrist_who_may_be_written_back_to(history):
    evaluations = Evaluation.objects.filter(patient__email__in=HISTORY)

    assert evaluations.count() == 3
    assert set(evaluations.values_list("referring_provider_name", "referring_provider_write_back_agreed")) == {
        ("Dr. Helen Ortiz", True)
    }


def test_after_two_infusions_james_has_a_dose_order_for_the_rest_of_his_series(history):
    order = DoseOrder.objects.select_related("plan", "signed_by").get()
    plan = order.plan
    given = InfusionRecord.objects.filter(plan=plan).order_by("started_at")
    upcoming = Appointment.objects.get(treatment_plan=plan, status=AppointmentStatus.BOOKED)

    assert (plan.patient.email, order.scope) == ("james@example.com", "remaining")
    assert order.dose_mg_per_kg == Decimal("0.75")
    assert order.signed_by.email == "clinician@example.com"
    assert plan.dose_mg_per_kg == Decimal("0.50")  # the signed plan stays as signed
    assert [record.dose_mg_per_kg for record in given] == [Decimal("0.50")] * 2
    assert all(record.started_at and record.started_at < order.signed_at for record in given)
    dose = session_dose_of(plan=plan, appointment_id=upcoming.pk, weight_kg=Decimal("88.2"), started_at=None)
    assert (dose.dose_mg_per_kg, dose.order_id) == (Decimal("0.75"), order.pk)


def test_lindas_referring_psychiatrist_has_a_letter_after_her_completed_series(history):
    letter = Letter.objects.select_related("plan", "written_by").get()

    plan = TreatmentPlan.objects.get(patient__email="linda@example.com")
    assert (letter.patient.email, letter.kind, letter.plan) == ("linda@example.com", "series", plan)
    assert plan.status == PlanStatus.COMPLETED
    assert (letter.provider_name, letter.written_by.email) == ("Dr. Helen Ortiz", "clinician@example.com")
    discharges = InfusionRecord.objects.filter(plan=plan).values_list("discharged_at", flat=True)
    assert all(discharged and discharged < letter.written_at for discharged in discharges)
    assert letter.written_at < NOW
    assert bytes(letter.pdf).startswith(b"%PDF")
    assert OutboxMessage.objects.filter(letter=letter, kind="provider_letter").exists()


def test_no_message_about_a_visit_long_gone_is_left_to_send(history):
    left = OutboxMessage.objects.filter(status=Status.PENDING, due_at__lt=NOW)
    # Only an alert nobody has acknowledged yet still calls a clinician (SPEC.md section 10).
    assert not left.exclude(alert__resolved_at__isnull=True, alert__isnull=False).exists()


def test_a_second_run_with_if_empty_changes_nothing(history):
    before = InfusionRecord.objects.count()
    output = StringIO()

    call_command("seed_demo_history", "--if-empty", stdout=output)

    assert InfusionRecord.objects.count() == before
    assert "there already" in output.getvalue()
