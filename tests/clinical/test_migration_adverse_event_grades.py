"""clinical/0010 to 0012 (section 10's adverse events): an event recorded before grades existed keeps what
it holds; its severity becomes the CTCAE grade (mild 1, moderate 2, severe 3), its free-text action
becomes ``action_detail`` word for word, and what it never held (serious, relatedness, outcome,
the listed action, a description) stays empty: nothing invented. Backwards, the grades become the
severities again.

The test takes the real test database back to clinical/0009 (the merge before them), writes events through that state's
historical models, migrates forward to today's leaves, reads them back, then migrates back.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clinical.models import AdverseEvent
from core.roles import Role
from tests.factories import AppointmentTypeFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# notifications/0004 names alerts of clinical/0010: it goes back with it.
BEFORE = [("clinical", "0013_letters_append_only"), ("notifications", "0004_provider_letters")]
AT = datetime(2026, 11, 9, 17, 0, tzinfo=UTC)
OLD_EVENTS = [
    ("nausea_vomiting", "mild", "Ondansetron 4 mg."),
    ("hypertension", "moderate", "Rate halved; rechecked."),
    ("other", "severe", "Stopped; observed an hour."),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_record(old_apps, *, patient, clinician, nurse, appointment_type):
    def appointment(starts_at):
        return old_apps.get_model("booking", "Appointment").objects.create(
            patient_id=patient.pk,
            appointment_type_id=appointment_type.pk,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            staff_released_at=starts_at + timedelta(hours=1),
            room_released_at=starts_at + timedelta(hours=1),
            status="completed",
        )

    evaluation = old_apps.get_model("clinical", "Evaluation").objects.create(
        appointment_id=appointment(AT - timedelta(days=10)).pk,
        patient_id=patient.pk,
        clinician_id=clinician.pk,
        status="signed",
        phq9_total=18,
        gad7_total=11,
        systolic_bp=122,
        diastolic_bp=80,
        heart_rate=70,
        substance_use="none",
        decision="candidate",
        rationale="Meets criteria.",
        signed_at=AT - timedelta(days=10),
        signed_by_id=clinician.pk,
    )
    plan = old_apps.get_model("clinical", "TreatmentPlan").objects.create(
        evaluation_id=evaluation.pk, patient_id=patient.pk, status="active", route="IV", activated_at=AT
    )
    record = old_apps.get_model("clinical", "InfusionRecord").objects.create(
        appointment_id=appointment(AT).pk, patient_id=patient.pk, plan_id=plan.pk, created_at=AT, updated_at=AT
    )
    events = old_apps.get_model("clinical", "AdverseEvent").objects
    return [
        events.create(
            record_id=record.pk,
            code=code,
            severity=severity,
            occurred_at=AT + timedelta(minutes=n),
            action_taken=action,
            note="Recorded before grades.",
            recorded_by_id=nurse.pk,
            recorded_at=AT + timedelta(minutes=n),
        ).pk
        for n, (code, severity, action) in enumerate(OLD_EVENTS)
    ]


def test_old_events_get_their_ctcae_grade_and_keep_their_words_with_nothing_invented():
    patient, clinician, nurse = PatientFactory(), UserFactory(role=Role.CLINICIAN), UserFactory(role=Role.NURSE)
    appointment_type = AppointmentTypeFactory()
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old_apps = _migrate(BEFORE)
    ids = _old_record(old_apps, patient=patient, clinician=clinician, nurse=nurse, appointment_type=appointment_type)
    _migrate(leaves)

    kept = AdverseEvent.objects.filter(pk__in=ids).order_by("occurred_at")
    assert list(
        kept.values_list(
            "code", "grade", "action_detail", "serious", "relatedness", "outcome", "action", "description", "note"
        )
    ) == [
        ("nausea_vomiting", 1, "Ondansetron 4 mg.", None, "", "", "", "", "Recorded before grades."),
        ("hypertension", 2, "Rate halved; rechecked.", None, "", "", "", "", "Recorded before grades."),
        ("other", 3, "Stopped; observed an hour.", None, "", "", "", "", "Recorded before grades."),
    ]

    back = _migrate(BEFORE)
    old_events = back.get_model("clinical", "AdverseEvent").objects.filter(pk__in=ids).order_by("occurred_at")
    assert list(old_events.values_list("code", "severity", "action_taken")) == OLD_EVENTS
    _migrate(leaves)  # the next test finds today's schema
