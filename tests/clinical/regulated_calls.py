"""How each role calls the regulated record's API with input valid for a role allowed to
(tests/test_api_schema.py's CALLS and the route matrix take these): a fresh newest consent version
for each signature, fresh infusions of fresh patients where a call writes, a fresh suspended plan
for each resumption or end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from booking.models import AppointmentStatus
from clinical.models import ConsentDocument, ConsentKind, PlanStatus
from clinical.services.consent import consent_paper_record
from tests.clinical.infusion_fixtures import infusion_appointment
from tests.clinical.plans import active_plan
from tests.clinical.regulated_fixtures import consent_document
from tests.factories import PatientFactory

# (method, url, body)
Request = tuple[str, str, dict[str, Any] | None]
Build = Callable[[Any, str], Request]


def fresh_consent_version() -> ConsentDocument:
    """A new newest treatment consent, in effect from today."""
    newest = ConsentDocument.objects.filter(kind=ConsentKind.TREATMENT).aggregate(v=Max("version"))["v"] or 0
    return consent_document(version=newest + 1, effective_on=timezone.localdate())


def _signer(world: Any, role: str) -> Any:
    return world.users.get(role, world.patient)


def _sign(world: Any, role: str) -> Request:
    user = _signer(world, role)
    body = {
        "document_id": str(fresh_consent_version().pk),
        "typed_name": f"{user.first_name} {user.last_name}",
        "agree": True,
    }
    return ("POST", "/api/v1/me/consents/", body)


def _paper(world: Any, role: str) -> Request:
    body = {
        "document_id": str(fresh_consent_version().pk),
        "signed_on": timezone.localdate().isoformat(),
        "language": "es",
    }
    return ("POST", f"/api/v1/patients/{world.patient.pk}/consents/", body)


def checked_in_today(world: Any) -> Any:
    """A checked-in infusion of a fresh patient later today."""
    world.made += 1
    starts_at = timezone.now() + timedelta(minutes=10 * world.made % 480)
    return infusion_appointment(starts_at=starts_at, status=AppointmentStatus.CHECKED_IN)


def suspended_plan(world: Any) -> Any:
    return active_plan(PatientFactory(), signed_at=timezone.now() - timedelta(days=3), status=PlanStatus.SUSPENDED)


REGULATED_CALLS: dict[tuple[str, str], Build] = {
    ("GET", "/api/v1/me/consent/"): lambda w, r: ("GET", "/api/v1/me/consent/", None),
    ("POST", "/api/v1/me/consents/"): _sign,
    ("GET", "/api/v1/patients/{patient_id}/consents/"): lambda w, r: (
        "GET",
        f"/api/v1/patients/{w.patient.pk}/consents/",
        None,
    ),
    ("POST", "/api/v1/patients/{patient_id}/consents/"): _paper,
    ("POST", "/api/v1/infusions/{appointment_id}/pregnancy-tests/"): lambda w, r: (
        "POST",
        f"/api/v1/infusions/{checked_in_today(w).pk}/pregnancy-tests/",
        {"result": "negative", "taken_on": timezone.localdate().isoformat()},
    ),
    ("GET", "/api/v1/infusions/{appointment_id}/pregnancy-tests/"): lambda w, r: (
        "GET",
        f"/api/v1/infusions/{checked_in_today(w).pk}/pregnancy-tests/",
        None,
    ),
    ("GET", "/api/v1/infusions/{appointment_id}/medications/"): lambda w, r: (
        "GET",
        f"/api/v1/infusions/{checked_in_today(w).pk}/medications/",
        None,
    ),
    ("POST", "/api/v1/infusions/{appointment_id}/medications/"): lambda w, r: (
        "POST",
        f"/api/v1/infusions/{checked_in_today(w).pk}/medications/",
        {"review": "no_change"},
    ),
    ("POST", "/api/v1/treatment-plans/{plan_id}/resume/"): lambda w, r: (
        "POST",
        f"/api/v1/treatment-plans/{suspended_plan(w).pk}/resume/",
        {},
    ),
}


# -- the pages (route pattern -> (world, role) -> request; tests/route_world.py takes them) --


def _own_signature(world: Any) -> Any:
    """A paper consent of the patient on file, of a fresh newest version."""
    document = fresh_consent_version()
    return consent_paper_record(
        actor=world.users["nurse"], patient_id=world.patient.pk, document_id=document.pk,
        signed_on=timezone.localdate(), language="en",
    )  # fmt: skip


def _consent_page(world: Any, role: str) -> Request:
    fresh_consent_version()  # something to sign, whatever the patient signed before
    user = _signer(world, role)
    body = {"typed_name": f"{user.first_name} {user.last_name}", "agree": "on"}
    return ("POST", "/account/consent/", body)


REGULATED_PAGES: dict[str, Build] = {
    "/account/consent/": _consent_page,
    "/account/consents/<uuid:consent_id>/pdf/": lambda w, r: (
        "GET",
        f"/account/consents/{_own_signature(w).pk}/pdf/",
        None,
    ),
    "/staff/infusions/<uuid:appointment_id>/regulated/pregnancy-test/": lambda w, r: (
        "POST",
        f"/staff/infusions/{checked_in_today(w).pk}/regulated/pregnancy-test/",
        {"pregnancy-result": "negative", "pregnancy-taken_on": timezone.localdate().isoformat()},
    ),
    "/staff/infusions/<uuid:appointment_id>/regulated/medications/": lambda w, r: (
        "POST",
        f"/staff/infusions/{checked_in_today(w).pk}/regulated/medications/",
        {
            "medications-review": "updated",
            "medications-medications": "Lorazepam; 1 mg; at night; benzodiazepine",
            "medications-allergies_none_known": "on",
        },
    ),
    "/staff/infusions/<uuid:appointment_id>/regulated/paper-consent/": lambda w, r: (
        "POST",
        f"/staff/infusions/{_fresh_consent_then(checked_in_today(w)).pk}/regulated/paper-consent/",
        {"consent-signed_on": timezone.localdate().isoformat(), "consent-language": "es"},
    ),
    # A fresh suspended plan for each call: a clinician resumes it, or ends it (a reason, the tick).
    "/staff/plans/<uuid:plan_id>/resume/": lambda w, r: ("POST", f"/staff/plans/{suspended_plan(w).pk}/resume/", {}),
    "/staff/plans/<uuid:plan_id>/end/": lambda w, r: (
        "POST",
        f"/staff/plans/{suspended_plan(w).pk}/end/",
        {"end-reason": "Positive pregnancy test: the series stops.", "end-confirm": "on"},
    ),
}
REGULATED_PAGE_GETS = {"/account/consent/", "/account/consents/<uuid:consent_id>/pdf/"}


def _fresh_consent_then(appointment: Any) -> Any:
    fresh_consent_version()  # newer than the one the fixture signed for the patient
    return appointment
