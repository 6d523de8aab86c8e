"""One meaning of "upcoming" (booking/upcoming.py), for the patient's account and the staff chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus
from booking.upcoming import (
    appointment_changeable,
    appointment_is_upcoming,
    appointment_timeline,
    changeable_filter,
    upcoming_filter,
)
from scheduling.models import AppointmentType
from tests.factories import AppointmentFactory, PatientFactory

NOW = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _visit(status: str, starts_in: timedelta) -> Appointment:
    return Appointment(status=status, starts_at=NOW + starts_in, ends_at=NOW + starts_in + HOUR)


@pytest.mark.parametrize(
    ("status", "starts_in", "expected"),
    [
        (AppointmentStatus.BOOKED, 2 * HOUR, True),
        (AppointmentStatus.BOOKED, -HOUR / 2, True),  # begun, not over: the patient may be on the way
        (AppointmentStatus.BOOKED, -2 * HOUR, False),  # over and never checked in
        (AppointmentStatus.CHECKED_IN, -3 * HOUR, True),  # in the clinic, even past its planned end
        (AppointmentStatus.IN_PROGRESS, -3 * HOUR, True),
        (AppointmentStatus.CANCELLED, 48 * HOUR, False),
        (AppointmentStatus.NO_SHOW, -2 * HOUR, False),
        (AppointmentStatus.COMPLETED, -2 * HOUR, False),
    ],
)
def test_an_appointment_is_upcoming_while_it_holds_its_time_and_has_not_ended(status, starts_in, expected):
    visit = _visit(status, starts_in)
    assert appointment_is_upcoming(status=visit.status, ends_at=visit.ends_at, now=NOW) is expected


def test_a_cancelled_visit_still_ahead_is_listed_apart_not_among_the_past():
    done = _visit(AppointmentStatus.COMPLETED, -48 * HOUR)
    missed = _visit(AppointmentStatus.NO_SHOW, -24 * HOUR)
    soon = _visit(AppointmentStatus.BOOKED, 24 * HOUR)
    cancelled = _visit(AppointmentStatus.CANCELLED, 72 * HOUR)

    timeline = appointment_timeline([done, missed, soon, cancelled], now=NOW)

    assert timeline.upcoming == [soon]
    assert timeline.cancelled_ahead == [cancelled]
    assert timeline.past == [missed, done]  # latest first


def test_only_a_booked_visit_not_yet_begun_may_be_changed():
    assert appointment_changeable(status=AppointmentStatus.BOOKED, starts_at=NOW + HOUR, now=NOW) is True
    assert appointment_changeable(status=AppointmentStatus.BOOKED, starts_at=NOW - HOUR, now=NOW) is False
    assert appointment_changeable(status=AppointmentStatus.CHECKED_IN, starts_at=NOW + HOUR, now=NOW) is False


@pytest.mark.django_db
def test_the_query_filters_say_what_the_predicates_say(demo_clinic):
    now = timezone.now()
    evaluation = AppointmentType.objects.get(code="evaluation")
    cases = [
        (status, now + offset)
        for status in AppointmentStatus.values
        for offset in (-3 * HOUR, -HOUR / 2, 2 * HOUR + timedelta(days=3 * AppointmentStatus.values.index(status)))
    ]
    rows = [
        AppointmentFactory(patient=PatientFactory(), appointment_type=evaluation, status=status, starts_at=start)
        for status, start in cases
    ]
    upcoming = {a.pk for a in rows if appointment_is_upcoming(status=a.status, ends_at=a.ends_at, now=now)}
    changeable = {a.pk for a in rows if appointment_changeable(status=a.status, starts_at=a.starts_at, now=now)}

    assert set(Appointment.objects.filter(upcoming_filter(now=now)).values_list("pk", flat=True)) == upcoming
    assert set(Appointment.objects.filter(changeable_filter(now=now)).values_list("pk", flat=True)) == changeable
    assert 0 < len(upcoming) < len(rows)  # the cases reach both sides of each rule
    assert 0 < len(changeable) < len(rows)
