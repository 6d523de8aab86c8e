"""Instants read as integer microseconds come back as the very datetimes Django would read."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from booking.models import Appointment
from core.epoch import EpochMicroseconds, instant_of
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "starts_at",
    [
        datetime(2026, 3, 8, 10, 0, tzinfo=UTC),  # the day clocks spring forward in California
        datetime(2026, 11, 1, 8, 30, 0, 1, tzinfo=UTC),  # one microsecond past
        datetime(2026, 12, 7, 9, 15, 42, 123456, tzinfo=ZoneInfo("America/Los_Angeles")),
        datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),  # before the epoch: a negative number
    ],
)
def test_epoch_microseconds_read_back_as_the_same_instant(starts_at: datetime) -> None:
    appointment = AppointmentFactory(starts_at=starts_at)

    (read,) = Appointment.objects.filter(pk=appointment.pk).values_list(EpochMicroseconds("starts_at"), flat=True)
    stored = Appointment.objects.values_list("starts_at", flat=True).get(pk=appointment.pk)

    assert isinstance(read, int)
    assert instant_of(read) == stored == starts_at
    assert read == round((starts_at - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)
