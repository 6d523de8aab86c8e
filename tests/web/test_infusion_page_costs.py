"""A write through the infusion page costs what the same write costs through the API (issue 19):
the page calls the API's service first and builds nothing unless it refuses.

Two sessions in the same state, one written through the page, one through the API, side by side:
- one audit row each (the page no longer reads the record, audited, before writing);
- the same SQL statements, in the same order (each as its verb and table), once each channel's
  sign-in is set aside (the page's session, user and second-factor device; the API's user from
  its token) and the API's rendering of the session after the write (the session selector's
  statements, measured on their own). The page sends the browser back with a redirect instead.
- the alert form and "Check in" check first, in one statement, that the alert or the appointment
  is this session's (the API's addresses name the alert or any appointment alone).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Appointment
from clinical.infusion_selectors import infusion_session
from clinical.models import Alert, ClinicalAccess, InfusionRecord
from clinical.services.infusions import infusion_record_update
from core.roles import Role
from tests.clinical.adverse_event_fixtures import NAUSEA_FORM, NAUSEA_PAYLOAD
from tests.clinical.infusion_fixtures import (
    START,
    check_in,
    infusion_appointment,
    infusion_url,
    reading,
    record_scales,
    start,
)
from tests.clinical.questionnaire_fixtures import infusion_with_questionnaires, plan_of
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE_SIGN_IN = ["SELECT django_session", "SELECT accounts_user", "SELECT otp_totp_totpdevice"]
API_SIGN_IN = ["SELECT accounts_user"]
_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def shape(sql: str) -> str:
    """A statement as its verb and first table ("SELECT booking_appointment"); savepoints by verb."""
    verb = sql.split(None, 1)[0].upper()
    table = _TABLE.search(sql)
    return f"{verb} {table.group(1)}" if table and verb in {"SELECT", "INSERT", "UPDATE", "DELETE"} else verb


@dataclass(frozen=True)
class Cost:
    status: int
    statements: list[str]  # shapes, in order: the sign-in's first (middleware, or DRF's authentication)
    audit_rows: int
    signing_in: int  # how many of the first statements sign the request in

    @property
    def sign_in(self) -> list[str]:
        return self.statements[: self.signing_in]

    @property
    def write(self) -> list[str]:
        return self.statements[self.signing_in :]


def cost_of(call: Callable[[], Any], *, signing_in: int) -> Cost:
    audited = ClinicalAccess.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    statements = [shape(query["sql"]) for query in queries]
    return Cost(response.status_code, statements, ClinicalAccess.objects.count() - audited, signing_in)


def page_cost_of(call: Callable[[], Any]) -> Cost:
    return cost_of(call, signing_in=len(PAGE_SIGN_IN))


def api_cost_of(call: Callable[[], Any]) -> Cost:
    return cost_of(call, signing_in=len(API_SIGN_IN))


def render_statements(appointment: Appointment) -> list[str]:
    """What the API spends on showing the session after its write: the session selector's reads."""
    record = InfusionRecord.objects.get(appointment=appointment)
    with CaptureQueriesContext(connection) as queries:
        infusion_session(record=record, now=timezone.now())
    return [shape(query["sql"]) for query in queries]


# -- the sessions' states ----------------------------------------------------------------------------------


def checked_in(appointment: Appointment, nurse: Any) -> None:
    check_in(appointment, nurse, at=START - timedelta(minutes=15))


def started(appointment: Appointment, nurse: Any) -> None:
    start(appointment, nurse, at=START)


def ready_to_go_home(appointment: Appointment, nurse: Any) -> None:
    """Started at 9:00; dose given; a reading at 10:34 inside the thresholds (now: 10:35)."""
    start(appointment, nurse, at=START)
    infusion_record_update(
        actor=nurse, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("35.0")}, now=START
    )
    reading(appointment, nurse, at=START + timedelta(minutes=94))
    record_scales(appointment, nurse, at=START + timedelta(minutes=94))


