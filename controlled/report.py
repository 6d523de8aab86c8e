"""The log's report (SPEC.md section 12) for a date range, and the inventory as of a date: reads
only, for admins and clinicians (the caller's role gate; the callers put the patients named in the
access log).

The report, for clinic-local days ``date_from`` to ``date_to`` (both included, at most 366 days:
400 ``invalid_date_range`` / ``date_range_too_long``): every entry of the log made in the range,
in the order recorded, and the totals: received, drawn, administered, wasted (what was drawn and
not given, and stock wasted whole), corrected; each container's balance at the start and at the
end of the range. They always reconcile: opening + received - drawn - stock wasted + corrections =
closing (``balanced``; an entry's balance is written with it, so a break would show here).

The inventory as of a day (21 CFR 1304.11: everything on hand; taken here at the close of that
clinic day): each container received by then that still held something then, with its balance in
mg and mL and whether it was still sealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import OuterRef, Subquery

from controlled.errors import ControlledError
from controlled.models import Container, EntryKind, LedgerEntry
from controlled.rules import MG, ZERO, ml_of
from scheduling.intervals import local_day_bounds
from scheduling.selectors import clinic_zone

MAX_REPORT_DAYS = 366
CONTAINER_ORDER = ("received_on", "recorded_at", "lot", "pk")


def report_range_check(*, date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ControlledError(
            "The range ends before it begins.", code="invalid_date_range", fields={"date_to": ["Before date_from."]}
        )
    if (date_to - date_from).days + 1 > MAX_REPORT_DAYS:
        raise ControlledError(
            f"At most {MAX_REPORT_DAYS} days at once.",
            code="date_range_too_long",
            fields={"date_to": [f"At most {MAX_REPORT_DAYS} days after date_from."]},
        )


@dataclass(frozen=True)
class ContainerBalance:
    container: Container
    opening_mg: Decimal
    closing_mg: Decimal

    @property
    def closing_ml(self) -> Decimal:
        return ml_of(mg=self.closing_mg, concentration_mg_per_ml=self.container.concentration_mg_per_ml)


@dataclass(frozen=True)
class Totals:
    received_mg: Decimal
    drawn_mg: Decimal
    administered_mg: Decimal
    wasted_not_given_mg: Decimal
    wasted_stock_mg: Decimal
    corrections_mg: Decimal  # their net change to the balances
    opening_mg: Decimal
    closing_mg: Decimal

    @property
    def balanced(self) -> bool:
        expected = self.opening_mg + self.received_mg - self.drawn_mg - self.wasted_stock_mg + self.corrections_mg
        return expected == self.closing_mg


@dataclass(frozen=True)
class Report:
    date_from: date
    date_to: date
    entries: list[LedgerEntry]
    balances: list[ContainerBalance]
    totals: Totals

    @property
    def patient_ids(self) -> list[UUID]:
        return [entry.patient_id for entry in self.entries if entry.patient_id is not None]


def _balances_at(instant: datetime) -> dict[UUID, Decimal]:
    """Each container's balance just before ``instant`` (the last entry made before it)."""
    last = (
        LedgerEntry.objects.filter(container=OuterRef("pk"), occurred_at__lt=instant)
        .order_by("-id")
        .values("balance_after_mg")[:1]
    )
    rows = Container.objects.annotate(then=Subquery(last)).filter(then__isnull=False).values_list("pk", "then")
    return {pk: Decimal(then).quantize(MG) for pk, then in rows}


def _sum(entries: list[LedgerEntry], kind: str, *, of_draw: bool | None = None) -> Decimal:
    return sum(
        (
            entry.quantity_mg
            for entry in entries
            if entry.kind == kind and (of_draw is None or (entry.draw_id is not None) == of_draw)
        ),
        ZERO,
    )


def controlled_report(*, date_from: date, date_to: date) -> Report:
    report_range_check(date_from=date_from, date_to=date_to)
    start, end = local_day_bounds(date_from, date_to, clinic_zone())
    entries = list(
        LedgerEntry.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .select_related("container__received_by", "actor", "witness", "patient")
        .order_by("id")
    )
    opening, closing = _balances_at(start), _balances_at(end)
    touched = {entry.container_id for entry in entries}
    shown = {pk for pk in closing if opening.get(pk, ZERO) or closing[pk] or pk in touched}
    balances = [
        ContainerBalance(
            container=container, opening_mg=opening.get(container.pk, ZERO), closing_mg=closing[container.pk]
        )
        for container in Container.objects.filter(pk__in=shown).select_related("received_by").order_by(*CONTAINER_ORDER)
    ]
    totals = Totals(
        received_mg=_sum(entries, EntryKind.RECEIPT),
        drawn_mg=_sum(entries, EntryKind.DRAW),
        administered_mg=_sum(entries, EntryKind.ADMINISTRATION),
        wasted_not_given_mg=_sum(entries, EntryKind.WASTE, of_draw=True),
        wasted_stock_mg=_sum(entries, EntryKind.WASTE, of_draw=False),
        corrections_mg=sum((entry.change_mg for entry in entries if entry.kind == EntryKind.CORRECTION), ZERO),
        opening_mg=sum(opening.values(), ZERO),
        closing_mg=sum(closing.values(), ZERO),
    )
    return Report(date_from=date_from, date_to=date_to, entries=entries, balances=balances, totals=totals)


@dataclass(frozen=True)
class InventoryRow:
    container: Container
    balance_mg: Decimal
    sealed: bool

    @property
    def balance_ml(self) -> Decimal:
        return ml_of(mg=self.balance_mg, concentration_mg_per_ml=self.container.concentration_mg_per_ml)


@dataclass(frozen=True)
class Inventory:
    on: date
    taken_at: datetime  # the close of that clinic day
    rows: list[InventoryRow]

    @property
    def total_mg(self) -> Decimal:
        return sum((row.balance_mg for row in self.rows), ZERO)


def controlled_inventory(*, on: date) -> Inventory:
    _, end = local_day_bounds(on, on, clinic_zone())
    balances = _balances_at(end)
    containers = (
        Container.objects.filter(pk__in=[pk for pk, mg in balances.items() if mg > 0])
        .select_related("received_by")
        .order_by(*CONTAINER_ORDER)
    )
    rows = [
        InventoryRow(
            container=container,
            balance_mg=balances[container.pk],
            sealed=container.opened_at is None or container.opened_at >= end,
        )
        for container in containers
    ]
    return Inventory(on=on, taken_at=end, rows=rows)
