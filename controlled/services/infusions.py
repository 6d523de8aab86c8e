"""An infusion's ketamine (SPEC.md section 12): the draw, then the administration and the waste.

- ``infusion_draw``: a nurse or clinician draws ``mg`` from a container for an infusion checked in
  or under way (409 ``invalid_status`` otherwise); the container must not be past its expiry on
  the clinic's day (409 ``container_expired``) and must hold it (409 ``insufficient_stock``, by
  the conditional update of ``controlled/balance.py``). An infusion may have several draws (the
  last of one vial and the start of the next).
- ``infusion_administration_record``: once the session record has its dose given (409
  ``dose_given_missing``), the dose is written as administered from the draws, first draws first,
  never more than drawn (409 ``dose_above_drawn``), and whatever of each draw was not given is
  written as wasted, witnessed (``controlled/witness.py``; none needed when nothing is left:
  draw 35.0 mg, give 35.0 mg). Once only (409 ``infusion_reconciled``; the database's unique
  constraint too); after it no more draws.

Both lock the appointment's row first (as clinical's session record does), so a draw cannot slip
in beside the administration, and the dose given cannot change while it is read; then each
container's balance changes by its conditional update. The witness signs before the transaction:
a wrong password or code is counted against their account even though nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from booking.models import Appointment, AppointmentStatus
from clinical.models import InfusionRecord
from controlled import balance
from controlled.errors import ControlledConflictError, ControlledError, ControlledNotFoundError
from controlled.models import Container, EntryKind, LedgerEntry, WasteReason
from controlled.rules import ZERO, DrawShare, dose_split
from controlled.services.common import clinic_day, mg_require, writer_require
from controlled.witness import WitnessSignature, witness_verify

DRAW_STATUSES = (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS)
ADMINISTRATION_STATUSES = (AppointmentStatus.IN_PROGRESS, AppointmentStatus.COMPLETED)


def _infusion(appointment_id: UUID, *, lock: bool = False) -> Appointment:
    rows = Appointment.objects.select_related("appointment_type")
    if lock:
        rows = rows.select_for_update(of=("self",))
    appointment = rows.filter(pk=appointment_id).first()
    if appointment is None or not appointment.appointment_type.is_infusion:
        raise ControlledNotFoundError("No such infusion appointment.")
    return appointment


def infusion_reconciled(appointment_id: UUID) -> bool:
    return LedgerEntry.objects.filter(
        appointment_id=appointment_id, kind__in=(EntryKind.ADMINISTRATION, EntryKind.WASTE)
    ).exists()


def _reconciled_refusal() -> ControlledConflictError:
    return ControlledConflictError(
        "The administration and waste of this infusion are recorded; the record is closed.",
        code="infusion_reconciled",
    )


def infusion_draw(
    *, actor: User, appointment_id: UUID, container_id: UUID, mg: Decimal, now: datetime | None = None
) -> LedgerEntry:
    now = now or timezone.now()
    writer_require(actor)
    mg_require(mg)
    with transaction.atomic():
        appointment = _infusion(appointment_id, lock=True)
        if appointment.status not in DRAW_STATUSES:
            raise ControlledConflictError("Draw for an infusion checked in or under way.", code="invalid_status")
        if infusion_reconciled(appointment.pk):
            raise _reconciled_refusal()
        container = Container.objects.filter(pk=container_id).first()
        if container is None:
            raise ControlledError("No such container.", code="container_unknown", fields={"container": ["Unknown."]})
        if container.expires_on < clinic_day(now):
            raise ControlledConflictError(
                "This container is past its expiry: waste it, do not draw from it.",
                code="container_expired",
                fields={"container": ["Expired."]},
            )
        balance_after = balance.balance_change(container_id=container.pk, change_mg=-mg, opened_at=now)
        return LedgerEntry.objects.create(
            container=container,
            kind=EntryKind.DRAW,
            quantity_mg=mg,
            change_mg=-mg,
            balance_after_mg=balance_after,
            appointment=appointment,
            patient_id=appointment.patient_id,
            actor=actor,
            occurred_at=now,
        )


def drawn_of(draw: LedgerEntry) -> Decimal:
    """What a draw took, after its corrections (a correction giving mg back lowers it)."""
    corrected = draw.corrections.aggregate(total=Sum("change_mg"))["total"] or ZERO
    return draw.quantity_mg - corrected


@dataclass(frozen=True)
class Administration:
    appointment_id: UUID
    given_mg: Decimal
    wasted_mg: Decimal
    entries: list[LedgerEntry]


def _shares(appointment: Appointment) -> tuple[Decimal, list[tuple[LedgerEntry, DrawShare]]]:
    """The dose given and how it splits over the infusion's draws; the refusals of the rules."""
    given = InfusionRecord.objects.filter(appointment=appointment).values_list("dose_given_mg", flat=True).first()
    if given is None:
        raise ControlledConflictError("Record the dose given on the session record first.", code="dose_given_missing")
    draws = list(LedgerEntry.objects.filter(appointment=appointment, kind=EntryKind.DRAW).order_by("id"))
    if not draws:
        raise ControlledConflictError("No ketamine was drawn for this infusion.", code="no_draw")
    drawn = [(draw, drawn_of(draw)) for draw in draws]
    if given > sum(mg for _, mg in drawn):
        raise ControlledConflictError(
            "The dose given is more than was drawn: record the missing draw first.", code="dose_above_drawn"
        )
    shares = dose_split(draws=[(draw.pk, mg) for draw, mg in drawn], given_mg=given)
    return given, [(draw, share) for (draw, _), share in zip(drawn, shares, strict=True)]


