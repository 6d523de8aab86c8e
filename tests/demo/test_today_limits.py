"""Where the demo day's work is laid out: around now, inside today; too early in the day, nothing.
(Apart from tests/demo/test_today.py, whose seeded scenarios stay open for the whole module.)"""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from booking.models import Appointment
from demo.today import demo_anchor

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
