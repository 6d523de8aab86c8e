"""/book/'s day and time lists cost the same SQL queries with few and with many appointments.

SPEC.md section 9 wants the day list and the time list fast on the clinic of section 8; the
figures come from bench/pages.py. What a test can hold is the shape: a fixed number of queries
whatever the number of appointments (past ones, booked ones in the shown weeks, the patient's
own sessions), for an anonymous visitor browsing evaluations and for a patient with an active
plan browsing infusions.
"""

import re
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import AppointmentStatus
from clinical.models import TreatmentPlan
from core.roles import Role
from scheduling.models import AppointmentType, Room, RoomKind, StaffMember
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=LA)  # a Monday morning: the page shows Nov 30 .. Dec 27
DAY = date(2026, 12, 3)  # the Thursday whose times are listed
# An anonymous visitor costs 5 queries today (type, calendar, time off, busy times, clinic), a
# signed-in patient 9 (session, user, plan, type, plan limits, then the same); one to spare.
MAX_QUERIES = {"evaluation": 6, "infusion": 10}
SLOT_HOURS = (8, 10, 12, 14)  # one appointment per slot in the whole clinic: no overlap anywhere


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LA)


def weekdays(first: date, step: int) -> list[date]:
    """Weekdays from ``first`` on, walking ``step`` days at a time (60 of them)."""
    days: list[date] = []
    day = first
    while len(days) < 60:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=step)
    return days


class Clinic:
    """The demo clinic's types, rooms and staff, and a writer of appointments that never overlap
    (each in its own two-hour slot), alternating evaluations and infusions."""

    def __init__(self) -> None:
        self.types = {t.code: t for t in AppointmentType.objects.all()}
        self.rooms = {kind: list(Room.objects.filter(kind=kind).order_by("name")) for kind in RoomKind.values}
        staff = StaffMember.objects.select_related("user").order_by("user__email")
        self.clinicians = [s for s in staff if s.user.role == Role.CLINICIAN]
        self.nurses = [s for s in staff if s.user.role == Role.NURSE]
        self.patients = [PatientFactory() for _ in range(5)]
        self.serial = count()

    def appointment(self, starts_at: datetime, status: str, **fields: Any) -> Any:
        n = next(self.serial)
        values: dict[str, Any]
        if n % 2:
            values = {
                "appointment_type": self.types["infusion"],
                "room": self.rooms[RoomKind.INFUSION][n % len(self.rooms[RoomKind.INFUSION])],
                "nurse": self.nurses[n % len(self.nurses)],
                "supervising_clinician": self.clinicians[n % len(self.clinicians)],
            }
        else:
            values = {
                "appointment_type": self.types["evaluation"],
                "room": self.rooms[RoomKind.CONSULT][n % len(self.rooms[RoomKind.CONSULT])],
                "staff": self.clinicians[n % len(self.clinicians)],
            }
        values = {"patient": self.patients[n % len(self.patients)], "status": status, **values, **fields}
        return AppointmentFactory(starts_at=starts_at, **values)

    def few(self) -> None:
        """Two bookings on the listed day."""
        self.appointment(at(DAY, 8), AppointmentStatus.BOOKED)
        self.appointment(at(DAY, 10), AppointmentStatus.BOOKED)

    def many(self, plan_patient, plan: TreatmentPlan) -> None:
        """160 past visits, 40 bookings over the shown weeks (a few cancelled), three more on the
        listed day (two evaluations at once), and two infusions of the patient's plan."""
        past = [at(day, hour) for day in weekdays(NOW.date() - timedelta(days=1), -1) for hour in SLOT_HOURS]
        for starts_at in past[:160]:
            self.appointment(starts_at, AppointmentStatus.COMPLETED)
        shown = [
            at(day, hour)
            for day in weekdays(NOW.date() + timedelta(days=1), 1)
            if day != DAY and day < NOW.date() + timedelta(days=28)
            for hour in SLOT_HOURS
        ]
        for index, starts_at in enumerate(shown[:40]):
            self.appointment(starts_at, AppointmentStatus.CANCELLED if index % 10 == 9 else AppointmentStatus.BOOKED)
        self.appointment(at(DAY, 14), AppointmentStatus.BOOKED)
        for room, clinician, patient in zip(self.rooms[RoomKind.CONSULT], self.clinicians, self.patients, strict=False):
            self.appointment(  # both consult rooms and both clinicians at noon: no evaluation around then
                at(DAY, 12),
                AppointmentStatus.BOOKED,
                appointment_type=self.types["evaluation"],
                patient=patient,
                room=room,
                staff=clinician,
                nurse=None,
                supervising_clinician=None,
            )
        for day in (date(2026, 12, 8), date(2026, 12, 10)):  # 16:00: outside every slot above
            self.appointment(
                at(day, 16),
                AppointmentStatus.BOOKED,
                appointment_type=self.types["infusion"],
                patient=plan_patient,
                treatment_plan=plan,
                room=self.rooms[RoomKind.INFUSION][0],
                nurse=self.nurses[0],
                supervising_clinician=self.clinicians[0],
                staff=None,
            )


def open_times(body: str) -> int:
    """All the times the day list offers ("Thursday, December 3: 12 times available")."""
    return sum(int(n) for n in re.findall(r": (\d+) times? available", body))


def page(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("code", ["evaluation", "infusion"])
@pytest.mark.parametrize("with_times", [False, True], ids=["day list", "time list"])
def test_the_book_page_costs_the_same_queries_with_few_and_many_appointments(
    demo_clinic, time_machine, code, with_times
):
    time_machine.move_to(NOW, tick=False)
    clinic = Clinic()
    client = Client()
    patient = PatientFactory()
    plan = active_plan(patient, signed_at=NOW - timedelta(days=1))
    if code == "infusion":  # infusions are open to a signed-in patient with an active plan only
        client.force_login(patient)
    url = f"/book/?type={code}" + (f"&day={DAY.isoformat()}" if with_times else "")
    client.get(url)  # the first request of a session may set things up

    clinic.few()
    few_queries, few_body = page(client, url)
    clinic.many(patient, plan)
    many_queries, many_body = page(client, url)

    for body in (few_body, many_body):
        assert "Thursday, December 3: " in body
        assert 'class="day-link"' in body
        assert ('class="time-link"' in body) is with_times
    assert open_times(many_body) < open_times(few_body)  # the appointments took times away
    assert few_queries == many_queries <= MAX_QUERIES[code]