NOW = START + timedelta(minutes=95)  # 10:35: the 9:00 infusion's recovery ended at 10:30
WRITES: dict[str, dict[str, Any]] = {
    "weight": {
        "state": checked_in,
        "page": ("weight", {"weight-weight_kg": "70.3"}),
        "api": ("patch", "", {"weight_kg": "70.3"}),
    },
    "medications": {
        "state": checked_in,
        "page": ("medications", {"medications-medications_review": "no_change"}),
        "api": ("patch", "", {"medications_review": "no_change"}),
    },
    "readiness": {
        "state": checked_in,
        "page": ("readiness", {"readiness-readiness_checked": "on"}),
        "api": ("patch", "", {"readiness_checked": True}),
    },
    "dose": {
        "state": started,
        "page": ("dose", {"dose-dose_given_mg": "35.0", "dose-dose_reason": ""}),
        "api": ("patch", "", {"dose_given_mg": "35.0"}),
    },
    "end": {
        "state": started,
        "page": ("end", {"end-infusion_ended_at": "10:20"}),
        "api": ("patch", "", {"infusion_ended_at": (START + timedelta(minutes=80)).isoformat()}),
    },
    "vitals": {
        "state": started,
        "page": (
            "vitals",
            {
                "vitals-taken_at": "10:34",
                "vitals-systolic": "184",
                "vitals-diastolic": "96",
                "vitals-heart_rate": "88",
                "vitals-spo2": "97",
                "vitals-note": "",
            },
        ),
        "api": (
            "post",
            "vitals",
            {
                "systolic": 184,
                "diastolic": 96,
                "heart_rate": 88,
                "spo2": 97,
                "taken_at": (START + timedelta(minutes=94)).isoformat(),
            },
        ),
    },
    "adverse event": {
        "state": started,
        "page": (
            "adverse-events",
            {**NAUSEA_FORM, "event-occurred_at": "10:30", "event-note": ""},
        ),
        "api": (
            "post",
            "adverse-events",
            {**NAUSEA_PAYLOAD, "occurred_at": (START + timedelta(minutes=90)).isoformat()},
        ),
    },
    # Grade 3: its alert is raised, and the clinician's messages written, in the same transaction.
    "adverse event with its alert": {
        "state": started,
        "page": (
            "adverse-events",
            {**NAUSEA_FORM, "event-grade": "3", "event-occurred_at": "10:30", "event-note": ""},
        ),
        "api": (
            "post",
            "adverse-events",
            {**NAUSEA_PAYLOAD, "grade": 3, "occurred_at": (START + timedelta(minutes=90)).isoformat()},
        ),
    },
    "scales": {
        "state": started,
        "page": ("scales", {"scales-moaas": "5", "scales-assessed_at": "10:30"}),
        "api": ("post", "scales", {"moaas": 5, "assessed_at": (START + timedelta(minutes=90)).isoformat()}),
        "renders_session": False,  # the API answers the assessment alone
    },
    "discharge": {
        "state": ready_to_go_home,
        "page": (
            "discharge",
            {
                "discharge-alert_and_oriented": "on",
                "discharge-escort_present": "on",
                "discharge-walking_steadily": "on",
                "discharge-instructions_given": "on",
            },
        ),
        "api": (
            "post",
            "discharge",
            {"alert_and_oriented": True, "escort_present": True, "walking_steadily": True, "instructions_given": True},
        ),
    },
}


@pytest.fixture
def nurse(demo_clinic) -> Any:
    return UserFactory(role=Role.NURSE)


@pytest.fixture
def clinician(demo_clinic) -> Any:
    return UserFactory(role=Role.CLINICIAN)


def two_sessions(state: Callable[[Appointment, Any], None], nurse: Any) -> tuple[Appointment, Appointment]:
    sessions = []
    for _ in range(2):
        appointment = infusion_appointment(PatientFactory())
        state(appointment, nurse)
        sessions.append(appointment)
    return sessions[0], sessions[1]


def page_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/staff/")  # the session's first request writes its start time; not the write's cost
    return client


def api_call(client: Any, appointment: Appointment, method: str, action: str, body: Any) -> Callable[[], Any]:
    """The API call, its client signed in beforehand (making the token is not the write's cost)."""
    return lambda: getattr(client, method)(infusion_url(appointment, action), body, format="json")


@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_through_the_page_costs_the_statements_and_the_audit_row_of_the_api(write, nurse, client_for):
    case = WRITES[write]
    with time_machine.travel(NOW, tick=False):
        through_page, through_api = two_sessions(case["state"], nurse)
        page = page_client(nurse)
        tail, form = case["page"]
        method, action, body = case["api"]
        page_cost = page_cost_of(lambda: page.post(f"/staff/infusions/{through_page.pk}/{tail}/", form))
        api_cost = api_cost_of(api_call(client_for(nurse), through_api, method, action, body))
        rendering = render_statements(through_api) if case.get("renders_session", True) else []
    assert page_cost.status == 302
    assert api_cost.status in (200, 201)
    assert (page_cost.audit_rows, api_cost.audit_rows) == (1, 1)
    assert (page_cost.sign_in, api_cost.sign_in) == (PAGE_SIGN_IN, API_SIGN_IN)
    assert page_cost.write + rendering == api_cost.write
    assert len(page_cost.statements) == len(api_cost.statements) - len(API_SIGN_IN) - len(rendering) + len(PAGE_SIGN_IN)


