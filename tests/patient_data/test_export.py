"""A patient downloads their own data as JSON (SPEC.md section 11): exactly what the account holds
that they may read, none of another patient's, no clinician-only field, in a fixed number of
queries; the API for patients only, and the same document as a file from /account/."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from accounts.models import User
from booking.models import Appointment, AppointmentEvent, WaitlistEntry
from clinical.models import ClinicalAccess, TreatmentPlan
from core.roles import Role
from notifications.models import Channel, ContactPreference, Kind, OutboxMessage, Status
from patient_data.selectors import MESSAGES_NOTE, patient_data_export
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.clinical.questionnaire_fixtures import GAD7_CALM, PHQ9_CALM, answered, infusion_with_questionnaires
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
SIGNED_AT = datetime(2026, 11, 27, 15, tzinfo=LA)  # a Friday afternoon
INFUSION_AT = datetime(2026, 12, 7, 10, tzinfo=LA)
BOOKED_AT = datetime(2026, 11, 30, 9, 15, tzinfo=LA)
ANSWERED_AT = datetime(2026, 12, 5, 18, 30, tzinfo=LA)
SENT_AT = datetime(2026, 11, 30, 9, 16, tzinfo=LA)
NOW = datetime(2026, 12, 6, 12, tzinfo=LA)
STAFF_ROLES = [Role.NURSE, Role.CLINICIAN, Role.THERAPIST, Role.ADMIN]
# What a patient never reads (SPEC.md section 4): screening values, the clinician's reasoning and
# notes, the dose and route, alerts.
CLINICIAN_ONLY = {
    "phq9_total",
    "gad7_total",
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "substance_use",
    "contraindications",
    "rationale",
    "override_reason",
    "notes",
    "dose_mg_per_kg",
    "route",
    "ended_reason",
    "baseline_phq9",
    "alerts",
    "last_error",
    "provider_message_id",
}


def history_event(appointment: Appointment, action: str, *, actor: User, at: datetime, **fields: Any) -> None:
    AppointmentEvent.objects.create(
        appointment=appointment, action=action, actor=actor, actor_role=actor.role, occurred_at=at, **fields
    )


def message(patient: User, appointment: Appointment | None, kind: str, *, status: str, **fields: Any) -> OutboxMessage:
    return OutboxMessage.objects.create(
        patient=patient,
        appointment=appointment,
        kind=kind,
        channel=fields.pop("channel", Channel.EMAIL),
        due_at=fields.pop("due_at", SENT_AT),
        status=status,
        **fields,
    )


def treatment_of(patient: User) -> tuple[TreatmentPlan, Appointment]:
    """A signed candidate evaluation (PHQ-9 15) with an active plan, an infusion booked by the
    patient with a calm PHQ-9 and GAD-7 answered before it, and a confirmation sent."""
    plan = active_plan(patient, signed_at=SIGNED_AT)
    infusion, phq9, gad7 = infusion_with_questionnaires(plan, starts_at=INFUSION_AT, created_at=BOOKED_AT)
    Appointment.objects.filter(pk=infusion.pk).update(created_at=BOOKED_AT)
    answered(phq9, PHQ9_CALM, at=ANSWERED_AT)
    answered(gad7, GAD7_CALM, at=ANSWERED_AT + timedelta(minutes=2))
    history_event(infusion, AppointmentEvent.Action.BOOKED, actor=patient, at=BOOKED_AT, to_status="booked")
    message(patient, infusion, Kind.CONFIRMATION, status=Status.SENT, sent_at=SENT_AT, regarding_start=INFUSION_AT)
    return plan, infusion


@pytest.fixture
def world(demo_clinic, patient, other_patient) -> dict[str, Any]:
    plan, infusion = treatment_of(patient)
    infusion.refresh_from_db()
    evaluation_visit = plan.evaluation.appointment
    Appointment.objects.filter(pk=evaluation_visit.pk).update(created_at=SIGNED_AT - timedelta(days=7))
    # A visit the clinic cancelled, with its reason (the clinic's record, not the patient's).
    front_desk = UserFactory(role=Role.ADMIN)
    history_event(
        evaluation_visit,
        AppointmentEvent.Action.RESCHEDULED,
        actor=front_desk,
        at=SIGNED_AT - timedelta(days=3),
        from_status="booked",
        to_status="booked",
        from_starts_at=SIGNED_AT - timedelta(days=1),
        to_starts_at=SIGNED_AT - timedelta(hours=2),
        reason="Clinician off sick",
    )
    # Not sent: a reminder still due, one that failed.
    message(patient, infusion, Kind.REMINDER_24H, status=Status.PENDING, regarding_start=INFUSION_AT)
    message(patient, infusion, Kind.PREPARATION, status=Status.FAILED, channel=Channel.SMS, last_error="bounced")
    # Handed over, no answer from the provider.
    message(
        patient,
        None,
        Kind.RESULT_READY,
        status=Status.UNCONFIRMED,
        channel=Channel.SMS,
        claimed_at=SIGNED_AT + timedelta(minutes=5),
        regarding_start=SIGNED_AT,
    )
    ContactPreference.objects.create(user=patient, email_enabled=True, sms_enabled=True)
    WaitlistEntry.objects.create(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        date_from=datetime(2026, 12, 8).date(),
        date_to=datetime(2026, 12, 12).date(),
        created_at=BOOKED_AT,
    )
    treatment_of(other_patient)  # another patient's data, never in this patient's export
    return {"plan": plan, "infusion": infusion, "evaluation_visit": evaluation_visit}


def test_the_export_holds_exactly_the_patients_own_data(world, patient, django_assert_num_queries):
    plan, infusion, visit = world["plan"], world["infusion"], world["evaluation_visit"]
    phq9, gad7 = infusion.questionnaires.order_by("answered_at")

    with django_assert_num_queries(14):
        document = patient_data_export(patient=patient, now=NOW)

    assert document == {
        "format_version": 1,
        "exported_at": "2026-12-06T12:00:00-08:00",
        "time_zone": "America/Los_Angeles",
        "profile": {
            "id": str(patient.pk),
            "email": patient.email,
            "first_name": "Sam",
            "last_name": patient.last_name,
            "date_of_birth": "1985-06-01",
            "phone": "+14155550123",
            "language": patient.language,
        },
        "contact_preferences": {"email_enabled": True, "sms_enabled": True},
        "appointments": [
            {
                "id": str(visit.pk),
                "type": "evaluation",
                "type_name": visit.appointment_type.name,
                "starts_at": "2026-11-27T13:00:00-08:00",
                "ends_at": (visit.ends_at.astimezone(LA)).isoformat(),
                "status": "completed",
                "is_late_cancellation": False,
                "room": None,
                "staff": None,
                "driver_arranged": False,
                "fasting_acknowledged": False,
                "readiness_confirmed_at": None,
                "booked_at": "2026-11-20T15:00:00-08:00",
                "history": [
                    {
                        "action": "rescheduled",
                        "at": "2026-11-24T15:00:00-08:00",
                        "by": "clinic",
                        "from_status": "booked",
                        "to_status": "booked",
                        "from_starts_at": "2026-11-26T15:00:00-08:00",
                        "to_starts_at": "2026-11-27T13:00:00-08:00",
                        "reason": None,
                    }
                ],
            },
            {
                "id": str(infusion.pk),
                "type": "infusion",
                "type_name": infusion.appointment_type.name,
                "starts_at": "2026-12-07T10:00:00-08:00",
                "ends_at": (infusion.ends_at.astimezone(LA)).isoformat(),
                "status": "booked",
                "is_late_cancellation": False,
                "room": None,
                "staff": None,
                "driver_arranged": False,
                "fasting_acknowledged": False,
                "readiness_confirmed_at": None,
                "booked_at": "2026-11-30T09:15:00-08:00",
                "history": [
                    {
                        "action": "booked",
                        "at": "2026-11-30T09:15:00-08:00",
                        "by": "you",
                        "from_status": None,
                        "to_status": "booked",
                        "from_starts_at": None,
                        "to_starts_at": None,
                        "reason": None,
                    }
                ],
            },
        ],
        "evaluation": {"id": str(plan.evaluation_id), "decision": "candidate", "signed_on": "2026-11-27"},
        "treatment_plan": {
            "id": str(plan.pk),
            "status": "active",
            "infusions_planned": 6,
            "integration_sessions_planned": 2,
            "min_days_between": 2,
            "window_days": 21,
            "activated_at": "2026-11-27T15:00:00-08:00",
            "ended_at": None,
            "progress": {
                "infusions_booked": 1,
                "infusions_completed": 0,
                "integration_sessions_booked": 0,
                "integration_sessions_completed": 0,
            },
        },
        # One PHQ-9, 3, answered before any infusion was given: no latest yet (SPEC.md section 10).
        "treatment_outcome": None,
        "questionnaires": [
            {
                "id": str(phq9.pk),
                "kind": "phq9",
                "appointment": str(infusion.pk),
                "items": PHQ9_CALM,
                "total": 3,
                "max_total": 27,
                "band": "minimal",
                "answered_at": "2026-12-05T18:30:00-08:00",
                "on_behalf": False,
            },
            {
                "id": str(gad7.pk),
                "kind": "gad7",
                "appointment": str(infusion.pk),
                "items": GAD7_CALM,
                "total": 2,
                "max_total": 21,
                "band": "minimal",
                "answered_at": "2026-12-05T18:32:00-08:00",
                "on_behalf": False,
            },
        ],
        "waitlist": [{"type": "infusion", "date_from": "2026-12-08", "date_to": "2026-12-12", "status": "waiting"}],
        "messages": {
            "note": MESSAGES_NOTE,
            "sent": [
                {
                    "kind": "result_ready",
                    "channel": "sms",
                    "appointment": None,
                    "sent_at": "2026-11-27T15:05:00-08:00",
                    "confirmed": False,
                },
                {
                    "kind": "confirmation",
                    "channel": "email",
                    "appointment": str(infusion.pk),
                    "sent_at": "2026-11-30T09:16:00-08:00",
                    "confirmed": True,
                },
            ],
        },
    }


def keys_of(value: Any) -> set[str]:
    """Every key at any depth of a JSON document."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def test_no_clinician_only_field_and_nothing_of_another_patient(world, patient, other_patient):
    document = patient_data_export(patient=patient, now=NOW)
    text = json.dumps(document)

    assert keys_of(document) & CLINICIAN_ONLY == set()
    for secret in ("Meets criteria.", "Clinician off sick", "bounced", "0.50"):
        assert secret not in text
    others = [str(pk) for pk in Appointment.objects.filter(patient=other_patient).values_list("pk", flat=True)]
    other_plan = TreatmentPlan.objects.get(patient=other_patient)
    others += [str(other_plan.pk), str(other_plan.evaluation_id), str(other_patient.pk), other_patient.email]
    assert len(others) == 6
    assert [value for value in others if value in text] == []


