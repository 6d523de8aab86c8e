"""The OpenAPI schema describes exactly what the API answers (SPEC.md section 6).

For every role (anonymous, a patient, another patient, nurse, clinician, therapist, admin) and
every operation of /api/schema/, a real request with valid input built from fixtures; each
answer's status code must be one the operation documents and its body must validate against the
schema documented for it. An operation of the schema that no call below exercises fails the test,
so a new endpoint cannot escape it; one that answers no role with a 2xx fails it too, so every
success body is checked at least once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema_rs
import pytest
import requests
import schemathesis
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.core.failures import Failure, FailureGroup

from accounts.models import User
from accounts.services.signup import signup_token_make
from accounts.tokens import token_pair_for
from booking.availability import availability_for
from booking.models import Appointment, AppointmentStatus
from booking.services.appointments import appointment_book
from clinical.api.serializers import DOSE_PATTERN
from clinical.evaluation_rules import PLAN_RANGES
from clinical.models import Evaluation, FollowUpCall
from clinical.services.infusions import infusion_discharge, infusion_record_update, infusion_vitals_record
from clinical.services.scales import infusion_scales_record
from core.api_fields import DATE_PATTERN, EARLIEST_DATE, LATEST_DATE
from core.roles import Role
from core.schema import NOT_BLANK
from notifications.models import OutboxMessage
from scheduling.models import AppointmentType
from tests.accounts.otp import enrolled, totp_code
from tests.clinical.dose_order_api_calls import DOSE_ORDER_CALLS
from tests.clinical.evaluation_fixtures import SCREENING, evaluation_appointment
from tests.clinical.infusion_fixtures import DISCHARGE_CHECKLIST, infusion_appointment, start
from tests.clinical.infusion_fixtures import NORMAL as INFUSION_NORMAL
from tests.clinical.letter_api_calls import LETTER_CALLS
from tests.clinical.plans import active_plan
from tests.clinical.questionnaire_fixtures import open_phq9_today
from tests.clinical.regulated_calls import REGULATED_CALLS
from tests.controlled.api_calls import CONTROLLED_CALLS
from tests.factories import TEST_PASSWORD, AppointmentFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 30, 9, tzinfo=LA)  # a Monday morning
SEARCH_FROM = date(2026, 12, 2)
SEARCH_TO = date(2026, 12, 8)
ROLES = ["anonymous", "patient", "other_patient", "nurse", "clinician", "therapist", "admin"]


@dataclass
class Call:
    method: str
    url: str
    body: dict[str, Any] | None = None


@dataclass
class World:
    users: dict[str, User]
    patient: User
    booked: Appointment  # the patient's booked evaluation
    signed: Evaluation  # the patient's signed candidate evaluation, with an active plan
    clients: dict[str, APIClient] = field(default_factory=dict)
    made: int = 0

    def type(self, code: str) -> AppointmentType:
        return AppointmentType.objects.select_related("clinic").get(code=code)

    def first_open_start(self, patient: User | None, *, moving: Appointment | None = None) -> datetime:
        slots = availability_for(
            appointment_type=self.type("evaluation"),
            first_day=SEARCH_FROM,
            last_day=SEARCH_TO,
            patient_id=patient.pk if patient else None,
            moving_appointment_id=moving.pk if moving else None,
        )
        return slots[0].start

    def appointment(self, *, status: str = AppointmentStatus.BOOKED, past: bool = False) -> Appointment:
        """A fresh evaluation appointment of the patient, each at its own time: from a week ahead
        on, or (``past``) from ten days back (clear of the visits other fixtures write)."""
        self.made += 1
        step = timedelta(hours=2 * self.made)
        appointment: Appointment = AppointmentFactory(
            patient=self.patient,
            appointment_type=self.type("evaluation"),
            starts_at=NOW - timedelta(days=10) - step if past else NOW + timedelta(days=7) + step,
            status=status,
        )
        return appointment


def _draft(*, complete: bool) -> Evaluation:
    patient = PatientFactory()
    appointment = evaluation_appointment(patient, starts_at=NOW - timedelta(hours=3))
    clinician = UserFactory(role=Role.CLINICIAN)
    values: dict[str, Any] = {}
    if complete:
        values = {**SCREENING, "substance_use": "none", "decision": "deferred", "rationale": "More history needed."}
    return Evaluation.objects.create(appointment=appointment, patient=patient, clinician=clinician, **values)


def _book(world: World, role: str) -> Call:
    patient = world.users[role] if role in ("patient", "other_patient") else PatientFactory()
    # The patient holds their one evaluation already (a 409); any open start will do for that.
    start = world.first_open_start(None if patient == world.patient else patient)
    body: dict[str, Any] = {"type": "evaluation", "start": start.isoformat()}
    if role not in ("patient", "other_patient"):
        body["patient"] = str(patient.pk)
    return Call("POST", "/api/v1/appointments/", body)


def _reschedule(world: World, role: str) -> Call:
    appointment = world.appointment()
    start = world.first_open_start(world.patient, moving=appointment)
    return Call("POST", f"/api/v1/appointments/{appointment.pk}/reschedule/", {"start": start.isoformat()})


def _book_series(world: World, role: str) -> Call:
    if role in ("patient", "other_patient", "anonymous"):
        plan = world.signed.plan  # the patient's own active plan
    else:
        plan = active_plan(PatientFactory(), signed_at=NOW - timedelta(days=2))
    body = {"start_date": SEARCH_FROM.isoformat(), "preferred_time": "10:00"}
    return Call("POST", f"/api/v1/treatment-plans/{plan.pk}/book-series/", body)


def _token(world: World, role: str) -> Call:
    user = world.users.get(role, world.patient)
    body = {"email": user.email, "password": TEST_PASSWORD}
    if user.role != Role.PATIENT:  # staff send the code of their authenticator app
        body["otp"] = totp_code(enrolled(user))
    return Call("POST", "/api/v1/auth/token/", body)


def _logout(world: World, role: str) -> Call:
    user = world.users.get(role, world.patient)
    return Call("POST", "/api/v1/auth/logout/", {"refresh": token_pair_for(user=user)["refresh"]})


def _password_reset_confirm(world: World, role: str) -> Call:
    user = PatientFactory()  # a fresh account each time: the reset changes its password
    body = {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "new_password": "a-long-and-uncommon-passphrase-9",
    }
    return Call("POST", "/api/v1/auth/password-reset/confirm/", body)


def _register_confirm(world: World, role: str) -> Call:
    user = PatientFactory(is_active=False, awaiting_confirmation=True)  # signed up, link not yet opened
    body = {"token": signup_token_make(user=user), "password": TEST_PASSWORD}  # the password chosen at sign-up
    return Call("POST", "/api/v1/auth/register/confirm/", body)


def _refresh(world: World, role: str) -> Call:
    user = world.users.get(role, world.patient)
    return Call("POST", "/api/v1/auth/token/refresh/", {"refresh": str(RefreshToken.for_user(user))})


def _register(world: World, role: str) -> Call:
    body = {
        "email": f"new-{uuid.uuid4().hex[:12]}@example.com",
        "password": "a-long-and-uncommon-passphrase-9",
        "first_name": "Robin",
        "last_name": "Example",
        "date_of_birth": "1990-04-02",
        "phone": "+14155550199",
    }
    return Call("POST", "/api/v1/auth/register/", body)


def _readiness(world: World, role: str) -> Call:
    appointment = world.appointment()
    body = {"driver_arranged": True, "fasting_acknowledged": True}
    return Call("POST", f"/api/v1/appointments/{appointment.pk}/readiness/", body)


def _check_in(world: World, role: str) -> Call:
    """An evaluation later today (check-in happens only on the appointment's own clinic day),
    each of another patient so none overlaps."""
    world.made += 1
    appointment = AppointmentFactory(
        patient=PatientFactory(),
        appointment_type=world.type("evaluation"),
        starts_at=NOW + timedelta(minutes=world.made % 480),  # today whatever the count
    )
    return Call("POST", f"/api/v1/appointments/{appointment.pk}/check-in/", {})


# -- the infusion session record (SPEC.md section 10): infusions of fresh patients, today --


def _infusion_today(world: World, *, status: str = AppointmentStatus.BOOKED) -> Appointment:
    world.made += 1
    return infusion_appointment(starts_at=NOW + timedelta(minutes=world.made % 480), status=status)


def _infusion_under_way(world: World, *, minutes_ago: int) -> Appointment:
    appointment = infusion_appointment(starts_at=NOW - timedelta(minutes=minutes_ago))
    start(appointment, world.users["nurse"], at=NOW - timedelta(minutes=minutes_ago))
    return appointment


def _discharge(world: World, role: str) -> Call:
    appointment = _infusion_under_way(world, minutes_ago=95)
    infusion_record_update(
        actor=world.users["nurse"],
        appointment_id=appointment.pk,
        changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
    )
    infusion_vitals_record(actor=world.users["nurse"], appointment_id=appointment.pk, **INFUSION_NORMAL)
    infusion_scales_record(actor=world.users["nurse"], appointment_id=appointment.pk, moaas=5, cadss6_items=[0] * 6)
    return Call("POST", f"/api/v1/infusions/{appointment.pk}/discharge/", DISCHARGE_CHECKLIST)


def _scales(world: World, role: str) -> Call:
    appointment = _infusion_under_way(world, minutes_ago=60)
    return Call("POST", f"/api/v1/infusions/{appointment.pk}/scales/", {"moaas": 5, "cadss6_items": [0, 1, 0, 0, 2, 0]})


def _follow_up(world: World) -> FollowUpCall:
    """A follow-up call of an infusion discharged now (due tomorrow, Tuesday)."""
    appointment = _infusion_under_way(world, minutes_ago=95)
    nurse = world.users["nurse"]
    infusion_record_update(
        actor=nurse,
        appointment_id=appointment.pk,
        changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
    )
    infusion_vitals_record(actor=nurse, appointment_id=appointment.pk, **INFUSION_NORMAL)
    infusion_scales_record(actor=nurse, appointment_id=appointment.pk, moaas=5, cadss6_items=[0] * 6)
    infusion_discharge(actor=nurse, appointment_id=appointment.pk, checklist=DISCHARGE_CHECKLIST)
    return FollowUpCall.objects.get(record__appointment=appointment)


def _follow_up_record(world: World, role: str) -> Call:
    body = {
        "reached": True,
        "patient_condition": "Well; slept long.",
        "adverse_event": {
            "code": "headache",
            "grade": 1,
            "serious": False,
            "relatedness": "possible",
            "outcome": "resolving",
            "action": "none",
            "action_detail": "Advised rest.",
        },
    }
    return Call("POST", f"/api/v1/follow-ups/{_follow_up(world).pk}/", body)


def _acknowledge(world: World, role: str) -> Call:
    appointment = _infusion_under_way(world, minutes_ago=20)
    recorded = infusion_vitals_record(
        actor=world.users["nurse"], appointment_id=appointment.pk, **{**INFUSION_NORMAL, "systolic": 185}
    )
    assert recorded.alert is not None
    return Call("POST", f"/api/v1/alerts/{recorded.alert.pk}/acknowledge/", {"action": "continued"})


# (method, path of the schema) -> how a role calls it, with input valid for a role allowed to.
CALLS: dict[tuple[str, str], Callable[[World, str], Call]] = {
    ("GET", "/api/v1/appointment-types/"): lambda w, r: Call("GET", "/api/v1/appointment-types/"),
    ("GET", "/api/v1/availability/"): lambda w, r: Call(
        "GET", f"/api/v1/availability/?type=evaluation&date_from={SEARCH_FROM}&date_to={SEARCH_TO}"
    ),
    ("GET", "/api/v1/appointments/"): lambda w, r: Call("GET", "/api/v1/appointments/?page_size=20"),
    ("POST", "/api/v1/appointments/"): _book,
    ("GET", "/api/v1/appointments/{appointment_id}/"): lambda w, r: Call("GET", f"/api/v1/appointments/{w.booked.pk}/"),
    ("POST", "/api/v1/appointments/{appointment_id}/cancel/"): lambda w, r: Call(
        "POST", f"/api/v1/appointments/{w.appointment().pk}/cancel/", {"reason": "Away that week."}
    ),
    ("POST", "/api/v1/appointments/{appointment_id}/reschedule/"): _reschedule,
    ("POST", "/api/v1/appointments/{appointment_id}/check-in/"): _check_in,
    ("POST", "/api/v1/appointments/{appointment_id}/start/"): lambda w, r: Call(
        "POST", f"/api/v1/appointments/{w.appointment(status=AppointmentStatus.CHECKED_IN).pk}/start/", {}
    ),
    ("POST", "/api/v1/appointments/{appointment_id}/complete/"): lambda w, r: Call(
        "POST",
        f"/api/v1/appointments/{w.appointment(status=AppointmentStatus.IN_PROGRESS).pk}/complete/",
        {},
    ),
    ("POST", "/api/v1/appointments/{appointment_id}/no-show/"): lambda w, r: Call(
        "POST", f"/api/v1/appointments/{w.appointment(past=True).pk}/no-show/", {"reason": "Did not come."}
    ),
    ("POST", "/api/v1/appointments/{appointment_id}/readiness/"): _readiness,
    ("GET", "/api/v1/appointments/{appointment_id}/notifications/"): lambda w, r: Call(
        "GET", f"/api/v1/appointments/{w.booked.pk}/notifications/"
    ),
    ("GET", "/api/v1/schedule/"): lambda w, r: Call("GET", f"/api/v1/schedule/?date={SEARCH_FROM}"),
    ("POST", "/api/v1/waitlist/"): lambda w, r: Call(
        "POST", "/api/v1/waitlist/", {"type": "evaluation", "date_from": str(SEARCH_FROM), "date_to": str(SEARCH_TO)}
    ),
    ("POST", "/api/v1/evaluations/"): lambda w, r: Call(
        "POST",
        "/api/v1/evaluations/",
        {"appointment": str(evaluation_appointment(PatientFactory(), starts_at=NOW - timedelta(hours=3)).pk)},
    ),
    ("GET", "/api/v1/evaluations/{evaluation_id}/"): lambda w, r: Call("GET", f"/api/v1/evaluations/{w.signed.pk}/"),
    ("PATCH", "/api/v1/evaluations/{evaluation_id}/"): lambda w, r: Call(
        "PATCH",
        f"/api/v1/evaluations/{_draft(complete=False).pk}/",
        {**SCREENING, "substance_use": "in_recovery", "plan": {"dose_mg_per_kg": "0.50", "route": "IV"}},
    ),
    ("POST", "/api/v1/evaluations/{evaluation_id}/sign/"): lambda w, r: Call(
        "POST", f"/api/v1/evaluations/{_draft(complete=True).pk}/sign/"
    ),
    ("POST", "/api/v1/evaluations/{evaluation_id}/addenda/"): lambda w, r: Call(
        "POST", f"/api/v1/evaluations/{w.signed.pk}/addenda/", {"text": "Blood pressure rechecked: 124/80."}
    ),
    ("POST", "/api/v1/treatment-plans/{plan_id}/discontinue/"): lambda w, r: Call(
        "POST",
        f"/api/v1/treatment-plans/{active_plan(PatientFactory(), signed_at=NOW - timedelta(days=2)).pk}/discontinue/",
        {"reason": "Patient moved away."},
    ),
    ("POST", "/api/v1/treatment-plans/{plan_id}/book-series/"): _book_series,
    ("GET", "/api/v1/infusions/{appointment_id}/"): lambda w, r: Call(
        "GET", f"/api/v1/infusions/{_infusion_today(w).pk}/"
    ),
    ("PATCH", "/api/v1/infusions/{appointment_id}/"): lambda w, r: Call(
        "PATCH", f"/api/v1/infusions/{_infusion_today(w).pk}/", {"weight_kg": "70.0", "readiness_checked": True}
    ),
    ("POST", "/api/v1/infusions/{appointment_id}/vitals/"): lambda w, r: Call(
        "POST",
        f"/api/v1/infusions/{_infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/vitals/",
        INFUSION_NORMAL,
    ),
    ("POST", "/api/v1/infusions/{appointment_id}/adverse-events/"): lambda w, r: Call(
        "POST",
        f"/api/v1/infusions/{_infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/adverse-events/",
        {
            "code": "headache",
            "grade": 1,
            "serious": False,
            "relatedness": "possible",
            "outcome": "resolved",
            "action": "medication_given",
            "action_detail": "Paracetamol 1 g.",
        },
    ),
    ("POST", "/api/v1/infusions/{appointment_id}/discharge/"): _discharge,
    ("POST", "/api/v1/infusions/{appointment_id}/predose-override/"): lambda w, r: Call(
        "POST",
        f"/api/v1/infusions/{_infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/predose-override/",
        {"note": "Known hypertension; reviewed with the patient."},
    ),
    ("GET", "/api/v1/alerts/"): lambda w, r: Call("GET", "/api/v1/alerts/?open=true"),
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge/"): _acknowledge,
    ("POST", "/api/v1/infusions/{appointment_id}/scales/"): _scales,
    ("GET", "/api/v1/follow-ups/"): lambda w, r: (_follow_up(w), Call("GET", "/api/v1/follow-ups/?date=2026-12-01"))[1],
    ("POST", "/api/v1/follow-ups/{follow_up_id}/"): _follow_up_record,
    ("POST", "/api/v1/auth/register/"): _register,
    ("POST", "/api/v1/auth/register/confirm/"): _register_confirm,
    ("POST", "/api/v1/auth/token/"): _token,
    ("POST", "/api/v1/auth/token/refresh/"): _refresh,
    ("POST", "/api/v1/auth/logout/"): _logout,
    ("POST", "/api/v1/auth/password-reset/"): lambda w, r: Call(
        "POST", "/api/v1/auth/password-reset/", {"email": w.users.get(r, w.patient).email}
    ),
    ("POST", "/api/v1/auth/password-reset/confirm/"): _password_reset_confirm,
    ("GET", "/api/v1/me/"): lambda w, r: Call("GET", "/api/v1/me/"),
    ("GET", "/api/v1/me/contact-preferences/"): lambda w, r: Call("GET", "/api/v1/me/contact-preferences/"),
    ("PATCH", "/api/v1/me/contact-preferences/"): lambda w, r: Call(
        "PATCH", "/api/v1/me/contact-preferences/", {"sms_enabled": True}
    ),
    ("GET", "/api/v1/me/questionnaires/"): lambda w, r: Call("GET", "/api/v1/me/questionnaires/"),
    ("GET", "/api/v1/me/export/"): lambda w, r: Call("GET", "/api/v1/me/export/"),
    ("POST", "/api/v1/questionnaires/{questionnaire_id}/answers/"): lambda w, r: Call(
        "POST",
        f"/api/v1/questionnaires/{open_phq9_today(w.patient if r == 'patient' else None, now=NOW).pk}/answers/",
        {"items": [0, 1, 0, 1, 0, 0, 0, 0, 0]},
    ),
    ("GET", "/api/v1/treatment-plans/{plan_id}/outcome/"): lambda w, r: Call(
        "GET", f"/api/v1/treatment-plans/{w.signed.plan.pk}/outcome/"
    ),
    ("GET", "/api/v1/reports/outcomes/"): lambda w, r: Call(
        "GET", "/api/v1/reports/outcomes/?date_from=2026-11-01&date_to=2026-11-30"
    ),
}


def _controlled(build: Callable[[World, str], tuple[str, str, dict[str, Any] | None]]) -> Callable[[World, str], Call]:
    return lambda w, r: Call(*build(w, r))


# The controlled-substance log's operations (SPEC.md section 12), built in their own module.
CALLS.update({key: _controlled(build) for key, build in CONTROLLED_CALLS.items()})
# Dose orders (SPEC.md section 12), built in their own module.
CALLS.update({key: _controlled(build) for key, build in DOSE_ORDER_CALLS.items()})
CALLS.update({key: _controlled(build) for key, build in LETTER_CALLS.items()})
# The regulated record's operations (consent, pregnancy tests, medications at check-in).
CALLS.update({key: _controlled(build) for key, build in REGULATED_CALLS.items()})


@pytest.fixture
def world(
    demo_clinic, patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user
) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        users = {
            "patient": patient,
            "other_patient": other_patient,
            "nurse": nurse_user,
            "clinician": clinician_user,
            "therapist": therapist_user,
            "admin": admin_user,
        }
        plan = active_plan(patient, signed_at=NOW - timedelta(days=3))  # with its signed evaluation
        booked = appointment_book(
            actor=patient,
            patient=patient,
            appointment_type=AppointmentType.objects.get(code="evaluation"),
            starts_at=datetime(2026, 12, 3, 10, tzinfo=LA),
        )
        assert OutboxMessage.objects.filter(appointment=booked).exists()
        clients = {"anonymous": APIClient()}
        for role, user in users.items():
            clients[role] = APIClient()
            clients[role].credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        yield World(users=users, patient=patient, booked=booked, signed=plan.evaluation, clients=clients)


def _schema(client: APIClient) -> dict[str, Any]:
    response: Any = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _as_schemathesis_response(response: Any, call: Call) -> schemathesis.Response:
    request = requests.Request(call.method, f"http://testserver{call.url}").prepare()
    headers = {name: [value] for name, value in response.headers.items()}
    return schemathesis.Response(
        status_code=response.status_code,
        headers=headers,
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=True,
    )


def mismatches(operation: Any, response: Any, call: Call) -> list[str]:
    """What in one real answer the schema of ``operation`` does not describe (nothing: [])."""
    documented = operation.definition.raw["responses"]
    if str(response.status_code) not in documented:
        return [f"status {response.status_code} is not documented ({', '.join(sorted(documented))})"]
    if response["Content-Type"] == "application/pdf":  # a download: documented as one, and a PDF
        content = documented[str(response.status_code)].get("content", {})
        return [] if "application/pdf" in content and response.content.startswith(b"%PDF-") else ["undocumented PDF"]
    if response["Content-Type"] != "application/json":
        return [f"content type {response['Content-Type']}"]
    try:
        operation.validate_response(_as_schemathesis_response(response, call))
    except FailureGroup as failures:
        return [str(failure) for failure in failures.exceptions]
    except Failure as failure:
        return [str(failure)]
    return []


def test_every_operation_answers_every_role_as_the_schema_says(world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        raw = _schema(world.clients["anonymous"])
        schema = schemathesis.openapi.from_dict(raw)
        in_schema = {(method.upper(), path) for path, item in raw["paths"].items() for method in item}
        assert in_schema == set(CALLS), (
            f"operations the test does not call: {sorted(in_schema - set(CALLS))}; "
            f"calls of operations not in the schema: {sorted(set(CALLS) - in_schema)}"
        )

        problems: list[str] = []
        succeeded: set[tuple[str, str]] = set()
        for (method, path), build in CALLS.items():
            operation = schema[path][method]
            for role in ROLES:
                call = build(world, role)
                response = world.clients[role].generic(
                    call.method,
                    call.url,
                    json.dumps(call.body) if call.body is not None else "",
                    content_type="application/json",
                )
                if 200 <= response.status_code < 300:
                    succeeded.add((method, path))
                problems += [
                    f"{method} {path} as {role}: {problem}" for problem in mismatches(operation, response, call)
                ]

    assert problems == []
    assert succeeded == set(CALLS), f"no role succeeded at: {sorted(set(CALLS) - succeeded)}"


def test_the_check_catches_an_answer_the_schema_does_not_describe(world: World) -> None:
    """The check above can fail: a body with a property too many, a wrong type or a status code the
    operation does not document is reported."""
    with time_machine.travel(NOW, tick=False):
        schema = schemathesis.openapi.from_dict(_schema(world.clients["anonymous"]))
        call = Call("GET", "/api/v1/me/")
        response: Any = world.clients["patient"].get(call.url)
        assert mismatches(schema["/api/v1/me/"]["GET"], response, call) == []

        response.content = json.dumps({**response.json(), "password": "leaked"}).encode()
        assert mismatches(schema["/api/v1/me/"]["GET"], response, call) != []
        response.content = json.dumps({**json.loads(response.content), "role": 7}).encode()
        assert mismatches(schema["/api/v1/me/"]["GET"], response, call) != []
        response.status_code = 409
        assert mismatches(schema["/api/v1/me/"]["GET"], response, call) != []


def test_the_dose_pattern_of_the_schema_is_the_services_range() -> None:
    import re

    low, high = PLAN_RANGES["dose_mg_per_kg"]
    assert (low, high) == (Decimal("0.05"), Decimal("2.00"))
    allowed = [f"{Decimal(hundredths) / 100:.2f}" for hundredths in range(0, 301)]
    matching = [value for value in allowed if re.fullmatch(DOSE_PATTERN, value)]
    assert matching == [value for value in allowed if low <= Decimal(value) <= high]


def test_the_date_pattern_of_the_schema_is_every_date_the_api_takes() -> None:
    import re

    pattern = re.compile(DATE_PATTERN)
    day = date(1899, 12, 1)
    while day < date(3000, 2, 1):
        assert bool(pattern.fullmatch(day.isoformat())) == (EARLIEST_DATE <= day <= LATEST_DATE), day
        day += timedelta(days=1)
    for impossible in ("2026-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-5"):
        assert pattern.fullmatch(impossible) is None, impossible


def test_the_not_blank_pattern_refuses_exactly_what_drf_trims_to_nothing():
    """The schema's NOT_BLANK, read as JSON Schema reads it (ECMA-262, by jsonschema_rs), against
    DRF's trimming (Python's ``str.strip``), for every character and for a NUL."""
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": NOT_BLANK})
    disagreeing = [
        hex(code)
        for code in range(1, 0x110000)
        if not 0xD800 <= code <= 0xDFFF and validator.is_valid(chr(code)) != bool(chr(code).strip())
    ]
    assert disagreeing == []
    assert not validator.is_valid("a\u0000")
