"""GET /api/v1/treatment-plans/{id}/outcome/ and GET /api/v1/reports/outcomes/ against every role,
the report as CSV, and bad ranges (SPEC.md section 10)."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from booking.models import AppointmentStatus
from clinical.models import ClinicalAccess
from tests.clinical.questionnaire_fixtures import START, answered, infusion_with_questionnaires, plan_with_baseline

pytestmark = pytest.mark.django_db

REPORT = "/api/v1/reports/outcomes/"


@pytest.fixture
def as_role(client_for, patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user):
    users = {
        "patient": patient,
        "other_patient": other_patient,
        "nurse": nurse_user,
        "clinician": clinician_user,
        "therapist": therapist_user,
        "admin": admin_user,
    }

    def make(role: str) -> APIClient:
        return APIClient() if role == "anonymous" else client_for(users[role])

    make.users = users  # type: ignore[attr-defined]
    return make


@pytest.fixture
def plan(demo_clinic, patient):
    plan = plan_with_baseline(patient, phq9=22)
    _, first_phq9, _ = infusion_with_questionnaires(plan, starts_at=START, status=AppointmentStatus.IN_PROGRESS)
    answered(first_phq9, [3, 3, 3, 3, 2, 2, 2, 2, 0], at=START - timedelta(hours=5))  # 20: the baseline
    _, phq9, gad7 = infusion_with_questionnaires(plan, starts_at=START + timedelta(days=2))
    answered(phq9, [2, 2, 1, 1, 1, 1, 1, 1, 0], at=START + timedelta(days=1))
    answered(gad7, [1, 1, 1, 1, 1, 1, 1], at=START + timedelta(days=1))
    return plan


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("patient", 403, "permission_denied"),  # the baseline is an evaluation screening value
        ("other_patient", 403, "permission_denied"),
        ("nurse", 200, None),
        ("clinician", 200, None),
        ("therapist", 403, "permission_denied"),
        ("admin", 403, "permission_denied"),
    ],
)
def test_a_plans_outcome_by_role(as_role, plan, role, status, code):
    response = as_role(role).get(f"/api/v1/treatment-plans/{plan.pk}/outcome/")

    assert response.status_code == status
    if code is not None:
        assert response.json()["code"] == code
        assert not ClinicalAccess.objects.exists()
        return
    first, second = plan.appointments.filter(appointment_type__code="infusion").order_by("starts_at")
    assert response.json() == {
        "plan": str(plan.pk),
        "baseline_phq9": 20,
        "baseline_source": "check_in",
        "latest_phq9": 10,
        "change_percent": -50.0,
        "response": True,
        "remission": False,
        "remission_applicable": True,
        "sessions": [
            {
                "session": 1,
                "appointment": str(first.pk),
                "starts_at": "2026-12-07T18:00:00Z",
                "phq9_total": 20,
                "gad7_total": None,
            },
            {
                "session": 2,
                "appointment": str(second.pk),
                "starts_at": "2026-12-09T18:00:00Z",
                "phq9_total": 10,
                "gad7_total": 7,
            },
        ],
    }
    access = ClinicalAccess.objects.get()
    assert (access.actor, access.action, access.object_type, access.object_id) == (
        as_role.users[role],
        "read",
        "treatmentplan",
        plan.pk,
    )


def test_an_unknown_plan_is_404(as_role, demo_clinic):
    response = as_role("clinician").get("/api/v1/treatment-plans/00000000-0000-0000-0000-000000000000/outcome/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not ClinicalAccess.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("patient", 403),
        ("other_patient", 403),
        ("nurse", 403),
        ("clinician", 200),
        ("therapist", 403),
        ("admin", 200),
    ],
)
def test_the_report_by_role(as_role, plan, role, status):
    response = as_role(role).get(REPORT, {"date_from": "2026-12-01", "date_to": "2026-12-31"})

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    if status == 200:
        assert response.json()["plans_started"] == 0  # the plan was activated in November
        assert response.json()["completed_infusions"] == 0
    else:
        assert response.json()["code"] in ("not_authenticated", "permission_denied")
    assert not ClinicalAccess.objects.exists()  # counts, not one patient's record


def test_the_report_as_csv(as_role, plan):
    response = as_role("admin").get(
        REPORT, {"date_from": "2026-11-01", "date_to": "2026-11-30"}, HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().split("\r\n") == [
        "figure,value",
        "date_from,2026-11-01",
        "date_to,2026-11-30",
        "time_zone,America/Los_Angeles",
        "plans_started,1",
        "series_completed,0",
        "completed_infusions,0",
        "patients_with_enough_infusions,0",
        "responders,0",
        "response_measured,0",
        "response_rate_percent,",
        "remitters,0",
        "remission_measured,0",
        "remission_rate_percent,",
        "blood_pressure_alerts,0",
        "blood_pressure_alerts_per_100_infusions,",
        "",
    ]


@pytest.mark.parametrize(
    ("query", "code", "fields"),
    [
        (
            {"date_from": "2026-12-01", "date_to": "2026-11-30"},
            "invalid_date_range",
            {"date_to": ["Before date_from."]},
        ),
        (
            {"date_from": "2026-01-01", "date_to": "2027-01-02"},
            "date_range_too_long",
            {"date_to": ["At most 366 days in all."]},
        ),
        ({"date_from": "2026-02-30", "date_to": "2026-03-01"}, "invalid", None),
        ({"date_from": "yesterday", "date_to": "2026-03-01"}, "invalid", None),
        ({"date_to": "2026-03-01"}, "invalid", {"date_from": ["This field is required."]}),
    ],
)
def test_bad_ranges_are_400_in_json_even_when_csv_is_asked(as_role, demo_clinic, query, code, fields):
    response = as_role("clinician").get(REPORT, query, HTTP_ACCEPT="text/csv")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    if fields is not None:
        assert response.json()["fields"] == fields


def test_a_year_of_366_days_is_allowed(as_role, demo_clinic):
    response = as_role("clinician").get(REPORT, {"date_from": "2028-01-01", "date_to": "2028-12-31"})

    assert response.status_code == 200


def test_a_refusal_in_csv_is_json_too(as_role, demo_clinic):
    response = as_role("nurse").get(
        REPORT, {"date_from": "2026-12-01", "date_to": "2026-12-31"}, HTTP_ACCEPT="text/csv"
    )

    assert (response.status_code, response["Content-Type"]) == (403, "application/json")
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("format_in_query", ["csv", "-58800", "xml"])
def test_only_the_accept_header_chooses_the_format(as_role, plan, format_in_query):
    query = {"date_from": "2026-11-01", "date_to": "2026-11-30", "format": format_in_query}

    response = as_role("clinician").get(REPORT, query)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_the_schema_documents_no_format_parameter(as_role):
    schema = as_role("clinician").get("/api/schema/", {"format": "json"}).json()

    parameters = schema["paths"][REPORT]["get"]["parameters"]
    assert [parameter["name"] for parameter in parameters] == ["date_from", "date_to"]
