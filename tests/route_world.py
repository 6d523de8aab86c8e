"""The requests of the permission matrix (tests/test_route_permissions.py): for each route of the
URL configuration and each method, how a role calls it, and a body valid for a role allowed to.

The path is filled with the patient's own objects wherever a patient may go (so "another
patient" asks about objects not theirs); calls that write get fresh objects each time, the
patient's at times of their own, and staff-only routes write on fresh patients (a patient's
appointments may not overlap: PostgreSQL enforces it).

API routes reuse tests/test_api_schema.py's CALLS (a valid request per operation); pages have their
builders here (PAGES, POSTs unless in PAGE_GETS). Any other call reads the world's objects
(default_args), with no body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.tokens import default_token_generator
from django.db.models import Model
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.services.signup import signup_token_make
from booking.availability import availability_for
from booking.models import Appointment, AppointmentEvent, AppointmentStatus, WaitlistEntry
from booking.services.calendar_feeds import calendar_feed_create
from clinical.models import (
    AdverseEvent,
    Alert,
    ClinicalAccess,
    DoseOrder,
    DoseOrderCosignature,
    Evaluation,
    EvaluationAddendum,
    EvaluationStatus,
    FollowUpCall,
    Letter,
    MedicationListVersion,
    PatientConsent,
    PredoseOverride,
    PregnancyTest,
    Questionnaire,
    ScaleAssessment,
    VitalsReading,
)
from clinical.services.infusions import infusion_discharge, infusion_record_update, infusion_vitals_record
from clinical.services.scales import infusion_scales_record
from controlled.models import Container, DailyCount, LedgerEntry
from notifications.models import ContactPreference
from tests.clinical.dose_order_api_calls import DOSE_ORDER_PAGE_GETS, DOSE_ORDER_PAGES
from tests.clinical.evaluation_fixtures import SCREENING, evaluation_appointment
from tests.clinical.infusion_fixtures import DISCHARGE_CHECKLIST, infusion_appointment, prepare_start, start
from tests.clinical.infusion_fixtures import NORMAL as INFUSION_NORMAL
from tests.clinical.letter_api_calls import LETTER_PAGE_GETS, LETTER_PAGES
from tests.clinical.questionnaire_fixtures import infusion_with_questionnaires, open_phq9_today
from tests.clinical.regulated_calls import REGULATED_PAGE_GETS, REGULATED_PAGES
from tests.controlled.api_calls import CONTROLLED_PAGE_GETS, CONTROLLED_PAGES
from tests.factories import TEST_PASSWORD, AppointmentFactory, PatientFactory
from tests.test_api_schema import CALLS, NOW, SEARCH_FROM, Call, World

PHQ9_ITEMS = [0, 1, 0, 1, 0, 0, 0, 0, 0]


@dataclass
class MatrixWorld(World):
    """test_api_schema's world plus the patient's objects that fill the read routes' paths."""

    infusion: Appointment | None = None  # the patient's infusion under way (its record, its alert)
    alert: Alert | None = None  # the open threshold alert of that infusion
    questionnaire: Questionnaire | None = None  # the patient's PHQ-9 open today
    own_infusions: int = 0  # the patient's infusions made for their PHQ-9s, each at its own time
    pages: dict[str, Client] = field(default_factory=dict)  # a page session per role, kept while it lasts

    def made_next(self) -> int:
        self.made += 1
        return self.made


def api_schema_path(pattern: str) -> str:
    """'/api/v1/appointments/<uuid:appointment_id>/' -> '/api/v1/appointments/{appointment_id}/'."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def fill(pattern: str, **values: Any) -> str:
    """The path of ``pattern`` with its arguments replaced by ``values``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), pattern)


# -- objects of the patient, fresh where a call writes --


# The staff-only routes write on infusions of fresh patients (a patient's appointments may not
# overlap, PostgreSQL enforces it; a patient role is refused there whoever the patient is).


def infusion_today(world: MatrixWorld, *, status: str = AppointmentStatus.BOOKED) -> Appointment:
    """An infusion of a fresh patient later today."""
    world.made += 1
    return infusion_appointment(starts_at=NOW + timedelta(minutes=10 * world.made % 480), status=status)


