"""booking/locking.py: locks only inside a transaction, and on PostgreSQL a lock that stays taken
beyond BOOKING_LOCK_TIMEOUT_SECONDS is a 409 ``resource_busy`` with nothing written, not a hang;
a change to an appointment locks its patient first; a deadlock is run again once, then a 409."""

import threading
import time as clock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError
from psycopg.errors import DeadlockDetected

from accounts.models import User
from booking import locking
from booking.errors import BookingBusyError
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.appointments import appointment_book, appointment_cancel
from booking.services.lifecycle import appointment_confirm_readiness, appointment_transition
from clinical.models import InfusionRecord, PlanStatus, Questionnaire
from clinical.services.evaluations import treatment_plan_discontinue
from clinical.services.infusions import infusion_record_update, infusion_vitals_record
from clinical.services.questionnaires import questionnaire_answer
from core.roles import Role
from scheduling.models import Room, RoomKind, StaffMember
from tests.clinical.infusion_fixtures import CHECK_IN, NORMAL, START
from tests.clinical.plans import active_plan
from tests.clinical.questionnaire_fixtures import PHQ9_CALM, infusion_with_questionnaires
from tests.factories import AppointmentFactory, PatientFactory, UserFactory
from tests.scheduling.conftest import CalendarBuilder

pytestmark = pytest.mark.django_db(transaction=True)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="lock_timeout and row locks are PostgreSQL's"
)

LA = ZoneInfo("America/Los_Angeles")
TIMEOUT = 0.5  # seconds


@pytest.fixture
def short_lock_timeout(settings):
    settings.BOOKING_LOCK_TIMEOUT_SECONDS = TIMEOUT


@pytest.fixture
def clinic():
    calendar = CalendarBuilder()
    calendar.open()
    clinician = calendar.staff(Role.CLINICIAN)
    [room] = calendar.rooms(RoomKind.CONSULT, 1)
    return {
        "evaluation": calendar.evaluation_type(),
        "patient": PatientFactory(),
        "desk": UserFactory(role=Role.ADMIN, is_staff=True),
        "clinician": clinician,
        "room": room,
    }


def _next_monday_at_ten() -> datetime:
    today = datetime.now(tz=LA).date()
    monday: date = today + timedelta(days=7 + (7 - today.weekday()) % 7)
    return datetime.combine(monday, time(10), tzinfo=LA)


@contextmanager
def held_by_another_connection(rows: QuerySet) -> Iterator[None]:
    """Another connection (another thread's) holds FOR UPDATE on ``rows`` until the block ends."""
    locked, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                list(rows.select_for_update().values_list("pk", flat=True))
                locked.set()
                release.wait(timeout=30)
        except BaseException as error:  # reported to the test below
            failures.append(error)
        finally:
            locked.set()
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=10), failures
        assert not failures
        yield
    finally:
        release.set()
        holder.join(timeout=30)


def test_the_locks_refuse_to_run_outside_a_transaction(clinic):
    with pytest.raises(TransactionManagementError, match="inside transaction"):
        locking.lock_booking_resources(patient_id=clinic["patient"].pk, appointment_type=clinic["evaluation"])
    with pytest.raises(TransactionManagementError, match="inside transaction"):
        locking.lock_patient(patient_id=clinic["patient"].pk)


@postgres_only
def test_the_lock_timeout_lasts_as_long_as_the_transaction(clinic, short_lock_timeout):
    def lock_timeout() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            return cursor.fetchone()[0]

    with transaction.atomic():
        locking.lock_booking_resources(patient_id=clinic["patient"].pk, appointment_type=clinic["evaluation"])
        assert lock_timeout() == "500ms"
    assert lock_timeout() == "0"


HELD_ROWS: dict[str, Callable[[dict], QuerySet]] = {
    "the patient": lambda clinic: User.objects.filter(pk=clinic["patient"].pk),
    "the room": lambda clinic: Room.objects.filter(pk=clinic["room"].pk),
    "the clinician": lambda clinic: StaffMember.objects.filter(pk=clinic["clinician"].pk),
}


@postgres_only
@pytest.mark.parametrize("held", list(HELD_ROWS))
def test_a_lock_held_elsewhere_makes_the_booking_a_409_resource_busy_within_the_timeout(
    clinic, short_lock_timeout, held
):
    with held_by_another_connection(HELD_ROWS[held](clinic)):
        began = clock.monotonic()
        with pytest.raises(BookingBusyError) as refusal:
            appointment_book(
                actor=clinic["desk"],
                patient=clinic["patient"],
                appointment_type=clinic["evaluation"],
                starts_at=_next_monday_at_ten(),
            )
        waited = clock.monotonic() - began

    assert (refusal.value.status_code, refusal.value.code) == (409, "resource_busy")
    assert TIMEOUT <= waited < TIMEOUT + 2
    assert not Appointment.objects.exists()


@postgres_only
def test_the_api_answers_a_busy_lock_with_409_resource_busy(clinic, short_lock_timeout, client_for):
    payload = {"type": "evaluation", "start": _next_monday_at_ten().isoformat(), "patient": str(clinic["patient"].pk)}

    with held_by_another_connection(HELD_ROWS["the room"](clinic)):
        response = client_for(clinic["desk"]).post("/api/v1/appointments/", payload, format="json")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "resource_busy"
    assert not Appointment.objects.exists()


