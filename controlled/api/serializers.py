"""Input and output of the controlled-substance log's API (SPEC.md section 12). Decimals travel
as strings: mg to 0.1, mL and mg/mL to 0.01; the patterns state the ranges the services take, so a
schema-valid value is refused only by a rule the schema cannot state (named in each operation's
``x-rule-codes``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from booking.api.serializers import PersonSerializer
from controlled.models import Container, DailyCount, EntryKind, LedgerEntry, WasteReason
from controlled.report import Inventory, Report
from controlled.rules import CONTAINER_NUMBER, OPEN_VOLUME
from controlled.selectors import CountStatus, InfusionKetamine
from controlled.services.stock import MAX_CONTAINERS_PER_RECEIPT
from core.api_fields import CalendarDateField, RuledDecimalField, StrictCharField

# 0.01 to 999.99, at most two decimals (a concentration or a volume).
PER_ML_PATTERN = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,2}(\.[0-9]{1,2})?)$"
# 0.1 to 99999.9 mg, at most one decimal.
MG_PATTERN = r"^(0\.[1-9]|[1-9][0-9]{0,4}(\.[0-9])?)$"
SIGNED_MG_PATTERN = r"^-?(0\.[1-9]|[1-9][0-9]{0,4}(\.[0-9])?)$"
# 0 to 9999.99 mL, at most two decimals.
ML_PATTERN = r"^(0|[1-9][0-9]{0,3})(\.[0-9]{1,2})?$"
WITNESS_CODES = (
    "witness_required",
    "witness_same_person",
    "witness_password_invalid",
    "witness_not_staff",
    "witness_otp_invalid",
)

# -- input --------------------------------------------------------------------------------------------


class WitnessInputSerializer(serializers.Serializer):
    """The second staff member's own signature, typed on the same screen."""

    witness_email = StrictCharField(max_length=254, required=False, allow_blank=True, default="")
    witness_password = StrictCharField(
        max_length=128, required=False, allow_blank=True, default="", trim_whitespace=False
    )
    witness_otp = StrictCharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="The code of their second factor now."
    )


class ReceiveInputSerializer(serializers.Serializer):
    product = StrictCharField(max_length=120)
    lot = StrictCharField(max_length=40)
    expires_on = CalendarDateField()
    concentration_mg_per_ml = RuledDecimalField(pattern=PER_ML_PATTERN, max_digits=5, decimal_places=2)
    volume_ml = RuledDecimalField(pattern=PER_ML_PATTERN, max_digits=5, decimal_places=2)
    received_on = CalendarDateField(help_text="Not after today (the clinic's clock).")
    supplier = StrictCharField(max_length=200)
    invoice_number = StrictCharField(max_length=60)
    number = serializers.IntegerField(
        min_value=1, max_value=MAX_CONTAINERS_PER_RECEIPT, default=1, help_text="Identical containers received."
    )


class ContainerWasteInputSerializer(WitnessInputSerializer):
    reason = serializers.ChoiceField(choices=[WasteReason.EXPIRED, WasteReason.DAMAGED])
    note = StrictCharField(max_length=500, help_text="How it was disposed of.")


class CorrectionInputSerializer(WitnessInputSerializer):
    change_mg = RuledDecimalField(
        pattern=SIGNED_MG_PATTERN,
        max_digits=6,
        decimal_places=1,
        help_text="The change to the container's balance (negative: less on the shelf).",
    )
    note = StrictCharField(max_length=500, help_text="What was wrong.")


class DrawInputSerializer(serializers.Serializer):
    container = serializers.UUIDField()
    mg = RuledDecimalField(pattern=MG_PATTERN, max_digits=6, decimal_places=1)


class OpenVolumeSerializer(serializers.Serializer):
    container = serializers.UUIDField()
    ml = RuledDecimalField(pattern=ML_PATTERN, max_digits=6, decimal_places=2)