def infusion_under_way(world: MatrixWorld, *, minutes_ago: int, patient: User | None = None) -> Appointment:
    """An infusion (of a fresh patient unless said) started ``minutes_ago``: checked in, baseline, started."""
    world.made += 1
    at = NOW - timedelta(minutes=minutes_ago + world.made % 10)
    appointment = infusion_appointment(patient, starts_at=at)
    start(appointment, world.users["nurse"], at=at)
    return appointment


def dischargeable(world: MatrixWorld) -> Appointment:
    appointment = infusion_under_way(world, minutes_ago=95)
    infusion_record_update(
        actor=world.users["nurse"],
        appointment_id=appointment.pk,
        changes={"weight_kg": Decimal("70.0"), "dose_given_mg": Decimal("35.0")},
    )
    infusion_vitals_record(actor=world.users["nurse"], appointment_id=appointment.pk, **INFUSION_NORMAL)
    infusion_scales_record(actor=world.users["nurse"], appointment_id=appointment.pk, moaas=5, cadss6_items=[0] * 6)
    return appointment


def discharged_follow_up(world: MatrixWorld) -> FollowUpCall:
    """The follow-up call of an infusion of a fresh patient discharged now (due tomorrow)."""
    appointment = dischargeable(world)
    infusion_discharge(actor=world.users["nurse"], appointment_id=appointment.pk, checklist=DISCHARGE_CHECKLIST)
    return FollowUpCall.objects.get(record__appointment=appointment)


def weighed_under_way(world: MatrixWorld) -> Appointment:
    """An infusion under way with the weight recorded (the planned dose comes from it)."""
    appointment = infusion_under_way(world, minutes_ago=30)
    infusion_record_update(
        actor=world.users["nurse"], appointment_id=appointment.pk, changes={"weight_kg": Decimal("70.0")}
    )
    return appointment


def threshold_alert(world: MatrixWorld, *, patient: User | None = None) -> tuple[Appointment, Alert]:
    """An infusion under way (of a fresh patient unless said) with an open threshold alert."""
    appointment = infusion_under_way(world, minutes_ago=20, patient=patient)
    recorded = infusion_vitals_record(
        actor=world.users["nurse"], appointment_id=appointment.pk, **{**INFUSION_NORMAL, "systolic": 185}
    )
    assert recorded.alert is not None
    return appointment, recorded.alert


def own_phq9(world: MatrixWorld) -> Questionnaire:
    """A PHQ-9 of the patient open now, of an infusion of their plan at its own time within the
    next 72 hours (after the appointments of tests/test_api_schema.py's calls today)."""
    world.own_infusions += 1
    starts_at = NOW + timedelta(hours=6 + 3 * world.own_infusions)
    assert starts_at < NOW + timedelta(hours=72)
    _, phq9, _ = infusion_with_questionnaires(world.signed.plan, starts_at=starts_at, created_at=NOW)
    return phq9


def self_harm_alert(world: MatrixWorld) -> Alert:
    """An open self-harm alert of a fresh patient: a PHQ-9 answered with item 9 above 0."""
    questionnaire = open_phq9_today(None, now=NOW)
    questionnaire.items = [1, 1, 1, 1, 1, 1, 1, 1, 2]
    questionnaire.total = 10
    questionnaire.answered_at = NOW
    questionnaire.answered_by = questionnaire.patient
    questionnaire.save()
    return Alert.objects.create(
        kind="self_harm",
        patient=questionnaire.patient,
        appointment=questionnaire.appointment,
        questionnaire=questionnaire,
        raised_at=NOW,
    )


def draft_evaluation(world: MatrixWorld, *, complete: bool = False) -> Evaluation:
    """A draft evaluation of a fresh patient's evaluation visit three hours ago; ``complete``:
    every answer in, ready to sign."""
    patient = PatientFactory()
    appointment = evaluation_appointment(patient, starts_at=NOW - timedelta(hours=3))
    values: dict[str, Any] = {}
    if complete:
        values = {**SCREENING, "substance_use": "none", "decision": "deferred", "rationale": "More history needed."}
    return Evaluation.objects.create(
        appointment=appointment,
        patient=patient,
        clinician=world.users["clinician"],
        status=EvaluationStatus.DRAFT,
        **values,
    )