def test_a_patient_with_nothing_yet_exports_empty_sections(demo_clinic, patient):
    document = patient_data_export(patient=patient, now=NOW)

    assert {key: document[key] for key in document if key not in ("profile", "exported_at")} == {
        "format_version": 1,
        "time_zone": "America/Los_Angeles",
        "contact_preferences": {"email_enabled": True, "sms_enabled": False},
        "appointments": [],
        "evaluation": None,
        "treatment_plan": None,
        "treatment_outcome": None,
        "questionnaires": [],
        "waitlist": [],
        "messages": {"note": MESSAGES_NOTE, "sent": []},
    }


def add_infusions(plan: TreatmentPlan, count: int) -> None:
    """``count`` more infusions of the plan, each with answered check-ins, history and a message."""
    for number in range(1, count + 1):
        starts_at = INFUSION_AT + timedelta(days=2 * number)
        infusion, phq9, gad7 = infusion_with_questionnaires(plan, starts_at=starts_at, created_at=BOOKED_AT)
        answered(phq9, PHQ9_CALM, at=starts_at - timedelta(hours=5))
        answered(gad7, GAD7_CALM, at=starts_at - timedelta(hours=5))
        history_event(infusion, AppointmentEvent.Action.BOOKED, actor=plan.patient, at=BOOKED_AT, to_status="booked")
        message(
            plan.patient, infusion, Kind.CONFIRMATION, status=Status.SENT, sent_at=SENT_AT, regarding_start=starts_at
        )


