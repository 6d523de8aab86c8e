"""Property: on random calendars (extra openings included, on daylight-saving days too), the
availability selector offers exactly the starts that a minute-by-minute reference offers.
Calendars are written to the database and searched through the real selector (its queries
included), then rolled back."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from booking.availability import availability_for
from booking.models import AppointmentStatus
from core.roles import Role
from scheduling.models import RoomKind
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ClinicClosureFactory,
    ClinicFactory,
    ClinicHoursFactory,
    ClinicOpeningFactory,
    ClinicOpeningHoursFactory,
    PatientFactory,
    RoomFactory,
    RoomOutageFactory,
    StaffMemberFactory,
    TimeOffFactory,
    UserFactory,
    WorkingHoursFactory,
)
from tests.scheduling.naive_availability import NaiveAppointment, NaiveCalendar, NaiveType, naive_open_starts

pytestmark = pytest.mark.django_db

# Each zone with its two daylight-saving days of 2026 (spring forward, fall back) and an ordinary day.
ZONE_DAYS = {
    "America/Los_Angeles": [date(2026, 3, 8), date(2026, 11, 1), date(2026, 6, 16)],
    "Europe/London": [date(2026, 3, 29), date(2026, 10, 25), date(2026, 6, 16)],
    "Australia/Lord_Howe": [date(2026, 10, 4), date(2026, 4, 5), date(2026, 6, 16)],
}


class Rollback(Exception):
    pass


# Five-minute steps of a day; the early-morning ones fall into the daylight-saving gaps and
# overlaps of the zones above (02:00-03:00 Los Angeles, 01:00-02:00 London, 02:00-02:30 Lord Howe).
NIGHT_STEPS = [12, 15, 18, 24, 26, 27, 30, 33, 36]


@st.composite
def blocks(draw, max_blocks=2, min_blocks=0):
    result = []
    for _ in range(draw(st.integers(min_blocks, max_blocks))):
        start = draw(st.one_of(st.sampled_from(NIGHT_STEPS), st.integers(0, 24 * 12 - 2)))
        later_night_steps = [step for step in NIGHT_STEPS if step > start]
        any_later = st.integers(start + 1, 24 * 12 - 1)
        end = draw(st.one_of(st.sampled_from(later_night_steps), any_later) if later_night_steps else any_later)
        result.append((time(start * 5 // 60, start * 5 % 60), time(end * 5 // 60, end * 5 % 60)))
    return result


@st.composite
def weekly_blocks(draw, max_blocks=2):
    # Often a long day (so that bookings, not hours, decide), else random blocks per weekday.
    if draw(st.booleans()):
        return {weekday: [(time(0, 30), time(23, 30))] for weekday in range(7)}
    if draw(st.booleans()):
        same = draw(blocks(max_blocks))
        return {weekday: list(same) for weekday in range(7)}
    return {weekday: draw(blocks(max_blocks)) for weekday in range(7)}


@st.composite
def instant_ranges(draw, window_start, window_minutes, count):
    result = []
    for _ in range(draw(st.integers(0, count))):
        start = draw(st.integers(0, window_minutes // 5)) * 5
        length = draw(st.integers(1, 48)) * 5
        begin = window_start + timedelta(minutes=start)
        result.append((begin, begin + timedelta(minutes=length)))
    return result


@st.composite
def scenarios(draw):
    zone_name = draw(st.sampled_from(sorted(ZONE_DAYS)))
    zone = ZoneInfo(zone_name)
    first_day = draw(st.sampled_from(ZONE_DAYS[zone_name])) - timedelta(days=draw(st.sampled_from([0, 0, 1])))
    last_day = first_day + timedelta(days=draw(st.integers(0, 2)))
    window_start = datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=UTC)
    window_minutes = ((last_day - first_day).days + 3) * 24 * 60

    infusion_like = draw(st.booleans())
    kind = NaiveType(
        duration=draw(st.integers(2, 18)) * 5,
        recovery=draw(st.integers(0, 12)) * 5 if infusion_like else 0,
        turnover=draw(st.integers(0, 6)) * 5,
        grid=draw(st.sampled_from([5, 15, 30, 60])),
        room_kind=True,
        staff_role="" if infusion_like else draw(st.sampled_from([Role.CLINICIAN, Role.THERAPIST])),
        nurse_capacity=draw(st.integers(1, 2)) if infusion_like else 0,
        supervised=infusion_like and draw(st.booleans()),
    )
    roles = []
    if kind.staff_role:
        roles += [kind.staff_role] * draw(st.integers(1, 2))
    if kind.nurse_capacity:
        roles += [Role.NURSE] * draw(st.integers(1, 2))
    if kind.supervised and Role.CLINICIAN not in roles:
        roles += [Role.CLINICIAN] * draw(st.integers(0, 2))
    long_day = {weekday: [(time(0, 30), time(23, 30))] for weekday in range(7)}
    staff = [
        {
            "role": role,
            "hours": long_day if draw(st.integers(0, 3)) else draw(weekly_blocks()),
            "time_off": draw(instant_ranges(window_start, window_minutes, 1)),
        }
        for role in roles
    ]
    rooms = [{"outages": draw(instant_ranges(window_start, window_minutes, 1))} for _ in range(draw(st.integers(1, 2)))]
    days = [first_day + timedelta(days=k) for k in range((last_day - first_day).days + 1)]
    # Appointments cluster around one moment of the first day, so that they contend.
    busy_center = datetime.combine(first_day, time(12), tzinfo=zone).astimezone(UTC)
    appointments = []
    for _ in range(draw(st.integers(0, 6))):
        appointments.append(
            {
                "start": busy_center + timedelta(minutes=draw(st.integers(-36, 36)) * 5),
                "room": draw(st.integers(0, len(rooms))),  # len(rooms) means no room
                "staff": draw(st.integers(0, len(staff))),
                "nurse": draw(st.integers(0, len(staff))),
                "mine": draw(st.booleans()),
                "status": draw(st.sampled_from(list(AppointmentStatus))),
            }
        )
    # Extra openings on some of the searched days (a closure's day too), each listing some staff.
    openings = [
        {
            "day": day,
            "blocks": draw(blocks(max_blocks=2, min_blocks=1)),
            "staff": [index for index in range(len(staff)) if draw(st.booleans())],
        }
        for day in draw(st.lists(st.sampled_from(days), max_size=2, unique=True))
    ]
    return {
        "zone": zone,
        "zone_name": zone_name,
        "openings": openings,
        "first_day": first_day,
        "last_day": last_day,
        "kind": kind,
        "clinic_hours": draw(weekly_blocks()),
        "closures": draw(st.lists(st.sampled_from(days), max_size=1, unique=True)),
        "staff": staff,
        "rooms": rooms,
        "appointments": appointments,
        "searcher_known": draw(st.booleans()),
        "online": draw(st.booleans()),
        # Mostly before the searched days begin, sometimes in the middle of them.
        "now": window_start + timedelta(minutes=draw(st.integers(0, 36 * 60))),
        "notice_minutes": draw(st.sampled_from([0, 60, 12 * 60])),
        "horizon_days": draw(st.sampled_from([1, 5])),
        "filter_staff": draw(st.booleans()) and bool(kind.staff_role),
    }


def clashes(new: NaiveAppointment, old: NaiveAppointment) -> bool:
    """Two blocking appointments holding one room, exclusive staff member or patient at once."""
    if not (new.blocking and old.blocking):
        return False

    def overlap(minutes_new: int, minutes_old: int) -> bool:
        return new.starts_at < old.starts_at + timedelta(
            minutes=minutes_old
        ) and old.starts_at < new.starts_at + timedelta(minutes=minutes_new)

    return (
        (new.room is not None and new.room == old.room and overlap(new.room_minutes, old.room_minutes))
        or (new.staff is not None and new.staff == old.staff and overlap(new.staff_minutes, old.staff_minutes))
        or (new.patient == old.patient and overlap(new.patient_minutes, old.patient_minutes))
    )


def _write_clinic(scenario):
    clinic = ClinicFactory(time_zone=scenario["zone_name"])
    for weekday, day_blocks in scenario["clinic_hours"].items():
        for opens, closes in day_blocks:
            ClinicHoursFactory(clinic=clinic, weekday=weekday, opens_at=opens, closes_at=closes)
    for closed_on in scenario["closures"]:
        ClinicClosureFactory(clinic=clinic, closed_on=closed_on)
    return clinic


def _write_staff(scenario, clinic):
    members = []
    for spec in scenario["staff"]:
        member = StaffMemberFactory(clinic=clinic, user=UserFactory(role=spec["role"]))
        for weekday, day_blocks in spec["hours"].items():
            for starts_at, ends_at in day_blocks:
                WorkingHoursFactory(staff=member, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
        for starts_at, ends_at in spec["time_off"]:
            TimeOffFactory(staff=member, starts_at=starts_at, ends_at=ends_at)
        members.append(member)
    return members


def _write_rooms(scenario, clinic):
    rooms = []
    for spec in scenario["rooms"]:
        room = RoomFactory(clinic=clinic, kind=RoomKind.INFUSION)
        for starts_at, ends_at in spec["outages"]:
            RoomOutageFactory(room=room, starts_at=starts_at, ends_at=ends_at)
        rooms.append(room)
    return rooms


def write_and_search(scenario):
    """Write the scenario with the factories, search with the selector; return both inputs."""
    kind: NaiveType = scenario["kind"]
    clinic = _write_clinic(scenario)
    appointment_type = AppointmentTypeFactory(
        clinic=clinic,
        code="probe",
        duration_minutes=kind.duration,
        recovery_minutes=kind.recovery,
        turnover_minutes=kind.turnover,
        grid_minutes=kind.grid,
        room_kind=RoomKind.INFUSION,
        staff_role=kind.staff_role,
        nurse_capacity=kind.nurse_capacity,
        needs_supervising_clinician=kind.supervised,
        min_notice_minutes=scenario["notice_minutes"],
        horizon_days=scenario["horizon_days"],
    )
    members = _write_staff(scenario, clinic)
    for spec in scenario["openings"]:
        opening = ClinicOpeningFactory(
            clinic=clinic, opens_on=spec["day"], staff=[members[index] for index in spec["staff"]]
        )
        for opens, closes in spec["blocks"]:
            ClinicOpeningHoursFactory(opening=opening, opens_at=opens, closes_at=closes)
    rooms = _write_rooms(scenario, clinic)
    searcher = PatientFactory()
    other = PatientFactory()
    naive_appointments: list[NaiveAppointment] = []
    for spec in scenario["appointments"]:
        staff_member = members[spec["staff"]] if spec["staff"] < len(members) else None
        nurse = members[spec["nurse"]] if spec["nurse"] < len(members) else None
        held_room = rooms[spec["room"]] if spec["room"] < len(rooms) else None
        patient = searcher if spec["mine"] else other
        candidate = NaiveAppointment(
            starts_at=spec["start"],
            patient_minutes=kind.duration + kind.recovery,
            staff_minutes=kind.duration,
            room_minutes=kind.duration + kind.recovery + kind.turnover,
            room=held_room.pk if held_room else None,
            staff=str(staff_member.pk) if staff_member else None,
            nurse=str(nurse.pk) if nurse else None,
            patient=str(patient.pk),
            blocking=spec["status"] not in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW),
        )
        if any(clashes(candidate, existing) for existing in naive_appointments):
            continue  # a state the booking invariants (and PostgreSQL's constraints) never allow
        AppointmentFactory(
            patient=patient,
            appointment_type=appointment_type,
            starts_at=spec["start"],
            room=held_room,
            staff=staff_member,
            nurse=nurse,
            status=spec["status"],
        )
        naive_appointments.append(candidate)
    staff_filter = members[0] if scenario["filter_staff"] else None
    slots = availability_for(
        appointment_type=appointment_type,
        first_day=scenario["first_day"],
        last_day=scenario["last_day"],
        patient_id=searcher.pk if scenario["searcher_known"] else None,
        staff_id=staff_filter.pk if staff_filter else None,
        online=scenario["online"],
        now=scenario["now"],
    )
    naive_calendar = NaiveCalendar(
        zone=scenario["zone"],
        clinic_hours=scenario["clinic_hours"],
        closures=set(scenario["closures"]),
        staff_roles={str(m.pk): spec["role"] for m, spec in zip(members, scenario["staff"], strict=True)},
        staff_hours={str(m.pk): spec["hours"] for m, spec in zip(members, scenario["staff"], strict=True)},
        time_off={str(m.pk): spec["time_off"] for m, spec in zip(members, scenario["staff"], strict=True)},
        rooms=[room.pk for room in rooms],
        outages={room.pk: spec["outages"] for room, spec in zip(rooms, scenario["rooms"], strict=True)},
        appointments=naive_appointments,
        openings={spec["day"]: spec["blocks"] for spec in scenario["openings"]},
        opening_staff={spec["day"]: {str(members[i].pk) for i in spec["staff"]} for spec in scenario["openings"]},
    )
    now = scenario["now"]
    expected = naive_open_starts(
        naive_calendar,
        kind,
        scenario["first_day"],
        scenario["last_day"],
        earliest=now + timedelta(minutes=scenario["notice_minutes"]) if scenario["online"] else now,
        latest=now + timedelta(days=scenario["horizon_days"]) if scenario["online"] else None,
        patient=str(searcher.pk) if scenario["searcher_known"] else None,
        staff_filter=str(staff_filter.pk) if staff_filter else None,
    )
    return slots, expected


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios())
def test_the_selector_offers_exactly_the_starts_a_minute_by_minute_check_finds(db, scenario):
    outcome = {}
    event("zone", scenario["zone_name"])
    event("openings", str(len(scenario["openings"])))
    nurses = [i for i, spec in enumerate(scenario["staff"]) if spec["role"] == Role.NURSE]
    event("nurse bookings", str(sum(1 for a in scenario["appointments"] if a["nurse"] in nurses)))
    try:
        with transaction.atomic():
            outcome["slots"], outcome["expected"] = write_and_search(scenario)
            raise Rollback
    except Rollback:
        pass
    offered = [slot.start for slot in outcome["slots"]]
    event("offers", "none" if not offered else "some")
    assert offered == outcome["expected"]
    visit = timedelta(minutes=scenario["kind"].duration + scenario["kind"].recovery)
    assert all(slot.end - slot.start == visit for slot in outcome["slots"])
