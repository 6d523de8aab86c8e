"""Reads of the controlled-substance log: the stock on the shelf, one infusion's ketamine, the
day's count. Reads never write; who may read is the caller's role gate (the API's and the pages'),
and every staff read of patient-linked rows is put in the access log by the caller (the ids come
with the rows: ``patient_id``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db.models import Exists, Prefetch

from booking.models import Appointment
from clinical.models import Alert, AlertKind, InfusionRecord
from controlled.errors import ControlledNotFoundError
from controlled.models import Container, CountLine, DailyCount, EntryKind, LedgerEntry
from controlled.rules import ZERO, ml_of


@dataclass(frozen=True)
class StockRow:
    container: Container
    balance_ml: Decimal
    expired: bool

    @property
    def sealed(self) -> bool:
        return self.container.opened_at is None


def containers_open() -> list[Container]:
    """Containers opened (drawn from) and not empty: each has its mL counted."""
    opened = Container.objects.filter(balance_mg__gt=0, opened_at__isnull=False)
    return list(opened.order_by("received_on", "recorded_at", "lot", "pk"))


def stock_on_hand(*, today: date) -> list[StockRow]:
    """Every container with something left, oldest receipt first."""
    return [
        StockRow(
            container=container,
            balance_ml=ml_of(mg=container.balance_mg, concentration_mg_per_ml=container.concentration_mg_per_ml),
            expired=container.expires_on < today,
        )
        for container in Container.objects.filter(balance_mg__gt=0)
        .select_related("received_by")
        .order_by("received_on", "recorded_at", "lot", "pk")
    ]


def container_get(*, container_id: UUID) -> Container:
    container = Container.objects.filter(pk=container_id).first()
    if container is None:
        raise ControlledNotFoundError("No such container.")
    return container


@dataclass(frozen=True)
class DrawRow:
    entry: LedgerEntry
    drawn_mg: Decimal  # after its corrections


@dataclass(frozen=True)
class InfusionKetamine:
    """One infusion's draws, administration and waste, and the session record's dose given."""

    appointment: Appointment
    dose_given_mg: Decimal | None
    draws: list[DrawRow]
    uses: list[LedgerEntry]  # the administration and waste entries, once recorded

    @property
    def drawn_mg(self) -> Decimal:
        return sum((row.drawn_mg for row in self.draws), ZERO)

    @property
    def reconciled(self) -> bool:
        return bool(self.uses)

    @property
    def given_mg(self) -> Decimal:
        return sum((entry.quantity_mg for entry in self.uses if entry.kind == EntryKind.ADMINISTRATION), ZERO)

    @property
    def wasted_mg(self) -> Decimal:
        return sum((entry.quantity_mg for entry in self.uses if entry.kind == EntryKind.WASTE), ZERO)

    @property
    def waste_due_mg(self) -> Decimal | None:
        """What the administration will waste (drawn less given), before it is recorded."""
        if self.reconciled or self.dose_given_mg is None or self.dose_given_mg > self.drawn_mg:
            return None
        return self.drawn_mg - self.dose_given_mg


def infusion_ketamine(*, appointment_id: UUID) -> InfusionKetamine:
    appointment = Appointment.objects.select_related("appointment_type", "patient").filter(pk=appointment_id).first()
    if appointment is None or not appointment.appointment_type.is_infusion:
        raise ControlledNotFoundError("No such infusion appointment.")
    entries = list(
        LedgerEntry.objects.filter(appointment=appointment)
        .select_related("container", "actor", "witness", "patient")
        .order_by("id")
    )
    corrected: dict[int, Decimal] = {}
    for entry in entries:
        if entry.kind == EntryKind.CORRECTION and entry.corrects_id is not None:
            corrected[entry.corrects_id] = corrected.get(entry.corrects_id, ZERO) + entry.change_mg
    dose = InfusionRecord.objects.filter(appointment=appointment).values_list("dose_given_mg", flat=True).first()
    return InfusionKetamine(
        appointment=appointment,
        dose_given_mg=dose,
        draws=[
            DrawRow(entry=entry, drawn_mg=entry.quantity_mg - corrected.get(entry.pk, ZERO))
            for entry in entries
            if entry.kind == EntryKind.DRAW
        ],
        uses=[entry for entry in entries if entry.kind in (EntryKind.ADMINISTRATION, EntryKind.WASTE)],
    )


@dataclass(frozen=True)
class CountStatus:
    day: date
    counts: list[DailyCount]  # the day's, latest first
    open_discrepancies: list[Alert]

    @property
    def done(self) -> bool:
        return bool(self.counts)


def count_status(*, day: date) -> CountStatus:
    return CountStatus(
        day=day,
        counts=list(
            DailyCount.objects.filter(counted_on=day)
            .select_related("counted_by", "witness")
            .prefetch_related(Prefetch("lines", queryset=CountLine.objects.select_related("container")))
            .order_by("-counted_at")
        ),
        open_discrepancies=list(
            Alert.objects.filter(kind=AlertKind.COUNT_DISCREPANCY, resolved_at__isnull=True).order_by("raised_at")
        ),
    )


def board_facts(day: date) -> dict[str, Exists]:
    """What the day board shows of the log, as expressions its one query reads (clinical/board.py):
    whether ``day``'s count is done, and whether a count discrepancy is open."""
    return {
        "controlled_count_done": Exists(DailyCount.objects.filter(counted_on=day)),
        "controlled_discrepancy_open": Exists(
            Alert.objects.filter(kind=AlertKind.COUNT_DISCREPANCY, resolved_at__isnull=True)
        ),
    }
