"""No app reads an app above it through a relation's name.

The import contract (pyproject.toml, ``tests/test_import_contract.py``) sees imports only. A string
foreign key (``Appointment.treatment_plan`` points at ``"clinical.TreatmentPlan"``) and the reverse
accessors an app above adds to a model below (``appointment.evaluation``, ``infusion_record``)
let code below read the app above with no import at all: ``select_related("treatment_plan")``,
``plan.route``, ``values("evaluation__signed_at")``. This test finds those reads in the source.

For each app of the layers contract, the forbidden names are the relations that join one of its
models (or a model of an app below, or ``accounts``) to a model of an app above it, taken from
Django's model registry; the source is scanned with ``ast`` for an attribute of that name, or a
call's string argument or keyword naming it as the first step of a lookup (``treatment_plan__``).
The column of a forward key (``treatment_plan_id``) is the app's own and stays allowed.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.db.models import Field, ForeignObjectRel

ROOT = Path(__file__).resolve().parent.parent
ALWAYS_BELOW = ("accounts", "core")  # below every app of the contract, outside its layers


def _layers() -> list[str]:
    """The layers contract's apps, top first."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(contract["layers"] for contract in contracts if contract["type"] == "layers")


def _relation_names(field: Field | ForeignObjectRel) -> set[str]:
    if isinstance(field, ForeignObjectRel):  # the accessor an app above added to this model
        return {field.get_accessor_name() or field.name, field.name}
    return {field.name}


def forbidden_relation_names(app: str) -> dict[str, str]:
    """The relation names ``app`` may not read: name -> the model above it that the name reaches."""
    layers = _layers()
    above = set(layers[: layers.index(app)])
    at_or_below = set(layers[layers.index(app) :]) | set(ALWAYS_BELOW)
    names: dict[str, str] = {}
    for model in apps.get_models():
        if model._meta.app_label not in at_or_below:
            continue
        for field in model._meta.get_fields():
            related = field.related_model
            if not field.is_relation or related is None or isinstance(related, str):
                continue
            if related._meta.app_label in above:
                for name in _relation_names(field):
                    if name and not name.endswith("+"):
                        names[name] = related._meta.label
    return names


def _first_step(lookup: str) -> str:
    return lookup.split("__", 1)[0]


def reads_across(source: str, names: dict[str, str]) -> Iterator[tuple[int, str]]:
    """(line, name) of every read of a forbidden relation in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in names:
            yield node.lineno, node.attr
        elif isinstance(node, ast.Call):
            for argument in node.args:
                text = argument.value if isinstance(argument, ast.Constant) else None
                if isinstance(text, str) and _first_step(text) in names:
                    yield node.lineno, text
            for keyword in node.keywords:
                if keyword.arg is not None and _first_step(keyword.arg) in names:
                    yield node.lineno, keyword.arg


def _sources(app: str) -> Iterator[Path]:
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def test_no_app_reads_an_app_above_it_through_a_relation_name():
    found = []
    for app in _layers():
        names = forbidden_relation_names(app)
        for path in _sources(app):
            for line, name in reads_across(path.read_text(), names):
                found.append(f"{path.relative_to(ROOT)}:{line} reads {name!r} ({names[_first_step(name)]})")
    assert found == [], (
        "An app reads an app above it through a relation's name; ask through an interface the app "
        "above registers (booking/plan_gate.py, booking/record_links.py) or read it in the app above:\n"
        + "\n".join(found)
    )


def test_booking_knows_the_relations_to_clinical_it_may_not_read():
    names = forbidden_relation_names("booking")

    assert names["treatment_plan"] == "clinical.TreatmentPlan"
    assert names["evaluation"] == "clinical.Evaluation"
    assert names["infusion_record"] == "clinical.InfusionRecord"
    assert "treatment_plan_id" not in names  # booking's own column
    assert "appointment_type" not in names  # relations to apps below
    assert "patient" not in names


def test_each_way_of_reading_across_is_found():
    names = forbidden_relation_names("booking")
    source = "\n".join(
        [
            'rows = Appointment.objects.select_related("treatment_plan")',  # 1: a join
            "dose = appointment.treatment_plan.dose_mg_per_kg",  # 2: an attribute
            "signed = rows.filter(evaluation__signed_at__isnull=False)",  # 3: a lookup keyword
            'values = rows.values_list("pk", "infusion_record__started_at")',  # 4: a lookup string
            'record = getattr(appointment, "evaluation", None)',  # 5: getattr
            "plan_id = appointment.treatment_plan_id",  # 6: booking's own column: allowed
            'kind = AppointmentType.objects.get(code="evaluation")',  # 7: a value, not a relation
        ]
    )

    assert sorted(reads_across(source, names)) == [
        (1, "treatment_plan"),
        (2, "treatment_plan"),
        (3, "evaluation__signed_at__isnull"),
        (4, "infusion_record__started_at"),
        (5, "evaluation"),
    ]
