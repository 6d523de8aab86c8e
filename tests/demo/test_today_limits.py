"""Where the demo day's work is laid out: around now, inside today; too early in the day, nothing.
(Apart from tests/demo/test_today.py, whose seeded scenarios stay open for the whole module.)"""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import User
from booking.models import Appointment
from demo.today import demo_anchor, today_patients
from scheduling.models import ClinicOpening, Room, RoomKind, RoomOutage

LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("now", "anchor"),
    [
        (datetime(2026, 12, 8, 10, 37, 12, tzinfo=LA), datetime(2026, 12, 8, 10, 30, tzinfo=LA)),
        (datetime(2026, 12, 8, 19, 30, tzinfo=LA), datetime(2026, 12, 8, 19, 30, tzinfo=LA)),
        (datetime(2026, 12, 8, 21, 15, tzinfo=LA), datetime(2026, 12, 8, 21, 15, tzinfo=LA)),
        # Late: laid out as of 21:15, the last room free at 23:45.
        (datetime(2026, 12, 8, 23, 50, tzinfo=LA), datetime(2026, 12, 8, 21, 15, tzinfo=LA)),
        (datetime(2026, 12, 8, 2, 0, tzinfo=LA), datetime(2026, 12, 8, 2, 0, tzinfo=LA)),
        (datetime(2026, 12, 8, 1, 59, tzinfo=LA), None),  # the first check-in would be yesterday
        # Spring forward: 03:30 PDT minus 110 minutes is 00:40 PST, still today.
        (datetime(2026, 3, 8, 3, 30, tzinfo=LA), datetime(2026, 3, 8, 3, 30, tzinfo=LA)),
    ],
)
def test_the_work_is_laid_out_around_now_inside_today(now, anchor):
    assert demo_anchor(now, LA) == anchor


@pytest.mark.django_db
def test_too_early_in_the_day_nothing_is_written(demo_clinic):
    output = StringIO()
    with time_machine.travel(datetime(2026, 12, 8, 1, 0, tzinfo=LA), tick=False):
        call_command("seed_demo_day", "--password", "demo-password-for-tests", stdout=output)

    assert "Too early in the day" in output.getvalue()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_calendar_without_room_for_the_work_gets_nothing_and_says_so(demo_clinic):
    now = datetime(2026, 12, 8, 10, 30, tzinfo=LA)
    for room in Room.objects.filter(kind=RoomKind.INFUSION):  # every chair out of service all day
        RoomOutage.objects.create(room=room, starts_at=now - timedelta(hours=12), ends_at=now + timedelta(hours=12))
    output = StringIO()

    with time_machine.travel(now, tick=False):
        call_command("seed_demo_day", "--password", "demo-password-for-tests", stdout=output)

    assert output.getvalue() == (
        "Today's demo work (2026-12-08) was not written: the services said 'slot_unavailable' "
        "(today's calendar has no room for it?).\n"
    )
    assert not Appointment.objects.exists()
    assert not ClinicOpening.objects.exists()  # the opening tried for it is rolled back too
    assert not User.objects.filter(email__in=[p.email for p in today_patients(now.date()).values()]).exists()