def evaluation_form(*, complete: bool) -> dict[str, Any]:
    body: dict[str, Any] = {**SCREENING, "substance_use": "none"}
    body.pop("phq9_total", None)
    body.pop("gad7_total", None)
    if complete:
        body |= {"decision": "deferred", "rationale": "More history needed."}
    return {key: value for key, value in body.items() if not isinstance(value, list)}


def signed_in_user(world: MatrixWorld, role: str) -> User:
    return world.users.get(role, world.patient)


# -- the page requests: route pattern -> (world, role) -> Call (GET and POST share the url) --

Build = Callable[[MatrixWorld, str], Call]


def _p(url: str, body: dict[str, Any] | None = None) -> Call:
    return Call("POST", url, body or {})


PAGES: dict[str, Build] = {
    "/language/": lambda w, r: _p("/language/", {"language": "es", "next": "/"}),
    "/signin/": lambda w, r: _p("/signin/", {"email": signed_in_user(w, r).email, "password": TEST_PASSWORD}),
    "/signup/": lambda w, r: _p(
        "/signup/",
        {
            "email": f"new-{w.made_next()}@example.com",
            "password": "a-long-and-uncommon-passphrase-9",
            "first_name": "Robin",
            "last_name": "Example",
            "date_of_birth": "1990-04-02",
            "phone": "+14155550199",
        },
    ),
    "/book/review/": lambda w, r: Call(
        "GET", "/book/review/?" + urlencode({"type": "evaluation", "start": _open_start(w, r)})
    ),
    # The patient holds their one evaluation: an integration session of their active plan.
    "/book/confirm/": lambda w, r: _p("/book/confirm/", {"type": "integration", "start": _integration_start(w)}),
    "/account/series/": lambda w, r: _p(
        "/account/series/", {"start_date": SEARCH_FROM.isoformat(), "preferred_time": "10:00", "confirm": "1"}
    ),
    "/account/waitlist/": lambda w, r: _p(
        "/account/waitlist/", {"type": "evaluation", "date_from": str(SEARCH_FROM), "date_to": str(SEARCH_FROM)}
    ),
    "/account/contact-preferences/": lambda w, r: _p(
        "/account/contact-preferences/", {"email_enabled": "on", "sms_enabled": "on"}
    ),
    "/account/questionnaires/<uuid:questionnaire_id>/": lambda w, r: _p(
        f"/account/questionnaires/{own_phq9(w).pk}/",
        {**{f"item_{n}": v for n, v in enumerate(PHQ9_ITEMS, start=1)}, "confirm": "1"},
    ),
    "/appointments/<uuid:appointment_id>/cancel/": lambda w, r: _p(
        f"/appointments/{w.appointment().pk}/cancel/", {"reason": "Away that week."}
    ),
    "/appointments/<uuid:appointment_id>/reschedule/review/": lambda w, r: Call(
        "GET", f"/appointments/{w.booked.pk}/reschedule/review/?" + urlencode({"start": _move_start(w)})
    ),
    "/appointments/<uuid:appointment_id>/reschedule/confirm/": lambda w, r: _reschedule_confirm(w),
    "/appointments/<uuid:appointment_id>/readiness/": lambda w, r: _p(
        f"/appointments/{w.appointment().pk}/readiness/", {"driver_arranged": "on", "fasting_acknowledged": "on"}
    ),
    "/staff/day/appointments/<uuid:appointment_id>/<slug:step>/": lambda w, r: _p(
        f"/staff/day/appointments/{_evaluation_today(w).pk}/check-in/", {"date": NOW.date().isoformat()}
    ),
    "/staff/evaluations/start/<uuid:appointment_id>/": lambda w, r: _p(
        f"/staff/evaluations/start/{_evaluation_visit(w).pk}/"
    ),
    "/staff/evaluations/<uuid:evaluation_id>/": lambda w, r: _p(
        f"/staff/evaluations/{draft_evaluation(w).pk}/", evaluation_form(complete=False)
    ),
    "/staff/evaluations/<uuid:evaluation_id>/sign/": lambda w, r: _p(
        f"/staff/evaluations/{draft_evaluation(w, complete=True).pk}/sign/"
    ),
    "/staff/evaluations/<uuid:evaluation_id>/addenda/": lambda w, r: _p(
        f"/staff/evaluations/{w.signed.pk}/addenda/", {"text": "Blood pressure rechecked: 124/80."}
    ),
    "/staff/patients/": lambda w, r: _p("/staff/patients/", {"q": w.patient.last_name}),
    "/staff/patients/<uuid:patient_id>/book/review/": lambda w, r: Call(
        "GET",
        f"/staff/patients/{w.patient.pk}/book/review/?" + urlencode({"type": "evaluation", "start": _open_start(w, r)}),
    ),
    "/staff/patients/<uuid:patient_id>/book/confirm/": lambda w, r: _staff_book_confirm(w),
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/review/": lambda w, r: Call(
        "GET",
        f"/staff/patients/{w.patient.pk}/appointments/{w.booked.pk}/move/review/?"
        + urlencode({"start": _move_start(w)}),
    ),
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/confirm/": lambda w, r: _staff_move(w),
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/cancel/": lambda w, r: _p(
        f"/staff/patients/{w.patient.pk}/appointments/{w.appointment().pk}/cancel/", {"reason": "Away that week."}
    ),
    "/staff/infusions/<uuid:appointment_id>/weight/": lambda w, r: _p(
        f"/staff/infusions/{infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/weight/",
        {"weight-weight_kg": "70.0"},
    ),
    "/staff/infusions/<uuid:appointment_id>/dose/": lambda w, r: _p(
        f"/staff/infusions/{weighed_under_way(w).pk}/dose/",
        {"dose-dose_given_mg": "35.0", "dose-dose_reason": ""},
    ),
    "/staff/infusions/<uuid:appointment_id>/readiness/": lambda w, r: _p(
        f"/staff/infusions/{infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/readiness/",
        {"readiness-readiness_checked": "on"},
    ),
    "/staff/infusions/<uuid:appointment_id>/medications/": lambda w, r: _p(
        f"/staff/infusions/{infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/medications/",
        {"medications-medications_review": "no_change"},
    ),
    "/staff/infusions/<uuid:appointment_id>/predose-override/": lambda w, r: _p(
        f"/staff/infusions/{infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/predose-override/",
        {"override-note": "Known hypertension; reviewed with the patient."},
    ),
    "/staff/infusions/<uuid:appointment_id>/vitals/": lambda w, r: _p(
        f"/staff/infusions/{infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/vitals/",
        {f"vitals-{name}": value for name, value in INFUSION_NORMAL.items()} | {"vitals-taken_at": "08:55"},
    ),
    "/staff/infusions/<uuid:appointment_id>/end/": lambda w, r: _p(
        f"/staff/infusions/{infusion_under_way(w, minutes_ago=50).pk}/end/", {"end-infusion_ended_at": "08:55"}
    ),
    "/staff/infusions/<uuid:appointment_id>/questionnaires/<uuid:questionnaire_id>/": lambda w, r: _staff_questionnaire(
        w
    ),
    "/staff/infusions/<uuid:appointment_id>/adverse-events/": lambda w, r: _p(
        f"/staff/infusions/{infusion_today(w, status=AppointmentStatus.CHECKED_IN).pk}/adverse-events/",
        {
            "event-code": "headache",
            "event-grade": "1",
            "event-serious": "no",
            "event-relatedness": "possible",
            "event-outcome": "resolved",
            "event-action": "medication_given",
            "event-action_detail": "Paracetamol 1 g.",
            "event-occurred_at": "08:55",
        },
    ),
    "/staff/infusions/<uuid:appointment_id>/alerts/<uuid:alert_id>/": lambda w, r: _staff_alert(w),
    "/staff/infusions/<uuid:appointment_id>/discharge/": lambda w, r: _p(
        f"/staff/infusions/{dischargeable(w).pk}/discharge/",
        {
            "discharge-alert_and_oriented": "on",
            "discharge-escort_present": "on",
            "discharge-walking_steadily": "on",
            "discharge-instructions_given": "on",
        },
    ),
    "/staff/infusions/<uuid:appointment_id>/<slug:step>/": lambda w, r: _infusion_start(w),
    "/staff/infusions/<uuid:appointment_id>/scales/": lambda w, r: _p(
        f"/staff/infusions/{infusion_under_way(w, minutes_ago=60).pk}/scales/", {"scales-moaas": "5"}
    ),
    "/staff/follow-ups/<uuid:follow_up_id>/": lambda w, r: _p(
        f"/staff/follow-ups/{discharged_follow_up(w).pk}/", {"reached": "no"}
    ),
    "/staff/alerts/<uuid:alert_id>/acknowledge/": lambda w, r: _acknowledge_page(w),
    "/staff/reports/outcomes/": lambda w, r: Call(
        "GET", "/staff/reports/outcomes/?date_from=2026-11-01&date_to=2026-11-30"
    ),
    "/signin/code/": lambda w, r: _p("/signin/code/", {"code": "000000"}),
    "/signin/enrol/": lambda w, r: _p("/signin/enrol/", {"code": "000000"}),
    "/password-reset/": lambda w, r: _p("/password-reset/", {"email": signed_in_user(w, r).email}),
    "/password-reset/<str:uidb64>/<str:token>/": lambda w, r: _reset_link(w),
    "/account/security/": lambda w, r: _p(
        "/account/security/",
        {"action": "password", "current_password": TEST_PASSWORD, "new_password": "a-long-and-uncommon-passphrase-9"},
    ),
    "/signup/confirm/<str:token>/": lambda w, r: Call(
        "GET",
        f"/signup/confirm/{signup_token_make(user=PatientFactory(is_active=False, awaiting_confirmation=True))}/",
        {"password": TEST_PASSWORD},  # the POST's: the password chosen at that sign-up
    ),
    "/calendar/<str:token>.ics": lambda w, r: Call(
        "GET", f"/calendar/{calendar_feed_create(actor=w.users['nurse'])}.ics"
    ),
}


