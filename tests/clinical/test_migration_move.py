"""A database migrated before clinical records left booking/ migrates forward with nothing lost.

The test takes the real test database back to booking's last migration before the move (the
old state: evaluations, plans, addenda, the access log and idempotency records are booking's
models), writes records through that state's historical models, migrates forward to today's
leaves and reads every record back through today's models.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from booking.models import Appointment
from clinical.models import ClinicalAccess, Evaluation, EvaluationAddendum, TreatmentPlan
from core.models import IdempotencyRecord
from core.roles import Role
from tests.factories import AppointmentTypeFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("booking", "0005_readiness_and_waitlist")]
SIGNED_AT = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_records(old_apps, *, patient, clinician, appointment_type):
    """Write what a clinic would have held before the move, through the old models."""
    appointment = old_apps.get_model("booking", "Appointment").objects.create(
        patient_id=patient.pk,
        appointment_type_id=appointment_type.pk,
        starts_at=SIGNED_AT - timedelta(hours=2),
        ends_at=SIGNED_AT - timedelta(hours=1),
        staff_released_at=SIGNED_AT - timedelta(hours=1),
        room_released_at=SIGNED_AT - timedelta(hours=1),
        status="completed",
    )
    evaluation = old_apps.get_model("booking", "Evaluation").objects.create(
        appointment_id=appointment.pk,
        patient_id=patient.pk,
        clinician_id=clinician.pk,
        status="signed",
        phq9_total=17,
        gad7_total=12,
        systolic_bp=128,
        diastolic_bp=82,
        heart_rate=71,
        substance_use="in_recovery",
        contraindications=[],
        decision="candidate",
        rationale="Treatment-resistant depression; stable recovery.",
        signed_at=SIGNED_AT,
        signed_by_id=clinician.pk,
    )
    plan = old_apps.get_model("booking", "TreatmentPlan").objects.create(
        evaluation_id=evaluation.pk,
        patient_id=patient.pk,
        status="active",
        infusions_planned=6,
        dose_mg_per_kg=Decimal("0.50"),
        route="IV",
        activated_at=SIGNED_AT,
    )
    old_apps.get_model("booking", "EvaluationAddendum").objects.create(
        evaluation_id=evaluation.pk, author_id=clinician.pk, text="Blood pressure rechecked.", created_at=SIGNED_AT
    )
    old_apps.get_model("booking", "ClinicalAccess").objects.create(
        actor_id=clinician.pk,
        actor_role=Role.CLINICIAN,
        action="sign",
        object_type="evaluation",
        object_id=evaluation.pk,
        occurred_at=SIGNED_AT,
        request_id="req-before-the-move",
    )
    old_apps.get_model("booking", "IdempotencyRecord").objects.create(
        user_id=patient.pk,
        key="key-before-the-move",
        endpoint="appointments.create",
        request_fingerprint="f" * 64,
        response_status=201,
        response_body={"id": "kept"},
    )
    # Infusions booked under the plan before the move.
    old_apps.get_model("booking", "Appointment").objects.filter(pk=appointment.pk).update(treatment_plan_id=plan.pk)
    old_content_types = old_apps.get_model("contenttypes", "ContentType")
    old_content_types.objects.get_or_create(app_label="booking", model="evaluation")
    old_content_types.objects.get_or_create(app_label="booking", model="idempotencyrecord")
    return appointment, evaluation, plan


def test_a_database_from_before_the_move_migrates_forward_with_every_clinical_record_kept():
    patient = PatientFactory()
    clinician = UserFactory(role=Role.CLINICIAN)
    appointment_type = AppointmentTypeFactory()
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old_apps = _migrate(BEFORE_THE_MOVE)
    assert "clinical" not in {model._meta.app_label for model in old_apps.get_models()}
    appointment, evaluation, plan = _old_records(
        old_apps, patient=patient, clinician=clinician, appointment_type=appointment_type
    )
    _migrate(leaves)

    moved = Evaluation.objects.get(pk=evaluation.pk)
    assert (moved.status, moved.phq9_total, moved.gad7_total, moved.decision) == ("signed", 17, 12, "candidate")
    assert (moved.patient_id, moved.clinician_id, moved.appointment_id) == (patient.pk, clinician.pk, appointment.pk)
    assert moved.signed_at == SIGNED_AT
    moved_plan = TreatmentPlan.objects.get(pk=plan.pk)
    assert (moved_plan.status, moved_plan.dose_mg_per_kg, moved_plan.route) == ("active", Decimal("0.50"), "IV")
    assert moved_plan.evaluation_id == evaluation.pk
    assert Appointment.objects.get(pk=appointment.pk).treatment_plan_id == plan.pk
    assert [a.text for a in EvaluationAddendum.objects.filter(evaluation_id=evaluation.pk)] == [
        "Blood pressure rechecked."
    ]
    assert ClinicalAccess.objects.get(object_id=evaluation.pk).request_id == "req-before-the-move"
    assert IdempotencyRecord.objects.get(key="key-before-the-move").response_body == {"id": "kept"}
    # The content types followed their models: admin permissions and log entries keep their rows.
    assert ContentType.objects.filter(app_label="booking", model__in=["evaluation", "idempotencyrecord"]).count() == 0
    assert ContentType.objects.filter(app_label="clinical", model="evaluation").count() == 1
    assert ContentType.objects.filter(app_label="core", model="idempotencyrecord").count() == 1
    # The tables kept their names: nothing was copied, so nothing could be lost in a copy.
    assert Evaluation._meta.db_table == "booking_evaluation"