def test_the_pre_dose_override_through_the_page_costs_what_it_costs_through_the_api(nurse, clinician, client_for):
    with time_machine.travel(START, tick=False):
        through_page, through_api = two_sessions(checked_in, nurse)
        page = page_client(clinician)
        page_cost = page_cost_of(
            lambda: page.post(f"/staff/infusions/{through_page.pk}/predose-override/", {"override-note": "Anxious."})
        )
        api_cost = api_cost_of(
            api_call(client_for(clinician), through_api, "post", "predose-override", {"note": "Anxious."})
        )
        rendering = render_statements(through_api)
    assert (page_cost.status, api_cost.status) == (302, 201)
    assert (page_cost.audit_rows, api_cost.audit_rows) == (1, 1)
    assert (page_cost.sign_in, api_cost.sign_in) == (PAGE_SIGN_IN, API_SIGN_IN)
    assert page_cost.write + rendering == api_cost.write


def test_recording_an_alerts_action_costs_the_apis_statements_and_one_to_find_the_sessions_alert(nurse, client_for):
    with time_machine.travel(START + timedelta(minutes=20), tick=False):
        through_page, through_api = two_sessions(started, nurse)
        for appointment in (through_page, through_api):
            reading(appointment, nurse, at=START + timedelta(minutes=10), systolic=190)
        page_alert, api_alert = (
            Alert.objects.get(appointment=appointment) for appointment in (through_page, through_api)
        )
        page = page_client(nurse)
        prefix = f"alert-{page_alert.pk}"
        page_cost = page_cost_of(
            lambda: page.post(
                f"/staff/infusions/{through_page.pk}/alerts/{page_alert.pk}/",
                {f"{prefix}-action": "continued", f"{prefix}-note": ""},
            )
        )
        api = client_for(nurse)
        api_cost = api_cost_of(
            lambda: api.post(f"/api/v1/alerts/{api_alert.pk}/acknowledge/", {"action": "continued"}, format="json")
        )
    assert (page_cost.status, api_cost.status) == (302, 200)
    assert (page_cost.audit_rows, api_cost.audit_rows) == (1, 1)
    assert (page_cost.sign_in, api_cost.sign_in) == (PAGE_SIGN_IN, API_SIGN_IN)
    assert page_cost.write[0] == "SELECT clinical_alert"  # one of this session's alerts, or 404
    assert page_cost.write[1:] == api_cost.write[: len(page_cost.write) - 1]


def test_checking_in_costs_the_apis_statements_and_one_to_know_the_appointment_is_an_infusion(nurse, client_for):
    with time_machine.travel(START - timedelta(minutes=15), tick=False):
        through_page, through_api = (infusion_appointment(PatientFactory()) for _ in range(2))
        page = page_client(nurse)
        api = client_for(nurse)
        page_cost = page_cost_of(lambda: page.post(f"/staff/infusions/{through_page.pk}/check-in/", {}))
        api_cost = api_cost_of(
            lambda: api.post(f"/api/v1/appointments/{through_api.pk}/check-in/", {"reason": ""}, format="json")
        )
    assert (page_cost.status, api_cost.status) == (302, 200)
    assert page_cost.audit_rows == api_cost.audit_rows
    assert (page_cost.sign_in, api_cost.sign_in) == (PAGE_SIGN_IN, API_SIGN_IN)
    assert page_cost.write[0] == "SELECT booking_appointment"  # an infusion's, or 404
    assert page_cost.write[1:] == api_cost.write[: len(page_cost.write) - 1]


def test_entering_the_patients_answers_costs_the_apis_statements_and_one_to_find_the_infusions_form(nurse, client_for):
    with time_machine.travel(START - timedelta(minutes=15), tick=False):
        plans = [plan_of(PatientFactory()) for _ in range(2)]
        (through_page, page_phq9, _), (_, api_phq9, _) = (infusion_with_questionnaires(plan) for plan in plans)
        page = page_client(nurse)
        api = client_for(nurse)
        answers = [1, 1, 1, 1, 1, 1, 1, 1, 0]
        page_cost = page_cost_of(
            lambda: page.post(
                f"/staff/infusions/{through_page.pk}/questionnaires/{page_phq9.pk}/",
                {f"item_{number}": str(answer) for number, answer in enumerate(answers, start=1)},
            )
        )
        api_cost = api_cost_of(
            lambda: api.post(f"/api/v1/questionnaires/{api_phq9.pk}/answers/", {"items": answers}, format="json")
        )
    assert (page_cost.status, api_cost.status) == (302, 201)
    assert (page_cost.audit_rows, api_cost.audit_rows) == (1, 1)
    assert (page_cost.sign_in, api_cost.sign_in) == (PAGE_SIGN_IN, API_SIGN_IN)
    assert page_cost.write[0] == "SELECT clinical_questionnaire"  # this infusion's, or 404
    assert page_cost.write[1:] == api_cost.write[: len(page_cost.write) - 1]