def _controlled_page(build: Callable[[MatrixWorld, str], tuple[str, str, dict[str, Any] | None]]) -> Build:
    return lambda w, r: Call(*build(w, r))


# The controlled-substance log's pages (SPEC.md section 12), built in their own module.
PAGES.update({pattern: _controlled_page(build) for pattern, build in CONTROLLED_PAGES.items()})
# Dose orders and letters to the referring provider (SPEC.md section 12), built in their own modules.
PAGES.update({pattern: _controlled_page(build) for pattern, build in {**DOSE_ORDER_PAGES, **LETTER_PAGES}.items()})
# The regulated record's pages (consent, pregnancy tests, the medication list), in their own module.
PAGES.update({pattern: _controlled_page(build) for pattern, build in REGULATED_PAGES.items()})


def _open_start(world: MatrixWorld, role: str) -> str:
    """An open evaluation start of the clinic (the patient holds their one evaluation already)."""
    return world.first_open_start(None).isoformat()


def _integration_start(world: MatrixWorld) -> str:
    """An open integration session start for the patient (their plan is active)."""
    slots = availability_for(
        appointment_type=world.type("integration"),
        first_day=SEARCH_FROM,
        last_day=SEARCH_FROM + timedelta(days=6),
        patient_id=world.patient.pk,
    )
    return slots[world.made_next() % len(slots)].start.isoformat()


