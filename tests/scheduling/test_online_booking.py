"""Who may book a type online: one rule (``scheduling.online_booking``), asked everywhere."""

import ast
from pathlib import Path

import pytest

from scheduling.models import AppointmentType, OnlineBooking
from scheduling.online_booking import is_open_online, open_online_filter

ROOT = Path(__file__).resolve().parents[2]
# Where the values may be named: the rule, the model that declares them, and the demo clinic's data.
MAY_NAME_THE_VALUES = {
    Path("scheduling/online_booking.py"),
    Path("scheduling/models.py"),
    Path("booking/management/commands/seed_demo.py"),
}


def _type(online_booking: str) -> AppointmentType:
    return AppointmentType(online_booking=online_booking)


@pytest.mark.parametrize(
    ("online_booking", "not_signed_in", "patient_without_plan", "patient_with_plan", "plan_not_asked"),
    [
        (OnlineBooking.ANY_PATIENT, True, True, True, True),
        (OnlineBooking.ACTIVE_PLAN, False, False, True, True),
        (OnlineBooking.STAFF_ONLY, False, False, False, False),
    ],
)
def test_who_may_book_each_kind_of_type_online(
    online_booking, not_signed_in, patient_without_plan, patient_with_plan, plan_not_asked
):
    appointment_type = _type(online_booking)

    assert is_open_online(appointment_type, signed_in=False) is not_signed_in
    assert is_open_online(appointment_type, has_active_plan=False) is patient_without_plan
    assert is_open_online(appointment_type, has_active_plan=True) is patient_with_plan
    assert is_open_online(appointment_type) is plan_not_asked  # booking's plan gate decides


@pytest.mark.django_db
def test_the_filter_keeps_the_types_the_predicate_opens(demo_clinic):
    for signed_in, has_active_plan in [(False, None), (True, False), (True, True), (True, None)]:
        kept = set(
            AppointmentType.objects.filter(open_online_filter(signed_in=signed_in, has_active_plan=has_active_plan))
        )
        opened = {
            kind
            for kind in AppointmentType.objects.all()
            if is_open_online(kind, signed_in=signed_in, has_active_plan=has_active_plan)
        }
        assert kept == opened
        assert kept  # the demo clinic's evaluation is open to anyone


def _names_an_online_booking_value(path: Path) -> list[int]:
    tree = ast.parse(path.read_text())
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "OnlineBooking"
        and node.attr in OnlineBooking.names
    ]


def test_no_module_but_the_rule_asks_who_may_book_online():
    """A second wording of the rule names a value (``online_booking == OnlineBooking.STAFF_ONLY``)."""
    found = []
    for path in sorted(ROOT.glob("[a-z]*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", ".venv"} or "migrations" in relative.parts:
            continue
        if relative not in MAY_NAME_THE_VALUES:
            found += [f"{relative}:{line}" for line in _names_an_online_booking_value(path)]
    assert found == [], "Ask scheduling.online_booking.is_open_online instead:\n" + "\n".join(found)
