"""Reads of the next-day follow-up calls (SPEC.md section 10): the nurses' list of a clinic day.

A call is on the list of its due day, and stays on every later day's list until its outcome is
recorded; ``open_only`` leaves out the ones already recorded (the day board shows only those).
One query, whatever the number of calls.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db.models import F, Func, IntegerField, Q, Subquery
from django.db.models.expressions import BaseExpression

from clinical.models import FollowUpCall


def _open_on(day: date) -> Q:
    return Q(due_on__lte=day, recorded_at__isnull=True)


def follow_up_facts(day: date) -> dict[str, BaseExpression]:
    """For the day board's one query (clinical/board.py): how many calls due ``day`` or before are
    not yet recorded. COUNT as a plain function, so the subquery has no GROUP BY: one row, always."""
    open_calls = FollowUpCall.objects.filter(_open_on(day)).order_by().annotate(count=Func(F("pk"), function="COUNT"))
    return {"follow_up_calls_open": Subquery(open_calls.values("count"), output_field=IntegerField())}


def follow_up_calls_of(*, day: date, open_only: bool = False) -> list[FollowUpCall]:
    due = _open_on(day)
    if not open_only:
        due |= Q(due_on=day)
    rows = FollowUpCall.objects.filter(due).select_related(
        "patient__patient_profile", "recorded_by", "adverse_event", "record__appointment__appointment_type__clinic"
    )
    return list(rows.order_by("due_on", "created_at", "id"))


def follow_up_call_of(*, follow_up_id: UUID) -> FollowUpCall | None:
    rows = FollowUpCall.objects.select_related(
        "patient__patient_profile", "recorded_by", "adverse_event", "record__appointment__appointment_type__clinic"
    )
    return rows.filter(pk=follow_up_id).first()