def _move_start(world: MatrixWorld) -> str:
    return world.first_open_start(world.patient, moving=world.booked).isoformat()


def _reschedule_confirm(world: MatrixWorld) -> Call:
    appointment = world.appointment()
    start_at = world.first_open_start(world.patient, moving=appointment)
    return _p(f"/appointments/{appointment.pk}/reschedule/confirm/", {"start": start_at.isoformat()})


def _staff_book_confirm(world: MatrixWorld) -> Call:
    patient = PatientFactory()
    start_at = world.first_open_start(patient)
    return _p(f"/staff/patients/{patient.pk}/book/confirm/", {"type": "evaluation", "start": start_at.isoformat()})


def _staff_move(world: MatrixWorld) -> Call:
    appointment = world.appointment()
    start_at = world.first_open_start(world.patient, moving=appointment)
    return _p(
        f"/staff/patients/{world.patient.pk}/appointments/{appointment.pk}/move/confirm/",
        {"start": start_at.isoformat()},
    )


def _evaluation_today(world: MatrixWorld) -> Appointment:
    """A booked evaluation of a fresh patient later today (check-in happens on its own day)."""
    world.made += 1
    appointment: Appointment = AppointmentFactory(
        patient=PatientFactory(),
        appointment_type=world.type("evaluation"),
        starts_at=NOW + timedelta(minutes=10 * world.made % 480),
    )
    return appointment


