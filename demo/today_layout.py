"""Where the demo day's visits lie around the anchor (demo/today.py), and what each patient
measures: the layout follows the infusion type's times, so the work fits whatever the clinic sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Literal

from scheduling.models import AppointmentType

GRID = timedelta(minutes=15)
CHECK_IN_BEFORE = timedelta(minutes=20)  # a patient checks in 20 minutes before the start
READINGS_EVERY = timedelta(minutes=10)  # during the infusion (SPEC.md section 10)
RECOVERY_READINGS_EVERY = timedelta(minutes=15)
EVALUATION_SEARCH_DAYS = range(4, 30)  # how far back the infusion patients' evaluation may be

Stage = Literal["to_check_in", "in_chair", "in_recovery", "evaluation"]
STAGES: tuple[Stage, ...] = ("to_check_in", "in_chair", "in_recovery", "evaluation")
FIRST_NAMES = ["Maria", "David", "Grace", "Samuel", "Aisha", "Tomas", "Lucia", "Benjamin"]
LAST_NAMES = ["Chen", "Osei", "Kim", "Ortiz", "Novak", "Reed", "Haddad", "Brooks"]


@dataclass(frozen=True)
class Layout:
    """Where the day's visits lie around the anchor, from the infusion type's times."""

    infusion: timedelta
    recovery: timedelta
    turnover: timedelta

    @property
    def starts(self) -> dict[Stage, timedelta]:
        return {
            "to_check_in": timedelta(minutes=45),
            "in_chair": timedelta(minutes=-30),
            "in_recovery": -(self.infusion + self.recovery),  # recovery time over at the anchor
            "evaluation": timedelta(0),
        }

    @property
    def first_step(self) -> timedelta:
        """The recovery patient's check-in."""
        return self.starts["in_recovery"] - CHECK_IN_BEFORE

    @property
    def last_end(self) -> timedelta:
        """The release of the last infusion room (the patient to check in, turnover included)."""
        return self.starts["to_check_in"] + self.infusion + self.recovery + self.turnover


DEMO_CLINIC_LAYOUT = Layout(timedelta(minutes=50), timedelta(minutes=40), timedelta(minutes=15))


def layout_of(infusion: AppointmentType) -> Layout:
    return Layout(
        timedelta(minutes=infusion.duration_minutes),
        timedelta(minutes=infusion.recovery_minutes),
        timedelta(minutes=infusion.turnover_minutes),
    )


@dataclass(frozen=True)
class Measures:
    weight_kg: Decimal
    evaluation_phq9: int
    evaluation_gad7: int
    phq9: int  # today's forms
    gad7: int


MEASURES: dict[Stage, Measures] = {
    "to_check_in": Measures(Decimal("64.0"), 17, 10, 15, 9),
    "in_chair": Measures(Decimal("79.5"), 20, 14, 19, 13),
    "in_recovery": Measures(Decimal("92.3"), 18, 12, 16, 11),
}
