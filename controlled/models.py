"""The controlled-substance log (SPEC.md section 12): ketamine, a Schedule III controlled
substance, kept as containers with a running balance, an append-only ledger of everything that
moves it, and the daily counts.

What the record must hold follows the DEA's record-keeping rules for dispensers (21 CFR part
1304; ``controlled/__init__.py`` names the sources): each finished form and the volume of each
commercial container, each receipt (date, supplier, invoice), each dose administered (to whom,
when, by whom) and each quantity disposed of (when, how, who witnessed). The database keeps the
invariants the code also checks:

- a container's ``balance_mg`` never goes below zero (a check constraint; the services change it
  only by a conditional UPDATE, ``controlled/balance.py``);
- ledger entries, counts and count lines are never updated or deleted (the services never do;
  on PostgreSQL a trigger refuses it, migration 0002); a correction is a new entry naming the
  wrong one (``corrects``);
- a waste has a witness who is not the person wasting; a count has a witness who is not the
  counter.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from booking.models import Appointment
from clinical.models import Alert
from controlled.rules import ml_of
from core.append_only import AppendOnlyModel


class Container(models.Model):
    """One commercial container (a vial) as received. Only ``balance_mg`` and ``opened_at`` ever
    change after the receipt (a PostgreSQL trigger keeps the rest as received)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.CharField(max_length=120, help_text="e.g. Ketamine hydrochloride injection, USP")
    lot = models.CharField(max_length=40)
    expires_on = models.DateField()
    concentration_mg_per_ml = models.DecimalField(max_digits=6, decimal_places=2)
    volume_ml = models.DecimalField(max_digits=6, decimal_places=2)
    content_mg = models.DecimalField(max_digits=8, decimal_places=1, help_text="The concentration times the volume.")
    received_on = models.DateField()
    supplier = models.CharField(max_length=200)
    invoice_number = models.CharField(max_length=60)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    balance_mg = models.DecimalField(max_digits=8, decimal_places=1)
    opened_at = models.DateTimeField(null=True, blank=True, help_text="The first draw.")

    class Meta:
        ordering = ["received_on", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_mg__gte=0), name="controlled_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(concentration_mg_per_ml__gt=0) & Q(volume_ml__gt=0) & Q(content_mg__gt=0),
                name="controlled_container_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} lot {self.lot} ({self.pk})"

    @property
    def balance_ml(self) -> Decimal:
        return ml_of(mg=self.balance_mg, concentration_mg_per_ml=self.concentration_mg_per_ml)


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    DRAW = "draw", "Draw"
    ADMINISTRATION = "administration", "Administration"
    WASTE = "waste", "Waste"
    CORRECTION = "correction", "Correction"


class WasteReason(models.TextChoices):
    NOT_GIVEN = "not_given", "Drawn and not given"
    EXPIRED = "expired", "Expired"
    DAMAGED = "damaged", "Damaged"


STOCK_WASTE_REASONS = (WasteReason.EXPIRED, WasteReason.DAMAGED)


class LedgerEntry(AppendOnlyModel):
    """One movement of one container, in the order recorded (``id``).

    ``quantity_mg`` is what the entry names (received, drawn, given, wasted, corrected by);
    ``change_mg`` its effect on the container's balance (a receipt adds, a draw and a waste of
    stock take, an administration and the waste of a draw's rest take nothing more: the draw took
    it); ``balance_after_mg`` the balance once it was made.
    """

    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    quantity_mg = models.DecimalField(max_digits=8, decimal_places=1)
    change_mg = models.DecimalField(max_digits=8, decimal_places=1)
    balance_after_mg = models.DecimalField(max_digits=8, decimal_places=1)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="controlled_entries"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    draw = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="uses")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    waste_reason = models.CharField(max_length=16, choices=WasteReason.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["occurred_at"]), models.Index(fields=["container", "id"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_mg__gt=0), name="controlled_entry_quantity_positive"),
            models.CheckConstraint(condition=Q(balance_after_mg__gte=0), name="controlled_entry_balance_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="waste") | (Q(witness__isnull=False) & ~Q(witness=F("actor"))),
                name="controlled_waste_witnessed_by_another",
            ),
            models.CheckConstraint(
                condition=~Q(kind="correction")
                | (Q(corrects__isnull=False) & Q(witness__isnull=False) & ~Q(witness=F("actor")) & ~Q(note="")),
                name="controlled_correction_names_the_wrong_entry",
            ),
            models.CheckConstraint(
                condition=~Q(kind="draw") | (Q(appointment__isnull=False) & Q(change_mg=-F("quantity_mg"))),
                name="controlled_draw_takes_for_an_infusion",
            ),
            models.CheckConstraint(
                condition=~Q(kind="administration") | (Q(draw__isnull=False) & Q(change_mg=0)),
                name="controlled_administration_from_a_draw",
            ),
            models.UniqueConstraint(
                fields=["draw", "kind"],
                condition=Q(kind__in=["administration", "waste"]),
                name="controlled_draw_used_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity_mg} mg of {self.container_id} (#{self.pk})"


class DailyCount(AppendOnlyModel):
    """A count of the stock on the shelf by two staff (the second signs as a witness does): the
    number of containers, and the mL left in each open one (``CountLine``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    counted_on = models.DateField(help_text="The clinic day, on the clinic's clock.")
    counted_at = models.DateTimeField()
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    containers_counted = models.PositiveIntegerField()
    containers_expected = models.PositiveIntegerField()
    reasons = models.JSONField(default=list, help_text="Why it disagrees with the book; empty: it agrees.")
    alert = models.OneToOneField(Alert, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-counted_at"]
        indexes = [models.Index(fields=["counted_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(witness=F("counted_by")), name="controlled_count_witnessed_by_another"),
        ]

    def __str__(self) -> str:
        return f"Count of {self.counted_on} ({self.pk})"

    @property
    def agrees(self) -> bool:
        return not self.reasons


class CountLine(AppendOnlyModel):
    """One open container in a count: what was read on it, and what the book said then."""

    count = models.ForeignKey(DailyCount, on_delete=models.PROTECT, related_name="lines")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="+")
    ml_counted = models.DecimalField(max_digits=6, decimal_places=2)
    ml_expected = models.DecimalField(max_digits=6, decimal_places=2)
    balance_mg = models.DecimalField(max_digits=8, decimal_places=1)

    class Meta:
        ordering = ["count", "id"]
        constraints = [
            models.UniqueConstraint(fields=["count", "container"], name="controlled_count_line_once"),
            models.CheckConstraint(condition=Q(ml_counted__gte=0), name="controlled_count_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.ml_counted} mL in {self.container_id}"