def _evaluation_visit(world: MatrixWorld) -> Appointment:
    """An evaluation of a fresh patient, in progress (its record can be started)."""
    world.made += 1
    return evaluation_appointment(PatientFactory(), starts_at=NOW - timedelta(hours=1, minutes=world.made))


def _staff_questionnaire(world: MatrixWorld) -> Call:
    questionnaire = open_phq9_today(None, now=NOW)
    url = f"/staff/infusions/{questionnaire.appointment_id}/questionnaires/{questionnaire.pk}/"
    return _p(url, {**{f"item_{n}": v for n, v in enumerate(PHQ9_ITEMS, start=1)}, "confirm": "1"})


def _staff_alert(world: MatrixWorld) -> Call:
    appointment, alert = threshold_alert(world)
    prefix = f"alert-{alert.pk}"
    return _p(f"/staff/infusions/{appointment.pk}/alerts/{alert.pk}/", {f"{prefix}-action": "continued"})


def _acknowledge_page(world: MatrixWorld) -> Call:
    alert = self_harm_alert(world)
    return _p(f"/staff/alerts/{alert.pk}/acknowledge/", {f"ack-{alert.pk}-note": "Called the patient."})


def _infusion_start(world: MatrixWorld) -> Call:
    appointment = infusion_today(world, status=AppointmentStatus.CHECKED_IN)
    infusion_vitals_record(actor=world.users["nurse"], appointment_id=appointment.pk, **INFUSION_NORMAL)
    prepare_start(appointment, world.users["nurse"], at=NOW)  # weight, medication review, both forms
    return _p(f"/staff/infusions/{appointment.pk}/start/")


def _reset_link(world: MatrixWorld) -> Call:
    user = PatientFactory()  # a fresh account each time: the reset changes its password
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _p(
        f"/password-reset/{uid}/{token}/",
        {"new_password": "a-long-and-uncommon-passphrase-9"},
    )


# The pages whose builder serves their GET too (a GET with its query, or a POST whose objects the
# page shows); the GET of the others reads the world's objects.
PAGE_GETS = {
    "/staff/evaluations/<uuid:evaluation_id>/sign/",
    "/staff/infusions/<uuid:appointment_id>/questionnaires/<uuid:questionnaire_id>/",
    "/book/review/",
    "/appointments/<uuid:appointment_id>/reschedule/review/",
    "/staff/patients/<uuid:patient_id>/book/review/",
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/review/",
    "/staff/reports/outcomes/",
    "/staff/follow-ups/<uuid:follow_up_id>/",
    "/signup/confirm/<str:token>/",
    "/calendar/<str:token>.ics",
    *CONTROLLED_PAGE_GETS,
    *DOSE_ORDER_PAGE_GETS,
    *LETTER_PAGE_GETS,
    *REGULATED_PAGE_GETS,
}


