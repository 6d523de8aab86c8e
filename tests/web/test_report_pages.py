"""The clinicians' pages of section 10 without a browser: the outcome report (/staff/reports/
outcomes/, on the page and as CSV), the queue of self-harm answers to acknowledge on the
clinician's home, and the plan's outcome with its chart on the patient's chart."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from clinical.models import Alert, ClinicalAccess
from clinical.services.adverse_events import adverse_event_record
from clinical.services.questionnaires import questionnaire_answer
from core.roles import Role
from tests.clinical.adverse_event_fixtures import NAUSEA
from tests.clinical.infusion_fixtures import START, infusion_appointment, reading, start
from tests.clinical.questionnaire_fixtures import GAD7_CALM, answered, infusion_with_questionnaires, plan_of
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
REPORT = "/staff/reports/outcomes/"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def december_day(demo_clinic) -> dict[str, Any]:
    """An infusion on Monday, December 7, 2026 (its plan activated November 27): a reading past
    the systolic threshold and a mild nausea."""
    nurse = UserFactory(role=Role.NURSE)
    infusion = infusion_appointment(PatientFactory(first_name="Rosa", last_name="Martín"))
    start(infusion, nurse)
    reading(infusion, nurse, at=START + timedelta(minutes=10), systolic=186)
    adverse_event_record(
        actor=nurse,
        appointment_id=infusion.pk,
        event=NAUSEA,
        occurred_at=START + timedelta(minutes=12),
        now=START + timedelta(minutes=12),
    )
    return {"infusion": infusion}


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.CLINICIAN, 200), (Role.ADMIN, 200), (Role.NURSE, 403), (Role.THERAPIST, 403), (Role.PATIENT, 403)],
)
def test_clinicians_and_the_admin_read_the_report(demo_clinic, role, status):
    assert signed_in(UserFactory(role=role)).get(REPORT).status_code == status


def test_the_form_starts_with_last_month(demo_clinic):
    with time_machine.travel(datetime(2026, 12, 15, 9, tzinfo=LA), tick=False):
        page = signed_in(UserFactory(role=Role.CLINICIAN)).get(REPORT)
    html = page.content.decode()
    assert 'name="date_from" value="2026-11-01"' in html
    assert 'name="date_to" value="2026-11-30"' in html
    assert "Download CSV" not in html


def test_the_report_shows_its_figures_in_tables(december_day):
    page = signed_in(UserFactory(role=Role.CLINICIAN)).get(REPORT, {"date_from": "2026-11-01", "date_to": "2026-12-31"})
    assert page.status_code == 200
    text = text_of(page)
    assert "Sunday, November 1, 2026 to Thursday, December 31, 2026" in text
    assert "Plans started 1" in text
    assert "Series completed (every planned infusion done) 0" in text
    assert "Infusions completed 0" in text
    assert "Response (latest PHQ-9 at least 50% below baseline) 0 0 Nobody to count" in text
    assert "Event Grade 1 Grade 2 Grade 3 Grade 4 Grade 5 All Of them serious Nausea or vomiting 1 0 0 0 0 1 0" in text
    assert "Blood-pressure alerts 1 Per 100 infusions No infusions" in text
    assert 'href="?date_from=2026-11-01&amp;date_to=2026-12-31&amp;format=csv"' in page.content.decode()


def test_the_csv_download_holds_the_same_figures(december_day):
    response = signed_in(UserFactory(role=Role.ADMIN)).get(
        REPORT, {"date_from": "2026-11-01", "date_to": "2026-12-31", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="outcomes-2026-11-01-2026-12-31.csv"'
    assert response.content.decode().split("\r\n") == [
        "figure,value",
        "date_from,2026-11-01",
        "date_to,2026-12-31",
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
        "adverse_events.nausea_vomiting.grade_1,1",
        "adverse_events.nausea_vomiting.grade_1.serious,0",
        "blood_pressure_alerts,1",
        "blood_pressure_alerts_per_100_infusions,",
        "",
    ]


def test_a_range_the_service_refuses_is_named_beside_its_date(demo_clinic):
    client = signed_in(UserFactory(role=Role.CLINICIAN))
    backwards = client.get(REPORT, {"date_from": "2026-12-31", "date_to": "2026-12-01"})
    assert backwards.status_code == 400
    assert '<a href="#id_date_to">To: The range ends before it begins.</a>' in backwards.content.decode()
    too_long = client.get(REPORT, {"date_from": "2025-01-01", "date_to": "2026-12-31", "format": "csv"})
    assert too_long.status_code == 400
    assert too_long["Content-Type"].startswith("text/html")
    assert "To: A report covers at most a year." in text_of(too_long)
    not_a_date = client.get(REPORT, {"date_from": "2026-13-01", "date_to": ""})
    assert not_a_date.status_code == 400
    assert "From: Enter a real date, for example 2026-11-01." in text_of(not_a_date)
    assert "To: Enter the last day." in text_of(not_a_date)


# -- the clinician's queue -----------------------------------------------------------------------


@pytest.fixture
def self_harm_alert(demo_clinic) -> Alert:
    plan = plan_of(PatientFactory(first_name="Leo", last_name="Brandt"))
    _, phq9, _ = infusion_with_questionnaires(plan)
    questionnaire_answer(
        actor=plan.patient, questionnaire_id=phq9.pk, items=[1, 1, 1, 1, 1, 1, 1, 1, 1], now=START - timedelta(hours=20)
    )
    return Alert.objects.get(kind="self_harm")


def test_the_clinician_sees_the_self_harm_answer_and_acknowledges_it_with_a_note(self_harm_alert):
    clinician = UserFactory(role=Role.CLINICIAN)
    client = signed_in(clinician)
    home = client.get("/staff/")
    text = text_of(home)
    assert "Alerts to review" in text
    assert (
        "Leo Brandt Self-harm answer — clinician review · raised Sunday, December 6, 2026 at 1:00 PM Pacific Time"
        in text
    )
    assert "Appointment Monday, December 7, 2026 at 10:00 AM Pacific Time" in text
    prefix = f"ack-{self_harm_alert.pk}"
    url = f"/staff/alerts/{self_harm_alert.pk}/acknowledge/"

    refused = client.post(url, {f"{prefix}-note": ""})
    assert refused.status_code == 400
    assert f'<a href="#id_{prefix}-note">Note: Write a note saying what was done.</a>' in refused.content.decode()
    self_harm_alert.refresh_from_db()
    assert self_harm_alert.resolved_at is None

    done = client.post(url, {f"{prefix}-note": "Called the patient; safe, plan agreed."}, follow=True)
    assert (
        "Acknowledged: Leo Brandt&#x27;s answer raised Sunday, December 6, 2026 at 1:00 PM Pacific Time."
        in done.content.decode()
    )
    assert "No alert is waiting for review." in text_of(done)
    self_harm_alert.refresh_from_db()
    assert (self_harm_alert.resolved_by, self_harm_alert.note) == (clinician, "Called the patient; safe, plan agreed.")


@pytest.mark.parametrize("role", [Role.NURSE, Role.ADMIN, Role.THERAPIST, Role.PATIENT])
def test_only_a_clinician_acknowledges(self_harm_alert, role):
    response = signed_in(UserFactory(role=role)).post(
        f"/staff/alerts/{self_harm_alert.pk}/acknowledge/", {f"ack-{self_harm_alert.pk}-note": "Seen."}
    )
    assert response.status_code == 403
    self_harm_alert.refresh_from_db()
    assert self_harm_alert.resolved_at is None


# -- the plan's outcome on the patient's chart ---------------------------------------------------------


def test_the_chart_shows_the_outcome_in_words_and_the_scores_by_session(demo_clinic):
    plan = plan_of(PatientFactory(first_name="Ana", last_name="Ruiz"))  # baseline PHQ-9 15, GAD-7 10
    _, phq9_1, gad7_1 = infusion_with_questionnaires(plan, starts_at=START, status="completed")
    _, phq9_2, _ = infusion_with_questionnaires(plan, starts_at=START + timedelta(days=2), status="completed")
    answered(phq9_1, [1, 1, 1, 1, 1, 1, 1, 1, 0], at=START - timedelta(hours=2))  # 8
    answered(gad7_1, GAD7_CALM, at=START - timedelta(hours=2))  # 2
    answered(phq9_2, [1, 1, 1, 1, 0, 0, 0, 0, 0], at=START + timedelta(days=2, hours=-2))  # 4
    clinician = UserFactory(role=Role.CLINICIAN)
    page = signed_in(clinician).get(f"/staff/patients/{plan.patient.pk}/")
    assert page.status_code == 200
    text = text_of(page)
    # The baseline is the check-in before the first infusion, not the evaluation's 15 (SPEC.md 10).
    assert "Baseline PHQ-9 8 (check-in before the first infusion) Latest PHQ-9 4 Change Down 50.0%" in text
    assert "Response Yes: the latest PHQ-9 is at least 50% below baseline" in text
    assert "Remission Not applicable: the baseline is below 10" in text
    html = page.content.decode()
    assert 'role="img" aria-labelledby="outcome-chart-title" aria-describedby="outcome-chart-desc"' in html
    assert (
        "PHQ-9 from 15 at evaluation to 4 at session 2 (Wednesday, December 9); "
        "GAD-7 from 10 at evaluation to 2 at session 1 (Monday, December 7)." in html
    )
    assert '<th scope="row">Session 1 (Monday, December 7)</th><td>8</td><td>2</td>' in html
    assert "style=" not in html
    assert ClinicalAccess.objects.filter(actor=clinician, action="read", object_id=str(plan.pk)).count() == 1


def test_the_front_desk_sees_no_outcome(demo_clinic):
    plan = plan_of(PatientFactory())
    page = signed_in(UserFactory(role=Role.ADMIN)).get(f"/staff/patients/{plan.patient.pk}/")
    assert page.status_code == 200
    assert "Baseline PHQ-9" not in text_of(page)
    assert "<svg" not in page.content.decode()