def _use_entries(
    actor: User, witness: User | None, draw: LedgerEntry, share: DrawShare, now: datetime
) -> list[LedgerEntry]:
    balance_now = Container.objects.filter(pk=draw.container_id).values_list("balance_mg", flat=True).get()
    common = {
        "container_id": draw.container_id,
        "change_mg": ZERO,
        "balance_after_mg": balance_now,
        "appointment_id": draw.appointment_id,
        "patient_id": draw.patient_id,
        "draw": draw,
        "actor": actor,
        "occurred_at": now,
    }
    entries = []
    if share.given_mg > 0:
        entries.append(LedgerEntry(kind=EntryKind.ADMINISTRATION, quantity_mg=share.given_mg, **common))
    if share.wasted_mg > 0:
        entries.append(
            LedgerEntry(
                kind=EntryKind.WASTE,
                quantity_mg=share.wasted_mg,
                waste_reason=WasteReason.NOT_GIVEN,
                witness=witness,
                **common,
            )
        )
    return entries


def infusion_administration_record(
    *, actor: User, appointment_id: UUID, witness: WitnessSignature | None = None, now: datetime | None = None
) -> Administration:
    now = now or timezone.now()
    writer_require(actor)
    appointment = _infusion(appointment_id)
    # The rules first, so a refusal does not use up the witness's code; again under the lock below.
    _check_administrable(appointment)
    _, shares = _shares(appointment)
    wasted = sum((share.wasted_mg for _, share in shares), ZERO)
    signed_by = None
    if wasted > 0:
        signed_by = witness_verify(actor=actor, signature=witness or WitnessSignature(email="", password="", otp=""))
    try:
        with transaction.atomic():
            appointment = _infusion(appointment_id, lock=True)
            _check_administrable(appointment)
            given, shares = _shares(appointment)
            if sum((share.wasted_mg for _, share in shares), ZERO) != wasted:
                raise ControlledConflictError("The draws changed meanwhile: look again.", code="draws_changed")
            entries = [entry for draw, share in shares for entry in _use_entries(actor, signed_by, draw, share, now)]
            created = LedgerEntry.objects.bulk_create(entries)
    except IntegrityError as error:  # another administration of the same draws won the race
        raise _reconciled_refusal() from error
    return Administration(appointment_id=appointment.pk, given_mg=given, wasted_mg=wasted, entries=created)


def _check_administrable(appointment: Appointment) -> None:
    if appointment.status not in ADMINISTRATION_STATUSES:
        raise ControlledConflictError("The infusion has not started.", code="invalid_status")
    if infusion_reconciled(appointment.pk):
        raise _reconciled_refusal()