def default_args(world: MatrixWorld, pattern: str) -> dict[str, Any]:
    """The path arguments of a route without a builder: the patient's own objects."""
    assert world.infusion is not None
    assert world.alert is not None
    assert world.questionnaire is not None
    infusion = world.infusion
    if "<str:uidb64>" in pattern:  # a valid reset link of a fresh account
        reset = _reset_link(world).url.split("/")
        return {"uidb64": reset[2], "token": reset[3]}
    return {
        "appointment_id": infusion.pk
        if pattern.startswith(("/staff/infusions/", "/api/v1/infusions/"))
        else world.booked.pk,
        "evaluation_id": world.signed.pk,
        "patient_id": world.patient.pk,
        "questionnaire_id": world.questionnaire.pk,
        "plan_id": world.signed.plan.pk,
        "step": "check-in",
        "token": "not-a-token",
        "alert_id": world.alert.pk,
        "container_id": UUID(int=1),  # none such: only the routes' other method reaches these
        "entry_id": 1,
        "order_id": UUID(int=1),  # none such: only the route's POST reaches an order
        "letter_id": UUID(int=1),
        "follow_up_id": UUID(int=2),  # none such: only the routes' other method reaches these
        # The admin's change views: the patient's booked appointment, or the patient's account.
        "object_id": world.booked.pk if "/appointment/" in pattern else world.patient.pk,
    }


def request_for(world: MatrixWorld, pattern: str, method: str, role: str) -> Call:
    """How ``role`` calls ``method`` on the route ``pattern`` ('/'-rooted): with the builder of
    that method, or a GET of the world's objects, or the body of the route's other method."""
    build: Callable[[Any, str], Call] | None
    if pattern.startswith("/api/v1/"):
        path = api_schema_path(pattern)
        build = CALLS.get((method, path))
        if build is None and method != "GET":
            build = next((CALLS[(other, path)] for other in ("POST", "PATCH", "GET") if (other, path) in CALLS), None)
    else:
        build = PAGES.get(pattern) if method != "GET" or pattern in PAGE_GETS else None
    if build is None:
        return Call(method, fill(pattern, **default_args(world, pattern)), {} if method != "GET" else None)
    call = build(world, role)
    if method == call.method:
        return call
    if method == "GET":
        return Call(method, call.url, None)
    return Call(method, call.url.split("?")[0], call.body)


