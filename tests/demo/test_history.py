"""The demo treatment history (`make run`): written through the services, so it obeys every rule
it would in real life, and it gives the board, the chart and the report something to show."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from booking.management.commands.seed_demo import seed_demo_clinic
from booking.models import Appointment, AppointmentStatus
from clinical.models import AdverseEvent, Alert, InfusionRecord, PlanStatus, Questionnaire, TreatmentPlan
from clinical.outcome_selectors import plan_outcome
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
        ["severe"],
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
