"""The start's questions on the regulated record (SPEC.md section 12): a current treatment consent
and the pregnancy test. The regulated record registers its answers here
(``clinical/services/regulated_gate.py``, from ClinicalConfig.ready()); unregistered, both are
reported missing (an infusion never starts unanswered). The start gate
(``clinical/services/start_gate.py``) asks only through this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from booking.models import Appointment

PregnancyTestStatus = Literal["satisfied", "missing", "positive"]


class RegulatedGate(Protocol):
    def consent_satisfied(self, appointment: Appointment) -> bool:
        """True when the patient has a current treatment consent for this infusion."""

    def pregnancy_test_status(self, appointment: Appointment) -> PregnancyTestStatus:
        """``satisfied`` (negative, or not required), ``missing`` or ``positive``."""


class _Unanswered:
    """Nothing registered: neither question is answered, so the start is refused."""

    def consent_satisfied(self, appointment: Appointment) -> bool:
        return False

    def pregnancy_test_status(self, appointment: Appointment) -> PregnancyTestStatus:
        return "missing"


_DEFAULT = _Unanswered()
_registered: list[RegulatedGate] = []


def register_regulated_gate(gate: RegulatedGate | None) -> None:
    """Register the regulated record's answers (None: back to the default, both missing)."""
    _registered[:] = [] if gate is None else [gate]


def regulated_gate() -> RegulatedGate:
    return _registered[0] if _registered else _DEFAULT


def consent_satisfied(appointment: Appointment) -> bool:
    return regulated_gate().consent_satisfied(appointment)


def pregnancy_test_status(appointment: Appointment) -> PregnancyTestStatus:
    return regulated_gate().pregnancy_test_status(appointment)
