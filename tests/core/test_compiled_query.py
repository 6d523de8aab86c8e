"""core.compiled_query: the SQL compiled once per shape, run with fresh values, same rows as the ORM."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from booking.models import Appointment
from core.compiled_query import CompiledQuery
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

STARTS_AT = Appointment._meta.get_field("starts_at")


def _starting(*, starts_from, starts_before, ignore_id):
    rows = Appointment.objects.filter(starts_at__gte=starts_from, starts_at__lt=starts_before)
    if ignore_id is not None:
        rows = rows.exclude(pk=ignore_id)
    return rows.values_list("room_id").order_by()


def _query(build=_starting):
    return CompiledQuery(
        build,
        sentinels={
            "starts_from": (datetime(1001, 1, 1, tzinfo=UTC), STARTS_AT),
            "starts_before": (datetime(1002, 1, 1, tzinfo=UTC), STARTS_AT),
            "ignore_id": (UUID(int=0x5E17), Appointment._meta.get_field("id")),
        },
    )


def test_each_shape_is_compiled_once_and_answers_what_the_orm_answers(monkeypatch):
    first = AppointmentFactory(starts_at=datetime(2026, 12, 7, 17, tzinfo=UTC))
    second = AppointmentFactory(starts_at=datetime(2026, 12, 8, 17, tzinfo=UTC))
    first_start, second_start = first.starts_at, second.starts_at
    query = _query()
    compiled: list[tuple] = []
    compile_shape = query._compile

    def counting_compile(present):
        compiled.append(present)
        return compile_shape(present)

    monkeypatch.setattr(query, "_compile", counting_compile)
    wide = {
        "starts_from": min(first_start, second_start),
        "starts_before": max(first_start, second_start) + timedelta(1),
    }

    for ignore in (None, first.pk, second.pk, None):
        values = {**wide, "ignore_id": ignore}
        assert sorted(query.rows(**values)) == sorted(_starting(**values))
    only_first = {"starts_from": first_start, "starts_before": first_start + timedelta(microseconds=1)}
    assert query.rows(**only_first, ignore_id=None) == list(_starting(**only_first, ignore_id=None))

    assert compiled == [("starts_before", "starts_from"), ("ignore_id", "starts_before", "starts_from")]


def test_a_sentinel_that_cannot_be_told_apart_leaves_the_query_built_each_time():
    AppointmentFactory(starts_at=datetime(2026, 12, 7, 17, tzinfo=UTC))

    def twice(*, starts_from, starts_before, ignore_id):  # starts_from lands in two places
        return _starting(starts_from=starts_from, starts_before=starts_before, ignore_id=ignore_id).filter(
            created_at__gte=starts_from
        )

    query = _query(twice)
    values = {"starts_from": datetime(2000, 1, 1, tzinfo=UTC), "starts_before": datetime(2100, 1, 1, tzinfo=UTC)}

    assert query.rows(**values, ignore_id=None) == list(twice(**values, ignore_id=None))
    assert list(query._compiled.values()) == [None]
