"""Writes of the calendar made by the product itself (the admin edits the rest through the same
rules): extra openings (``ClinicOpening``), which the demo adds when today is not a clinic day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.db.models import Q

from scheduling.calendar_version import calendar_changed
from scheduling.errors import OpeningError
from scheduling.models import Clinic, ClinicOpening, ClinicOpeningHours, StaffMember
from scheduling.openings import Block, opening_problems


def opening_staff_problems(*, clinic: Clinic, staff: Sequence[StaffMember]) -> list[str]:
    """Only the clinic's own staff can be on duty at its opening."""
    if any(member.clinic_id != clinic.pk for member in staff):
        return ["Only staff of this clinic can be on duty."]
    return []


def clinic_opening_problems(
    *, clinic: Clinic, day: date, blocks: Sequence[Block], staff: Sequence[StaffMember]
) -> dict[str, list[str]]:
    """What keeps an opening from being saved, by field (empty: nothing)."""
    problems: dict[str, list[str]] = {}
    hours = opening_problems(day=day, blocks=blocks, zone=clinic.zone)
    if hours:
        problems["hours"] = hours
    strangers = opening_staff_problems(clinic=clinic, staff=staff)
    if strangers:
        problems["staff"] = strangers
    return problems


def clinic_opening_save(
    *, clinic: Clinic, day: date, blocks: Sequence[Block], staff: Sequence[StaffMember], reason: str = ""
) -> ClinicOpening:
    """Open ``day`` for ``blocks`` with ``staff`` on duty: a new opening, or the date's opening
    with its blocks and staff replaced. Refused (400 ``invalid_opening``, every problem named)
    with nothing written when a block or a staff member is wrong."""
    problems = clinic_opening_problems(clinic=clinic, day=day, blocks=blocks, staff=staff)
    if problems:
        raise OpeningError("The opening cannot be saved as it is.", fields=problems)
    with transaction.atomic():
        # The unique (clinic, date) makes a concurrent second create a get.
        opening, _ = ClinicOpening.objects.select_for_update().get_or_create(clinic=clinic, opens_on=day)
        if reason:
            opening.reason = reason
            opening.save(update_fields=["reason"])
        opening.hours.all().delete()
        ClinicOpeningHours.objects.bulk_create(
            ClinicOpeningHours(opening=opening, opens_at=opens, closes_at=closes) for opens, closes in sorted(blocks)
        )
        opening.staff.set(staff)
        calendar_changed(Q(pk=clinic.pk))  # bulk_create sends no signal
    return opening
