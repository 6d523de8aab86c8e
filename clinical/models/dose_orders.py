"""Dose orders and their co-signatures (SPEC.md section 12): signed when written, never changed
(append-only; PostgreSQL triggers refuse UPDATE and DELETE, migration 0011). The rules live in
clinical/dose_order_rules.py and clinical/services/dose_orders.py."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from booking.models import Appointment
from clinical.dose_order_rules import DoseOrderScope
from clinical.models.evaluations import TreatmentPlan
from core.append_only import AppendOnlyModel


class DoseOrder(AppendOnlyModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="dose_orders")
    scope = models.CharField(max_length=9, choices=DoseOrderScope.choices)
    dose_mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    fixed_dose_mg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # The one infusion of a fixed dose.
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="dose_orders"
    )
    reason = models.TextField(max_length=2000)
    # Why a fixed dose goes above the clinic's single-dose cap (it then waits for a co-signature).
    over_cap_reason = models.TextField(max_length=2000, blank=True)
    needs_cosignature = models.BooleanField(default=False)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope=DoseOrderScope.REMAINING)
                    & Q(dose_mg_per_kg__isnull=False)
                    & Q(fixed_dose_mg__isnull=True)
                    & Q(appointment__isnull=True)
                )
                | (
                    Q(scope=DoseOrderScope.ONE)
                    & Q(dose_mg_per_kg__isnull=True)
                    & Q(fixed_dose_mg__gt=0)
                    & Q(appointment__isnull=False)
                ),
                name="dose_order_scope_terms",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="dose_order_has_reason"),
            models.CheckConstraint(
                condition=Q(needs_cosignature=False) | ~Q(over_cap_reason=""), name="dose_order_over_cap_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Dose order {self.pk}"


class DoseOrderCosignature(AppendOnlyModel):
    """The second clinician's signature of an order above the cap (never its author)."""

    order = models.OneToOneField(DoseOrder, on_delete=models.PROTECT, related_name="cosignature")
    cosigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cosigned_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Co-signature of {self.order_id}"