def add_visits(patient: User, count: int) -> None:
    """``count`` more booked visits, a day apart after the patient's last, each with its history and
    a confirmation sent."""
    visit_type = AppointmentType.objects.get(code="evaluation")
    already = Appointment.objects.filter(patient=patient).count()
    for number in range(already, already + count):
        starts_at = INFUSION_AT + timedelta(days=number)
        visit = AppointmentFactory(patient=patient, appointment_type=visit_type, starts_at=starts_at)
        history_event(visit, AppointmentEvent.Action.BOOKED, actor=patient, at=BOOKED_AT, to_status="booked")
        message(patient, visit, Kind.CONFIRMATION, status=Status.SENT, sent_at=SENT_AT, regarding_start=starts_at)


def export_queries(patient: User, client: Any, assert_queries: Any, expected: int) -> dict[str, Any]:
    with assert_queries(expected):
        document = patient_data_export(patient=patient, now=NOW)
    with assert_queries(expected + 1):  # the API reads the signed-in patient once more
        assert client.get("/api/v1/me/export/").status_code == 200
    return document


def test_the_export_costs_the_same_queries_for_1_and_10_appointments(
    demo_clinic, patient, client_for, django_assert_num_queries
):
    client = client_for(patient)
    add_visits(patient, 1)
    document = export_queries(patient, client, django_assert_num_queries, 9)
    assert (len(document["appointments"]), len(document["messages"]["sent"])) == (1, 1)

    add_visits(patient, 9)
    document = export_queries(patient, client, django_assert_num_queries, 9)
    assert (len(document["appointments"]), len(document["messages"]["sent"])) == (10, 10)