@postgres_only
def test_discontinuing_a_plan_whose_patient_is_locked_elsewhere_is_a_409_and_changes_nothing(
    clinic, short_lock_timeout
):
    plan = active_plan(clinic["patient"], signed_at=datetime.now(tz=LA) - timedelta(days=1))
    booked = AppointmentFactory(
        patient=clinic["patient"],
        appointment_type=clinic["evaluation"],
        treatment_plan=plan,
        starts_at=_next_monday_at_ten(),
    )
    clinician = UserFactory(role=Role.CLINICIAN)

    with held_by_another_connection(HELD_ROWS["the patient"](clinic)), pytest.raises(BookingBusyError):
        treatment_plan_discontinue(actor=clinician, plan_id=plan.pk, reason="Stopped.")

    plan.refresh_from_db()
    booked.refresh_from_db()
    assert (plan.status, booked.status) == (PlanStatus.ACTIVE, AppointmentStatus.BOOKED)


def _deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = DeadlockDetected("deadlock detected")  # what Django wraps (SQLSTATE 40P01)
    return error


def _service_failing(times: int, calls: list[int]) -> Callable[[], str]:
    @locking.retried_once_on_deadlock
    def service() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise _deadlock()
        return "written"

    return service


def test_a_deadlock_is_retried_once_and_the_second_run_answers():
    calls: list[int] = []

    assert _service_failing(1, calls)() == "written"
    assert len(calls) == 2


def test_a_second_deadlock_is_a_409_resource_busy_not_a_server_error():
    calls: list[int] = []

    with pytest.raises(BookingBusyError) as refusal:
        _service_failing(2, calls)()

    assert (refusal.value.status_code, refusal.value.code) == (409, "resource_busy")
    assert len(calls) == 2


def test_inside_a_callers_transaction_a_deadlock_is_not_retried_but_a_409():
    calls: list[int] = []

    with pytest.raises(BookingBusyError), transaction.atomic():
        _service_failing(1, calls)()

    assert len(calls) == 1


def test_other_database_errors_are_not_retried():
    calls: list[int] = []

    @locking.retried_once_on_deadlock
    def service() -> None:
        calls.append(1)
        raise OperationalError("disk full")

    with pytest.raises(OperationalError, match="disk full"):
        service()
    assert len(calls) == 1


def test_the_appointment_lock_refuses_to_run_outside_a_transaction(clinic):
    with pytest.raises(TransactionManagementError, match="inside transaction"):
        locking.lock_appointment(appointment_id=uuid4())


@postgres_only
def test_a_change_to_an_appointment_waits_for_its_patient_first(clinic, short_lock_timeout):
    """The order: with the patient locked elsewhere (a move under way), a cancel waits on the
    patient before it touches the appointment, and ends 409 resource_busy with nothing written."""
    booked = AppointmentFactory(
        patient=clinic["patient"], appointment_type=clinic["evaluation"], starts_at=_next_monday_at_ten()
    )

    with held_by_another_connection(HELD_ROWS["the patient"](clinic)), pytest.raises(BookingBusyError):
        appointment_cancel(actor=clinic["desk"], appointment_id=booked.pk, reason="Away.")

    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert not AppointmentEvent.objects.filter(appointment=booked).exists()


def _infusion_writes(nurse: User) -> dict[str, Callable[[Appointment], object]]:
    """Each write to an infusion appointment (the day's, the patient's, the chair's) at CHECK_IN."""
    return {
        "check-in": lambda a: appointment_transition(
            actor=nurse, appointment_id=a.pk, action=AppointmentEvent.Action.CHECKED_IN, now=CHECK_IN
        ),
        "readiness": lambda a: appointment_confirm_readiness(
            actor=a.patient, appointment_id=a.pk, driver_arranged=True, fasting_acknowledged=True, now=CHECK_IN
        ),
        "questionnaire answer": lambda a: questionnaire_answer(
            actor=a.patient,
            questionnaire_id=Questionnaire.objects.get(appointment=a, kind="phq9").pk,
            items=PHQ9_CALM,
            now=CHECK_IN,
        ),
        "weight": lambda a: infusion_record_update(
            actor=nurse, appointment_id=a.pk, changes={"weight_kg": Decimal("70.0")}, now=CHECK_IN
        ),
        "reading": lambda a: infusion_vitals_record(actor=nurse, appointment_id=a.pk, now=CHECK_IN, **NORMAL),
    }


@postgres_only
@pytest.mark.parametrize("write", ["check-in", "readiness", "questionnaire answer", "weight", "reading"])
def test_every_write_to_an_appointment_waits_for_its_patient_first(demo_clinic, short_lock_timeout, write):
    """The order, for the day's transitions, the patient's readiness and answers and the chair: with
    the patient's row held elsewhere (a move under way), each waits before touching the
    appointment and ends 409 resource_busy within the timeout, nothing written."""
    nurse = UserFactory(role=Role.NURSE)
    appointment, _, _ = infusion_with_questionnaires(
        active_plan(PatientFactory(), signed_at=START - timedelta(days=10)), starts_at=START, created_at=CHECK_IN
    )
    before = (AppointmentEvent.objects.count(), Questionnaire.objects.filter(answered_at__isnull=False).count())

    with held_by_another_connection(User.objects.filter(pk=appointment.patient_id)), pytest.raises(BookingBusyError):
        _infusion_writes(nurse)[write](appointment)

    appointment.refresh_from_db()
    assert (appointment.status, appointment.readiness_confirmed_at) == (AppointmentStatus.BOOKED, None)
    assert (AppointmentEvent.objects.count(), Questionnaire.objects.filter(answered_at__isnull=False).count()) == before
    assert not InfusionRecord.objects.filter(appointment=appointment, weight_kg__isnull=False).exists()
