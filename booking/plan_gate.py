"""The one question booking asks of treatment plans, through an interface clinical/ registers.

booking/ never imports clinical/ (clinical builds on booking: evaluations belong to appointments,
plans book series through booking's services). A booking of a type that counts against a plan
still has to obey the plan, inside booking's own transaction and after its locks; so booking
defines here what it needs to know, and ``clinical.apps.ClinicalConfig.ready`` registers the
implementation. One gate, registered once; booking without clinical refuses rather than skips.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduling.models import AppointmentType


class SearchDayFilter(Protocol):
    """What a patient's plan leaves open to an availability search, one local day at a time."""

    @property
    def exhausted(self) -> bool: ...

    def allows(self, day: date) -> bool: ...


class PlanGate(Protocol):
    def check_booking(
        self,
        *,
        patient_id: UUID,
        appointment_type: AppointmentType,
        starts_at: datetime,
        zone: ZoneInfo,
        moving_appointment_id: UUID | None = None,
    ) -> UUID | None:
        """The id of the plan a booking counts against (None for types that count against no
        plan), or a refusal raised as a domain error. Runs after booking's locks."""

    def limits_for_search(
        self,
        *,
        patient_id: UUID,
        appointment_type: AppointmentType,
        zone: ZoneInfo,
        moving_appointment_id: UUID | None = None,
    ) -> SearchDayFilter | None:
        """The same rules as ``check_booking`` as a filter over days, in one query; None when no
        plan applies (the search then shows the clinic's open times)."""


_registered: list[PlanGate] = []  # at most one: the registration at app start-up


def register_plan_gate(gate: PlanGate) -> None:
    _registered[:] = [gate]


def plan_gate() -> PlanGate:
    if not _registered:
        raise RuntimeError("No plan gate is registered; is the clinical app installed?")
    return _registered[0]