def test_with_a_plan_the_export_costs_the_same_queries_for_2_and_10_appointments(
    demo_clinic, patient, client_for, django_assert_num_queries
):
    # Five more with a plan: the plan, its progress and its outcome (baseline, infusions, answers).
    plan, _ = treatment_of(patient)
    client = client_for(patient)
    document = export_queries(patient, client, django_assert_num_queries, 14)
    assert (len(document["appointments"]), len(document["questionnaires"])) == (2, 2)

    add_infusions(plan, 8)
    document = export_queries(patient, client, django_assert_num_queries, 14)
    assert (len(document["appointments"]), len(document["questionnaires"]), len(document["messages"]["sent"])) == (
        10,
        18,
        9,
    )


# -- the API ------------------------------------------------------------------------------------


def test_the_api_answers_the_patient_their_own_document(world, patient, client_for):
    response = client_for(patient).get("/api/v1/me/export/")

    assert response.status_code == 200
    body = response.json()
    expected = json.loads(json.dumps(patient_data_export(patient=patient, now=NOW)))
    assert {**body, "exported_at": None} == {**expected, "exported_at": None}
    assert datetime.fromisoformat(body["exported_at"]).utcoffset() is not None


def test_the_api_refuses_anonymous_with_401(api_client):
    response = api_client.get("/api/v1/me/export/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_api_refuses_staff_with_403_and_records_nothing(world, role, client_for):
    before = ClinicalAccess.objects.count()

    response = client_for(UserFactory(role=role)).get("/api/v1/me/export/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert ClinicalAccess.objects.count() == before


# -- the page -----------------------------------------------------------------------------------


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)  # a GET needs no CSRF token
    client.force_login(user)
    return client


def test_the_account_page_offers_the_download(demo_clinic, patient):
    response = signed_in(patient).get("/account/")

    assert response.status_code == 200
    assert 'href="/account/export/" download>Download my data</a>' in response.content.decode()


def test_the_page_download_is_an_attachment_with_the_same_document(world, patient):
    response = signed_in(patient).get("/account/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    expected = json.loads(json.dumps(patient_data_export(patient=patient, now=NOW)))
    assert {**body, "exported_at": None} == {**expected, "exported_at": None}


def test_the_account_page_offers_the_download_in_spanish(demo_clinic):
    client = Client(headers={"accept-language": "es"})
    client.force_login(PatientFactory(language="es"))

    html = client.get("/account/").content.decode()

    assert '<h2 id="data-title">Sus datos</h2>' in html
    assert 'href="/account/export/" download>Descargar mis datos</a>' in html


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_page_download_refuses_staff(demo_clinic, role):
    response = signed_in(UserFactory(role=role)).get("/account/export/")

    assert response.status_code == 403
    assert "attachment" not in response.get("Content-Disposition", "")


def test_the_page_download_sends_the_signed_out_to_sign_in(demo_clinic):
    response = Client().get("/account/export/")

    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=/account/export/")
    assert "Content-Disposition" not in response
