"""Stock in and out of the shelf (SPEC.md section 12): receipts, the waste of expired or damaged
containers, and corrections.

- ``container_receive``: one receipt of ``number`` identical containers (a box of vials) from a
  supplier's invoice; each container gets its own id, balance and receipt entry. The content
  (concentration times volume) must be exact to 0.1 mg (400 ``content_not_exact``); the date received
  not after today on the clinic's clock (400 ``received_on_in_future``); the expiry not before it
  (400 ``expired_on_receipt``).
- ``container_waste``: a container past its expiry or damaged is wasted whole (what is left of
  it), witnessed as a draw's rest is; the note says how it was disposed of (400 ``note_required``;
  see ``controlled/__init__.py`` on part 1317). An empty container: 409 ``container_empty``.
- ``entry_correct``: a correction is a new entry naming the wrong one, with the change it makes to
  the balance (never below zero), why (``note``) and a witness. Receipts, draws and wastes of stock
  can be corrected (400 ``not_correctable`` otherwise); a draw only until its infusion's
  administration is recorded (409 ``infusion_reconciled``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from booking.models import Appointment
from controlled import balance
from controlled.errors import ControlledConflictError, ControlledError, ControlledNotFoundError
from controlled.models import STOCK_WASTE_REASONS, Container, EntryKind, LedgerEntry
from controlled.rules import MAX_CONCENTRATION_MG_PER_ML, MAX_VOLUME_ML, ML, content_mg, is_exact
from controlled.services.common import clinic_day, mg_require, writer_require
from controlled.services.infusions import infusion_reconciled
from controlled.witness import WitnessSignature, witness_verify

MAX_CONTAINERS_PER_RECEIPT = 100
CORRECTABLE = (EntryKind.RECEIPT, EntryKind.DRAW, EntryKind.WASTE)


def _receipt_check(
    *, concentration_mg_per_ml: Decimal, volume_ml: Decimal, received_on: date, expires_on: date, now: datetime
) -> Decimal:
    """The content of one container, or a refusal naming every field at fault."""
    fields: dict[str, list[str]] = {}
    for name, value, most in (
        ("concentration_mg_per_ml", concentration_mg_per_ml, MAX_CONCENTRATION_MG_PER_ML),
        ("volume_ml", volume_ml, MAX_VOLUME_ML),
    ):
        if not 0 < value <= most or not is_exact(value, ML):
            fields[name] = [f"Above zero, to 0.01, at most {most}."]
    if fields:
        raise ControlledError("Give the concentration and volume above zero, to 0.01.", code="invalid", fields=fields)
    content = content_mg(concentration_mg_per_ml=concentration_mg_per_ml, volume_ml=volume_ml)
    if content is None:
        raise ControlledError(
            "Concentration times volume must come out exact to 0.1 mg.",
            code="content_not_exact",
            fields={"volume_ml": ["Concentration times volume is not exact to 0.1 mg."]},
        )
    if received_on > clinic_day(now):
        raise ControlledError(
            "The date received is after today.", code="received_on_in_future", fields={"received_on": ["After today."]}
        )
    if expires_on < received_on:
        raise ControlledError(
            "The container expired before it was received.",
            code="expired_on_receipt",
            fields={"expires_on": ["Before the date received."]},
        )
    return content


def container_receive(
    *,
    actor: User,
    product: str,
    lot: str,
    expires_on: date,
    concentration_mg_per_ml: Decimal,
    volume_ml: Decimal,
    received_on: date,
    supplier: str,
    invoice_number: str,
    number: int = 1,
    now: datetime | None = None,
) -> list[Container]:
    now = now or timezone.now()
    writer_require(actor)
    if not 1 <= number <= MAX_CONTAINERS_PER_RECEIPT:
        raise ControlledError(
            f"From 1 to {MAX_CONTAINERS_PER_RECEIPT} containers.", code="invalid", fields={"number": ["Out of range."]}
        )
    content = _receipt_check(
        concentration_mg_per_ml=concentration_mg_per_ml,
        volume_ml=volume_ml,
        received_on=received_on,
        expires_on=expires_on,
        now=now,
    )
    terms = {
        "product": product.strip(),
        "lot": lot.strip(),
        "expires_on": expires_on,
        "concentration_mg_per_ml": concentration_mg_per_ml,
        "volume_ml": volume_ml,
        "content_mg": content,
        "received_on": received_on,
        "supplier": supplier.strip(),
        "invoice_number": invoice_number.strip(),
        "received_by": actor,
        "recorded_at": now,
        "balance_mg": content,
    }
    with transaction.atomic():
        containers = [Container.objects.create(**terms) for _ in range(number)]
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                container=container,
                kind=EntryKind.RECEIPT,
                quantity_mg=content,
                change_mg=content,
                balance_after_mg=content,
                actor=actor,
                occurred_at=now,
            )
            for container in containers
        )
    return containers


def _note_require(note: str) -> str:
    note = note.strip()
    if not note:
        raise ControlledError(
            "Say why, and how it was disposed of.", code="note_required", fields={"note": ["Required."]}
        )
    return note


def container_waste(
    *,
    actor: User,
    container_id: UUID,
    reason: str,
    note: str,
    witness: WitnessSignature,
    now: datetime | None = None,
) -> LedgerEntry:
    now = now or timezone.now()
    writer_require(actor)
    if reason not in STOCK_WASTE_REASONS:
        raise ControlledError("Expired or damaged.", code="invalid", fields={"reason": ["Expired or damaged."]})
    note = _note_require(note)
    container = Container.objects.filter(pk=container_id).first()
    if container is None:
        raise ControlledNotFoundError("No such container.")
    if container.balance_mg == 0:
        raise ControlledConflictError("This container is empty.", code="container_empty")
    signed_by = witness_verify(actor=actor, signature=witness)
    with transaction.atomic():
        left = Container.objects.select_for_update().values_list("balance_mg", flat=True).get(pk=container.pk)
        if left == 0:
            raise ControlledConflictError("This container is empty.", code="container_empty")
        balance_after = balance.balance_change(container_id=container.pk, change_mg=-left)
        return LedgerEntry.objects.create(
            container=container,
            kind=EntryKind.WASTE,
            quantity_mg=left,
            change_mg=-left,
            balance_after_mg=balance_after,
            waste_reason=reason,
            actor=actor,
            witness=signed_by,
            note=note,
            occurred_at=now,
        )


def entry_correct(
    *,
    actor: User,
    entry_id: int,
    change_mg: Decimal,
    note: str,
    witness: WitnessSignature,
    now: datetime | None = None,
) -> LedgerEntry:
    """A new entry changing the wrong entry's container by ``change_mg`` (negative: less on the shelf)."""
    now = now or timezone.now()
    writer_require(actor)
    mg_require(abs(change_mg), field="change_mg")
    note = _note_require(note)
    wrong = LedgerEntry.objects.filter(pk=entry_id).first()
    if wrong is None:
        raise ControlledNotFoundError("No such entry.")
    if wrong.kind not in CORRECTABLE or (wrong.kind == EntryKind.WASTE and wrong.draw_id is not None):
        raise ControlledError(
            "Receipts, draws and wastes of stock are corrected; an administration follows the session record.",
            code="not_correctable",
        )
    if wrong.appointment_id is not None and infusion_reconciled(wrong.appointment_id):
        raise ControlledConflictError("This infusion's administration is recorded.", code="infusion_reconciled")
    signed_by = witness_verify(actor=actor, signature=witness)
    with transaction.atomic():
        if wrong.appointment_id is not None:  # the infusion's lock first, as its draws and administration take it
            Appointment.objects.select_for_update(of=("self",)).filter(pk=wrong.appointment_id).first()
            if infusion_reconciled(wrong.appointment_id):
                raise ControlledConflictError("This infusion's administration is recorded.", code="infusion_reconciled")
        balance_after = balance.balance_change(container_id=wrong.container_id, change_mg=change_mg)
        return LedgerEntry.objects.create(
            container_id=wrong.container_id,
            kind=EntryKind.CORRECTION,
            quantity_mg=abs(change_mg),
            change_mg=change_mg,
            balance_after_mg=balance_after,
            appointment_id=wrong.appointment_id,
            patient_id=wrong.patient_id,
            corrects=wrong,
            actor=actor,
            witness=signed_by,
            note=note,
            occurred_at=now,
        )
