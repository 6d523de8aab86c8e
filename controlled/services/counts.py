"""The daily count (SPEC.md section 12): two staff count the stock on the shelf, the second
signing as a witness does: the number of containers, and the mL left in each open one.

The count is checked against the book under the containers' locks (in id order, the order every
writer of a balance meets them in), so it compares with the balances of one moment. A count that
disagrees (``controlled.rules.count_disagreements``: the number of containers, or the mL of an open
one) raises a ``count_discrepancy`` alert (clinical's alerts) in the same transaction: it shows on
the day board until a clinician resolves it with a note (``clinical.services.alerts``).

The counter is not shown the book's figures before counting (a blind count); every open container
must be given (400 ``open_container_missing`` names each); a container that is not open is refused
(400 ``container_not_open``). Counts are never changed: a recount is a new count.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clinical.services.alerts import count_discrepancy_alert_raise
from controlled.errors import ControlledConflictError, ControlledError
from controlled.models import Container, CountLine, DailyCount
from controlled.rules import ML, count_disagreements, is_exact, ml_of
from controlled.selectors import containers_open
from controlled.services.common import clinic_day, writer_require
from controlled.witness import WitnessSignature, witness_verify


def _count_check(containers_counted: int, open_ml: Mapping[UUID, Decimal]) -> None:
    """Every fault of the count's input at once."""
    fields: dict[str, list[str]] = {}
    if containers_counted < 0:
        fields["containers_counted"] = ["Zero or more."]
    open_ids = {container.pk for container in containers_open()}
    for container_id, ml in open_ml.items():
        if container_id not in open_ids:
            fields[f"open_ml.{container_id}"] = ["Not an open container."]
        elif ml < 0 or not is_exact(ml, ML):
            fields[f"open_ml.{container_id}"] = ["Zero or more, to 0.01 mL."]
    if any(message == ["Not an open container."] for message in fields.values()):
        raise ControlledError("Count only the open containers listed.", code="container_not_open", fields=fields)
    if fields:
        raise ControlledError("Some figures are not right.", code="invalid", fields=fields)
    missing = sorted(str(container_id) for container_id in open_ids - set(open_ml))
    if missing:
        raise ControlledError(
            "Give the mL left in every open container.",
            code="open_container_missing",
            fields={"missing": missing},
        )


def daily_count_record(
    *,
    actor: User,
    containers_counted: int,
    open_ml: Mapping[UUID, Decimal],
    witness: WitnessSignature,
    note: str = "",
    now: datetime | None = None,
) -> DailyCount:
    now = now or timezone.now()
    writer_require(actor)
    _count_check(containers_counted, open_ml)
    signed_by = witness_verify(actor=actor, signature=witness)
    with transaction.atomic():
        on_hand = list(Container.objects.select_for_update().filter(balance_mg__gt=0).order_by("pk"))
        if {container.pk for container in on_hand if container.opened_at is not None} != set(open_ml):
            raise ControlledConflictError(
                "A container was opened or emptied meanwhile: count again.", code="stock_changed"
            )
        expected_ml = {
            container.pk: ml_of(mg=container.balance_mg, concentration_mg_per_ml=container.concentration_mg_per_ml)
            for container in on_hand
            if container.opened_at is not None
        }
        reasons = count_disagreements(
            containers_expected=len(on_hand),
            containers_counted=containers_counted,
            open_ml_expected=expected_ml,
            open_ml_counted=open_ml,
        )
        count = DailyCount.objects.create(
            counted_on=clinic_day(now),
            counted_at=now,
            counted_by=actor,
            witness=signed_by,
            containers_counted=containers_counted,
            containers_expected=len(on_hand),
            reasons=reasons,
            alert=count_discrepancy_alert_raise(reasons=reasons, at=now) if reasons else None,
            note=note.strip(),
        )
        balances = {container.pk: container for container in on_hand}
        CountLine.objects.bulk_create(
            CountLine(
                count=count,
                container_id=container_id,
                ml_counted=open_ml[container_id],
                ml_expected=ml,
                balance_mg=balances[container_id].balance_mg,
            )
            for container_id, ml in expected_ml.items()
        )
    return count
