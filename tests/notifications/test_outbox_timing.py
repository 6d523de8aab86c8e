"""When each message falls due: every kind, across a daylight-saving change, quiet hours for text
messages, bookings inside a reminder's window, cancel and reschedule."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.services.appointments import appointment_book, appointment_cancel, appointment_reschedule
from clinical.models import Evaluation
from clinical.services.evaluations import evaluation_sign
from core.errors import DomainError
from core.roles import Role
from notifications.models import Channel, ContactPreference, Kind, OutboxMessage, Status
from notifications.outbox import outbox_schedule_reminders, sms_due_at
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
UTC = ZoneInfo("UTC")


@pytest.fixture
def desk(demo_clinic):
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def texting_patient(patient):
    ContactPreference.objects.create(user=patient, email_enabled=True, sms_enabled=True)
    return patient


def book(desk, patient, code, start, now):
    return appointment_book(
        actor=desk, patient=patient, appointment_type=AppointmentType.objects.get(code=code), starts_at=start, now=now
    )


def due_times(appointment, channel=Channel.EMAIL):
    rows = OutboxMessage.objects.filter(appointment=appointment, channel=channel, status=Status.PENDING)
    return {row.kind: row.due_at.astimezone(LA).strftime("%m-%d %H:%M") for row in rows}


def test_a_booking_writes_a_confirmation_now_and_reminders_24h_and_2h_before(desk, patient):
    now = datetime(2026, 12, 1, 9, tzinfo=LA)
    appointment = book(desk, patient, "evaluation", datetime(2026, 12, 4, 10, tzinfo=LA), now)

    assert due_times(appointment) == {
        "confirmation": "12-01 09:00",
        "reminder_24h": "12-03 10:00",
        "reminder_2h": "12-04 08:00",
    }
    assert OutboxMessage.objects.filter(channel=Channel.SMS).count() == 0  # text messages are opt-in


def test_an_infusion_also_gets_the_preparation_notice_48h_before(desk, patient):
    now = datetime(2026, 11, 30, 9, tzinfo=LA)
    active_plan(patient, signed_at=now - timedelta(days=1))
    appointment = book(desk, patient, "infusion", datetime(2026, 12, 4, 10, tzinfo=LA), now)

    assert due_times(appointment)["preparation"] == "12-02 10:00"


def test_a_booking_inside_a_reminders_window_gets_no_reminder_for_a_moment_already_past(desk, patient):
    now = datetime(2026, 12, 3, 15, tzinfo=LA)  # 19 hours before
    appointment = book(desk, patient, "evaluation", datetime(2026, 12, 4, 10, tzinfo=LA), now)

    assert due_times(appointment) == {"confirmation": "12-03 15:00", "reminder_2h": "12-04 08:00"}


def test_reminders_keep_their_distance_in_real_hours_across_the_fall_back_change(desk, patient):
    # Monday 2026-11-02 09:00 PST; 24 real hours earlier is Sunday 09:00 PST, 48 hours earlier
    # is Saturday 10:00 PDT (the clocks fell back in between).
    now = datetime(2026, 10, 20, 9, tzinfo=LA)
    active_plan(patient, signed_at=now)
    appointment = book(desk, patient, "infusion", datetime(2026, 11, 2, 9, tzinfo=LA), now)

    rows = {r.kind: r.due_at for r in OutboxMessage.objects.filter(appointment=appointment, channel=Channel.EMAIL)}
    assert appointment.starts_at - rows[Kind.PREPARATION] == timedelta(hours=48)
    assert rows[Kind.PREPARATION].astimezone(LA).strftime("%m-%d %H:%M %Z") == "10-31 10:00 PDT"
    assert rows[Kind.REMINDER_24H].astimezone(LA).strftime("%m-%d %H:%M %Z") == "11-01 09:00 PST"


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("2026-12-03 20:59", "2026-12-03 20:59"),
        ("2026-12-03 21:00", "2026-12-04 08:00"),
        ("2026-12-04 02:30", "2026-12-04 08:00"),
        ("2026-12-04 07:59", "2026-12-04 08:00"),
        ("2026-12-04 08:00", "2026-12-04 08:00"),
        ("2026-03-07 23:00", "2026-03-08 08:00"),  # across the spring-forward night: 08:00 PDT
    ],
)
def test_text_messages_wait_out_the_quiet_hours_until_eight(due, expected):
    due_at = datetime.strptime(due, "%Y-%m-%d %H:%M").replace(tzinfo=LA)

    moved = sms_due_at(due_at, LA).astimezone(LA)

    assert moved.strftime("%Y-%m-%d %H:%M") == expected
    assert moved.utcoffset() == datetime.strptime(expected, "%Y-%m-%d %H:%M").replace(tzinfo=LA).utcoffset()


def test_a_text_reminder_falling_in_the_night_waits_and_one_that_would_arrive_too_late_is_not_written(
    desk, texting_patient
):
    now = datetime(2026, 11, 30, 9, tzinfo=LA)
    appointment = book(desk, texting_patient, "evaluation", datetime(2026, 12, 4, 9, tzinfo=LA), now)

    # 24 h before is 09:00 (fine); 2 h before is 07:00, quiet until 08:00, still before 09:00.
    assert due_times(appointment, Channel.SMS) == {
        "confirmation": "11-30 09:00",
        "reminder_24h": "12-03 09:00",
        "reminder_2h": "12-04 08:00",
    }


def test_a_text_reminder_that_would_wait_past_the_start_is_not_written(demo_clinic, texting_patient):
    now = datetime(2026, 11, 30, 9, tzinfo=LA)
    # Written directly: an 08:00 visit (a staff member's early slot); 2 h before is 06:00, and
    # 08:00, when the quiet hours end, is already the start.
    at_eight = AppointmentFactory(
        patient=texting_patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime(2026, 12, 4, 8, tzinfo=LA),
    )

    outbox_schedule_reminders(at_eight, now=now)

    assert due_times(at_eight, Channel.SMS) == {"reminder_24h": "12-03 08:00"}
    assert due_times(at_eight, Channel.EMAIL) == {"reminder_24h": "12-03 08:00", "reminder_2h": "12-04 06:00"}


def test_a_cancellation_cancels_pending_messages_and_writes_the_notice(desk, patient):
    now = datetime(2026, 12, 1, 9, tzinfo=LA)
    appointment = book(desk, patient, "evaluation", datetime(2026, 12, 4, 10, tzinfo=LA), now)

    appointment_cancel(actor=desk, appointment_id=appointment.pk, reason="ill", now=now + timedelta(minutes=1))

    statuses = dict(OutboxMessage.objects.filter(appointment=appointment).values_list("kind", "status"))
    assert statuses == {
        "confirmation": "cancelled",
        "reminder_24h": "cancelled",
        "reminder_2h": "cancelled",
        "cancellation": "pending",
    }


def test_a_reschedule_cancels_the_old_reminders_and_writes_new_ones_and_a_notice(desk, patient):
    now = datetime(2026, 12, 1, 9, tzinfo=LA)
    appointment = book(desk, patient, "evaluation", datetime(2026, 12, 4, 10, tzinfo=LA), now)

    appointment_reschedule(
        actor=desk, appointment_id=appointment.pk, starts_at=datetime(2026, 12, 8, 14, tzinfo=LA), now=now
    )

    rows = OutboxMessage.objects.filter(appointment=appointment).order_by("kind", "due_at")
    summary = [
        (r.kind, r.status, f"{r.regarding_start.astimezone(LA):%m-%d %H:%M}" if r.regarding_start else "") for r in rows
    ]
    assert sorted(summary) == sorted(
        [
            ("confirmation", "pending", "12-04 10:00"),
            ("reminder_24h", "cancelled", "12-04 10:00"),
            ("reminder_2h", "cancelled", "12-04 10:00"),
            ("reschedule", "pending", "12-08 14:00"),
            ("reminder_24h", "pending", "12-08 14:00"),
            ("reminder_2h", "pending", "12-08 14:00"),
        ]
    )


def test_a_refused_booking_writes_no_message(desk, patient):
    now = datetime(2026, 12, 1, 9, tzinfo=LA)
    with pytest.raises(DomainError) as refused:
        book(desk, patient, "infusion", datetime(2026, 12, 4, 10, tzinfo=LA), now)  # no plan

    assert refused.value.code == "no_active_treatment_plan"
    assert OutboxMessage.objects.count() == 0


def test_signing_an_evaluation_writes_the_result_ready_message_at_once(demo_clinic, patient):
    clinician = UserFactory(role=Role.CLINICIAN)
    visit = AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime(2026, 12, 1, 9, tzinfo=LA),
        status="completed",
    )
    evaluation = Evaluation.objects.create(
        appointment=visit,
        patient=patient,
        clinician=clinician,
        phq9_total=12,
        gad7_total=8,
        systolic_bp=120,
        diastolic_bp=80,
        heart_rate=70,
        substance_use="none",
        decision="deferred",
        rationale="More history needed.",
    )
    signed_at = datetime(2026, 12, 1, 11, 30, tzinfo=LA)

    evaluation_sign(actor=clinician, evaluation_id=evaluation.pk, now=signed_at)

    (message,) = OutboxMessage.objects.filter(kind=Kind.RESULT_READY)
    assert (message.patient_id, message.channel, message.due_at) == (patient.pk, Channel.EMAIL, signed_at)