# The main table of each write route: a refused call must leave its row count unchanged (a
# ClinicalAccess row: not even the audit of a write; the pages log the reading before refusing).
WRITES: dict[str, type[Model]] = {
    "/api/v1/appointments/": Appointment,
    "/api/v1/appointments/<uuid:appointment_id>/cancel/": AppointmentEvent,
    "/api/v1/appointments/<uuid:appointment_id>/reschedule/": AppointmentEvent,
    "/api/v1/appointments/<uuid:appointment_id>/check-in/": AppointmentEvent,
    "/api/v1/appointments/<uuid:appointment_id>/start/": AppointmentEvent,
    "/api/v1/appointments/<uuid:appointment_id>/complete/": AppointmentEvent,
    "/api/v1/appointments/<uuid:appointment_id>/no-show/": AppointmentEvent,
    "/api/v1/appointments/<uuid:appointment_id>/readiness/": AppointmentEvent,
    "/api/v1/waitlist/": WaitlistEntry,
    "/api/v1/me/contact-preferences/": ContactPreference,
    "/api/v1/evaluations/": Evaluation,
    "/api/v1/evaluations/<uuid:evaluation_id>/": ClinicalAccess,
    "/api/v1/evaluations/<uuid:evaluation_id>/sign/": ClinicalAccess,
    "/api/v1/evaluations/<uuid:evaluation_id>/addenda/": EvaluationAddendum,
    "/api/v1/treatment-plans/<uuid:plan_id>/book-series/": Appointment,
    "/api/v1/treatment-plans/<uuid:plan_id>/discontinue/": ClinicalAccess,
    "/api/v1/treatment-plans/<uuid:plan_id>/dose-orders/": DoseOrder,
    "/api/v1/dose-orders/<uuid:order_id>/cosign/": DoseOrderCosignature,
    "/api/v1/letters/": Letter,
    "/api/v1/questionnaires/<uuid:questionnaire_id>/answers/": ClinicalAccess,
    "/api/v1/infusions/<uuid:appointment_id>/": ClinicalAccess,
    "/api/v1/infusions/<uuid:appointment_id>/vitals/": VitalsReading,
    "/api/v1/infusions/<uuid:appointment_id>/adverse-events/": AdverseEvent,
    "/api/v1/infusions/<uuid:appointment_id>/discharge/": ClinicalAccess,
    "/api/v1/infusions/<uuid:appointment_id>/predose-override/": PredoseOverride,
    "/api/v1/alerts/<uuid:alert_id>/acknowledge/": ClinicalAccess,
    "/api/v1/infusions/<uuid:appointment_id>/scales/": ScaleAssessment,
    "/api/v1/follow-ups/<uuid:follow_up_id>/": ClinicalAccess,
    "/api/v1/me/consents/": PatientConsent,
    "/api/v1/patients/<uuid:patient_id>/consents/": PatientConsent,
    "/api/v1/infusions/<uuid:appointment_id>/pregnancy-tests/": PregnancyTest,
    "/api/v1/infusions/<uuid:appointment_id>/medications/": ClinicalAccess,
    "/api/v1/treatment-plans/<uuid:plan_id>/resume/": ClinicalAccess,
    "/api/v1/auth/register/": User,
    "/book/confirm/": Appointment,
    "/account/series/": Appointment,
    "/account/waitlist/": WaitlistEntry,
    "/appointments/<uuid:appointment_id>/cancel/": AppointmentEvent,
    "/appointments/<uuid:appointment_id>/reschedule/confirm/": AppointmentEvent,
    "/appointments/<uuid:appointment_id>/readiness/": AppointmentEvent,
    "/staff/day/appointments/<uuid:appointment_id>/<slug:step>/": AppointmentEvent,
    "/staff/evaluations/start/<uuid:appointment_id>/": Evaluation,
    "/staff/evaluations/<uuid:evaluation_id>/addenda/": EvaluationAddendum,
    "/staff/patients/<uuid:patient_id>/book/confirm/": Appointment,
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/confirm/": AppointmentEvent,
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/cancel/": AppointmentEvent,
    "/staff/infusions/<uuid:appointment_id>/vitals/": VitalsReading,
    "/staff/infusions/<uuid:appointment_id>/predose-override/": PredoseOverride,
    "/staff/plans/<uuid:plan_id>/dose-orders/": DoseOrder,
    "/staff/plans/<uuid:plan_id>/resume/": ClinicalAccess,
    "/staff/plans/<uuid:plan_id>/end/": ClinicalAccess,
    "/staff/dose-orders/<uuid:order_id>/cosign/": DoseOrderCosignature,
    "/staff/patients/<uuid:patient_id>/letters/": Letter,
    "/staff/infusions/<uuid:appointment_id>/adverse-events/": AdverseEvent,
    "/staff/infusions/<uuid:appointment_id>/scales/": ScaleAssessment,
    "/staff/follow-ups/<uuid:follow_up_id>/": ClinicalAccess,
    "/account/consent/": PatientConsent,
    "/staff/infusions/<uuid:appointment_id>/regulated/pregnancy-test/": PregnancyTest,
    "/staff/infusions/<uuid:appointment_id>/regulated/medications/": MedicationListVersion,
    "/staff/infusions/<uuid:appointment_id>/regulated/paper-consent/": PatientConsent,
    "/staff/infusions/<uuid:appointment_id>/<slug:step>/": AppointmentEvent,
    "/signup/": User,
    "/api/v1/controlled/containers/": Container,
    "/api/v1/controlled/containers/<uuid:container_id>/waste/": LedgerEntry,
    "/api/v1/controlled/entries/<int:entry_id>/corrections/": LedgerEntry,
    "/api/v1/controlled/infusions/<uuid:appointment_id>/draws/": LedgerEntry,
    "/api/v1/controlled/infusions/<uuid:appointment_id>/administration/": LedgerEntry,
    "/api/v1/controlled/counts/": DailyCount,
    "/staff/controlled/receive/": Container,
    "/staff/controlled/containers/<uuid:container_id>/waste/": LedgerEntry,
    "/staff/controlled/infusions/<uuid:appointment_id>/draw/": LedgerEntry,
    "/staff/controlled/infusions/<uuid:appointment_id>/administration/": LedgerEntry,
    "/staff/controlled/count/": DailyCount,
    "/admin/booking/appointment/<uuid:appointment_id>/cancel/": AppointmentEvent,
    "/admin/booking/appointment/<uuid:appointment_id>/reschedule/": AppointmentEvent,
}
