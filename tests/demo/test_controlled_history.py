"""The demo history's controlled-substance log (demo/controlled.py): a vial a patient, every
infusion given drawn and administered, two rests wasted before the clinician, the book balanced,
and today's count still due."""

from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from booking.management.commands.seed_demo import seed_demo_clinic
from clinical.models import InfusionRecord
from controlled.models import Container, LedgerEntry
from controlled.report import controlled_report
from controlled.selectors import count_status

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 2, 8, tzinfo=LA)


@pytest.fixture
def history():
    seed_demo_clinic(password="demo-password-for-tests")
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo_history", "--password", "demo-password-for-tests", stdout=StringIO())


def total(kind: str) -> Decimal:
    return LedgerEntry.objects.filter(kind=kind).aggregate(total=Sum("quantity_mg"))["total"] or Decimal("0.0")


def test_every_infusion_given_is_drawn_administered_and_its_rest_wasted_before_a_witness(history):
    given = InfusionRecord.objects.aggregate(total=Sum("dose_given_mg"))["total"]
    infusions = InfusionRecord.objects.filter(dose_given_mg__isnull=False).count()
    # Today's demo work: the one in the chair is drawn and not yet given.
    in_the_chair = LedgerEntry.objects.filter(kind="draw", appointment__infusion_record__dose_given_mg__isnull=True)

    # A vial for each of the history's three patients and today's two under way.
    assert Container.objects.count() == 5
    assert infusions == 12 + 1  # the history's, and today's one in recovery
    assert in_the_chair.count() == 1
    assert LedgerEntry.objects.filter(kind="administration").count() == infusions
    assert LedgerEntry.objects.filter(kind="draw").count() == infusions + 1
    assert total("administration") == given
    wastes = LedgerEntry.objects.filter(kind="waste").order_by("id")
    assert list(wastes.values_list("patient__email", "witness__email")) == [
        ("linda@example.com", "clinician@example.com"),
        ("rosa@example.com", "clinician@example.com"),
    ]
    drawn_for_the_chair = in_the_chair.aggregate(total=Sum("quantity_mg"))["total"]
    assert total("draw") == given + total("waste") + drawn_for_the_chair
    on_hand = Container.objects.aggregate(total=Sum("balance_mg"))["total"]
    assert on_hand == Decimal("2500.0") - total("draw")


def test_the_report_of_the_whole_history_balances_and_todays_count_is_due(history):
    report = controlled_report(date_from=datetime(2026, 10, 1).date(), date_to=NOW.date())
    assert report.totals.balanced
    assert (report.totals.received_mg, report.totals.closing_mg) == (
        Decimal("2500.0"),
        Decimal("2500.0") - total("draw"),
    )
    assert not count_status(day=NOW.date()).done
