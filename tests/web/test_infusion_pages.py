"""The infusion session record page (/staff/infusions/<appointment id>/) without a browser: who
may open it, the weight and planned dose before the start, readings (one past a threshold
becomes an alert until its action is recorded), a refused start and a refused discharge listing
what is missing, an adverse event, the discharge; refusals change nothing."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import AppointmentStatus
from clinical.models import AdverseEvent, Alert, InfusionRecord, Questionnaire, VitalsReading
from clinical.services.questionnaires import questionnaire_answer
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.infusion_fixtures import (
    CHECK_IN,
    START,
    check_in,
    infusion_appointment,
    prepare_start,
    reading,
    record_scales,
    start,
)
from tests.clinical.questionnaire_fixtures import infusion_with_questionnaires, plan_of
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

CADSS6_NONE = {f"scales-cadss6_item_{number}": "0" for number in range(1, 7)}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def nurse(demo_clinic) -> Any:
    return UserFactory(role=Role.NURSE, first_name="Nora", last_name="Quinn")


@pytest.fixture
def infusion(demo_clinic) -> Any:
    return infusion_appointment(PatientFactory(first_name="Rosa", last_name="Martín"))


def page_url(appointment: Any, tail: str = "") -> str:
    return f"/staff/infusions/{appointment.pk}/" + (f"{tail}/" if tail else "")


def text_of(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.NURSE, 200), (Role.CLINICIAN, 200), (Role.ADMIN, 403), (Role.THERAPIST, 403), (Role.PATIENT, 403)],
)
def test_only_nurses_and_clinicians_open_the_record(infusion, role, status):
    with time_machine.travel(CHECK_IN, tick=False):
        response = signed_in(UserFactory(role=role)).get(page_url(infusion))
    assert response.status_code == status


def test_the_signed_out_are_sent_to_sign_in_and_other_appointments_are_not_found(infusion, nurse, demo_clinic):
    assert Client().get(page_url(infusion)).status_code == 302
    evaluation = AppointmentFactory(appointment_type=AppointmentType.objects.get(code="evaluation"), starts_at=START)
    assert signed_in(nurse).get(page_url(evaluation)).status_code == 404


def test_the_page_shows_the_plan_and_the_planned_dose_before_the_start(infusion, nurse):
    with time_machine.travel(CHECK_IN, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        page = client.get(page_url(infusion))
        assert page.status_code == 200
        assert "<title>Infusion session record ·" in page.content.decode()
        assert "Rosa" not in page.content.decode().split("</title>")[0]
        text = text_of(page)
        assert "Infusion 1 of 6" in text
        assert "0.50 mg/kg IV" in text
        assert "Planned dose Record the weight first" in text
        assert "All times are Pacific Time." in text

        saved = client.post(page_url(infusion, "weight"), {"weight-weight_kg": "70.3"})
        assert saved.status_code == 302
        text = text_of(client.get(saved["Location"]))
    assert "Weight recorded." in text
    assert "70.3 kg, measured Monday, December 7, 2026" in text
    assert "35.2 mg (0.50 mg/kg \N{MULTIPLICATION SIGN} 70.3 kg)" in text


def test_a_reading_past_a_threshold_is_an_alert_until_its_action_is_recorded(infusion, nurse):
    with time_machine.travel(START + timedelta(minutes=12), tick=False):
        client = signed_in(nurse)
        start(infusion, nurse)
        posted = client.post(
            page_url(infusion, "vitals"),
            {
                "vitals-taken_at": "09:11",
                "vitals-systolic": "184",
                "vitals-diastolic": "96",
                "vitals-heart_rate": "88",
                "vitals-spo2": "97",
                "vitals-note": "Anxious",
            },
        )
        assert posted.status_code == 302
        text = text_of(client.get(posted["Location"]))
        alert = Alert.objects.get(appointment=infusion)
        assert alert.reasons == ["systolic"]
        assert "Blood pressure past threshold · raised at 9:12 AM" in text
        assert "Past threshold: Systolic at or above 180" in text
        assert "9:11 AM 184/96 mmHg 88 97%" in text
        assert VitalsReading.objects.filter(record__appointment=infusion).count() == 2

        resolved = client.post(page_url(infusion, f"alerts/{alert.pk}"), {f"alert-{alert.pk}-action": "continued"})
        assert resolved.status_code == 302
        text = text_of(client.get(resolved["Location"]))
    alert.refresh_from_db()
    assert (alert.action, alert.resolved_by) == ("continued", nurse)
    assert "No open alert." in text
    assert "Blood pressure past threshold at 9:12 AM: Infusion continued by Nora Quinn at 9:12 AM" in text


def test_a_reading_out_of_range_is_refused_beside_its_field_and_nothing_is_written(infusion, nurse):
    with time_machine.travel(CHECK_IN, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        refused = client.post(
            page_url(infusion, "vitals"),
            {
                "vitals-taken_at": "08:45",
                "vitals-systolic": "400",
                "vitals-diastolic": "80",
                "vitals-heart_rate": "70",
                "vitals-spo2": "98",
            },
        )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'role="alert"' in html
    assert (
        '<a href="#id_vitals-systolic">Systolic pressure (mmHg): Ensure this value is less than or equal to 300.</a>'
        in html
    )
    assert 'aria-describedby="id_vitals-systolic_helptext id_vitals-systolic_error"' in html
    assert not VitalsReading.objects.exists()


def test_a_reading_in_the_future_is_refused_by_the_service(infusion, nurse):
    with time_machine.travel(CHECK_IN, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        refused = client.post(
            page_url(infusion, "vitals"),
            {
                "vitals-taken_at": "10:30",
                "vitals-systolic": "120",
                "vitals-diastolic": "80",
                "vitals-heart_rate": "70",
                "vitals-spo2": "98",
            },
        )
    assert refused.status_code == 400
    assert (
        '<a href="#id_vitals-taken_at">Time (Pacific Time): '
        "Not in the future, and not before the appointment&#x27;s day.</a>" in refused.content.decode()
    )
    assert not VitalsReading.objects.exists()


def test_start_is_refused_with_everything_missing_listed(nurse, demo_clinic):
    infusion = infusion_appointment(ready=False)
    with time_machine.travel(START, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        refused = client.post(page_url(infusion, "start"))
    assert refused.status_code == 409
    text = text_of(refused)
    assert "There is a problem" in text
    assert "No baseline reading in the last 15 minutes: record vitals first." in text
    assert "Readiness is not confirmed" in text
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.CHECKED_IN


def test_a_nurse_records_readiness_a_baseline_and_starts(nurse, demo_clinic):
    infusion = infusion_appointment(ready=False)
    with time_machine.travel(START, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        prepare_start(infusion, nurse, at=CHECK_IN)  # weight, medication review, both forms
        assert client.post(page_url(infusion, "readiness"), {"readiness-readiness_checked": "on"}).status_code == 302
        reading(infusion, nurse, at=START - timedelta(minutes=2))
        started = client.post(page_url(infusion, "start"))
        assert started.status_code == 302
        text = text_of(client.get(started["Location"]))
    assert "Infusion started." in text
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.IN_PROGRESS
    assert "9:10 AM During the infusion Due" in text


def test_discharge_is_refused_early_with_what_is_missing_then_done(infusion, nurse):
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        client = signed_in(nurse)
        start(infusion, nurse)
        refused = client.post(page_url(infusion, "discharge"), {"discharge-alert_and_oriented": "on"})
        assert refused.status_code == 409
        text = text_of(refused)
        assert "The recovery time has not passed yet: discharge from 10:30 AM." in text
        assert "No reading in the last 15 minutes: record vitals first." in text
        assert "The dose given is not recorded." in text
        assert "No MOAA/S of 5 recorded since the infusion ended." in text
        assert "No CADSS-6 recorded since the infusion ended." in text
        assert "The discharge checklist is not complete." in text
        assert "An adult escort is present: Not ticked yet." in text
        assert "Walking steadily: Not ticked yet." in text
        assert "Written discharge instructions given: Not ticked yet." in text
        assert "Alert and oriented: Not ticked yet." not in text
    record = InfusionRecord.objects.get(appointment=infusion)
    assert record.discharged_at is None
    with time_machine.travel(START + timedelta(minutes=95), tick=False):
        client = signed_in(nurse)
        client.post(page_url(infusion, "weight"), {"weight-weight_kg": "70.0"})
        client.post(page_url(infusion, "dose"), {"dose-dose_given_mg": "35.0", "dose-dose_reason": ""})
        reading(infusion, nurse, at=START + timedelta(minutes=94))
        scales = client.post(page_url(infusion, "scales"), {"scales-moaas": "5", **CADSS6_NONE})
        assert scales.status_code == 302
        done = client.post(
            page_url(infusion, "discharge"),
            {
                "discharge-alert_and_oriented": "on",
                "discharge-escort_present": "on",
                "discharge-walking_steadily": "on",
                "discharge-instructions_given": "on",
            },
        )
        assert done.status_code == 302
        text = text_of(client.get(done["Location"]))
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.COMPLETED
    assert "Discharged. The infusion is completed." in text
    assert "Discharged at 10:35 AM by Nora Quinn." in text


def test_a_lower_dose_needs_a_reason_beside_the_field(infusion, nurse):
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        client = signed_in(nurse)
        start(infusion, nurse)
        client.post(page_url(infusion, "weight"), {"weight-weight_kg": "70.0"})
        refused = client.post(page_url(infusion, "dose"), {"dose-dose_given_mg": "30.0", "dose-dose_reason": ""})
        above = client.post(page_url(infusion, "dose"), {"dose-dose_given_mg": "36.0", "dose-dose_reason": ""})
    assert refused.status_code == 400
    assert (
        '<a href="#id_dose-dose_reason">Reason for a lower dose: Less than planned was given: say why.</a>'
        in refused.content.decode()
    )
    assert above.status_code == 400
    assert (
        '<a href="#id_dose-dose_given_mg">Dose given (mg): More than the planned 35.0 mg is never given.</a>'
        in above.content.decode()
    )
    assert InfusionRecord.objects.get(appointment=infusion).dose_given_mg is None


def test_an_adverse_event_is_recorded(infusion, nurse):
    with time_machine.travel(START + timedelta(minutes=20), tick=False):
        client = signed_in(nurse)
        start(infusion, nurse)
        posted = client.post(
            page_url(infusion, "adverse-events"),
            {
                "event-code": "nausea_vomiting",
                "event-grade": "1",
                "event-serious": "no",
                "event-relatedness": "probable",
                "event-outcome": "resolved",
                "event-action": "medication_given",
                "event-occurred_at": "09:18",
                "event-action_detail": "Ondansetron 4 mg",
                "event-note": "",
            },
        )
        assert posted.status_code == 302
        text = text_of(client.get(posted["Location"]))
    event = AdverseEvent.objects.get()
    assert (event.code, event.grade, event.serious, event.action, event.action_detail) == (
        "nausea_vomiting",
        1,
        False,
        "medication_given",
        "Ondansetron 4 mg",
    )
    assert "Nausea or vomiting · grade 1 - Mild at 9:18 AM" in text
    assert "Related to the treatment: probable · Outcome: resolved" in text
    assert "Action taken: Medication given — Ondansetron 4 mg" in text


def test_the_board_says_forms_and_alerts_in_words_and_links_the_session_record(infusion, nurse):
    later = plan_of(PatientFactory(first_name="Leo", last_name="Brandt"))
    _, phq9, _ = infusion_with_questionnaires(later, starts_at=START + timedelta(hours=2))
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        start(infusion, nurse)
        reading(infusion, nurse, at=START + timedelta(minutes=10), systolic=190)
        questionnaire_answer(actor=later.patient, questionnaire_id=phq9.pk, items=[0, 0, 0, 0, 0, 0, 0, 0, 1])
        board = text_of(signed_in(nurse).get("/staff/day/?date=2026-12-07"))
        front_desk = signed_in(UserFactory(role=Role.ADMIN)).get("/staff/day/?date=2026-12-07").content.decode()
    rosa = board[board.index("Rosa Martín") :]
    assert rosa.startswith(
        "Rosa Martín Infusion session infusion 1 of 6 0.50 mg/kg IV 35.0 mg planned — In progress Driver: arranged "
        "Fasting: read "
    )
    assert "Blood pressure past threshold Vitals overdue Open session record for Rosa Martín, 9:00 AM" in rosa
    assert "Discharge from the session record" in rosa
    leo = board[board.index("Leo Brandt") :]
    assert "Forms due Self-harm answer — clinician review" in leo
    assert "Open session record" not in front_desk  # the front desk does not open clinical records


def test_a_self_harm_answer_blocks_the_start_until_a_clinician_acknowledges_it_on_the_record(infusion, nurse):
    phq9 = Questionnaire.objects.create(
        patient=infusion.patient, appointment=infusion, kind="phq9", opens_at=START - timedelta(hours=72),
        created_at=START - timedelta(days=4),
    )  # fmt: skip
    questionnaire_answer(
        actor=infusion.patient, questionnaire_id=phq9.pk, items=[0, 0, 0, 0, 0, 0, 0, 0, 2], now=CHECK_IN
    )
    alert = Alert.objects.get(kind="self_harm")
    with time_machine.travel(START, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        prepare_start(infusion, nurse, at=CHECK_IN)
        reading(infusion, nurse, at=START - timedelta(minutes=3))
        page = text_of(client.get(page_url(infusion)))
        assert (
            "Self-harm answer — clinician review · raised at 8:45 AM "
            "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered 2 of 3 "
            "Waiting for a clinician's acknowledgement." in page
        )
        refused = client.post(page_url(infusion, "start"))
        assert refused.status_code == 409
        assert "A clinician has not yet acknowledged the patient's self-harm answer." in text_of(refused)
        assert client.post(page_url(infusion, f"alerts/{alert.pk}"), {f"alert-{alert.pk}-note": "x"}).status_code == 403

        clinician = signed_in(UserFactory(role=Role.CLINICIAN))
        done = clinician.post(page_url(infusion, f"alerts/{alert.pk}"), {f"alert-{alert.pk}-note": "Spoke with her."})
        assert done.status_code == 302
        assert client.post(page_url(infusion, "start")).status_code == 302
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.IN_PROGRESS


def test_a_self_harm_answer_for_a_later_infusion_is_not_on_this_record_but_blocks_its_start(infusion, nurse):
    _, phq9, _ = infusion_with_questionnaires(infusion.treatment_plan, starts_at=START + timedelta(days=2))
    questionnaire_answer(
        actor=infusion.patient, questionnaire_id=phq9.pk, items=[0, 0, 0, 0, 0, 0, 0, 0, 2], now=CHECK_IN
    )
    with time_machine.travel(START, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        prepare_start(infusion, nurse, at=CHECK_IN)
        reading(infusion, nurse, at=START - timedelta(minutes=3))
        page = text_of(client.get(page_url(infusion)))
        assert "Self-harm answer" not in page  # the answer belongs to the later infusion's record
        refused = client.post(page_url(infusion, "start"))
    assert refused.status_code == 409
    assert "A clinician has not yet acknowledged the patient's self-harm answer." in text_of(refused)


def test_a_worsening_phq9_shows_on_the_record_and_does_not_block_the_start(infusion, nurse):
    phq9 = Questionnaire.objects.create(
        patient=infusion.patient,
        appointment=infusion,
        kind="phq9",
        opens_at=START - timedelta(hours=72),
        created_at=START - timedelta(days=5),
    )
    questionnaire_answer(
        actor=infusion.patient, questionnaire_id=phq9.pk, items=[3, 3, 3, 3, 2, 2, 2, 2, 0], now=CHECK_IN
    )
    with time_machine.travel(START, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        prepare_start(infusion, nurse, at=CHECK_IN)
        reading(infusion, nurse, at=START - timedelta(minutes=3))
        page = text_of(client.get(page_url(infusion)))
        assert "PHQ-9 worsening — clinician review · raised at 8:45 AM" in page
        assert "PHQ-9 of 20 or more Waiting for a clinician's acknowledgement." in page
        assert client.post(page_url(infusion, "start")).status_code == 302  # the clinician decides
    assert Alert.objects.get(kind="worsening").resolved_at is None


def test_an_infusion_stopped_early_moves_the_recovery_and_the_schedule(infusion, nurse):
    with time_machine.travel(START + timedelta(minutes=25), tick=False):
        client = signed_in(nurse)
        start(infusion, nurse)
        before = text_of(client.get(page_url(infusion)))
        assert "Infusion runs until 9:50 AM (50 minutes). Recovery ends at 10:30 AM: the earliest discharge." in before
        future = client.post(page_url(infusion, "end"), {"end-infusion_ended_at": "09:40"})
        assert future.status_code == 400
        assert "Infusion ended at (Pacific Time): The infusion ends after its start and not in the future." in text_of(
            future
        )
        done = client.post(page_url(infusion, "end"), {"end-infusion_ended_at": "09:22"})
        assert done.status_code == 302
        text = text_of(client.get(done["Location"]))
    assert "Infusion ended at 9:22 AM (recorded). Recovery ends at 10:02 AM: the earliest discharge." in text
    assert (
        "9:10 AM During the infusion Missed 9:20 AM During the infusion Due "
        "9:37 AM Recovery Due 9:52 AM Recovery Due 10:02 AM Before discharge Due" in text
    )
    assert InfusionRecord.objects.get(appointment=infusion).infusion_ended_at == START + timedelta(minutes=22)


def test_a_nurse_enters_the_patients_answers_at_check_in(infusion, nurse):
    phq9, gad7 = (
        Questionnaire.objects.create(
            patient=infusion.patient,
            appointment=infusion,
            kind=kind,
            opens_at=START - timedelta(hours=72),
            created_at=START - timedelta(days=5),
        )
        for kind in ("phq9", "gad7")
    )
    with time_machine.travel(CHECK_IN, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        page = text_of(client.get(page_url(infusion)))
        assert "PHQ-9 : Due: not answered yet · Enter the patient's answers to the PHQ-9" in page
        form_url = page_url(infusion, f"questionnaires/{phq9.pk}")
        assert client.get(form_url).status_code == 200
        missing = client.post(form_url, {f"item_{n}": "1" for n in range(1, 9)})
        assert missing.status_code == 400
        answers = {**{f"item_{n}": "1" for n in range(1, 9)}, "item_9": "1", "difficulty": "somewhat_difficult"}
        done = client.post(form_url, answers)
        assert done.status_code == 302
        text = text_of(client.get(done["Location"]))
    assert (
        "PHQ-9 answers recorded (total 9). Self-harm answer: a clinician must acknowledge it before the start." in text
    )
    assert "PHQ-9 : Answered: total 9 (mild), entered by Nora Quinn for the patient" in text
    assert "GAD-7 : Due: not answered yet" in text
    phq9.refresh_from_db()
    assert (phq9.total, phq9.on_behalf, phq9.answered_by, phq9.difficulty) == (9, True, nurse, "somewhat_difficult")
    assert Alert.objects.filter(kind="self_harm", questionnaire=phq9).count() == 1
    gad7.refresh_from_db()
    assert gad7.answered_at is None


def test_the_page_costs_the_same_queries_with_few_and_many_readings(infusion, nurse):
    """The page reads the session through one selector: a fixed number of queries, however many
    readings, alerts, events and scale assessments the record holds."""
    counts = []
    with time_machine.travel(START + timedelta(minutes=55), tick=False):
        client = signed_in(nurse)
        start(infusion, nurse)
        client.get(page_url(infusion))  # the session's first request writes its start time
        for minutes in range(5, 55, 5):
            reading(infusion, nurse, at=START + timedelta(minutes=minutes), systolic=190 if minutes % 20 == 0 else 120)
            record_scales(infusion, nurse, at=START + timedelta(minutes=minutes))
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page_url(infusion)).status_code == 200
            counts.append(len(queries))
    assert Alert.objects.filter(appointment=infusion).count() == 2
    assert len(set(counts)) == 1, counts
