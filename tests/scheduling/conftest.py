"""Small calendars built per test: each test states exactly the clinic it needs."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.roles import Role
from scheduling.models import AppointmentType, Clinic, OnlineBooking, RoomKind, StaffMember
from tests.factories import (
    AppointmentTypeFactory,
    ClinicFactory,
    ClinicHoursFactory,
    RoomFactory,
    StaffMemberFactory,
    UserFactory,
    WorkingHoursFactory,
)

LA = ZoneInfo("America/Los_Angeles")
EVERY_DAY = range(7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A clinic-local wall-clock time as an aware instant (never on an ambiguous time here)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


class CalendarBuilder:
    def __init__(self) -> None:
        self.clinic: Clinic = ClinicFactory()

    def open(self, opens: time = time(8), closes: time = time(18), weekdays=EVERY_DAY) -> None:
        for weekday in weekdays:
            ClinicHoursFactory(clinic=self.clinic, weekday=weekday, opens_at=opens, closes_at=closes)

    def staff(self, role: str, starts: time = time(9), ends: time = time(17), weekdays=EVERY_DAY) -> StaffMember:
        member = StaffMemberFactory(clinic=self.clinic, user=UserFactory(role=role))
        for weekday in weekdays:
            WorkingHoursFactory(staff=member, weekday=weekday, starts_at=starts, ends_at=ends)
        return member

    def rooms(self, kind: str, count: int = 1) -> list:
        return [RoomFactory(clinic=self.clinic, kind=kind) for _ in range(count)]

    def evaluation_type(self, **overrides) -> AppointmentType:
        fields = {
            "clinic": self.clinic,
            "code": "evaluation",
            "duration_minutes": 60,
            "room_kind": RoomKind.CONSULT,
            "staff_role": Role.CLINICIAN,
            "online_booking": OnlineBooking.ANY_PATIENT,
            **overrides,
        }
        return AppointmentTypeFactory(**fields)

    def infusion_type(self, **overrides) -> AppointmentType:
        fields = {
            "clinic": self.clinic,
            "code": "infusion",
            "name": "Infusion session",
            "duration_minutes": 50,
            "recovery_minutes": 40,
            "turnover_minutes": 15,
            "room_kind": RoomKind.INFUSION,
            "staff_role": "",
            "nurse_capacity": 2,
            "needs_supervising_clinician": True,
            "online_booking": OnlineBooking.ACTIVE_PLAN,
            **overrides,
        }
        return AppointmentTypeFactory(**fields)


@pytest.fixture
def calendar(db) -> CalendarBuilder:
    return CalendarBuilder()


def local_starts(slots, day: date | None = None) -> list[str]:
    """Slots as local 'HH:MM' strings (optionally of one local day), for exact comparisons."""
    return [
        slot.start.astimezone(LA).strftime("%H:%M")
        for slot in slots
        if day is None or slot.start.astimezone(LA).date() == day
    ]


def quarter_hours(first: str, last: str) -> list[str]:
    start = datetime.strptime(first, "%H:%M")
    end = datetime.strptime(last, "%H:%M")
    out = []
    while start <= end:
        out.append(start.strftime("%H:%M"))
        start += timedelta(minutes=15)
    return out
