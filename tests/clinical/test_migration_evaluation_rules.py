"""clinical/0003 (section 4's rules): a signed evaluation from before keeps what it holds, old
contraindication codes included; every new field starts empty, nothing invented; an active plan's
new term (its infusion minutes) is as final as the others.

The test takes the real test database back to clinical/0002, writes records through that state's
historical models, migrates forward to today's leaves and reads them back through today's models.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from clinical.models import ClinicThresholds, Evaluation, TreatmentPlan
from core.roles import Role
from tests.factories import AppointmentTypeFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("clinical", "0002_infusion_records_questionnaires_alerts")]
SIGNED_AT = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
OLD_CODES = ["active_substance_misuse", "acute_suicidality", "glaucoma", "uncontrolled_hypertension"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_signed_evaluation(old_apps, *, patient, clinician, appointment_type):
    appointment = old_apps.get_model("booking", "Appointment").objects.create(
        patient_id=patient.pk,
        appointment_type_id=appointment_type.pk,
        starts_at=SIGNED_AT - timedelta(hours=2),
        ends_at=SIGNED_AT - timedelta(hours=1),
        staff_released_at=SIGNED_AT - timedelta(hours=1),
        room_released_at=SIGNED_AT - timedelta(hours=1),
        status="completed",
    )
    evaluation = old_apps.get_model("clinical", "Evaluation").objects.create(
        appointment_id=appointment.pk,
        patient_id=patient.pk,
        clinician_id=clinician.pk,
        status="signed",
        phq9_total=21,
        gad7_total=15,
        systolic_bp=184,
        diastolic_bp=96,
        heart_rate=88,
        substance_use="active",
        contraindications=OLD_CODES,
        decision="candidate",
        rationale="Severe, treatment-resistant; risks discussed.",
        override_reason="Cardiology cleared; supervised course.",
        signed_at=SIGNED_AT,
        signed_by_id=clinician.pk,
    )
    plan = old_apps.get_model("clinical", "TreatmentPlan").objects.create(
        evaluation_id=evaluation.pk,
        patient_id=patient.pk,
        status="active",
        dose_mg_per_kg=Decimal("1.20"),  # above today's default limits: kept as signed
        route="IV",
        activated_at=SIGNED_AT,
    )
    return evaluation, plan


def test_a_signed_evaluation_from_before_keeps_what_it_holds_and_gains_only_empty_fields():
    patient, clinician = PatientFactory(), UserFactory(role=Role.CLINICIAN)
    appointment_type = AppointmentTypeFactory()
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old_apps = _migrate(BEFORE)
    evaluation, plan = _old_signed_evaluation(
        old_apps, patient=patient, clinician=clinician, appointment_type=appointment_type
    )
    before = old_apps.get_model("clinical", "Evaluation").objects.filter(pk=evaluation.pk).values().get()
    _migrate(leaves)

    kept: dict[str, Any] = dict(Evaluation.objects.filter(pk=evaluation.pk).values().get())
    assert {name: kept[name] for name in before} == before
    assert kept["contraindications"] == OLD_CODES
    assert {name: value for name, value in kept.items() if name not in before} == {
        "phq9_items": None,
        "gad7_items": None,
        "weight_kg": None,
        "medications": None,
        "allergies": "",
        "allergies_none_known": False,
        "childbearing_potential": "",
        "referring_provider_name": "",
        "referring_provider_practice": "",
        "referring_provider_email": "",
        "referring_provider_phone": "",
        "referring_provider_write_back_agreed": None,
        "suicide_risk_level": "",
        "suicide_risk_note": "",
    }
    kept_plan = TreatmentPlan.objects.get(pk=plan.pk)
    assert (kept_plan.status, kept_plan.dose_mg_per_kg, kept_plan.infusion_minutes) == ("active", Decimal("1.20"), None)
    assert not ClinicThresholds.objects.exists()  # no clinic's settings invented either

    if connection.vendor == "postgresql":  # the triggers are PostgreSQL's
        with pytest.raises(DatabaseError, match="signed evaluation never changes"), transaction.atomic():
            Evaluation.objects.filter(pk=evaluation.pk).update(weight_kg=Decimal("70.0"))
        with pytest.raises(DatabaseError, match="signed treatment plan never change"), transaction.atomic():
            TreatmentPlan.objects.filter(pk=plan.pk).update(infusion_minutes=40)
        TreatmentPlan.objects.filter(pk=plan.pk).update(status="discontinued")  # its status may still change
