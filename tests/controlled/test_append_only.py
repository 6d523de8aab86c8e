"""The log is append-only (SPEC.md section 12): an entry, a count and its lines are never changed
or deleted, through the ORM (refused by the models themselves, on every database) or through raw
SQL (refused by PostgreSQL's triggers, controlled/migrations/0002). A container keeps its terms as
received; only its balance moves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from controlled.models import Container, CountLine, DailyCount, LedgerEntry
from controlled.services.counts import daily_count_record
from controlled.services.infusions import infusion_draw
from core.append_only import AppendOnlyError
from tests.controlled.fixtures import signature, under_way, vial

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during")]
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


@pytest.fixture
def log(nurse, witness, demo_clinic):
    """A receipt, a draw, and a count with its line."""
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("35.0"))
    daily_count_record(
        actor=nurse, containers_counted=1, open_ml={container.pk: Decimal("9.30")}, witness=signature(witness)
    )
    return container


def snapshot():
    return (
        list(LedgerEntry.objects.order_by("id").values_list("id", "quantity_mg", "balance_after_mg")),
        list(DailyCount.objects.values_list("id", "containers_counted")),
        list(CountLine.objects.values_list("id", "ml_counted")),
    )


@pytest.mark.parametrize("model", [LedgerEntry, DailyCount, CountLine])
def test_the_orm_neither_updates_nor_deletes_a_row_of_the_log(log, model):
    before = snapshot()
    row = model.objects.first()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).update(pk=row.pk)
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert snapshot() == before


@postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE controlled_ledgerentry SET quantity_mg = 1",
        "DELETE FROM controlled_ledgerentry",
        "UPDATE controlled_dailycount SET containers_counted = 9",
        "DELETE FROM controlled_dailycount",
        "UPDATE controlled_countline SET ml_counted = 0",
        "DELETE FROM controlled_countline",
        "UPDATE controlled_container SET lot = 'OTHER'",
        "UPDATE controlled_container SET opened_at = now() - interval '1 day'",
        "DELETE FROM controlled_container",
    ],
)
def test_raw_sql_cannot_change_or_remove_the_log_on_postgresql(log, statement):
    before = snapshot()
    refused = pytest.raises(DatabaseError, match=r"append-only|terms as received|never deleted")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert snapshot() == before


@postgres_only
def test_raw_sql_may_still_move_a_balance_but_never_below_zero(log):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE controlled_container SET balance_mg = balance_mg - 5")
    assert Container.objects.get().balance_mg == Decimal("460.0")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE controlled_container SET balance_mg = -0.1")
