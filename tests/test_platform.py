"""The platform around the API: health check, schema and docs, JSON 404s, demo data, settings."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import PatientProfile, User
from core.roles import Role
from scheduling.models import AppointmentType, Clinic, ClinicHours, Room, RoomKind, StaffMember, WorkingHours
from tests.accounts.otp import totp_code

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_LOGINS = {
    "admin@example.com": Role.ADMIN,
    "clinician@example.com": Role.CLINICIAN,
    "nurse@example.com": Role.NURSE,
    "therapist@example.com": Role.THERAPIST,
    "patient@example.com": Role.PATIENT,
}
NOT_FOUND = {"code": "not_found", "detail": "Not found.", "fields": {}}


# -- health, schema, docs, 404 --------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(api_client):
    response = api_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "worker_last_seen_at": None}


def test_the_openapi_schema_is_public_and_describes_the_availability_endpoint(api_client):
    response = api_client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    text = response.content.decode()
    assert text.startswith("openapi: 3.")
    assert "/api/v1/availability/:" in text
    assert "/api/v1/auth/register/:" in text


def test_the_openapi_schema_is_available_as_json(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Clinic booking and evaluation API"
    assert {"/api/v1/availability/", "/api/v1/appointment-types/", "/api/v1/me/"} <= set(schema["paths"])


def test_the_interactive_docs_are_an_html_page_served_without_a_cdn(api_client):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<title>Clinic booking and evaluation API</title>" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr.net" not in html


@pytest.mark.parametrize("path", ["/api/no/such/page", "/api/v1/no-such-endpoint/", "/api/v1/availability/extra/"])
def test_an_unknown_api_url_gives_a_json_404_in_the_error_shape(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_an_unknown_page_gives_an_html_404_page(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Page not found" in response.content


def test_a_wrong_method_gives_405_in_the_error_shape(api_client):
    response = api_client.delete("/api/v1/appointment-types/")

    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "detail": 'Method "DELETE" not allowed.', "fields": {}}


# -- appointment types ----------------------------------------------------------------------


def test_anyone_can_list_the_appointment_types_of_the_demo_clinic(api_client, demo_clinic):
    response = api_client.get("/api/v1/appointment-types/")

    assert response.status_code == 200
    common = {"grid_minutes": 15, "min_notice_minutes": 720, "horizon_days": 60}
    assert response.json() == [
        {
            "code": "evaluation",
            "name": "Ketamine Therapy Evaluation",
            "duration_minutes": 60,
            "recovery_minutes": 0,
            **common,
            "online_booking": "any_patient",
        },
        {
            "code": "infusion",
            "name": "Infusion session",
            "duration_minutes": 50,
            "recovery_minutes": 40,
            **common,
            "online_booking": "active_plan",
        },
        {
            "code": "integration",
            "name": "Integration therapy",
            "duration_minutes": 50,
            "recovery_minutes": 0,
            **common,
            "online_booking": "active_plan",
        },
    ]


def test_inactive_appointment_types_are_not_listed(api_client, demo_clinic):
    AppointmentType.objects.filter(code="integration").update(is_active=False)

    response = api_client.get("/api/v1/appointment-types/")

    assert [row["code"] for row in response.json()] == ["evaluation", "infusion"]


# -- seed_demo ------------------------------------------------------------------------------


def demo_counts() -> dict[str, object]:
    return {
        "clinics": Clinic.objects.count(),
        "clinic_hours": ClinicHours.objects.count(),
        "consult_rooms": Room.objects.filter(kind=RoomKind.CONSULT).count(),
        "infusion_rooms": Room.objects.filter(kind=RoomKind.INFUSION).count(),
        "clinicians": StaffMember.objects.filter(user__role=Role.CLINICIAN).count(),
        "nurses": StaffMember.objects.filter(user__role=Role.NURSE).count(),
        "therapists": StaffMember.objects.filter(user__role=Role.THERAPIST).count(),
        "working_hours": WorkingHours.objects.count(),
        "users": User.objects.count(),
        "patient_profiles": PatientProfile.objects.count(),
        "types": sorted(AppointmentType.objects.values_list("code", flat=True)),
    }


EXPECTED_DEMO = {
    "clinics": 1,
    "clinic_hours": 5,
    "consult_rooms": 2,
    "infusion_rooms": 6,
    "clinicians": 2,
    "nurses": 3,
    "therapists": 1,
    "working_hours": 6 * 5,
    "users": 8,
    "patient_profiles": 1,
    "types": ["evaluation", "infusion", "integration"],
}


def test_seed_demo_loads_the_demo_clinic_and_running_it_again_changes_nothing():
    out = StringIO()
    call_command("seed_demo", "--password", "a-password-for-this-test", stdout=out)
    first = demo_counts()

    call_command("seed_demo", "--password", "a-password-for-this-test", stdout=out)

    assert first == EXPECTED_DEMO
    assert demo_counts() == EXPECTED_DEMO
    assert out.getvalue().count("Demo clinic loaded.") == 2


def test_the_demo_logins_exist_with_their_roles_and_sign_in_with_the_given_password():
    call_command("seed_demo", "--password", "a-password-for-this-test", stdout=StringIO())
    call_command("seed_demo", "--password", "a-password-for-this-test", stdout=StringIO())

    for email, role in DEMO_LOGINS.items():
        user = authenticate(email=email, password="a-password-for-this-test")
        assert user is not None, email
        assert user.role == role
        assert authenticate(email=email, password="demo-clinic-2026") is None


def test_a_demo_login_gets_a_token_from_the_api(api_client):
    call_command("seed_demo", "--password", "a-password-for-this-test", stdout=StringIO())

    nurse = User.objects.get(email="nurse@example.com")
    # Staff send the code of their authenticator app too.
    body = {"email": nurse.email, "password": "a-password-for-this-test", "otp": totp_code(nurse)}
    response = api_client.post("/api/v1/auth/token/", body, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_seed_demo_prints_the_demo_logins():
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert "Demo logins (password: demo-clinic-2026):" in out.getvalue()
    for email, role in DEMO_LOGINS.items():
        # Staff logins are followed by their TOTP secret in base32 (SPEC.md section 7).
        secret = "" if role == Role.PATIENT else " totp: [A-Z2-7]{32}"
        assert re.search(rf"^  {re.escape(email)}{secret}$", out.getvalue(), re.MULTILINE), email


def test_seed_demo_if_empty_leaves_an_existing_clinic_alone():
    call_command("seed_demo", stdout=StringIO())
    Room.objects.filter(name="Infusion 6").delete()
    out = StringIO()

    call_command("seed_demo", "--if-empty", stdout=out)

    assert "demo data left as it is" in out.getvalue()
    assert Room.objects.filter(kind=RoomKind.INFUSION).count() == 5


def test_seed_demo_refuses_where_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="refuses to run under production settings"):
        call_command("seed_demo", stdout=StringIO())

    assert Clinic.objects.count() == 0
    assert User.objects.count() == 0


# -- production settings --------------------------------------------------------------------


SECRET_KEY = "q7Vh2mZ9xR4kT1bN8cW3pL6sD0fJ5gY2aE9uK4nM7rB1tX6zC3vQ8wH5jS0d"  # 60 characters


def clean_env(**variables: str) -> dict[str, str]:
    """Only what a process needs to start, plus ``variables``: nothing leaks from the test run."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **variables}


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "secret_key",
    [
        None,
        "",
        "too-short-0123456789",
        "insecure-development-key-change-me-0123456789-0123456789-0123456789",
    ],
)
def test_production_settings_refuse_to_load_without_a_real_secret_key(secret_key):
    env = clean_env(ALLOWED_HOSTS="example.com")
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key

    result = run_python("-c", "import config.settings.production", env=env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_load_without_a_redis_broker():
    env = clean_env(SECRET_KEY=SECRET_KEY, ALLOWED_HOSTS="example.com")

    result = run_python("-c", "import config.settings.production", env=env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: REDIS_URL must point at the Celery broker" in result.stderr


def test_production_settings_pass_the_deploy_checks_with_a_secret_key_and_hosts():
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="example.com",
        REDIS_URL="redis://127.0.0.1:6379/0",  # only read here: `check` connects to nothing
    )

    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
