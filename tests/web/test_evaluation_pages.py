"""The staff home and the evaluation pages without a browser: who reaches what, what each role
sees, and how the form reaches the evaluation services (drafts, item-by-item totals, refusals)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus
from clinical.models import ClinicalAccess, Evaluation, EvaluationStatus, PlanStatus, TreatmentPlan
from clinical.services.evaluations import evaluation_create, evaluation_sign, evaluation_update
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.evaluation_fixtures import PLAN, RATIONALE, SCREENING
from tests.conftest import demo_staff
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_RATIONALE = "Rationale words no limited reader may see."


def signed_in(user, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


@pytest.fixture
def clinician(demo_clinic):
    return demo_staff("clinician@example.com").user


@pytest.fixture
def visit(demo_clinic, clinician) -> Appointment:
    """An evaluation visit of the clinician that began an hour ago (checked in)."""
    appointment: Appointment = AppointmentFactory(
        patient=PatientFactory(first_name="Rosa", last_name="Martin"),
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=timezone.now() - timedelta(hours=1),
        status=AppointmentStatus.CHECKED_IN,
        staff=clinician.staff_member,
    )
    return appointment


@pytest.fixture
def draft(visit, clinician) -> Evaluation:
    return evaluation_create(actor=clinician, appointment_id=visit.pk)


def signed_candidate(draft, clinician) -> Evaluation:
    evaluation_update(
        actor=clinician,
        evaluation_id=draft.pk,
        changes={**SCREENING, "substance_use": "none", "decision": "candidate", "rationale": SECRET_RATIONALE},
        plan_changes={**PLAN, "dose_mg_per_kg": Decimal("0.50")},
    )
    return evaluation_sign(actor=clinician, evaluation_id=draft.pk)


def page(evaluation) -> str:
    return f"/staff/evaluations/{evaluation.pk}/"


def form_body(**values) -> dict:
    """A form post: every field present, as the browser sends it, with ``values`` filled."""
    body: dict = {name: "" for name in (*SCREENING, "rationale", "override_reason", "notes", "dose_mg_per_kg")}
    body.update({"infusions_planned": "6", "min_days_between": "2", "window_days": "21"})
    body["integration_sessions_planned"] = "0"
    body.update(values)
    return body


def test_the_clinician_home_lists_the_visits_to_write_and_starts_a_draft(clinician, visit):
    client = signed_in(clinician)
    AppointmentFactory(  # another clinician's visit: not on this list
        appointment_type=visit.appointment_type,
        starts_at=timezone.now() - timedelta(days=2),
        status=AppointmentStatus.COMPLETED,
        staff=demo_staff("clinician2@example.com"),
    )
    AppointmentFactory(  # older than 14 days: not on the list
        appointment_type=visit.appointment_type,
        starts_at=timezone.now() - timedelta(days=15),
        status=AppointmentStatus.COMPLETED,
        staff=clinician.staff_member,
    )

    home = client.get("/staff/").content.decode()
    assert "Evaluations to write or sign" in home
    assert home.count("Write evaluation<span") == 1
    assert "Rosa Martin" in home

    response = client.post(f"/staff/evaluations/start/{visit.pk}/")
    evaluation = Evaluation.objects.get(appointment=visit)
    assert response.status_code == 302
    assert response["Location"] == page(evaluation)
    assert (evaluation.clinician, evaluation.status) == (clinician, EvaluationStatus.DRAFT)
    assert "Continue draft" in client.get("/staff/").content.decode()


def test_a_signed_evaluation_leaves_the_clinicians_list(clinician, draft):
    signed_candidate(draft, clinician)
    home = signed_in(clinician).get("/staff/").content.decode()
    assert "Write evaluation<span" not in home
    assert "Continue draft" not in home


def test_nurses_and_admins_go_to_the_day_board_and_patients_are_refused(demo_clinic, nurse_user, admin_user, patient):
    for user in (nurse_user, admin_user):
        response = signed_in(user).get("/staff/")
        assert (response.status_code, response["Location"]) == (302, "/staff/day/")
    assert signed_in(patient).get("/staff/").status_code == 403


def test_the_home_costs_the_same_queries_with_one_or_many_visits(clinician, visit):
    client = signed_in(clinician)
    client.get("/staff/")
    with CaptureQueriesContext(connection) as one:
        client.get("/staff/")
    for hours in range(2, 12):
        AppointmentFactory(
            appointment_type=visit.appointment_type,
            starts_at=timezone.now() - timedelta(days=1, hours=2 * hours),  # apart: one clinician
            status=AppointmentStatus.COMPLETED,
            staff=clinician.staff_member,
        )
    with CaptureQueriesContext(connection) as eleven:
        body = client.get("/staff/").content.decode()
    assert body.count("Write evaluation<span") == 11
    assert len(eleven.captured_queries) == len(one.captured_queries)


def test_the_clinician_sees_the_form_and_save_draft_keeps_partial_input(clinician, draft):
    client = signed_in(clinician)
    form = client.get(page(draft)).content.decode()
    assert 'name="phq9_total"' in form
    assert 'min="0"' in form
    assert 'max="27"' in form
    assert 'max="260"' in form  # systolic, from the service's RANGES
    assert "Save draft" in form
    assert "Sign evaluation" in form
    assert "<title>Evaluation ·" in form
    assert "Rosa" not in form.split("</title>")[0]

    response = client.post(page(draft), form_body(heart_rate="88", rationale="Half done", action="save"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.heart_rate, draft.rationale, draft.phq9_total, draft.decision) == (88, "Half done", None, "")
    again = client.get(page(draft)).content.decode()
    assert 'value="88"' in again
    assert "Half done" in again


def test_the_items_and_their_question_read_in_the_instruments_official_wording(clinician, draft):
    # The PHQ-9 and GAD-7 as printed (Spitzer, Williams, Kroenke and colleagues; Pfizer Inc.).
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", signed_in(clinician).get(page(draft)).content.decode())).split())

    assert "Ask the patient: “Over the last 2 weeks, how often have you been bothered by any of the following " in text
    assert (
        "Ask the patient: “Over the last 2 weeks, how often have you been bothered by the following problems?”" in text
    )
    assert "9. Thoughts that you would be better off dead or of hurting yourself in some way" in text
    assert "8. Moving or speaking so slowly that other people could have noticed? Or the opposite — being so " in text
    assert "7. Feeling afraid as if something awful might happen" in text
    assert "has the patient been bothered" not in text


def test_item_by_item_phq9_becomes_the_total(clinician, draft):
    items = {f"phq9_item_{number}": str(answer) for number, answer in enumerate([3, 2, 1, 0, 3, 2, 1, 0, 1], 1)}
    response = signed_in(clinician).post(page(draft), form_body(phq9_total="5", action="save", **items))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.phq9_total == 13


def test_half_answered_items_are_named_and_nothing_is_saved(clinician, draft):
    response = signed_in(clinician).post(page(draft), form_body(gad7_item_1="2", heart_rate="70", action="save"))
    assert response.status_code == 400
    assert "Answer all 7 items" in response.content.decode()
    draft.refresh_from_db()
    assert draft.heart_rate is None


def test_an_out_of_range_value_is_refused_by_the_service_beside_its_field(clinician, draft):
    response = signed_in(clinician).post(page(draft), form_body(systolic_bp="300", action="save"))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in body
    assert 'id="id_systolic_bp_error"' in body
    assert "Must be between 50 and 260." in body
    draft.refresh_from_db()
    assert draft.systolic_bp is None


def test_sign_asks_for_confirmation_then_names_what_is_missing(clinician, draft):
    client = signed_in(clinician)
    response = client.post(page(draft), form_body(heart_rate="70", action="sign"))
    assert response["Location"] == f"{page(draft)}sign/"
    confirm = client.get(f"{page(draft)}sign/").content.decode()
    assert "Sign this evaluation?" in confirm
    assert "Signed records cannot be changed." in confirm

    refused = client.post(f"{page(draft)}sign/")

    body = refused.content.decode()
    assert refused.status_code == 400
    assert 'role="alert"' in body
    assert 'href="#id_phq9_total">PHQ-9 total: Required to sign.' in body
    assert 'id="id_decision_error"' in body
    draft.refresh_from_db()
    assert (draft.status, draft.heart_rate) == (EvaluationStatus.DRAFT, 70)


def test_a_candidate_with_active_use_needs_the_override_reason_to_sign(clinician, draft):
    client = signed_in(clinician)
    filled = form_body(
        **{key: str(value) for key, value in SCREENING.items()},
        substance_use="active",
        decision="candidate",
        rationale=RATIONALE,
        dose_mg_per_kg="0.50",
        route="IV",
        action="sign",
    )
    client.post(page(draft), filled)
    refused = client.post(f"{page(draft)}sign/").content.decode()
    assert 'id="id_override_reason_error"' in refused
    assert "Required with this decision." in refused

    client.post(page(draft), {**filled, "override_reason": "Specialist agrees."})
    signed = client.post(f"{page(draft)}sign/")

    assert signed.status_code == 302
    draft.refresh_from_db()
    assert draft.status == EvaluationStatus.SIGNED
    assert TreatmentPlan.objects.get(evaluation=draft).status == PlanStatus.ACTIVE
    record = client.get(page(draft)).content.decode()
    assert "Save draft" not in record
    assert "Add addendum" in record
    assert "Specialist agrees." in record

    client.post(f"{page(draft)}addenda/", {"text": "Patient called: start next week."})
    assert "Patient called: start next week." in client.get(page(draft)).content.decode()


def test_a_nurse_reads_the_whole_record_without_writing(clinician, draft, nurse_user):
    signed_candidate(draft, clinician)
    client = signed_in(nurse_user)
    body = client.get(page(draft)).content.decode()
    assert SECRET_RATIONALE in body
    assert "128/82 mmHg" in body
    assert "Sign evaluation" not in body
    assert "Add addendum" not in body
    assert client.post(f"{page(draft)}addenda/", {"text": "Not mine to add."}).status_code == 403
    assert ClinicalAccess.objects.filter(actor=nurse_user, action="read", object_id=draft.pk).exists()


def test_a_nurse_may_not_sign_a_draft(draft, nurse_user):
    client = signed_in(nurse_user)
    body = client.get(page(draft)).content.decode()
    assert "Sign evaluation" not in body
    assert "Save draft" not in body
    assert client.get(f"{page(draft)}sign/").status_code == 403
    assert client.post(f"{page(draft)}sign/").status_code == 403
    assert client.post(page(draft), form_body(heart_rate="70", action="save")).status_code == 403
    draft.refresh_from_db()
    assert (draft.status, draft.heart_rate) == (EvaluationStatus.DRAFT, None)


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.ADMIN])
def test_therapists_and_the_front_desk_see_only_the_limited_view(clinician, draft, role):
    signed_candidate(draft, clinician)
    body = signed_in(UserFactory(role=role)).get(page(draft)).content.decode()
    assert "Candidate" in body
    assert "Infusions: 6 planned, 0 booked, 0 done." in body
    for secret in (SECRET_RATIONALE, "128/82", "PHQ-9", "Contraindications", "0.50"):
        assert secret not in body


def test_patients_are_refused_and_anonymous_visitors_sent_to_sign_in(draft):
    patient = draft.patient
    assert signed_in(patient).get(page(draft)).status_code == 403
    assert signed_in(patient).post(page(draft), form_body(action="save")).status_code == 403
    response = Client().get(page(draft))
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_an_unknown_evaluation_answers_404(clinician):
    assert signed_in(clinician).get("/staff/evaluations/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(clinician, draft, visit):
    client = signed_in(clinician, enforce_csrf_checks=True)
    assert client.post(page(draft), form_body(heart_rate="70", action="save")).status_code == 403
    assert client.post(f"{page(draft)}sign/").status_code == 403
    draft.refresh_from_db()
    assert (draft.status, draft.heart_rate) == (EvaluationStatus.DRAFT, None)


def test_the_sign_confirmation_names_the_patient_the_decision_and_everything_missing(clinician, draft):
    evaluation_update(actor=clinician, evaluation_id=draft.pk, changes={"decision": "candidate", "heart_rate": 70})

    confirm = signed_in(clinician).get(f"{page(draft)}sign/").content.decode()

    assert "<dd>Rosa Martin</dd>" in confirm
    assert "<dd>Candidate</dd>" in confirm
    assert "<li>PHQ-9 total: Required to sign.</li>" in confirm
    assert "<li>Rationale: Required to sign.</li>" in confirm
    assert "Heart rate" not in confirm  # given: not missing
    draft.refresh_from_db()
    assert draft.status == EvaluationStatus.DRAFT


def test_the_sign_confirmation_of_a_complete_draft_lists_nothing_missing(clinician, draft):
    evaluation_update(
        actor=clinician,
        evaluation_id=draft.pk,
        changes={**SCREENING, "substance_use": "none", "decision": "not_candidate", "rationale": "Not now."},
    )

    confirm = signed_in(clinician).get(f"{page(draft)}sign/").content.decode()

    assert "<dd>Not a candidate</dd>" in confirm
    assert "Not ready to sign" not in confirm


def test_the_clinician_home_leads_to_an_upcoming_evaluation_and_prepares_its_draft(clinician):
    ahead = AppointmentFactory(
        patient=PatientFactory(first_name="Ana", last_name="Lopez"),
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=timezone.now() + timedelta(days=2),
        staff=clinician.staff_member,
    )
    AppointmentFactory(  # cancelled: not upcoming
        appointment_type=ahead.appointment_type,
        starts_at=timezone.now() + timedelta(days=3),
        status=AppointmentStatus.CANCELLED,
        staff=clinician.staff_member,
    )
    client = signed_in(clinician)

    home = client.get("/staff/").content.decode()
    assert "Upcoming evaluations" in home
    assert home.count("Prepare evaluation<span") == 1
    assert f'action="/staff/evaluations/start/{ahead.pk}/"' in home

    client.post(f"/staff/evaluations/start/{ahead.pk}/")
    assert 'Continue draft<span class="visually-hidden"> for Ana Lopez' in client.get("/staff/").content.decode()