class CountInputSerializer(WitnessInputSerializer):
    containers_counted = serializers.IntegerField(min_value=0, max_value=10000)
    open_ml = OpenVolumeSerializer(many=True, help_text="The mL left in each open container, once each.")
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")

    def validate_open_ml(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [item["container"] for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Each container once.", code="duplicate_container")
        return value


class RangeQuerySerializer(serializers.Serializer):
    date_from = CalendarDateField(help_text="The first clinic-local date.")
    date_to = CalendarDateField(help_text="The last clinic-local date: on or after date_from, 366 days at most.")


class DayQuerySerializer(serializers.Serializer):
    date = CalendarDateField(help_text="A clinic-local date.")


# -- output -------------------------------------------------------------------------------------------


def _mg(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=9, decimal_places=1, **kwargs)


def _ml(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=8, decimal_places=2, **kwargs)


class ContainerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    product = StrictCharField()
    lot = StrictCharField()
    expires_on = serializers.DateField()
    concentration_mg_per_ml = _ml()
    volume_ml = _ml()
    content_mg = _mg()
    received_on = serializers.DateField()
    supplier = StrictCharField()
    invoice_number = StrictCharField()
    received_by = PersonSerializer()
    balance_mg = _mg()
    balance_ml = _ml()
    opened_at = serializers.DateTimeField(allow_null=True)


def container_view(container: Container) -> dict[str, Any]:
    return ContainerSerializer(container).data


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    container = serializers.UUIDField(source="container_id")
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    quantity_mg = _mg()
    change_mg = _mg(help_text="Its change to the container's balance.")
    balance_after_mg = _mg()
    occurred_at = serializers.DateTimeField()
    actor = PersonSerializer()
    witness = PersonSerializer(allow_null=True)
    appointment = serializers.UUIDField(source="appointment_id", allow_null=True)
    patient = PersonSerializer(allow_null=True)
    draw = serializers.IntegerField(source="draw_id", allow_null=True)
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    waste_reason = serializers.ChoiceField(choices=[("", "None"), *WasteReason.choices])
    note = StrictCharField(allow_blank=True)


def entry_view(entry: LedgerEntry) -> dict[str, Any]:
    return EntrySerializer(entry).data


class InfusionKetamineSerializer(serializers.Serializer):
    appointment = serializers.UUIDField()
    patient = PersonSerializer()
    dose_given_mg = _mg(allow_null=True, help_text="From the session record.")
    drawn_mg = _mg()
    given_mg = _mg(help_text="Recorded as administered.")
    wasted_mg = _mg()
    waste_due_mg = _mg(allow_null=True, help_text="What recording the administration will waste.")
    reconciled = serializers.BooleanField(help_text="The administration and waste are recorded.")
    entries = EntrySerializer(many=True)


def infusion_view(ketamine: InfusionKetamine) -> dict[str, Any]:
    entries = sorted([row.entry for row in ketamine.draws] + ketamine.uses, key=lambda entry: entry.pk)
    return InfusionKetamineSerializer(
        {
            "appointment": ketamine.appointment.pk,
            "patient": ketamine.appointment.patient,
            "dose_given_mg": ketamine.dose_given_mg,
            "drawn_mg": ketamine.drawn_mg,
            "given_mg": ketamine.given_mg,
            "wasted_mg": ketamine.wasted_mg,
            "waste_due_mg": ketamine.waste_due_mg,
            "reconciled": ketamine.reconciled,
            "entries": entries,
        }
    ).data


class CountLineSerializer(serializers.Serializer):
    container = serializers.UUIDField(source="container_id")
    ml_counted = _ml()
    ml_expected = _ml(help_text="The book's, at the count.")


class CountSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    counted_on = serializers.DateField()
    counted_at = serializers.DateTimeField()
    counted_by = PersonSerializer()
    witness = PersonSerializer()
    containers_counted = serializers.IntegerField()
    containers_expected = serializers.IntegerField()
    agrees = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=[CONTAINER_NUMBER, OPEN_VOLUME]))
    alert = serializers.UUIDField(source="alert_id", allow_null=True, help_text="The discrepancy alert raised.")
    lines = CountLineSerializer(many=True, source="lines.all")


def count_view(count: DailyCount) -> dict[str, Any]:
    return CountSerializer(count).data


class DiscrepancySerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Resolved with POST /api/v1/alerts/{id}/acknowledge/ (a clinician).")
    raised_at = serializers.DateTimeField()
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=[CONTAINER_NUMBER, OPEN_VOLUME]))


class CountStatusSerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    done = serializers.BooleanField()
    counts = CountSerializer(many=True)
    open_discrepancies = DiscrepancySerializer(many=True)


def count_status_view(status: CountStatus) -> dict[str, Any]:
    return CountStatusSerializer(status).data


class TotalsSerializer(serializers.Serializer):
    received_mg = _mg()
    drawn_mg = _mg()
    administered_mg = _mg()
    wasted_not_given_mg = _mg()
    wasted_stock_mg = _mg()
    corrections_mg = _mg()
    opening_mg = _mg()
    closing_mg = _mg()
    balanced = serializers.BooleanField(help_text="opening + received - drawn - stock wasted + corrections = closing")


class BalanceSerializer(serializers.Serializer):
    container = ContainerSerializer()
    opening_mg = _mg()
    closing_mg = _mg()
    closing_ml = _ml()


class ReportSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    time_zone = StrictCharField()
    totals = TotalsSerializer()
    balances = BalanceSerializer(many=True)
    entries = EntrySerializer(many=True)


def report_view(report: Report, zone: ZoneInfo) -> dict[str, Any]:
    return ReportSerializer(
        {
            "date_from": report.date_from,
            "date_to": report.date_to,
            "time_zone": str(zone),
            "totals": {**vars(report.totals), "balanced": report.totals.balanced},
            "balances": [
                {
                    "container": balance.container,
                    "opening_mg": balance.opening_mg,
                    "closing_mg": balance.closing_mg,
                    "closing_ml": balance.closing_ml,
                }
                for balance in report.balances
            ],
            "entries": report.entries,
        }
    ).data


class InventoryRowSerializer(serializers.Serializer):
    container = ContainerSerializer()
    sealed = serializers.BooleanField()
    balance_mg = _mg()
    balance_ml = _ml()


class InventorySerializer(serializers.Serializer):
    date = serializers.DateField()
    taken_at = serializers.DateTimeField(help_text="The close of that clinic day.")
    time_zone = StrictCharField()
    rows = InventoryRowSerializer(many=True)
    total_mg = _mg()


def inventory_view(inventory: Inventory, zone: ZoneInfo) -> dict[str, Any]:
    return InventorySerializer(
        {
            "date": inventory.on,
            "taken_at": inventory.taken_at,
            "time_zone": str(zone),
            "rows": [
                {
                    "container": row.container,
                    "sealed": row.sealed,
                    "balance_mg": row.balance_mg,
                    "balance_ml": row.balance_ml,
                }
                for row in inventory.rows
            ],
            "total_mg": inventory.total_mg,
        }
    ).data


class CsvTextRenderer(BaseRenderer):
    """The CSV the view wrote (``controlled.exports``), passed through."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data.encode() if isinstance(data, str) else b""
